/**
 * Export VAT refund rates (出口退税率) per HS prefix, versioned: a declaration is evaluated with
 * the table in force on its exit date. Longest prefix wins. `excluded` lists goods MOF/SAT
 * exclude from refund and exemption (财税〔2013〕96号 第三条). Sample rows for the demo
 * sellers' goods; the full library comes from the SAT refund-rate file (出口退税率文库).
 */
export interface RefundRateTable {
  version: string;
  source: string;
  effectiveFrom: string;
  rates: readonly { hs: string; rate: string }[];
  excluded: readonly string[];
}

export const REFUND_RATE_TABLES: readonly RefundRateTable[] = [
  {
    version: '2019-04',
    source: '财政部 税务总局 海关总署公告2019年第39号',
    effectiveFrom: '2019-04-01',
    rates: [
      { hs: '6911', rate: '0.13' },
      { hs: '6912', rate: '0.13' },
      { hs: '6913', rate: '0.13' },
      { hs: '0805', rate: '0.09' },
      { hs: '6109', rate: '0.13' },
    ],
    excluded: ['2710', '4403'],
  },
  {
    version: '2020-03',
    source: '财政部 税务总局公告2020年第15号',
    effectiveFrom: '2020-03-20',
    rates: [
      { hs: '6911', rate: '0.13' },
      { hs: '6912', rate: '0.13' },
      { hs: '6913', rate: '0.13' },
      { hs: '0805', rate: '0.09' },
      { hs: '6109', rate: '0.13' },
      { hs: '9503', rate: '0.13' },
    ],
    excluded: ['2710', '4403'],
  },
];

export function rateTableOn(day: string, tables: readonly RefundRateTable[] = REFUND_RATE_TABLES): RefundRateTable {
  return (
    [...tables].filter((t) => t.effectiveFrom <= day).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0] ??
    tables[0]!
  );
}

/** The refund rate of an HS code, `null` when excluded, `'0'` when the table has no row. */
export function refundRate(t: RefundRateTable, hs: string): string | null {
  if (t.excluded.some((p) => hs.startsWith(p))) return null;
  const hit = t.rates.filter((r) => hs.startsWith(r.hs)).sort((a, b) => b.hs.length - a.hs.length)[0];
  return hit ? hit.rate : '0';
}
