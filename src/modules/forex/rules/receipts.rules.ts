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

/** Units of currency per 1 USD (reference, versioned data; the platform is no rate source). */
export const USD_RATES: { version: string; effectiveFrom: string; perUsd: Readonly<Record<string, number>> }[] = [
  {
    version: '2026-01',
    effectiveFrom: '2026-01-01',
    perUsd: { '502': 1, '142': 7.1, '300': 0.92, '303': 0.79, '116': 150, '110': 7.8 },
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

export function toUsd(amount: string, currency: string, day: string): number | null {
  const per = ratesOn(day).perUsd[currency];
  return per === undefined ? null : Math.round((Number(amount) / per) * 100) / 100;
}

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
  const usd = toUsd(amount, currency, day);
  if (usd === null) return { usdAmount: null, rateVersion: null, overCap: false };
  return {
    usdAmount: usd.toFixed(2),
    rateVersion: ratesOn(day).version,
    overCap: institutionKind === 'payment' && usd > PAYMENT_INSTITUTION_CAP_USD,
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
      usdAmount: cap.usdAmount === null ? null : String(Number(cap.usdAmount)),
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

const cents = (v: string): bigint => {
  const [i, f = ''] = v.split('.');
  return BigInt(i || '0') * 100n + BigInt((f + '00').slice(0, 2));
};
const money = (n: bigint): string => {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const f = (a % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 100n}${f ? `.${f}` : ''}`;
};

export interface PeriodFigures {
  /** the declarations' period (month of export); receipts count toward the period of the declaration they match */
  period: string;
  currency: string;
  declared: string;
  receivedCeb403: string;
  receivedBank: string;
  /** cross-border RMB settlements naming a declared order or the declaration (CNY only) */
  receivedRmb?: string;
}

export interface Reconciliation extends PeriodFigures {
  received: string;
  difference: string;
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
    const id =
      (s.orderNo ? byOrder.get(`${s.orgId}|${s.orderNo}`) : undefined) ??
      (s.entryId ? byEntry.get(`${s.orgId}|${s.entryId}`) : undefined);
    return id ? [{ ...s, declarationId: id }] : [];
  });
}

/** Matched receipts (or settlements) summed per declaration and currency, with the day of the last one. */
export function receivedPerDeclaration(
  matched: readonly Pick<MatchedReceipt, 'declarationId' | 'currency' | 'amount' | 'receivedOn'>[],
): Map<string, { received: Record<string, string>; lastReceiptDay: string | null }> {
  const sums = new Map<string, { cur: Map<string, bigint>; last: string | null }>();
  for (const m of matched) {
    const s = sums.get(m.declarationId) ?? { cur: new Map<string, bigint>(), last: null };
    s.cur.set(m.currency, (s.cur.get(m.currency) ?? 0n) + cents(m.amount));
    if (s.last === null || m.receivedOn > s.last) s.last = m.receivedOn;
    sums.set(m.declarationId, s);
  }
  return new Map(
    [...sums].map(([id, s]) => [
      id,
      { received: Object.fromEntries([...s.cur].map(([c, v]) => [c, money(v)])), lastReceiptDay: s.last },
    ]),
  );
}

/**
 * Declared against received per period and currency. Proceeds are due by 30 April of the year
 * after export (the refund deadline, 财税〔2013〕96号 condition 3): short after that is overdue.
 */
export function reconcile(rows: PeriodFigures[], today: string): Reconciliation[] {
  return rows.map((r) => {
    const declared = cents(r.declared);
    const received = cents(r.receivedCeb403) + cents(r.receivedBank) + cents(r.receivedRmb ?? '0');
    const diff = received - declared;
    const status = declared === 0n ? 'undeclared' : diff === 0n ? 'matched' : diff < 0n ? 'under_received' : 'over_received';
    const due = `${Number(r.period.slice(0, 4)) + 1}-04-30`;
    return {
      ...r,
      received: money(received),
      difference: money(diff),
      status,
      overdue: status === 'under_received' && today > due,
    };
  });
}
