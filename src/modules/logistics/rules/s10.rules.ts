/**
 * UPU S10 item identifiers (postal items: EMS, registered and unregistered air parcels):
 * two service letters, an 8-digit serial, a check digit, the ISO 3166-1 alpha-2 code of the
 * issuing postal operator, e.g. `EE123456785CN`. The check digit is modulo 11 over the serial
 * with weights 8 6 4 2 3 5 9 7; 11 − remainder, where 10 becomes 0 and 11 becomes 5 (UPU S10-12 §5.2).
 */
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;
const SHAPE = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/;

export function s10CheckDigit(serial: string): number {
  if (!/^\d{8}$/.test(serial)) throw new Error(`S10 serial must be 8 digits: ${serial}`);
  const sum = WEIGHTS.reduce((a, w, i) => a + w * Number(serial[i]), 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

export type S10Check =
  | { ok: true; service: string; serial: string; country: string }
  | { ok: false; rule: 's10Format' | 's10CheckDigit'; expected?: number };

/** Checks a tracking number as an S10 identifier; spaces are tolerated (labels print them). */
export function checkS10(value: string): S10Check {
  const m = SHAPE.exec(value.replace(/\s+/g, '').toUpperCase());
  if (!m) return { ok: false, rule: 's10Format' };
  const [, service, serial, check, country] = m as unknown as [string, string, string, string, string];
  const expected = s10CheckDigit(serial);
  if (expected !== Number(check)) return { ok: false, rule: 's10CheckDigit', expected };
  return { ok: true, service, serial, country };
}

/** Whether a number has the S10 shape at all (then its check digit must hold). */
export const looksLikeS10 = (value: string): boolean => SHAPE.test(value.replace(/\s+/g, '').toUpperCase());
