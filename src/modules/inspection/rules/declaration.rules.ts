/**
 * Centralised declaration (集中申报) groups parcels per enterprise, customs office and day. The day
 * is Beijing's (UTC+8, no daylight saving), as on every CEB timestamp: a parcel decided at
 * 23:30 UTC belongs to the next Beijing day.
 */
export function declarationDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A readable, deterministic number: JZ + yyyymmdd + enterprise code (+ customs office). */
export function declarationNo(enterpriseCode: string, customsCode: string, day: string): string {
  return `JZ${day.replaceAll('-', '')}${enterpriseCode}${customsCode ? `-${customsCode}` : ''}`;
}
