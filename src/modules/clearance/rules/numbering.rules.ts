/**
 * Identifier formats (cbec-export-facts.md §2.4): preNo = "B" + yyyyMMdd + 9-digit sequence;
 * invtNo = 4-digit customs office + 4-digit year + I/E flag + 9-digit sequence. 18 characters each.
 * Dates and years are those of China Standard Time, as customs numbers them: a parcel declared at
 * 01:00 on 1 January in Nanchang is numbered in the new year, though it is still 31 December in UTC.
 */
export function formatPreNo(day: Date, seq: number): string {
  return `B${ymd(day)}${String(seq).padStart(9, '0')}`;
}

export function formatInvtNo(customsCode: string, day: Date, seq: number): string {
  return `${customsCode}${cstYear(day)}E${String(seq).padStart(9, '0')}`;
}

/** China Standard Time (UTC+8, no daylight saving) as a UTC-read Date. */
const cst = (d: Date): Date => new Date(d.getTime() + 8 * 3_600_000);

/** The CST calendar day, yyyyMMdd. */
export function ymd(d: Date): string {
  return cst(d).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The CST calendar year. */
export function cstYear(d: Date): number {
  return cst(d).getUTCFullYear();
}

/** CEB receipt time: yyyyMMddHHmmssSSS (17 characters), China Standard Time as customs writes it. */
export function returnTime(d: Date): string {
  return cst(d)
    .toISOString()
    .slice(0, 23)
    .replace(/[-T:.]/g, '');
}

/** CEB declaration time: yyyyMMddHHmmss (14), China Standard Time. */
export function appTime(d: Date): string {
  return returnTime(d).slice(0, 14);
}
