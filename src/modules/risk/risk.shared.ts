import { validationError, type FieldProblem } from '../../kernel/errors.ts';
import { LANES, type Lane } from '../clearance/index.ts';
import { isAdmin, jurisdictionPrefix, type Principal } from '../identity/index.ts';
import { checkParams, RULE_KINDS, type RiskRule, type RuleKind } from './rules/risk.rules.ts';

// What the risk services share: the draft rule as customs sends it and its checks, and the
// jurisdiction an officer sees.

export interface RuleInput {
  id: string;
  effectiveFrom: string;
  kind: string;
  lane: string;
  params: Record<string, unknown>;
  explainZh: string;
  explainEn: string;
  enabled: boolean;
}

/** An agency sees its jurisdiction (customs code prefix); the operator everything. */
export function prefixOf(p: Principal): string | null {
  if (isAdmin(p)) return null;
  return jurisdictionPrefix(p.organisation?.jurisdiction ?? null) ?? '\u0000';
}

export function problem(field: string, rule: string, zh: string, en: string): FieldProblem {
  return { field, rule, message: { zh, en } };
}

/** A draft rule is checked whole; every problem is named, nothing is stored. */
export function checkRule(input: RuleInput): RiskRule {
  const errors: FieldProblem[] = [];
  if (!/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(input.id))
    errors.push(
      problem('id', 'format', '规则编号为 2–40 位大写字母、数字或连字符', 'rule id: 2–40 capital letters, digits or hyphens'),
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom) || Number.isNaN(Date.parse(input.effectiveFrom)))
    errors.push(problem('effectiveFrom', 'date', '生效日期格式为 yyyy-mm-dd', 'effective date must be yyyy-mm-dd'));
  if (!(RULE_KINDS as readonly string[]).includes(input.kind))
    errors.push(problem('kind', 'enum', `规则类型须为 ${RULE_KINDS.join('、')}`, `kind must be one of ${RULE_KINDS.join(', ')}`));
  if (!(LANES as readonly string[]).includes(input.lane))
    errors.push(
      problem('lane', 'enum', '通道须为 green、review、inspect 或 hold', 'lane must be green, review, inspect or hold'),
    );
  if (!input.explainZh.trim())
    errors.push(problem('explainZh', 'required', '必须填写中文说明', 'a Chinese explanation is required'));
  if (!input.explainEn.trim())
    errors.push(problem('explainEn', 'required', '必须填写英文说明', 'an English explanation is required'));
  if ((RULE_KINDS as readonly string[]).includes(input.kind)) {
    for (const e of checkParams(input.kind as RuleKind, input.params)) errors.push(problem(e.field, 'params', e.zh, e.en));
  }
  if (errors.length) throw validationError(errors);
  return {
    id: input.id,
    version: 0,
    effectiveFrom: input.effectiveFrom,
    kind: input.kind as RuleKind,
    lane: input.lane as Lane,
    params: input.params,
    explainZh: input.explainZh.trim(),
    explainEn: input.explainEn.trim(),
    enabled: input.enabled,
  };
}
