import { createHash } from 'node:crypto';
import type { Executor } from '../../../kernel/db.ts';
import type { ClearanceRuleSet } from './clearance.rulesets.ts';
import { sumScaled, toScaled } from './decimal.ts';
import type { DocForMatch } from './match.rules.ts';

/**
 * The decision hook: a matched inventory goes to a lane. The risk engine plugs in with a function
 * of this shape (platform.ts); `decideByRuleSet` is the fallback without it.
 * green → 399; review → 300 (officer); inspect → 500 receipt (physical inspection, the inventory
 * waits in 300 until every involved agency clears it); hold → 300 with the reason in the receipt
 * (something the seller must fix, e.g. a missing inspection filing).
 */
export const LANES = ['green', 'review', 'inspect', 'hold'] as const;
export type Lane = (typeof LANES)[number];

/** The strictest lane wins when several rules hit. */
export function strictestLane(lanes: readonly Lane[]): Lane {
  let best: Lane = 'green';
  for (const l of lanes) if (LANES.indexOf(l) > LANES.indexOf(best)) best = l;
  return best;
}

export interface Decision {
  lane: Lane;
  /** shown to the officer; never to the seller */
  reasons: { rule: string; zh: string; en: string; lane?: Lane }[];
}

/** Called inside the pipeline's transaction (`exec`), so what the hook stores commits with the decision. */
export type DecisionHook = (
  inventories: { id: string; guid: string; doc: DocForMatch }[],
  exec: Executor,
) => Promise<Map<string, Decision>>;

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
