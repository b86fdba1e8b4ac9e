import type { Executor } from '../../kernel/db.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { filingLookup } from '../filing/index.ts';
import { organisationDirectory } from '../identity/index.ts';
import { creditLevelOf } from './credit.service.ts';
import { codesOf } from './rules/factors.rules.ts';
import type { CreditLevel } from './rules/rating.rules.ts';

/** What the credit system knows of the seller a document names, by either of its codes. */
export interface SellerCredit {
  orgId: string;
  /** every code of the enterprise: customs code, USCC (the one asked for among them) */
  codes: string[];
  /** the current rating (null: never rated); C while blacklisted */
  level: CreditLevel | null;
  blacklisted: boolean;
  /** when its enterprise filing was approved, under either code (the earliest); null: not filed */
  filedAt: Date | null;
  /** inventories declared as seller since `since` under any of its codes, and of those rejected */
  declared: number;
  rejected: number;
}

type CountsFn = (
  exec: Executor,
  codes: string[],
  since: Date,
) => Promise<{ ebcCode: string; declared: number; rejected: number }[]>;

/**
 * What other modules ask of credit, batch-first: a fixed number of statements per call whatever
 * the number of codes. No access check: callers are pipeline stages (the risk engine's port).
 */
export function creditLookup(exec: Executor) {
  return {
    /**
     * Per seller code as documents name it (customs code or USCC): the enterprise's level, blacklist,
     * filing and declaration history over all its codes, so a seller is the same seller whichever
     * code a document uses. A code of no enterprise is absent. `counts`: the inventory counts per
     * code (the pipeline passes a cached form); clearance's exact counts by default.
     */
    async sellers(codes: readonly string[], opts: { since: Date; counts?: CountsFn }): Promise<Map<string, SellerCredit>> {
      const asked = new Set(codes.filter(Boolean));
      if (asked.size === 0) return new Map();
      const orgs = (await organisationDirectory(exec).byCodes([...asked])).filter((o) => o.kind === 'enterprise');
      if (orgs.length === 0) return new Map();
      const all = [...new Set(orgs.flatMap(codesOf))];
      const counts: CountsFn = opts.counts ?? ((x, c, since) => clearanceLookup(x).enterpriseClearanceCounts(c, since));
      const [levels, filed, declared] = await Promise.all([
        creditLevelOf(
          exec,
          orgs.map((o) => o.id),
        ),
        filingLookup(exec).filedEnterprises(all),
        counts(exec, all, opts.since),
      ]);
      const byCode = new Map(declared.map((c) => [c.ebcCode, c]));
      const out = new Map<string, SellerCredit>();
      for (const o of orgs) {
        const own = codesOf(o);
        const l = levels.get(o.id);
        const filedAt =
          own
            .map((c) => filed.get(c)?.approvedAt ?? null)
            .filter((d): d is Date => d !== null)
            .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
        const v: SellerCredit = {
          orgId: o.id,
          codes: own,
          level: l?.level ?? null,
          blacklisted: l?.blacklisted ?? false,
          filedAt,
          declared: own.reduce((a, c) => a + (byCode.get(c)?.declared ?? 0), 0),
          rejected: own.reduce((a, c) => a + (byCode.get(c)?.rejected ?? 0), 0),
        };
        for (const c of own) if (asked.has(c)) out.set(c, v);
      }
      return out;
    },
  };
}
