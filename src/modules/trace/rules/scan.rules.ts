/**
 * When a scan of a trace code looks implausible. One genuine unit is scanned by its buyer a few
 * times in one country; a label copied onto fakes is scanned many times, in many places.
 * Thresholds are data; the verification page shows the reasons to the buyer.
 */
export interface ScanRules {
  windowDays: number;
  /** more scans than this within the window flags a unit code */
  maxScans: number;
  /** more distinct countries than this within the window flags any code */
  maxCountries: number;
  /** a batch code covers many units: its scan limit is this many per unit */
  scansPerBatchUnit: number;
}

export const SCAN_RULES: ScanRules = { windowDays: 90, maxScans: 10, maxCountries: 2, scansPerBatchUnit: 3 };

export interface ScanSummary {
  scans: number;
  countries: string[];
  /**
   * Where the goods went (ISO alpha-2): the countries of the code's deliveries and its departed
   * parcels' destinations; empty while none is known (not departed, or a destination without an
   * alpha-2 code).
   */
  destinations?: string[];
  /** the countries (ISO alpha-2, unknown ZZ left out) the code was scanned in since its goods first left China */
  sinceDeparture?: string[];
}

/** Goods that left are at home nowhere but where they went; a batch's other units may still be in China. */
const HOME = 'CN';

/**
 * Why a code is flagged: the rule, its figures (so the page can say it in the buyer's language)
 * and the sentence in Chinese and English.
 */
export type ScanReason =
  | { rule: 'scans'; values: { scans: number; days: number; limit: number }; zh: string; en: string }
  | { rule: 'countries'; values: { count: number; countries: string[] }; zh: string; en: string }
  | { rule: 'place'; values: { countries: string[]; destinations: string[] }; zh: string; en: string };

export function assessScans(
  s: ScanSummary,
  code: { kind: 'unit' | 'batch'; quantity: number },
  rules: ScanRules = SCAN_RULES,
): { flagged: boolean; reasons: ScanReason[] } {
  const reasons: ScanReason[] = [];
  const limit = code.kind === 'batch' ? Math.max(rules.maxScans, code.quantity * rules.scansPerBatchUnit) : rules.maxScans;
  if (s.scans > limit)
    reasons.push({
      rule: 'scans',
      values: { scans: s.scans, days: rules.windowDays, limit },
      zh: `${rules.windowDays} 天内被扫描 ${s.scans} 次（上限 ${limit}）`,
      en: `scanned ${s.scans} times in ${rules.windowDays} days (limit ${limit})`,
    });
  if (s.countries.length > rules.maxCountries)
    reasons.push({
      rule: 'countries',
      values: { count: s.countries.length, countries: [...s.countries] },
      zh: `在 ${s.countries.length} 个国家（地区）被扫描：${s.countries.join('、')}`,
      en: `scanned in ${s.countries.length} countries: ${s.countries.join(', ')}`,
    });
  // A scan somewhere other than where the goods went, once they left: a copied label, or goods
  // diverted from their declared market.
  const went = new Set(s.destinations ?? []);
  const away = went.size
    ? (s.sinceDeparture ?? []).filter((c) => c !== 'ZZ' && !went.has(c) && !(code.kind === 'batch' && c === HOME)).sort()
    : [];
  if (away.length) {
    const destinations = [...went].sort();
    reasons.push({
      rule: 'place',
      values: { countries: away, destinations },
      zh: `离境运往 ${destinations.join('、')} 后在 ${away.join('、')} 被扫描`,
      en: `scanned in ${away.join(', ')} after it left for ${destinations.join(', ')}`,
    });
  }
  return { flagged: reasons.length > 0, reasons };
}
