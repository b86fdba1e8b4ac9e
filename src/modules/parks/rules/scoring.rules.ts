/**
 * How the commerce department scores a support application (评审打分): criteria are data on the
 * programme, each with a maximum; the score is the sum of the points given per criterion.
 */
export interface Criterion {
  key: string;
  name: string;
  nameEn: string;
  max: number;
}

/** The rubric a programme gets when it names none; the maxima add up to 100. */
export const STANDARD_CRITERIA: readonly Criterion[] = [
  { key: 'policy', name: '政策契合度', nameEn: 'Fit with the programme', max: 30 },
  { key: 'performance', name: '经营实绩（出口、包裹、退税）', nameEn: 'Trade performance (exports, parcels, refunds)', max: 40 },
  { key: 'impact', name: '带动效应', nameEn: 'Wider impact (jobs, SMEs served)', max: 20 },
  { key: 'compliance', name: '合规与信用', nameEn: 'Compliance and credit', max: 10 },
];

export const isCriterion = (c: unknown): c is Criterion => {
  if (typeof c !== 'object' || c === null) return false;
  const x = c as Criterion;
  return (
    typeof x.key === 'string' &&
    /^[a-z][a-zA-Z0-9_]{0,39}$/.test(x.key) &&
    typeof x.name === 'string' &&
    x.name.length > 0 &&
    typeof x.nameEn === 'string' &&
    Number.isInteger(x.max) &&
    x.max > 0 &&
    x.max <= 100
  );
};

export interface ScoreProblem {
  field: string;
  rule: string;
  zh: string;
  en: string;
}

/**
 * Checks the points per criterion against the rubric: every criterion scored once, whole points
 * from 0 to its maximum, no unknown keys. Returns the total, or the problems.
 */
export function scoreAgainst(
  criteria: readonly Criterion[],
  scores: Readonly<Record<string, number>>,
): { total: number; problems: ScoreProblem[] } {
  const problems: ScoreProblem[] = [];
  for (const key of Object.keys(scores))
    if (!criteria.some((c) => c.key === key))
      problems.push({
        field: `scores.${key}`,
        rule: 'criterion',
        zh: `评分项不存在：${key}`,
        en: `no such criterion: ${key}`,
      });
  let total = 0;
  for (const c of criteria) {
    const v = scores[c.key];
    if (v === undefined) {
      problems.push({
        field: `scores.${c.key}`,
        rule: 'required',
        zh: `请为“${c.name}”评分`,
        en: `score the criterion "${c.nameEn}"`,
      });
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || v > c.max) {
      problems.push({
        field: `scores.${c.key}`,
        rule: 'range',
        zh: `“${c.name}”的得分应为 0 至 ${c.max} 的整数`,
        en: `the score for "${c.nameEn}" must be a whole number from 0 to ${c.max}`,
      });
      continue;
    }
    total += v;
  }
  return { total, problems };
}
