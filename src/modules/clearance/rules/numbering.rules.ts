/**
 * Identifier formats (cbec-export-facts.md §2.4): preNo = "B" + yyyyMMdd + 9-digit sequence;
 * invtNo = 4-digit customs office + 4-digit year + I/E flag + 9-digit sequence. 18 characters each.
 */
export function formatPreNo(day: Date, seq: number): string {
  return `B${ymd(day)}${String(seq).padStart(9, '0')}`;
}

export function formatInvtNo(customsCode: string, day: Date, seq: number): string {
  return `${customsCode}${day.getUTCFullYear()}E${String(seq).padStart(9, '0')}`;
}

export function ymd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** CEB receipt time: yyyyMMddHHmmssSSS (17 characters), China Standard Time as customs writes it. */
export function returnTime(d: Date): string {
  const cst = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  return cst.slice(0, 23).replace(/[-T:.]/g, '');
}

/** CEB declaration time: yyyyMMddHHmmss (14), China Standard Time. */
export function appTime(d: Date): string {
  return returnTime(d).slice(0, 14);
}
