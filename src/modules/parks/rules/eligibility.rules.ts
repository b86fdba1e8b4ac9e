/**
 * Support programme eligibility as data: each rule compares one of the enterprise's platform
 * figures with a threshold. A programme's rules all must hold.
 *
 * refundsCny: the estimated export tax refund (出口退税, CNY) of the enterprise's summary
 * declarations eligible for refund over the same span as the exports (tax module's verdicts).
 */
export const FIGURES = ['exportsCny', 'exportsUsd', 'parcels', 'refundsCny', 'creditLevelRank', 'parkMember'] as const;
export type Figure = (typeof FIGURES)[number];
export const OPS = ['>=', '<=', '='] as const;
export type Figures = Record<Figure, number>;

export interface EligibilityRule {
  metric: Figure;
  op: (typeof OPS)[number];
  value: number;
}

export const isRule = (r: unknown): r is EligibilityRule =>
  typeof r === 'object' &&
  r !== null &&
  (FIGURES as readonly string[]).includes((r as EligibilityRule).metric) &&
  (OPS as readonly string[]).includes((r as EligibilityRule).op) &&
  typeof (r as EligibilityRule).value === 'number';

/** The figures by name, for messages: Chinese, English. */
const FIGURE_NAMES: Record<Figure, { zh: string; en: string }> = {
  exportsCny: { zh: '出口额（人民币）', en: 'exports (CNY)' },
  exportsUsd: { zh: '出口额（美元）', en: 'exports (USD)' },
  parcels: { zh: '出口包裹数', en: 'parcels' },
  refundsCny: { zh: '出口退税额（人民币）', en: 'export tax refunds (CNY)' },
  creditLevelRank: { zh: '信用等级', en: 'credit rank' },
  parkMember: { zh: '园区企业', en: 'park member' },
};

export interface RuleProblem {
  /** e.g. `rules[2].metric` */
  field: string;
  rule: string;
  zh: string;
  en: string;
  value?: unknown;
}

/**
 * A programme's eligibility rules as sent (any JSON), checked one field at a time: each problem
 * names the rule's index and field (`rules[1].op`) and says what is allowed. What is stored is
 * `{metric, op, value}` per rule, in the order given, nothing else: the editor and the API give
 * the same JSON.
 */
export function checkRules(input: readonly unknown[]): { rules: EligibilityRule[]; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules: EligibilityRule[] = [];
  input.forEach((r, i) => {
    const at = `rules[${i}]`;
    const n = i + 1;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      problems.push({
        field: at,
        rule: 'type',
        zh: `第 ${n} 条规则应为对象 {metric, op, value}`,
        en: `rule ${n} must be an object {metric, op, value}`,
        value: r,
      });
      return;
    }
    const { metric, op, value, ...rest } = r as Record<string, unknown>;
    const before = problems.length;
    if (!(FIGURES as readonly unknown[]).includes(metric))
      problems.push({
        field: `${at}.metric`,
        rule: 'enum',
        zh: `第 ${n} 条规则的指标（metric）无效，应为：${FIGURES.map((f) => `${f}（${FIGURE_NAMES[f].zh}）`).join('、')}`,
        en: `rule ${n}: metric must be one of ${FIGURES.join(', ')}`,
        value: metric,
      });
    if (!(OPS as readonly unknown[]).includes(op))
      problems.push({
        field: `${at}.op`,
        rule: 'enum',
        zh: `第 ${n} 条规则的比较符（op）无效，应为 >=、<= 或 =`,
        en: `rule ${n}: op must be one of >=, <=, =`,
        value: op,
      });
    if (typeof value !== 'number' || !Number.isFinite(value))
      problems.push({
        field: `${at}.value`,
        rule: 'type',
        zh: `第 ${n} 条规则的阈值（value）应为数字`,
        en: `rule ${n}: value must be a number`,
        value,
      });
    const extra = Object.keys(rest);
    if (extra.length)
      problems.push({
        field: `${at}.${extra[0]}`,
        rule: 'additionalProperties',
        zh: `第 ${n} 条规则只能有 metric、op、value 三项，不能有 ${extra.join('、')}`,
        en: `rule ${n} has only metric, op and value, not ${extra.join(', ')}`,
      });
    if (problems.length === before)
      rules.push({ metric: metric as Figure, op: op as EligibilityRule['op'], value: value as number });
  });
  return { rules, problems };
}

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
