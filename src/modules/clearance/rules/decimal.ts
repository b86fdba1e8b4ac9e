/**
 * CEB amounts and quantities are N19,5 decimals carried as strings; they are compared and summed
 * as integers scaled by 10^5, never as JS floats.
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

export function fromScaled(n: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(5, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

export function sumScaled(values: string[]): bigint {
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
