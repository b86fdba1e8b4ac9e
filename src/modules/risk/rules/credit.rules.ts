import type { CreditLevel } from './risk.rules.ts';

/** What the filing and declaration history says about an enterprise with no credit record. */
export interface CreditHistory {
  /** when its customs enterprise filing was approved; null when not filed */
  filedAt: Date | null;
  /** inventories declared as seller in the history window */
  declared: number;
  /** of those, rejected (100) */
  rejected: number;
}

/** The history window the counts are taken over. */
export const CREDIT_HISTORY_DAYS = 365;

/** How long a credit level set in the risk workbench holds unless customs names an end: a year. */
export const CREDIT_OVERRIDE_DAYS = 365;

/**
 * A provisional grade until the credit system rates the enterprise. AA is an official
 * certification (高级认证企业) and is never derived; C (失信) is reached only by a poor record,
 * never by being new: a new or unfiled enterprise is B ("general"), the default of the customs
 * credit measures.
 */
export function deriveCreditLevel(h: CreditHistory, now: Date): CreditLevel {
  const ageDays = h.filedAt ? (now.getTime() - h.filedAt.getTime()) / 86_400_000 : 0;
  const rejectedShare = h.declared > 0 ? h.rejected / h.declared : 0;
  if (h.declared >= 20 && rejectedShare >= 0.2) return 'C';
  if (ageDays >= 365 && h.declared >= 100 && rejectedShare < 0.01) return 'A';
  return 'B';
}

/**
 * The level the engine uses: a seller on the credit system's blacklist (失信名单) is C whatever
 * else is known, a customs override included (an override graded before the listing must not
 * shield it); else an unexpired override customs set in the risk workbench (also how the demo
 * sellers are graded; past its valid_until it no longer counts, so the rating applies again), else
 * the credit system's rating, else the provisional grade.
 */
export function creditLevelFor(
  explicit: CreditLevel | undefined,
  rated: CreditLevel | null | undefined,
  history: CreditHistory | undefined,
  now: Date,
  blacklisted = false,
): { level: CreditLevel; source: 'blacklist' | 'risk' | 'credit' | 'history' } {
  if (blacklisted) return { level: 'C', source: 'blacklist' };
  if (explicit) return { level: explicit, source: 'risk' };
  if (rated) return { level: rated, source: 'credit' };
  return { level: deriveCreditLevel(history ?? { filedAt: null, declared: 0, rejected: 0 }, now), source: 'history' };
}
