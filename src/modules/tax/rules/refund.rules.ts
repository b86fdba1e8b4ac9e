import { isWithinJurisdiction } from '../../../codes/index.ts';
import type { Bilingual } from '../../../kernel/errors.ts';
import { orderCoverage, type OrderValue, type Proceed } from '../../forex/index.ts';

/**
 * Refund or exemption of VAT on a CBEC retail export declaration, per 财税〔2013〕96号:
 * refund (退税) when all four refund conditions hold; else exemption (免税) when all three
 * exemption conditions hold; else the goods are taxed as domestic sales (视同内销征税).
 * Every unmet condition carries its reason. Pure: facts in, verdict out.
 */
export interface TaxProfile {
  generalTaxpayer: boolean;
  refundQualified: boolean;
  taxRegistered: boolean;
  /** 外贸企业 (buys to export) as opposed to a manufacturer: needs matching purchase invoices */
  tradingCompany: boolean;
  /** CBEC comprehensive pilot zone the exporter is registered in (region code), if any */
  pilotZone: string | null;
}

/** A declaration line that differs from the closed inventory lines that fed it (customs data). */
export interface CustomsDifference {
  lineNo: number;
  /** lines: declared = inventory lines the lineage names, customs = how many are closed (899) lines */
  field: 'gcode' | 'currency' | 'qty' | 'totalPrice' | 'lines';
  declared: string;
  customs: string;
}

export interface DeclarationFacts {
  entryId: string | null;
  exitDay: string;
  /** the customs office the declaration was lodged with (申报地海关), e.g. 4006 */
  customsCode: string;
  lines: { lineNo: number; gcode: string; currency: string; totalPrice: string }[];
  /** differences between the declaration and the customs data it was formed from (none: it matches) */
  customsDifferences: CustomsDifference[];
  /**
   * everything received for the declaration by order and channel (CEB403 collections, bank /
   * payment-institution records, RMB settlements; orderNo null: naming the declaration only)
   */
  proceeds: Proceed[];
  /** its orders' declared values per currency: what each order's receipts cover at most */
  orderValues: OrderValue[];
  /** the day of the last CEB403 collection */
  lastReceiptDay: string | null;
  /** the day of the last bank / payment-institution receipt or RMB settlement */
  lastBankReceiptDay: string | null;
  /** purchase records per declaration line */
  purchases: { lineNo: number; kind: 'vat_special' | 'import_vat' | 'consumption_cert' | 'ordinary'; amountExclVat: string }[];
}

/**
 * A CBEC comprehensive pilot zone (跨境电商综合试验区) as the 无票免税 rule names it: its region code
 * and the customs codes (districts such as 4000, or offices such as 4006) whose declarations are
 * exports through customs in the zone.
 */
export interface PilotZone {
  zone: string;
  customs: readonly string[];
}

/**
 * 无票免税 (财税〔2018〕103号): VAT exemption without purchase invoices for retail exports of
 * exporters registered in a pilot zone, declared through customs in that zone. Versioned data
 * (`tax_rule_version`): a declaration is judged by the version in force on its exit day.
 */
export interface TaxRuleConfig {
  /** the version's effective date (YYYY-MM-DD); null for a configuration given in code (tests) */
  version: string | null;
  /** the customs district or office whose own version it is; null or absent: the national rule */
  jurisdiction?: string | null;
  noInvoiceExemption: { enabled: boolean; pilotZones: readonly PilotZone[] };
}

export const DEFAULT_TAX_RULES: TaxRuleConfig = {
  version: null,
  // Nanchang (3601) has been a CBEC comprehensive pilot zone since 2018; its customs district is 4000.
  noInvoiceExemption: { enabled: true, pilotZones: [{ zone: '3601', customs: ['4000'] }] },
};

/** What the rate data says of an HS code: a rate, goods excluded from refund and exemption, or nothing known. */
export type RateHit = { kind: 'rate'; rate: string } | { kind: 'excluded' } | { kind: 'unknown' };

/** The refund rates in force for a declaration: the version's name and a lookup by HS code. */
export interface RefundRates {
  /** null: no rate version was in force on the exit day */
  version: string | null;
  rateOf(gcode: string): RateHit;
}

export type ConditionId =
  | 'taxpayer_qualified'
  | 'declaration_matches'
  | 'proceeds_received'
  | 'purchase_invoices'
  | 'rate_known'
  | 'not_excluded'
  | 'tax_registered'
  | 'declaration_exists'
  | 'purchase_vouchers';

export interface Condition {
  id: ConditionId;
  met: boolean;
  reason: Bilingual | null;
}

export interface RefundVerdict {
  outcome: 'refund' | 'exemption' | 'taxable';
  refund: Condition[];
  exemption: Condition[];
  /** refund deadline: proceeds and the refund declaration by 30 April of the year after exit */
  deadline: string;
  /** the refund-rate version in force on the exit day ('' when none was) */
  rateVersion: string;
  /** the 无票免税 rule version in force on the exit day ('' for a configuration given in code) */
  ruleVersion: string;
  /** the customs district or office whose own rule version judged it; null: the national rule */
  ruleJurisdiction: string | null;
  estimate: string;
  lines: {
    lineNo: number;
    gcode: string;
    /** null: excluded goods, or no rate known (see rateStatus) */
    rate: string | null;
    rateStatus: 'known' | 'excluded' | 'unknown';
    purchaseExclVat: string;
    estimate: string;
  }[];
}

const SCALE = 100000n;
const toS = (v: string): bigint => {
  const [i, f = ''] = v.trim().replace(/^-/, '').split('.');
  const n = BigInt(i || '0') * SCALE + BigInt((f + '00000').slice(0, 5));
  return v.trim().startsWith('-') ? -n : n;
};
const fromS = (n: bigint): string => {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const frac = (a % SCALE).toString().padStart(5, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / SCALE}${frac ? `.${frac}` : ''}`;
};
/** money to the fen (2 places), half up */
const round2 = (n: bigint): bigint => ((n + 500n) / 1000n) * 1000n;

const cond = (id: ConditionId, met: boolean, reason: Bilingual): Condition => ({ id, met, reason: met ? null : reason });

export function refundDeadline(exitDay: string): string {
  return `${Number(exitDay.slice(0, 4)) + 1}-04-30`;
}

/**
 * Why the 无票免税 waiver does not apply to this exporter and declaration (null: it applies): the
 * rule is switched off, the exporter is in no pilot zone, its zone is not one the rule names, or
 * the export was not declared through customs in the zone (财税〔2018〕103号).
 */
export function noInvoiceWaiverProblem(profile: TaxProfile, customsCode: string, config: TaxRuleConfig): Bilingual | null {
  const rule = config.noInvoiceExemption;
  const j = config.jurisdiction
    ? { zh: `，适用海关${config.jurisdiction}`, en: ` for customs ${config.jurisdiction}` }
    : { zh: '', en: '' };
  const v = config.version
    ? { zh: `（规则版本${config.version}${j.zh}）`, en: ` (rule version ${config.version}${j.en})` }
    : { zh: '', en: '' };
  if (!rule.enabled)
    return {
      zh: `综试区无票免税规则（财税〔2018〕103号）未启用${v.zh}`,
      en: `the pilot-zone no-invoice exemption rule (Caishui [2018] No. 103) is switched off${v.en}`,
    };
  if (profile.pilotZone === null)
    return { zh: '企业未登记在跨境电商综试区', en: 'the exporter is not registered in a CBEC pilot zone' };
  const zone = rule.pilotZones.find((z) => z.zone === profile.pilotZone);
  if (!zone)
    return {
      zh: `综试区${profile.pilotZone}不在无票免税规则所列综试区内${v.zh}`,
      en: `pilot zone ${profile.pilotZone} is not one the no-invoice exemption rule names${v.en}`,
    };
  if (!zone.customs.some((c) => isWithinJurisdiction(c, customsCode)))
    return {
      zh: `报关单申报海关${customsCode}不在综试区${zone.zone}的海关（${zone.customs.join(',')}）范围内，不是在综试区海关出口`,
      en: `the declaration's customs office ${customsCode} is not within pilot zone ${zone.zone}'s customs (${zone.customs.join(',')}): not exported through customs in the zone`,
    };
  return null;
}

export function evaluateRefund(
  profile: TaxProfile,
  facts: DeclarationFacts,
  rates: RefundRates,
  config: TaxRuleConfig = DEFAULT_TAX_RULES,
): RefundVerdict {
  const deadline = refundDeadline(facts.exitDay);
  const lineRates = facts.lines.map((l) => ({ l, hit: rates.rateOf(l.gcode) }));
  const excluded = lineRates.filter((x) => x.hit.kind === 'excluded').map((x) => x.l.gcode);
  const unknownRate = [...new Set(lineRates.filter((x) => x.hit.kind === 'unknown').map((x) => x.l.gcode))];

  const declared: Record<string, bigint> = {};
  for (const l of facts.lines) declared[l.currency] = (declared[l.currency] ?? 0n) + toS(l.totalPrice);
  // Each order counted once whatever the channels that saw its payment, and at most its own
  // declared value: a double-counted or over-paid order must not pass an unpaid one off as received.
  const coverage = orderCoverage(facts.proceeds, facts.orderValues);
  const got = (cur: string): bigint => toS(coverage[cur]?.covered ?? '0');
  const short = Object.entries(declared).filter(([cur, v]) => got(cur) < v);
  const channel = (cur: string, ceb403: boolean): bigint =>
    facts.proceeds
      .filter((p) => p.currency === cur && (p.channel === 'ceb403') === ceb403)
      .reduce((a, p) => a + toS(p.amount), 0n);
  const lastDay = [facts.lastReceiptDay, facts.lastBankReceiptDay]
    .filter((d): d is string => d !== null)
    .sort()
    .pop();
  const late = lastDay !== undefined && lastDay > deadline;
  const parts = (cur: string, zh: boolean): string => {
    if (!facts.proceeds.some((p) => p.currency === cur && p.channel !== 'ceb403')) return '';
    const [c403, bank] = [fromS(channel(cur, true)), fromS(channel(cur, false))];
    return zh ? `（收款单${c403}，银行/支付机构${bank}）` : ` (CEB403 ${c403}, bank/payment institution ${bank})`;
  };
  // the orders short in a currency, the first five named
  const shortOrders = (cur: string, zh: boolean): string => {
    const list = coverage[cur]?.short ?? [];
    if (!list.length) return '';
    const named = list
      .slice(0, 5)
      .map((o) =>
        zh
          ? `${o.orderNo}（申报${o.declared}，已收${o.received}）`
          : `${o.orderNo} (declared ${o.declared}, received ${o.received})`,
      );
    const more = list.length > 5 ? (zh ? `等${list.length}单` : ` and ${list.length - 5} more`) : '';
    return zh ? `，未收足订单: ${named.join('、')}${more}` : `, orders short: ${named.join(', ')}${more}`;
  };
  const diffs = facts.customsDifferences;
  const FIELD_ZH = { gcode: '商品编码', currency: '币制', qty: '数量', totalPrice: '总价', lines: '清单商品项' } as const;
  const diffZh = diffs
    .slice(0, 5)
    .map((d) =>
      d.field === 'lines'
        ? `第${d.lineNo}项归并${d.declared}条清单商品，其中已结关清单${d.customs}条`
        : `第${d.lineNo}项${FIELD_ZH[d.field]}申报${d.declared}，清单合计${d.customs}`,
    )
    .join('；');
  const diffEn = diffs
    .slice(0, 5)
    .map((d) =>
      d.field === 'lines'
        ? `line ${d.lineNo} names ${d.declared} inventory lines, ${d.customs} of them closed (899)`
        : `line ${d.lineNo} ${d.field} declared ${d.declared}, inventories ${d.customs}`,
    )
    .join('; ');
  const more = diffs.length > 5 ? { zh: `等${diffs.length}处`, en: ` and ${diffs.length - 5} more` } : { zh: '', en: '' };

  const purchasesOf = (lineNo: number) => facts.purchases.filter((p) => p.lineNo === lineNo);
  const invoiceKinds = new Set(['vat_special', 'import_vat', 'consumption_cert']);
  const noInvoice = facts.lines.filter(
    (l) => !purchasesOf(l.lineNo).some((p) => invoiceKinds.has(p.kind) && toS(p.amountExclVat) > 0n),
  );
  const noVoucher = facts.lines.filter((l) => !purchasesOf(l.lineNo).some((p) => toS(p.amountExclVat) > 0n));
  const waiverProblem = noInvoiceWaiverProblem(profile, facts.customsCode, config);

  const notExcluded = cond('not_excluded', excluded.length === 0, {
    zh: `商品${excluded.join(',')}属于财政部、税务总局明确不予退(免)税的货物`,
    en: `goods ${excluded.join(',')} are excluded from refund and exemption`,
  });
  const refund: Condition[] = [
    cond('taxpayer_qualified', profile.generalTaxpayer && profile.refundQualified, {
      zh: !profile.generalTaxpayer ? '企业不是增值税一般纳税人' : '企业未办理出口退(免)税资格认定',
      en: !profile.generalTaxpayer
        ? 'the exporter is not a VAT general taxpayer'
        : 'the exporter has no export refund qualification',
    }),
    cond(
      'declaration_matches',
      facts.entryId !== null && diffs.length === 0,
      facts.entryId === null
        ? { zh: '无海关出口货物报关单电子信息（未汇总申报）', en: 'no customs export declaration data (not summary-declared)' }
        : {
            zh: `报关单与所归并清单的海关数据不符: ${diffZh}${more.zh}`,
            en: `the declaration differs from the customs data of its inventories: ${diffEn}${more.en}`,
          },
    ),
    cond('proceeds_received', short.length === 0 && !late, {
      zh: late
        ? `收汇晚于退税申报期限${deadline}（最后一笔${lastDay}）`
        : `未足额收汇（每笔订单只计一次且以其申报值为限）: ${short.map(([c, v]) => `币制${c}申报${fromS(v)}，已收${fromS(got(c))}${parts(c, true)}${shortOrders(c, true)}`).join('；')}`,
      en: late
        ? `proceeds received after the refund deadline ${deadline} (last on ${lastDay})`
        : `proceeds not fully received (each order counted once, up to its declared value): ${short.map(([c, v]) => `currency ${c} declared ${fromS(v)}, received ${fromS(got(c))}${parts(c, false)}${shortOrders(c, false)}`).join('; ')}`,
    }),
    cond('purchase_invoices', !profile.tradingCompany || noInvoice.length === 0, {
      zh: `外贸企业缺少与报关单对应的增值税专用发票等进货凭证: 第${noInvoice.map((l) => l.lineNo).join(',')}项`,
      en: `trading company lacks VAT special invoices (or import/consumption-tax certificates) for line ${noInvoice.map((l) => l.lineNo).join(',')}`,
    }),
    cond('rate_known', unknownRate.length === 0, {
      zh: `未找到该商品编码的退税率: HS ${unknownRate.join(',')}${rates.version ? `（退税率版本${rates.version}）` : '（出口日无生效的退税率版本）'}`,
      en: `no refund rate known for HS ${unknownRate.join(',')}${rates.version ? ` (rate version ${rates.version})` : ' (no rate version in force on the exit day)'}`,
    }),
    notExcluded,
  ];
  const exemption: Condition[] = [
    cond('tax_registered', profile.taxRegistered, { zh: '企业未办理税务登记', en: 'the exporter has no tax registration' }),
    cond('declaration_exists', facts.entryId !== null, {
      zh: '无海关签发的出口货物报关单',
      en: 'no customs-issued export declaration',
    }),
    cond('purchase_vouchers', noVoucher.length === 0 || waiverProblem === null, {
      zh: `缺少合法有效的进货凭证: 第${noVoucher.map((l) => l.lineNo).join(',')}项；不适用无票免税: ${waiverProblem?.zh ?? ''}`,
      en: `no lawful purchase vouchers for line ${noVoucher.map((l) => l.lineNo).join(',')}; the no-invoice exemption does not apply: ${waiverProblem?.en ?? ''}`,
    }),
    notExcluded,
  ];
  const outcome = refund.every((c) => c.met) ? 'refund' : exemption.every((c) => c.met) ? 'exemption' : 'taxable';
  const lines = lineRates.map(({ l, hit }) => {
    const purchase = purchasesOf(l.lineNo).reduce((a, p) => a + toS(p.amountExclVat), 0n);
    const rate = hit.kind === 'rate' ? hit.rate : null;
    const est = outcome === 'refund' && rate !== null ? round2((purchase * toS(rate)) / SCALE) : 0n;
    return {
      lineNo: l.lineNo,
      gcode: l.gcode,
      rate,
      rateStatus: hit.kind === 'rate' ? ('known' as const) : hit.kind,
      purchaseExclVat: fromS(purchase),
      estimate: fromS(est),
    };
  });
  return {
    outcome,
    refund,
    exemption,
    deadline,
    rateVersion: rates.version ?? '',
    ruleVersion: config.version ?? '',
    ruleJurisdiction: config.jurisdiction ?? null,
    estimate: fromS(lines.reduce((a, l) => a + toS(l.estimate), 0n)),
    lines,
  };
}
