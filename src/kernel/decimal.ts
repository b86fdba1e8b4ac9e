/**
 * CEB amounts and quantities are N19,5 decimals carried as strings; they are compared, summed and
 * subtracted as integers scaled by 10^5, never as JS floats. Every module may use these (kernel).
 */
const SCALE = 100_000n;

export function toScaled(value: string): bigint {
  // Zeros past the fifth place carry no value and the CEB validator lets them through ("3.000000"):
  // refusing them here would fail a whole pipeline batch on every retry.
  const m = /^(-?)(\d+)(?:\.(\d{1,5})0*)?$/.exec(value.trim());
  if (!m) throw new Error(`not an N19,5 decimal: "${value}"`);
  const frac = (m[3] ?? '').padEnd(5, '0');
  const n = BigInt(m[2]!) * SCALE + BigInt(frac);
  return m[1] === '-' ? -n : n;
}

/** Canonical text: no trailing fraction zeros, no "-0", no exponent. */
export function fromScaled(n: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(5, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

export function sumScaled(values: readonly string[]): bigint {
  return values.reduce((acc, v) => acc + toScaled(v), 0n);
}

/** |a − b| ≤ tolerance, all scaled. */
export function within(a: bigint, b: bigint, tolerance: bigint): boolean {
  const d = a > b ? a - b : b - a;
  return d <= tolerance;
}

/** |a − b| ≤ pct % of b. */
export function withinPct(a: bigint, b: bigint, pct: number): boolean {
  const d = a > b ? a - b : b - a;
  return d * 10_000n <= (b < 0n ? -b : b) * BigInt(Math.round(pct * 100));
}

export const scaled = toScaled;

/** The canonical text of a decimal string ("3.00000" → "3", "0.10" → "0.1"). */
export function normalizeDecimal(value: string): string {
  return fromScaled(toScaled(value));
}

/** a + b + …, exact, as canonical text. */
export function addDecimals(...values: readonly string[]): string {
  return fromScaled(sumScaled(values));
}

/** a − b − …, exact, as canonical text. */
export function subtractDecimals(a: string, ...bs: readonly string[]): string {
  return fromScaled(toScaled(a) - sumScaled(bs));
}

/** −1, 0 or 1 as a is less than, equal to or greater than b (exact). */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const x = toScaled(a);
  const y = toScaled(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
