import { createHash } from 'node:crypto';
import type { ClearanceRuleSet } from './clearance.rulesets.ts';
import { sumScaled, toScaled } from './decimal.ts';
import type { DocForMatch } from './match.rules.ts';

/**
 * The decision hook: a matched inventory goes to a lane. The risk engine (a later issue) replaces
 * this with its own function of the same shape; until then the rule set decides.
 */
export type Lane = 'green' | 'review';

export interface Decision {
  lane: Lane;
  /** shown to the officer; never to the seller */
  reasons: { rule: string; zh: string; en: string }[];
}

export type DecisionHook = (inventories: { id: string; guid: string; doc: DocForMatch }[]) => Promise<Map<string, Decision>>;

/** Reproducible: the same guid always lands in the same bucket of 10,000. */
export function sampleBucket(guid: string): number {
  return createHash('sha256').update(guid).digest().readUInt32BE(0) % 10_000;
}

export function decideByRuleSet(rules: ClearanceRuleSet, guid: string, doc: DocForMatch): Decision {
  const reasons: Decision['reasons'] = [];
  const total = sumScaled(doc.lines.map((l) => l.totalPrice ?? '0'));
  if (total > toScaled(rules.reviewAboveValue)) {
    reasons.push({
      rule: 'value-above-threshold',
      zh: `申报总价超过 ${rules.reviewAboveValue}，转人工审核`,
      en: `declared total above ${rules.reviewAboveValue}: manual review`,
    });
  }
  if (rules.reviewSharePct > 0 && sampleBucket(guid) < rules.reviewSharePct * 100) {
    reasons.push({
      rule: 'random-sample',
      zh: `随机抽取 ${rules.reviewSharePct}% 人工审核`,
      en: `random ${rules.reviewSharePct}% sample`,
    });
  }
  return { lane: reasons.length ? 'review' : 'green', reasons };
}
