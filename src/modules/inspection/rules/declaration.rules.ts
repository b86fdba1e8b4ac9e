/**
 * Centralised declaration (集中申报) groups parcels per enterprise, customs office and day. The day
 * is Beijing's (UTC+8, no daylight saving), as on every CEB timestamp: a parcel decided at
 * 23:30 UTC belongs to the next Beijing day.
 */
export function declarationDay(at: Date): string {
  return beijingDay(at);
}

/** yyyy-mm-dd of the Beijing day (UTC+8) at `at`: the day certificates' valid-until dates are read against. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A readable, deterministic number: JZ + yyyymmdd + enterprise code (+ customs office). */
export function declarationNo(enterpriseCode: string, customsCode: string, day: string): string {
  return `JZ${day.replaceAll('-', '')}${enterpriseCode}${customsCode ? `-${customsCode}` : ''}`;
}

/**
 * A declaration per total-sub bill (grouping 'bill'): JZB + the bill's master bill number +
 * enterprise code (+ customs office), with hyphens between. Deterministic, so a replayed event
 * finds the declaration it created.
 */
export function billDeclarationNo(enterpriseCode: string, customsCode: string, billNo: string): string {
  return `JZB-${billNo}-${enterpriseCode}${customsCode ? `-${customsCode}` : ''}`;
}

/**
 * The grouping that applies to a parcel of customs office `customsCode`: the setting of the
 * longest jurisdiction prefix it starts with ('' covers every office), else per day.
 */
export function groupingFor<G extends string>(
  customsCode: string,
  settings: readonly { prefix: string; grouping: G }[],
): G | 'day' {
  let best: { prefix: string; grouping: G } | undefined;
  for (const s of settings) if (customsCode.startsWith(s.prefix) && (!best || s.prefix.length > best.prefix.length)) best = s;
  return best?.grouping ?? 'day';
}
