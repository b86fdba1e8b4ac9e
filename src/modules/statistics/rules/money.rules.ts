/**
 * Exact decimal arithmetic for statistics: amounts in fen (0.01) and weights in grams as bigint,
 * rates in millionths. PostgreSQL `numeric` rounds half away from zero; so does `divRound`, so a
 * recount in SQL gives the same cents.
 */
export const CNY = '142';
export const USD = '502';

/** "12.345" → 12345000n at `scale` 6; rejects anything that is not a plain non-negative decimal. */
export function parseScaled(v: string, scale: number): bigint {
  const s = v.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Error(`not a decimal: "${v}"`);
  const [int, frac = ''] = s.split('.');
  const padded = (frac + '0'.repeat(scale)).slice(0, scale);
  const dropped = frac.slice(scale);
  let n = BigInt(int! + padded);
  if (dropped !== '' && Number(dropped[0]) >= 5) n += 1n;
  return n;
}

/** a / b rounded half away from zero (a, b ≥ 0, b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  return (a * 2n + b) / (b * 2n);
}

export function formatScaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const out = scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  return neg ? `-${out}` : out;
}

/** One rate: CNY per unit of `currency`, in millionths, valid from `validFrom` (YYYY-MM-DD) on. */
export interface FxRate {
  currency: string;
  validFrom: string;
  cnyPerUnitMicros: bigint;
}

/** The rate in force on `day`: the latest `validFrom` ≤ day. CNY is always 1. */
export function rateOn(rates: readonly FxRate[], currency: string, day: string): bigint | undefined {
  if (currency === CNY) return 1_000_000n;
  let best: FxRate | undefined;
  for (const r of rates) {
    if (r.currency !== currency || r.validFrom > day) continue;
    if (!best || r.validFrom > best.validFrom) best = r;
  }
  return best?.cnyPerUnitMicros;
}

/** An amount (decimal string) in `currency` → CNY fen, at the rate of `day`. */
export function toCnyFen(rates: readonly FxRate[], amount: string, currency: string, day: string): bigint {
  const rate = rateOn(rates, currency, day);
  if (rate === undefined) throw new Error(`no exchange rate for currency ${currency} on ${day}`);
  // amount in millionths × rate in millionths = 1e12; fen = 1e2
  return divRound(parseScaled(amount, 6) * rate, 10_000_000_000n);
}

/** CNY fen → USD cents at the rate of `day`. */
export function cnyFenToUsdCents(rates: readonly FxRate[], fen: bigint, day: string): bigint {
  const rate = rateOn(rates, USD, day);
  if (rate === undefined) throw new Error(`no USD exchange rate on ${day}`);
  return divRound(fen * 1_000_000n, rate);
}
