/**
 * A programme's application window and eligibility rules as a manager sets them: checked field by
 * field, stored as {metric, op, value}.
 */
import { validationError, type FieldProblem } from '../../../kernel/errors.ts';
import { checkRules, type EligibilityRule, type RuleProblem } from './eligibility.rules.ts';
import { scoreAgainst, type Criterion, type ScoreProblem } from './scoring.rules.ts';

/** A date column (a Date, or already a string) as YYYY-MM-DD. */
export const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

export const asProblems = (ps: (ScoreProblem | RuleProblem)[]) =>
  ps.map((x) => ({
    field: x.field,
    rule: x.rule,
    message: { zh: x.zh, en: x.en },
    ...('value' in x && x.value !== undefined ? { value: x.value } : {}),
  }));

/** Stored rules as {metric, op, value} in that order (jsonb keeps its own key order). */
export const rulesOf = (v: unknown): EligibilityRule[] =>
  (Array.isArray(v) ? (v as EligibilityRule[]) : []).map((r) => ({ metric: r.metric, op: r.op, value: r.value }));
export const sameRules = (a: unknown, b: unknown) => JSON.stringify(rulesOf(a)) === JSON.stringify(rulesOf(b));

/** An application window whose end is before its start names closesOn. */
export function checkWindow(opensOn: string, closesOn: string): void {
  if (closesOn < opensOn)
    throw validationError([
      {
        field: 'closesOn',
        rule: 'after',
        message: {
          zh: `申报截止日（${closesOn}）不能早于开始日（${opensOn}）`,
          en: `closesOn (${closesOn}) must not be before opensOn (${opensOn})`,
        },
        value: closesOn,
      },
    ]);
}

/** The rules as sent, checked field by field; stored as {metric, op, value} only. */
export function validRules(input: readonly unknown[]): EligibilityRule[] {
  const { rules, problems } = checkRules(input);
  if (problems.length) throw validationError(asProblems(problems));
  return rules;
}

/**
 * A reviewer's decision checked: points per criterion of the programme (the total is their
 * weighted sum; a total sent along must be it) or, for a programme reviewed as a whole, one
 * score; a rejection states its reason, which the enterprise reads.
 */
export function checkDecision(
  criteria: readonly Criterion[],
  input: { decision: 'approve' | 'reject'; score?: number; scores?: Record<string, number>; note?: string },
): { score: number | undefined; note: string | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let score = input.score;
  if (input.scores) {
    const r = scoreAgainst(criteria, input.scores);
    problems.push(...asProblems(r.problems));
    if (!r.problems.length && score !== undefined && score !== r.total)
      problems.push({
        field: 'score',
        rule: 'sum',
        message: {
          zh: `总分应为各项得分按权重折算之和（${r.total}）`,
          en: `the score must be the weighted sum of the criteria (${r.total})`,
        },
      });
    score = r.total;
  } else if (score === undefined)
    problems.push({
      field: 'scores',
      rule: 'required',
      message: { zh: '请按评分项打分', en: 'score the application by its criteria' },
    });
  const note = input.note?.trim() || null;
  if (input.decision === 'reject' && !note)
    problems.push({
      field: 'note',
      rule: 'required',
      message: { zh: '驳回须说明理由', en: 'a rejection needs a reason' },
    });
  return { score, note, problems };
}
