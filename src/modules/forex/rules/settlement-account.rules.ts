import { getCode } from '../../../codes/index.ts';
import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * FX settlement accounts (结汇账户) and FX settlements (结汇): the checks of a registration and of
 * a settlement, and the received / settled / unsettled figures per account, currency and month.
 * Pure functions; the service feeds them rows.
 */

/** 经常项目外汇结算账户 and 待核查账户 (proceeds held until the bank has verified them). */
export const ACCOUNT_KINDS = ['current', 'pending_check'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface AccountInput {
  accountKind: string;
  bankName: string;
  bankCode: string;
  accountNo: string;
  currency: string;
  openedOn: string;
}

export interface SettlementInput {
  settlementRef: string;
  settledOn: string;
  currency: string;
  amount: string;
  rate: string;
  cnyAmount: string;
  receiptRefNos?: string[];
}

export const CNY = '142';
/** Largest difference accepted between cnyAmount and amount × rate, in fen (cents of CNY). */
export const CNY_TOLERANCE_CENTS = 1n;

const problem = (field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem => ({
  field,
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

const isDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** Upper case, spaces and hyphens removed: how banks print account numbers and IBANs. */
export const normaliseAccountNo = (s: string): string => s.replace(/[\s-]/g, '').toUpperCase();

/** An IBAN by shape: two-letter country, two check digits, then up to 30 letters or digits. */
export const looksLikeIban = (s: string): boolean => /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s);

/** ISO 13616 check digits: the rearranged number, letters as 10..35, mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/** SWIFT/BIC (ISO 9362: bank 4 letters, country 2 letters, location 2, optional branch 3) or CNAPS (12 digits). */
export const isBankCode = (s: string): boolean => /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(s) || /^\d{12}$/.test(s);

/** A foreign currency of the customs currency table (CNY is not settled into CNY). */
function checkCurrency(field: string, currency: string, out: FieldProblem[]): void {
  if (!/^\d{3}$/.test(currency) || !getCode('currency', currency))
    out.push(
      problem(
        field,
        'codeTable',
        '币制应为海关币制代码表中的3位代码',
        'currency: a 3-digit code of the customs currency table',
        currency,
      ),
    );
  else if (currency === CNY)
    out.push(
      problem(
        field,
        'foreign',
        '结汇账户币制须为外币（不能为人民币142）',
        'an FX settlement account holds a foreign currency, not CNY (142)',
        currency,
      ),
    );
}

/** Every problem of a registration, each naming its field and rule; `today` is the China date. */
export function checkAccount(a: AccountInput, today: string, prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  const f = (name: string) => `${prefix}${name}`;
  if (!(ACCOUNT_KINDS as readonly string[]).includes(a.accountKind))
    out.push(
      problem(
        f('accountKind'),
        'enum',
        '账户类型应为current（经常项目外汇结算账户）或pending_check（待核查账户）',
        'accountKind must be current (current-account FX settlement account) or pending_check (pending-verification account)',
        a.accountKind,
      ),
    );
  if (!a.bankName.trim() || a.bankName.length > 100)
    out.push(problem(f('bankName'), 'required', '开户银行名称必填（≤100字）', 'bankName is required (≤100 chars)', a.bankName));
  if (!isBankCode(a.bankCode))
    out.push(
      problem(
        f('bankCode'),
        'format',
        '银行代码应为SWIFT/BIC（8或11位）或CNAPS行号（12位数字）',
        'bankCode must be a SWIFT/BIC (8 or 11 chars) or a CNAPS code (12 digits)',
        a.bankCode,
      ),
    );
  const no = normaliseAccountNo(a.accountNo);
  if (!/^[A-Z0-9]{6,34}$/.test(no))
    out.push(
      problem(f('accountNo'), 'format', '账号应为6至34位数字或字母', 'accountNo must be 6 to 34 digits or letters', a.accountNo),
    );
  else if (looksLikeIban(no) && !ibanValid(no))
    out.push(problem(f('accountNo'), 'ibanCheck', 'IBAN校验位错误', 'the IBAN check digits are wrong', a.accountNo));
  checkCurrency(f('currency'), a.currency, out);
  if (!isDay(a.openedOn))
    out.push(problem(f('openedOn'), 'date', '开户日期格式应为YYYY-MM-DD', 'openedOn must be YYYY-MM-DD', a.openedOn));
  else if (a.openedOn > today)
    out.push(problem(f('openedOn'), 'notFuture', '开户日期不能晚于今天', 'openedOn may not be in the future', a.openedOn));
  return out;
}

const DECIMAL2 = /^\d{1,15}(\.\d{1,2})?$/;
const RATE = /^\d{1,6}(\.\d{1,8})?$/;

/** Decimal string to an integer in units of 10^-scale (exact; no floating point). */
export function toUnits(v: string, scale: number): bigint {
  const [i, f = ''] = v.split('.');
  return BigInt(i || '0') * 10n ** BigInt(scale) + BigInt((f + '0'.repeat(scale)).slice(0, scale) || '0');
}

export const money = (cents: bigint): string => {
  const neg = cents < 0n;
  const a = neg ? -cents : cents;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
};

/** amount × rate rounded half-up to fen. */
export function cnyOf(amount: string, rate: string): bigint {
  const product = toUnits(amount, 2) * toUnits(rate, 8); // 10^-10 CNY
  return (product + 50_000_000n) / 100_000_000n;
}

export interface AccountFacts {
  currency: string;
  status: 'active' | 'closed';
  openedOn: string;
}

/** Every problem of one settlement against the account it draws on (balance is checked apart). */
export function checkSettlement(s: SettlementInput, account: AccountFacts | null, today: string, prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  const f = (name: string) => `${prefix}${name}`;
  if (!/^[A-Za-z0-9._\-/]{1,60}$/.test(s.settlementRef))
    out.push(
      problem(
        f('settlementRef'),
        'format',
        '结汇参考号必填，1至60位字母、数字或._-/',
        'settlementRef is required: 1 to 60 letters, digits or ._-/',
        s.settlementRef,
      ),
    );
  if (!isDay(s.settledOn))
    out.push(problem(f('settledOn'), 'date', '结汇日期格式应为YYYY-MM-DD', 'settledOn must be YYYY-MM-DD', s.settledOn));
  else if (s.settledOn > today)
    out.push(problem(f('settledOn'), 'notFuture', '结汇日期不能晚于今天', 'settledOn may not be in the future', s.settledOn));
  const amountOk = DECIMAL2.test(s.amount) && toUnits(s.amount, 2) > 0n;
  if (!amountOk)
    out.push(
      problem(
        f('amount'),
        'decimal',
        '外币金额须为大于0的数（最多2位小数）',
        'amount must be positive with at most 2 decimals',
        s.amount,
      ),
    );
  const rateOk = RATE.test(s.rate) && toUnits(s.rate, 8) > 0n;
  if (!rateOk)
    out.push(
      problem(
        f('rate'),
        'decimal',
        '汇率须为大于0的数（最多8位小数，每1单位外币折人民币）',
        'rate must be positive, CNY per 1 unit of the currency, at most 8 decimals',
        s.rate,
      ),
    );
  const cnyOk = DECIMAL2.test(s.cnyAmount) && toUnits(s.cnyAmount, 2) > 0n;
  if (!cnyOk)
    out.push(
      problem(
        f('cnyAmount'),
        'decimal',
        '人民币金额须为大于0的数（最多2位小数）',
        'cnyAmount must be positive with at most 2 decimals',
        s.cnyAmount,
      ),
    );
  if (amountOk && rateOk && cnyOk) {
    const want = cnyOf(s.amount, s.rate);
    const diff = toUnits(s.cnyAmount, 2) - want;
    if (diff > CNY_TOLERANCE_CENTS || diff < -CNY_TOLERANCE_CENTS)
      out.push(
        problem(
          f('cnyAmount'),
          'amountTimesRate',
          `人民币金额应等于外币金额×汇率（${money(want)}，允许误差0.01）`,
          `cnyAmount must equal amount × rate (${money(want)}, within 0.01)`,
          s.cnyAmount,
        ),
      );
  }
  if (account) {
    if (s.currency !== account.currency)
      out.push(
        problem(
          f('currency'),
          'accountCurrency',
          `币制须与结汇账户一致（${account.currency}）`,
          `currency must be the account's (${account.currency})`,
          s.currency,
        ),
      );
    if (account.status !== 'active')
      out.push(problem(f('accountId'), 'active', '结汇账户已关闭', 'the FX settlement account is closed'));
    if (isDay(s.settledOn) && s.settledOn < account.openedOn)
      out.push(
        problem(
          f('settledOn'),
          'afterOpening',
          '结汇日期早于开户日期',
          'settledOn is before the account was opened',
          s.settledOn,
        ),
      );
  }
  const refs = s.receiptRefNos ?? [];
  if (refs.length > 100 || refs.some((r) => !r || r.length > 60))
    out.push(
      problem(
        f('receiptRefNos'),
        'format',
        '关联收汇流水号最多100个，每个1至60位',
        'at most 100 receipt refNos, 1 to 60 chars each',
      ),
    );
  return out;
}

/**
 * What "received" means for an account (the choice, issue 6 point 3):
 * - a bank or payment-institution receipt record (fx_receipt) that names the account it credited
 *   (its `accountNo`, in the account's currency) counts for that account only;
 * - receipts that name no account — records without `accountNo` and every CEB403 payment
 *   collection matched to a summary declaration (dated on its last collection day) — count for the
 *   enterprise by currency: a pool any of its accounts in that currency may settle from;
 * - a receipt naming an account number the enterprise has not registered (or in another currency)
 *   counts for none until the account is registered: settling it elsewhere would move money the
 *   bank says sits in another account. It is shown as `unattributed`.
 * A settlement may take what was received on its account by its date, and beyond that only what is
 * left of the pool once every account's excess over its own receipts is counted.
 */
export interface ReceivedEvent {
  currency: string;
  day: string;
  cents: bigint;
  /** the registered account it names; null: names none (pool); 'unattributed': names an unknown one */
  accountId: string | null | 'unattributed';
}
export interface SettledEvent {
  accountId: string;
  currency: string;
  day: string;
  cents: bigint;
}

const period = (day: string): string => day.slice(0, 7);

/** Pool left on `day` in `currency` after every account's excess, and each account's own unsettled part. */
function standing(
  received: ReceivedEvent[],
  settled: SettledEvent[],
  currency: string,
  day: string,
): { pool: bigint; own: Map<string, bigint> } {
  const named = new Map<string, bigint>();
  const took = new Map<string, bigint>();
  let pool = 0n;
  for (const r of received)
    if (r.currency === currency && r.day <= day) {
      if (r.accountId === null) pool += r.cents;
      else if (r.accountId !== 'unattributed') named.set(r.accountId, (named.get(r.accountId) ?? 0n) + r.cents);
    }
  for (const s of settled)
    if (s.currency === currency && s.day <= day) took.set(s.accountId, (took.get(s.accountId) ?? 0n) + s.cents);
  const own = new Map<string, bigint>();
  for (const id of new Set([...named.keys(), ...took.keys()])) {
    const d = (named.get(id) ?? 0n) - (took.get(id) ?? 0n);
    if (d < 0n) pool += d;
    else own.set(id, d);
  }
  return { pool, own };
}

/**
 * Whether `next` fits: on its day and on every later settlement day of the currency (a back-dated
 * settlement must not overdraw what later ones already took). Answers what the account could
 * settle on that day without overdrawing any later day, and the first day `next` would overdraw.
 */
export function fits(
  received: ReceivedEvent[],
  settled: SettledEvent[],
  next: SettledEvent,
): { ok: boolean; availableCents: bigint; overdrawnOn: string | null } {
  const days = [
    ...new Set([next.day, ...settled.filter((s) => s.currency === next.currency && s.day >= next.day).map((s) => s.day)]),
  ].sort();
  let availableCents: bigint | null = null;
  let overdrawnOn: string | null = null;
  for (const d of days) {
    const st = standing(received, settled, next.currency, d);
    const room = (st.own.get(next.accountId) ?? 0n) + (st.pool > 0n ? st.pool : 0n);
    if (availableCents === null || room < availableCents) availableCents = room;
    if (overdrawnOn === null && next.cents > room) overdrawnOn = d;
  }
  return { ok: overdrawnOn === null, availableCents: availableCents ?? 0n, overdrawnOn };
}

/** Fenwick tree of bigint sums over day indexes 0..n-1: add at a day, sum up to a day, O(log n). */
class DaySums {
  private readonly t: bigint[];
  constructor(n: number) {
    this.t = new Array<bigint>(n + 1).fill(0n);
  }
  add(i: number, v: bigint): void {
    for (let k = i + 1; k < this.t.length; k += k & -k) this.t[k]! += v;
  }
  upTo(i: number): bigint {
    let s = 0n;
    for (let k = i + 1; k > 0; k -= k & -k) s += this.t[k]!;
    return s;
  }
}

/** One currency of a book: days, static receipt prefix sums, settled sums that grow. */
interface CurrencyBook {
  days: string[];
  index: Map<string, number>;
  /** receipts naming no account, cumulative per day */
  pool: bigint[];
  /** receipts named to each account, cumulative per day */
  named: Map<string, bigint[]>;
  took: Map<string, DaySums>;
  /** accounts with receipts named to them or settlements, in the currency */
  accounts: string[];
  /** day indexes that hold a settlement, ascending, with their count */
  settledDays: number[];
  settledCount: Map<number, number>;
}

/** Last index of `days` (sorted) whose day is ≤ `day`; -1 when none. */
function lastAtOrBefore(days: string[], day: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The same answers as `fits`, for many settlements in a row (an import) without rescanning the
 * ledger for each: receipts become per-day running sums once, settlements per-account Fenwick sums
 * over the days, so the standing on a day costs O(accounts of the currency × log days) instead of
 * O(receipts + settlements). A settlement is checked on its day and on every later settlement day
 * of its currency, as `fits` does: one or two days for a chronological file. `days` must name
 * every day a settlement will be `add`ed on.
 */
export function balanceBook(received: ReceivedEvent[], settled: SettledEvent[], days: Iterable<string> = []) {
  const books = new Map<string, CurrencyBook>();
  const extra = [...days];
  const book = (currency: string): CurrencyBook => {
    let b = books.get(currency);
    if (b) return b;
    const all = new Set(extra);
    for (const r of received) if (r.currency === currency) all.add(r.day);
    for (const s of settled) if (s.currency === currency) all.add(s.day);
    const ds = [...all].sort();
    const index = new Map(ds.map((d, i) => [d, i]));
    const pool = new Array<bigint>(ds.length).fill(0n);
    const named = new Map<string, bigint[]>();
    for (const r of received) {
      if (r.currency !== currency || r.accountId === 'unattributed') continue;
      const i = index.get(r.day)!;
      if (r.accountId === null) pool[i]! += r.cents;
      else {
        let a = named.get(r.accountId);
        if (!a) named.set(r.accountId, (a = new Array<bigint>(ds.length).fill(0n)));
        a[i]! += r.cents;
      }
    }
    for (const a of [pool, ...named.values()]) for (let i = 1; i < a.length; i++) a[i]! += a[i - 1]!;
    b = { days: ds, index, pool, named, took: new Map(), accounts: [...named.keys()], settledDays: [], settledCount: new Map() };
    books.set(currency, b);
    for (const s of settled) if (s.currency === currency) record(b, s);
    return b;
  };
  const record = (b: CurrencyBook, s: SettledEvent): void => {
    const i = b.index.get(s.day);
    if (i === undefined) throw new Error(`balanceBook: ${s.day} was not named among the days`);
    let t = b.took.get(s.accountId);
    if (!t) {
      b.took.set(s.accountId, (t = new DaySums(b.days.length)));
      if (!b.named.has(s.accountId)) b.accounts.push(s.accountId);
    }
    t.add(i, s.cents);
    const c = b.settledCount.get(i) ?? 0;
    b.settledCount.set(i, c + 1);
    if (c === 0) b.settledDays.splice(lowerBound(b.settledDays, i), 0, i);
  };
  /** What `standing` answers for `accountId`: its own unsettled part plus the pool left, on day index `i`. */
  const room = (b: CurrencyBook, accountId: string, i: number): bigint => {
    if (i < 0) return 0n;
    let pool = b.pool[i]!;
    let own = 0n;
    for (const id of b.accounts) {
      const d = (b.named.get(id)?.[i] ?? 0n) - (b.took.get(id)?.upTo(i) ?? 0n);
      if (d < 0n) pool += d;
      else if (id === accountId) own = d;
    }
    return own + (pool > 0n ? pool : 0n);
  };
  return {
    fits(next: SettledEvent): { ok: boolean; availableCents: bigint; overdrawnOn: string | null } {
      const b = book(next.currency);
      // next.day itself, or the last day before it (same sums) when no event falls on it
      const at = b.index.get(next.day) ?? lastAtOrBefore(b.days, next.day);
      let availableCents = room(b, next.accountId, at);
      let overdrawnOn = next.cents > availableCents ? next.day : null;
      // settlement days after next.day, ascending
      for (let k = lowerBound(b.settledDays, at + 1); k < b.settledDays.length; k++) {
        const i = b.settledDays[k]!;
        const r = room(b, next.accountId, i);
        if (r < availableCents) availableCents = r;
        if (overdrawnOn === null && next.cents > r) overdrawnOn = b.days[i]!;
      }
      return { ok: overdrawnOn === null, availableCents, overdrawnOn };
    },
    /** Counts a stored settlement in later answers. */
    add(s: SettledEvent): void {
      record(book(s.currency), s);
    },
  };
}

function lowerBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Figures {
  received: string;
  settled: string;
  unsettled: string;
}
export interface PeriodFigures extends Figures {
  period: string;
}
export interface AccountBalance extends Figures {
  accountId: string;
  currency: string;
  /** settled beyond this account's own receipts, taken from receipts naming no account */
  fromUnassigned: string;
  periods: PeriodFigures[];
}
export interface CurrencyBalance extends Figures {
  currency: string;
  /** receipts naming no account (records without accountNo, CEB403 collections) */
  unassigned: string;
  /** receipts naming an account number not registered in this currency: not settleable */
  unattributed: string;
  periods: PeriodFigures[];
}

/**
 * Per account and per currency of one enterprise: received, settled and unsettled in total and per
 * month (the month's receipts and settlements, the unsettled balance at its end).
 */
export function balances(
  accounts: { id: string; currency: string }[],
  received: ReceivedEvent[],
  settled: SettledEvent[],
): { accounts: AccountBalance[]; currencies: CurrencyBalance[] } {
  const periodsOf = (rs: { day: string; cents: bigint }[], ss: { day: string; cents: bigint }[], floor: boolean) => {
    const months = [...new Set([...rs, ...ss].map((e) => period(e.day)))].sort();
    let cumR = 0n;
    let cumS = 0n;
    return months.map((m) => {
      const r = rs.filter((e) => period(e.day) === m).reduce((a, e) => a + e.cents, 0n);
      const s = ss.filter((e) => period(e.day) === m).reduce((a, e) => a + e.cents, 0n);
      cumR += r;
      cumS += s;
      const u = cumR - cumS;
      return { period: m, received: money(r), settled: money(s), unsettled: money(floor && u < 0n ? 0n : u) };
    });
  };
  const sum = (xs: { cents: bigint }[]) => xs.reduce((a, e) => a + e.cents, 0n);
  const accountOut: AccountBalance[] = accounts.map((a) => {
    const rs = received.filter((r) => r.accountId === a.id);
    const ss = settled.filter((s) => s.accountId === a.id);
    const d = sum(rs) - sum(ss);
    return {
      accountId: a.id,
      currency: a.currency,
      received: money(sum(rs)),
      settled: money(sum(ss)),
      unsettled: money(d > 0n ? d : 0n),
      fromUnassigned: money(d < 0n ? -d : 0n),
      periods: periodsOf(rs, ss, true),
    };
  });
  // CNY receipts are nothing to settle: only foreign currencies are listed.
  const currencies = [...new Set([...accounts.map((a) => a.currency), ...received.map((r) => r.currency)])]
    .filter((c) => c !== CNY)
    .sort();
  const currencyOut: CurrencyBalance[] = currencies.map((c) => {
    const rs = received.filter((r) => r.currency === c && r.accountId !== 'unattributed');
    const ss = settled.filter((s) => s.currency === c);
    return {
      currency: c,
      received: money(sum(rs)),
      settled: money(sum(ss)),
      unsettled: money(sum(rs) - sum(ss)),
      unassigned: money(sum(rs.filter((r) => r.accountId === null))),
      unattributed: money(sum(received.filter((r) => r.currency === c && r.accountId === 'unattributed'))),
      periods: periodsOf(rs, ss, false),
    };
  });
  return { accounts: accountOut, currencies: currencyOut };
}
