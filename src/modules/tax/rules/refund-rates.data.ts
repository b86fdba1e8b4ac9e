import type { RateHit, RefundRates } from './refund.rules.ts';

/**
 * Export VAT refund rates (出口退税率) per HS prefix, versioned: a declaration is evaluated with
 * the table in force on its exit date. Longest prefix wins. `excluded` lists goods MOF/SAT
 * exclude from refund and exemption (财税〔2013〕96号 第三条). These are the tables the database
 * was first seeded with (tax migration 002, `tax_rate_version` / `tax_refund_rate`); the tax
 * officer imports the SAT refund-rate file (出口退税率文库) as a new version by CSV, and the
 * platform reads rates from the database only. An HS code no row covers has no known rate.
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

/** What a table says of an HS code: the longest prefix among rates and exclusions wins; none: unknown. */
export function refundRate(t: RefundRateTable, hs: string): RateHit {
  const rows = [
    ...t.rates.map((r) => ({ hs: r.hs, hit: { kind: 'rate' as const, rate: r.rate } })),
    ...t.excluded.map((p) => ({ hs: p, hit: { kind: 'excluded' as const } })),
  ];
  const hit = rows.filter((r) => hs.startsWith(r.hs)).sort((a, b) => b.hs.length - a.hs.length)[0];
  return hit ? hit.hit : { kind: 'unknown' };
}

/** A table as the refund rules read rates (tests, and code that holds a table). */
export const ratesOf = (t: RefundRateTable): RefundRates => ({ version: t.version, rateOf: (hs) => refundRate(t, hs) });
