import { fromScaled, normalizeDecimal, toScaled } from '../../../kernel/decimal.ts';
import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * Forex receipt rows (bank or payment-institution records, CSV or JSON): per-row checks, the
 * USD 50,000 single-transaction cap for payment institutions (汇发〔2015〕7号: a finding on every
 * payment-institution receipt, CEB403 or record, never a refusal), and the
 * enterprise-level reconciliation of declared against received per period and currency
 * (the goods-trade forex 总量核查 the summary declarations feed).
 */
export interface ReceiptInput {
  refNo: string;
  institutionKind: string;
  institutionCode: string;
  ebcCode: string;
  orderNo: string;
  currency: string;
  amount: string;
  receivedOn: string;
  payerName: string;
  /** optional column: the account the bank credited (收款账号), as the FX settlement accounts know it */
  accountNo?: string;
}

export interface ReceiptRow extends Omit<ReceiptInput, 'institutionKind'> {
  institutionKind: 'bank' | 'payment';
  /** USD at the reference rate; null: a bank's receipt in a currency without a reference rate (no cap to judge) */
  usdAmount: string | null;
  /** a payment institution's receipt over the single-transaction cap: stored and flagged, not refused */
  overCap: boolean;
  rateVersion: string | null;
}

export const PAYMENT_INSTITUTION_CAP_USD = 50000;

/**
 * Units of currency per 1 USD (reference, versioned data; the platform is no rate source), as
 * exact decimals: a rate such as 7.1 has no exact binary float, and the cap is judged on the quotient.
 */
export const USD_RATES: { version: string; effectiveFrom: string; perUsd: Readonly<Record<string, string>> }[] = [
  {
    version: '2026-01',
    effectiveFrom: '2026-01-01',
    perUsd: { '502': '1', '142': '7.1', '300': '0.92', '303': '0.79', '116': '150', '110': '7.8' },
  },
];

export const CSV_COLUMNS = [
  'refNo',
  'institutionKind',
  'institutionCode',
  'ebcCode',
  'orderNo',
  'currency',
  'amount',
  'receivedOn',
  'payerName',
] as const;

const problem = (row: number, field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem => ({
  field: `rows[${row}].${field}`,
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

/** The reference rate table in force on `day` (the first one before any). */
function ratesOn(day: string): (typeof USD_RATES)[number] {
  return (
    [...USD_RATES].filter((r) => r.effectiveFrom <= day).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0] ??
    USD_RATES[0]!
  );
}

/**
 * amount ÷ (units per USD) as an exact fraction num / den of scaled integers (both N19,5 scaled by
 * 10^5, so the scales cancel); null: no reference rate for the currency.
 */
function usdFraction(amount: string, currency: string, day: string): { num: bigint; den: bigint } | null {
  const per = ratesOn(day).perUsd[currency];
  return per === undefined ? null : { num: toScaled(amount), den: toScaled(per) };
}

/** USD cents of an exact fraction, half away from zero (Math.round's result for the positive amounts here). */
function centsOf(f: { num: bigint; den: bigint }): bigint {
  const n = f.num * 100n;
  const a = n < 0n ? -n : n;
  const c = (2n * a + f.den) / (2n * f.den);
  return n < 0n ? -c : c;
}

/** The USD value at the reference rate in force on `day`, to the cent (canonical text); null: no rate. */
export function toUsd(amount: string, currency: string, day: string): string | null {
  const f = usdFraction(amount, currency, day);
  return f === null ? null : fromScaled(centsOf(f) * 1000n);
}

/** The cap in the quotient's terms: amount ÷ per > 50,000 ⇔ amount > 50,000 × per (per > 0). */
const CAP = BigInt(PAYMENT_INSTITUTION_CAP_USD);

/** A receipt against the payment institutions' single-transaction cap (汇发〔2015〕7号). */
export interface CapFinding {
  /** the USD value at the reference rate; null: no rate for the currency, so the cap cannot be judged */
  usdAmount: string | null;
  rateVersion: string | null;
  overCap: boolean;
}

/**
 * The cap applies to every receipt of a payment institution, whatever its channel (a CEB403
 * collection, whose sender is a payment institution filed with customs, or a reported record); a
 * bank has no such cap. The USD value uses the reference rate table in force on the day received.
 */
export function capFinding(institutionKind: 'bank' | 'payment', amount: string, currency: string, day: string): CapFinding {
  const f = usdFraction(amount, currency, day);
  if (f === null) return { usdAmount: null, rateVersion: null, overCap: false };
  const cents = centsOf(f);
  return {
    usdAmount: `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`,
    rateVersion: ratesOn(day).version,
    // Judged on the exact quotient, not the cent-rounded value shown: CNY 355,000.01 at 7.1 is
    // USD 50,000.0014, over the cap though it shows as 50000.00.
    overCap: institutionKind === 'payment' && f.num > CAP * f.den,
  };
}

/** What an over-cap finding says, in both languages. */
export const capMessage = (usd: string): { zh: string; en: string } => ({
  zh: `支付机构单笔交易超过等值5万美元（本笔约${usd}美元，汇发〔2015〕7号）`,
  en: `a payment institution's single transaction over USD 50,000 (this one ≈ USD ${usd}; SAFE 汇发〔2015〕7号)`,
});

/** Checks one row; answers the clean row or every problem, naming the field and the rule. */
export function checkReceipt(row: number, r: ReceiptInput): { ok: ReceiptRow } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!r.refNo || r.refNo.length > 60)
    problems.push(problem(row, 'refNo', 'required', '流水号必填（≤60位）', 'refNo is required (≤60 chars)', r.refNo));
  if (r.institutionKind !== 'bank' && r.institutionKind !== 'payment')
    problems.push(
      problem(
        row,
        'institutionKind',
        'enum',
        '机构类型应为bank或payment',
        'institutionKind must be bank or payment',
        r.institutionKind,
      ),
    );
  if (!/^[0-9A-Z]{10}$|^[0-9A-Z]{18}$/.test(r.institutionCode))
    problems.push(
      problem(
        row,
        'institutionCode',
        'format',
        '机构代码应为10位海关代码或18位统一社会信用代码',
        'institutionCode: 10-char customs code or 18-char USCC',
        r.institutionCode,
      ),
    );
  if (!/^[0-9A-Z]{10}$|^[0-9A-Z]{18}$/.test(r.ebcCode))
    problems.push(
      problem(row, 'ebcCode', 'format', '电商企业代码格式错误', 'ebcCode: 10-char customs code or 18-char USCC', r.ebcCode),
    );
  if (!/^\d{3}$/.test(r.currency))
    problems.push(
      problem(row, 'currency', 'codeTable', '币制应为3位海关币制代码', 'currency: 3-digit customs currency code', r.currency),
    );
  if (!/^\d{1,15}(\.\d{1,2})?$/.test(r.amount) || Number(r.amount) <= 0)
    problems.push(
      problem(
        row,
        'amount',
        'decimal',
        '金额须为大于0的数（最多2位小数）',
        'amount must be positive with at most 2 decimals',
        r.amount,
      ),
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.receivedOn) || Number.isNaN(Date.parse(`${r.receivedOn}T00:00:00Z`)))
    problems.push(
      problem(row, 'receivedOn', 'date', '收款日期格式应为YYYY-MM-DD', 'receivedOn must be YYYY-MM-DD', r.receivedOn),
    );
  const accountNo = (r.accountNo ?? '').replace(/[\s-]/g, '').toUpperCase();
  if (accountNo && !/^[A-Z0-9]{6,34}$/.test(accountNo))
    problems.push(
      problem(
        row,
        'accountNo',
        'format',
        '收款账号应为6至34位数字或字母',
        'accountNo must be 6 to 34 digits or letters',
        r.accountNo,
      ),
    );
  if (problems.length) return { problems };
  const kind = r.institutionKind as 'bank' | 'payment';
  const cap = capFinding(kind, r.amount, r.currency, r.receivedOn);
  // The cap is a payment-institution rule: a payment institution's receipt needs the USD value to
  // be judged against it, a bank's does not, and is stored without one rather than refused.
  if (cap.usdAmount === null && kind === 'payment')
    return {
      problems: [
        problem(
          row,
          'currency',
          'rate',
          '该币制无美元参考汇率，无法核对支付机构单笔5万美元上限',
          "no USD reference rate for this currency: a payment institution's receipt cannot be checked against the USD 50,000 cap",
          r.currency,
        ),
      ],
    };
  // Over the payment institutions' cap: the money was received all the same. The record is stored
  // with the finding (as a CEB403 collection is), for SAFE to see, not refused and lost.
  return {
    ok: {
      ...r,
      accountNo,
      institutionKind: kind,
      usdAmount: cap.usdAmount === null ? null : normalizeDecimal(cap.usdAmount),
      overCap: cap.overCap,
      rateVersion: cap.rateVersion,
    },
  };
}

/** Whether a CSV file as a whole can be imported: every column it needs, no more rows than allowed. */
export function csvShapeProblems(
  header: readonly string[],
  rows: number,
  columns: readonly string[],
  maxRows: number,
): FieldProblem[] {
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length)
    return [
      {
        field: 'header',
        rule: 'columns',
        message: { zh: `缺少列: ${missing.join(',')}`, en: `missing columns: ${missing.join(',')}` },
      },
    ];
  if (rows > maxRows)
    return [{ field: 'rows', rule: 'maxItems', message: { zh: `每次最多${maxRows}行`, en: `at most ${maxRows} rows` } }];
  return [];
}

/** Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; first row is the header. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((x) => x !== '')) rows.push(row);
  return rows;
}

export interface PeriodFigures {
  /** the declarations' period (month of export); receipts count toward the period of the declaration they match */
  period: string;
  currency: string;
  declared: string;
  /**
   * Each channel's own total (CEB403 collections, bank / payment-institution records, RMB
   * settlements): the same money may be in several of them, so they are shown, never added up.
   */
  receivedCeb403: string;
  receivedBank: string;
  /** cross-border RMB settlements naming a declared order or the declaration (CNY only) */
  receivedRmb?: string;
  /** what was received, each order once (see orderCoverage) */
  received: string;
  /** the part of the declared value the receipts cover, each order at most its declared value (see orderCoverage) */
  covered: string;
}

export interface Reconciliation extends PeriodFigures {
  /** received − declared */
  difference: string;
  /** declared value no receipt covers (0 when covered): orders short, whatever other orders' surplus */
  uncovered: string;
  status: 'matched' | 'under_received' | 'over_received' | 'undeclared';
  overdue: boolean;
}

/** A stored bank / payment-institution receipt record, as matching reads it. */
export interface StoredReceipt {
  id: string;
  orgId: string;
  institutionKind: 'bank' | 'payment';
  institutionCode: string;
  refNo: string;
  orderNo: string;
  currency: string;
  amount: string;
  receivedOn: string;
}

/** An order of a closed inventory that a summary declaration of the exporter covers. */
export interface DeclaredOrder {
  orgId: string;
  orderNo: string;
  declarationId: string;
  entryId: string;
  /** the closed inventory (clearance document) of the order that fed the declaration */
  inventoryId?: string;
}

export interface MatchedReceipt extends StoredReceipt {
  declarationId: string;
  entryId: string;
}

export interface UnmatchedReceipt extends StoredReceipt {
  reason: 'no_order_no' | 'order_not_declared';
  message: { zh: string; en: string };
}

/**
 * Per-receipt matching: a receipt whose orderNo names an order of a declared (closed, summarised)
 * inventory of the same exporter belongs to that declaration (the first one given, if several name
 * the order); every other receipt is unmatched, with the reason.
 */
export function matchReceipts(
  receipts: readonly StoredReceipt[],
  orders: readonly DeclaredOrder[],
): { matched: MatchedReceipt[]; unmatched: UnmatchedReceipt[] } {
  const byOrder = new Map<string, DeclaredOrder>();
  for (const o of orders) if (!byOrder.has(`${o.orgId}|${o.orderNo}`)) byOrder.set(`${o.orgId}|${o.orderNo}`, o);
  const matched: MatchedReceipt[] = [];
  const unmatched: UnmatchedReceipt[] = [];
  for (const r of receipts) {
    const o = r.orderNo ? byOrder.get(`${r.orgId}|${r.orderNo}`) : undefined;
    if (o) matched.push({ ...r, declarationId: o.declarationId, entryId: o.entryId });
    else if (!r.orderNo)
      unmatched.push({
        ...r,
        reason: 'no_order_no',
        message: { zh: '收款记录未注明订单号', en: 'the receipt names no order number' },
      });
    else
      unmatched.push({
        ...r,
        reason: 'order_not_declared',
        message: {
          zh: `订单${r.orderNo}不属于本企业已汇总申报的清单（无此订单或尚未申报）`,
          en: `order ${r.orderNo} is not an order of a summary-declared inventory of the exporter (no such order, or not declared yet)`,
        },
      });
  }
  return { matched, unmatched };
}

/** A cross-border RMB settlement (CNY) as matching reads it: the order or declaration it names. */
export interface StoredSettlement {
  id: string;
  orgId: string;
  institutionCode: string;
  refNo: string;
  orderNo: string | null;
  entryId: string | null;
  amount: string;
  settledOn: string;
}

export interface MatchedSettlement extends StoredSettlement {
  declarationId: string;
  /** the declared order it was matched by; null: matched by the declaration's entryId (proceeds of no one order) */
  matchedOrderNo: string | null;
}

/** CNY in the customs currency table: RMB settlements are in it. */
export const CNY = '142';

/**
 * RMB settlements that count as proceeds of a declaration: one naming an order of a declared
 * inventory of the same exporter belongs to that declaration; else one naming the entryId of a
 * declaration of the exporter. The rest are not proceeds of any declaration (the PBoC desk lists
 * those lacking evidence).
 */
export function matchSettlements(
  settlements: readonly StoredSettlement[],
  orders: readonly DeclaredOrder[],
  declarations: readonly { id: string; orgId: string; entryId: string }[],
): MatchedSettlement[] {
  const byOrder = new Map<string, string>();
  const byEntry = new Map<string, string>();
  for (const o of orders) if (!byOrder.has(`${o.orgId}|${o.orderNo}`)) byOrder.set(`${o.orgId}|${o.orderNo}`, o.declarationId);
  for (const d of declarations)
    if (d.entryId && !byEntry.has(`${d.orgId}|${d.entryId}`)) byEntry.set(`${d.orgId}|${d.entryId}`, d.id);
  return settlements.flatMap((s) => {
    const viaOrder = s.orderNo ? byOrder.get(`${s.orgId}|${s.orderNo}`) : undefined;
    if (viaOrder) return [{ ...s, declarationId: viaOrder, matchedOrderNo: s.orderNo }];
    const viaEntry = s.entryId ? byEntry.get(`${s.orgId}|${s.entryId}`) : undefined;
    return viaEntry ? [{ ...s, declarationId: viaEntry, matchedOrderNo: null }] : [];
  });
}

/** Matched receipts (or settlements) summed per declaration and currency, with the day of the last one. */
export function receivedPerDeclaration(
  matched: readonly Pick<MatchedReceipt, 'declarationId' | 'currency' | 'amount' | 'receivedOn'>[],
): Map<string, { received: Record<string, string>; lastReceiptDay: string | null }> {
  const sums = new Map<string, { cur: Map<string, bigint>; last: string | null }>();
  for (const m of matched) {
    const s = sums.get(m.declarationId) ?? { cur: new Map<string, bigint>(), last: null };
    s.cur.set(m.currency, (s.cur.get(m.currency) ?? 0n) + toScaled(m.amount));
    if (s.last === null || m.receivedOn > s.last) s.last = m.receivedOn;
    sums.set(m.declarationId, s);
  }
  return new Map(
    [...sums].map(([id, s]) => [
      id,
      { received: Object.fromEntries([...s.cur].map(([c, v]) => [c, fromScaled(v)])), lastReceiptDay: s.last },
    ]),
  );
}

/**
 * Where money for a declaration was seen: a CEB403 collection, a payment-institution or a bank
 * record, or a cross-border RMB settlement. A payment institution collects from the buyer (CEB403,
 * or its own record), remits to the exporter's bank (a bank record), and the bank may settle it
 * as RMB: one payment can appear in each, so channels of one order are never added together.
 */
export type ProceedsChannel = 'ceb403' | 'payment' | 'bank' | 'rmb';

/** Money received for a declaration: for one of its orders, or (orderNo null) for the declaration as a whole. */
export interface Proceed {
  orderNo: string | null;
  channel: ProceedsChannel;
  currency: string;
  amount: string;
}

/** An order's declared value in one currency: the lines of its closed inventory. */
export interface OrderValue {
  orderNo: string;
  currency: string;
  value: string;
}

/** One currency of a declaration's proceeds (decimal text). */
export interface CurrencyCoverage {
  /** each order once (its largest channel), plus what names no order */
  received: string;
  /** as received, but each order at most its declared value in the currency */
  covered: string;
  /** declared orders of the currency whose receipts do not reach their declared value, in order-number order */
  short: { orderNo: string; declared: string; received: string }[];
}

/**
 * Per-order coverage of one declaration's proceeds, per currency. An order's received amount is
 * counted once: within a channel its receipts add up (instalments), across channels the largest
 * channel total stands (the same payment seen again). Receipts naming no order (an RMB settlement
 * naming only the entryId) count on their own, in full.
 *
 * Each order covers at most its own declared value: proceeds of one order are not proceeds of
 * another, so an order paid over its value (its charge including freight, or paid twice) cannot
 * make up for an unpaid order of the same declaration (财税〔2013〕96号 asks for the proceeds of the
 * goods declared). `received` keeps the surplus, so over-receipt stays visible to SAFE's 总量核查.
 * An order without a declared value in a currency covers nothing in it.
 */
export function orderCoverage(proceeds: readonly Proceed[], values: readonly OrderValue[]): Record<string, CurrencyCoverage> {
  const byOrder = new Map<string, Map<ProceedsChannel, bigint>>();
  const loose = new Map<string, bigint>();
  for (const p of proceeds) {
    const amount = toScaled(p.amount);
    if (!p.orderNo) {
      loose.set(p.currency, (loose.get(p.currency) ?? 0n) + amount);
      continue;
    }
    const k = `${p.currency}|${p.orderNo}`;
    const channels = byOrder.get(k) ?? new Map<ProceedsChannel, bigint>();
    channels.set(p.channel, (channels.get(p.channel) ?? 0n) + amount);
    byOrder.set(k, channels);
  }
  const declared = new Map<string, bigint>();
  for (const v of values)
    declared.set(`${v.currency}|${v.orderNo}`, (declared.get(`${v.currency}|${v.orderNo}`) ?? 0n) + toScaled(v.value));

  const out = new Map<string, { received: bigint; covered: bigint; short: CurrencyCoverage['short'] }>();
  const of = (cur: string) => out.get(cur) ?? out.set(cur, { received: 0n, covered: 0n, short: [] }).get(cur)!;
  for (const [cur, amount] of loose) {
    of(cur).received += amount;
    of(cur).covered += amount;
  }
  for (const k of [...new Set([...byOrder.keys(), ...declared.keys()])].sort()) {
    const bar = k.indexOf('|');
    const [cur, orderNo] = [k.slice(0, bar), k.slice(bar + 1)];
    const got = [...(byOrder.get(k)?.values() ?? [])].reduce((a, b) => (b > a ? b : a), 0n);
    const value = declared.get(k) ?? 0n;
    const c = of(cur);
    c.received += got;
    c.covered += got < value ? got : value;
    if (got < value) c.short.push({ orderNo, declared: fromScaled(value), received: fromScaled(got) });
  }
  return Object.fromEntries(
    [...out].map(([cur, c]) => [cur, { received: fromScaled(c.received), covered: fromScaled(c.covered), short: c.short }]),
  );
}

/**
 * Each declaration's proceeds by order and channel, and its orders' declared values, from the
 * declared orders (with their closed inventories), the figures of those inventories (declared
 * value and CEB403 collections per currency), the receipts matched by order number and the RMB
 * settlements matched by order or entryId: what orderCoverage reads, per declaration.
 */
export function proceedsPerDeclaration(
  orders: readonly DeclaredOrder[],
  inventories: readonly { inventoryId: string; currency: string; declared: string; collected: string }[],
  receipts: readonly Pick<MatchedReceipt, 'declarationId' | 'orderNo' | 'institutionKind' | 'currency' | 'amount'>[],
  settlements: readonly Pick<MatchedSettlement, 'declarationId' | 'matchedOrderNo' | 'amount'>[],
): Map<string, { proceeds: Proceed[]; values: OrderValue[] }> {
  const out = new Map<string, { proceeds: Proceed[]; values: OrderValue[] }>();
  const of = (id: string) => out.get(id) ?? out.set(id, { proceeds: [], values: [] }).get(id)!;
  const figures = new Map<string, typeof inventories>();
  for (const f of inventories) figures.set(f.inventoryId, [...(figures.get(f.inventoryId) ?? []), f]);
  for (const o of orders)
    for (const f of o.inventoryId ? (figures.get(o.inventoryId) ?? []) : []) {
      const d = of(o.declarationId);
      d.values.push({ orderNo: o.orderNo, currency: f.currency, value: f.declared });
      if (toScaled(f.collected) !== 0n)
        d.proceeds.push({ orderNo: o.orderNo, channel: 'ceb403', currency: f.currency, amount: f.collected });
    }
  for (const r of receipts)
    of(r.declarationId).proceeds.push({ orderNo: r.orderNo, channel: r.institutionKind, currency: r.currency, amount: r.amount });
  for (const s of settlements)
    of(s.declarationId).proceeds.push({ orderNo: s.matchedOrderNo, channel: 'rmb', currency: CNY, amount: s.amount });
  return out;
}

/**
 * Declared against received per period and currency. Proceeds are due by 30 April of the year
 * after export (the refund deadline, 财税〔2013〕96号 condition 3): short after that is overdue.
 * A period is short while any of its declared value is uncovered, whatever another order's
 * surplus; over when, every order covered, more was received than declared.
 */
export function reconcile(rows: PeriodFigures[], today: string): Reconciliation[] {
  return rows.map((r) => {
    const declared = toScaled(r.declared);
    const received = toScaled(r.received);
    const uncovered = declared - toScaled(r.covered);
    const status =
      declared === 0n ? 'undeclared' : uncovered > 0n ? 'under_received' : received > declared ? 'over_received' : 'matched';
    const due = `${Number(r.period.slice(0, 4)) + 1}-04-30`;
    return {
      ...r,
      received: fromScaled(received),
      covered: fromScaled(toScaled(r.covered)),
      difference: fromScaled(received - declared),
      uncovered: fromScaled(uncovered > 0n ? uncovered : 0n),
      status,
      overdue: status === 'under_received' && today > due,
    };
  });
}
