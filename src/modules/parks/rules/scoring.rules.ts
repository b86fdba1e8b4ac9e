/**
 * How the commerce department scores a support application (评审打分): criteria are data on the
 * programme, each with a weight and a maximum. The reviewer gives each criterion whole points
 * from 0 to its maximum; the application's score (0–100) is the points weighted: each criterion
 * counts `points / max × weight`, the weights add up to 100, and the sum is rounded to a whole
 * number. A criterion whose weight equals its maximum counts its points as they are, so a rubric
 * whose maxima add up to 100 (the standard one, and criteria stored before weights existed)
 * scores the plain sum of the points.
 */
export interface Criterion {
  key: string;
  name: string;
  nameEn: string;
  /** the points the reviewer gives out of (1–100) */
  max: number;
  /** the criterion's share of the score, in per cent (1–100); a programme's weights add up to 100 */
  weight: number;
}

/** The rubric a programme gets when it names none; the weights (and maxima) add up to 100. */
export const STANDARD_CRITERIA: readonly Criterion[] = [
  { key: 'policy', name: '政策契合度', nameEn: 'Fit with the programme', max: 30, weight: 30 },
  {
    key: 'performance',
    name: '经营实绩（出口、包裹、退税）',
    nameEn: 'Trade performance (exports, parcels, refunds)',
    max: 40,
    weight: 40,
  },
  { key: 'impact', name: '带动效应', nameEn: 'Wider impact (jobs, SMEs served)', max: 20, weight: 20 },
  { key: 'compliance', name: '合规与信用', nameEn: 'Compliance and credit', max: 10, weight: 10 },
];

export const CRITERION_KEY = /^[a-z][a-zA-Z0-9_]{0,39}$/;
const whole = (v: unknown, lo: number, hi: number): v is number =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** A stored criterion as read back: a key, two names, a maximum and (since weights) a weight. */
export const isCriterion = (c: unknown): c is Omit<Criterion, 'weight'> & { weight?: number } => {
  if (typeof c !== 'object' || c === null) return false;
  const x = c as Criterion;
  return (
    typeof x.key === 'string' &&
    CRITERION_KEY.test(x.key) &&
    typeof x.name === 'string' &&
    x.name.length > 0 &&
    typeof x.nameEn === 'string' &&
    whole(x.max, 1, 100) &&
    (x.weight === undefined || whole(x.weight, 1, 100))
  );
};

/** A programme's criteria as stored (null or none: the standard rubric); a missing weight is the maximum. */
export function criteriaOf(stored: unknown): Criterion[] {
  if (!Array.isArray(stored) || stored.length === 0 || !stored.every(isCriterion)) return [...STANDARD_CRITERIA];
  return stored.map((c) => ({ key: c.key, name: c.name, nameEn: c.nameEn, max: c.max, weight: c.weight ?? c.max }));
}

export interface ScoreProblem {
  field: string;
  rule: string;
  zh: string;
  en: string;
}

/**
 * Checks criteria a commerce officer writes: each a unique key, a Chinese and an English name,
 * a whole maximum and weight from 1 to 100 (no weight: the maximum), the weights adding up to 100.
 * None at all means the standard rubric.
 */
export function checkCriteria(input: readonly unknown[]): { criteria: Criterion[]; problems: ScoreProblem[] } {
  const problems: ScoreProblem[] = [];
  const criteria: Criterion[] = [];
  const seen = new Set<string>();
  input.forEach((raw, i) => {
    const at = `criteria[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push({
        field: at,
        rule: 'format',
        zh: '评分项应为 {key, name, nameEn, weight, max}',
        en: 'a criterion is {key, name, nameEn, weight, max}',
      });
      return;
    }
    const c = raw as Record<string, unknown>;
    const before = problems.length;
    const name = typeof c.name === 'string' ? c.name.trim() : '';
    const nameEn = typeof c.nameEn === 'string' ? c.nameEn.trim() : '';
    if (typeof c.key !== 'string' || !CRITERION_KEY.test(c.key))
      problems.push({
        field: `${at}.key`,
        rule: 'format',
        zh: '评分项代码应以小写字母开头，仅含字母、数字和下划线，最长 40 位',
        en: 'a criterion key starts with a lower-case letter and has letters, digits and _ only, at most 40',
      });
    else if (seen.has(c.key))
      problems.push({
        field: `${at}.key`,
        rule: 'unique',
        zh: `评分项代码重复：${c.key}`,
        en: `the criterion key ${c.key} is used twice`,
      });
    else seen.add(c.key);
    if (!name || name.length > 100)
      problems.push({
        field: `${at}.name`,
        rule: 'required',
        zh: '请填写评分项中文名称（最多 100 字）',
        en: 'give the criterion a Chinese name (at most 100 characters)',
      });
    if (!nameEn || nameEn.length > 100)
      problems.push({
        field: `${at}.nameEn`,
        rule: 'required',
        zh: '请填写评分项英文名称（最多 100 字）',
        en: 'give the criterion an English name (at most 100 characters)',
      });
    if (!whole(c.max, 1, 100))
      problems.push({
        field: `${at}.max`,
        rule: 'range',
        zh: '满分应为 1 至 100 的整数',
        en: 'the maximum score is a whole number from 1 to 100',
      });
    if (c.weight !== undefined && !whole(c.weight, 1, 100))
      problems.push({
        field: `${at}.weight`,
        rule: 'range',
        zh: '权重应为 1 至 100 的整数（百分比）',
        en: 'the weight is a whole number from 1 to 100 (per cent)',
      });
    if (problems.length === before)
      criteria.push({
        key: c.key as string,
        name,
        nameEn,
        max: c.max as number,
        weight: (c.weight as number | undefined) ?? (c.max as number),
      });
  });
  if (problems.length === 0 && criteria.length > 0) {
    const sum = criteria.reduce((s, c) => s + c.weight, 0);
    if (sum !== 100)
      problems.push({
        field: 'criteria',
        rule: 'weights',
        zh: `各评分项权重之和须为 100（现为 ${sum}）`,
        en: `the criteria's weights must add up to 100 (they add up to ${sum})`,
      });
  }
  return { criteria, problems };
}

/** The application's score from points per criterion: weighted, then rounded to a whole number. */
export function weightedTotal(criteria: readonly Criterion[], scores: Readonly<Record<string, number>>): number {
  // in hundredths of a point first, so 0.1 + 0.2 style drift cannot tip the rounding
  const hundredths = criteria.reduce((s, c) => s + Math.round(((scores[c.key] ?? 0) * c.weight * 100) / c.max), 0);
  return Math.round(hundredths / 100);
}

/**
 * Checks the points per criterion against the rubric: every criterion scored once, whole points
 * from 0 to its maximum, no unknown keys. Returns the weighted total, or the problems.
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
    if (!Number.isInteger(v) || v < 0 || v > c.max)
      problems.push({
        field: `scores.${c.key}`,
        rule: 'range',
        zh: `“${c.name}”的得分应为 0 至 ${c.max} 的整数`,
        en: `the score for "${c.nameEn}" must be a whole number from 0 to ${c.max}`,
      });
  }
  return { total: problems.length ? 0 : weightedTotal(criteria, scores), problems };
}
