/**
 * Support programme eligibility as data: each rule compares one of the enterprise's platform
 * figures with a threshold. A programme's rules all must hold.
 *
 * refundsCny: the estimated export tax refund (出口退税, CNY) of the enterprise's summary
 * declarations eligible for refund over the same span as the exports (tax module's verdicts).
 */
export const FIGURES = ['exportsCny', 'exportsUsd', 'parcels', 'refundsCny', 'creditLevelRank', 'parkMember'] as const;
export type Figure = (typeof FIGURES)[number];
export type Figures = Record<Figure, number>;

export interface EligibilityRule {
  metric: Figure;
  op: '>=' | '<=' | '=';
  value: number;
}

export const isRule = (r: unknown): r is EligibilityRule =>
  typeof r === 'object' &&
  r !== null &&
  (FIGURES as readonly string[]).includes((r as EligibilityRule).metric) &&
  ['>=', '<=', '='].includes((r as EligibilityRule).op) &&
  typeof (r as EligibilityRule).value === 'number';

/** Credit level as a number for rules: AA 4, A 3, B 2, C 1, unrated 0. */
export const LEVEL_RANK: Record<string, number> = { AA: 4, A: 3, B: 2, C: 1 };

export function checkEligibility(
  rules: readonly EligibilityRule[],
  f: Figures,
): { eligible: boolean; results: (EligibilityRule & { actual: number; ok: boolean })[] } {
  const results = rules.map((r) => {
    const actual = f[r.metric];
    const ok = r.op === '>=' ? actual >= r.value : r.op === '<=' ? actual <= r.value : actual === r.value;
    return { ...r, actual, ok };
  });
  return { eligible: results.every((r) => r.ok), results };
}
