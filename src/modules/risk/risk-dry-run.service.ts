import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { requirePermission, type Principal } from '../identity/index.ts';
import { assess, newReplayState, pruneReplay } from './risk.engine.ts';
import type { ClearancePort, RiskPorts } from './risk.ports.ts';
import { createRiskRepository } from './risk.repository.ts';
import { checkRule, prefixOf, type RuleInput } from './risk.shared.ts';

/** The period a dry run replays: last month. */
export const DRY_RUN_DAYS = 30;
/** Inventories replayed per chunk: a fixed number of statements each, one chunk in memory at a time. */
export const DRY_RUN_CHUNK = 2_000;
/** The newest hits shown as examples. */
const EXAMPLES = 20;

export interface DryRunResult {
  days: number;
  /** when the replayed period begins and ends (the dry run's start): every decision between is replayed */
  from: string;
  to: string;
  inventories: number;
  hits: number;
  examples: { inventoryId: string; logisticsNo: string | null; ebcCode: string; detailZh: string; detailEn: string }[];
}

/**
 * How many of last month's inventories (in the officer's jurisdiction) a draft rule would have
 * hit, with the newest hits as examples. Nothing is stored. Every decision of the period is
 * replayed, oldest first, in chunks of `chunk` (keyset over decision time and id): each inventory
 * as of its own decision time, split counts and first-time carried from chunk to chunk (split
 * times pruned to the rule's window, so memory stays bounded however long the month was). Credit
 * levels and HS medians are as of now.
 */
export function createRiskDryRun(
  deps: { db: Db; clock: Clock; ports: RiskPorts; clearance: Pick<ClearancePort, 'inventories'> },
  chunk = DRY_RUN_CHUNK,
) {
  return async function dryRun(p: Principal | null, input: RuleInput): Promise<DryRunResult> {
    requirePermission(p, 'risk.manage');
    const rule = { ...checkRule(input), version: 0, enabled: true };
    const now = deps.clock.now();
    const since = new Date(now.getTime() - DRY_RUN_DAYS * 86_400_000);
    const prefix = prefixOf(p);
    const repo = createRiskRepository(deps.db);
    const state = newReplayState(since);
    const examples: DryRunResult['examples'] = [];
    let after: { atKey: string; inventoryId: string } | null = null;
    let inventories = 0;
    let hits = 0;
    for (;;) {
      const rows = await repo.decisionsChunk(since, now, prefix, after, chunk);
      const last = rows[rows.length - 1];
      if (!last) break;
      after = { atKey: last.at_key, inventoryId: last.inventory_id };
      const docs = await deps.clearance.inventories(rows.map((r) => r.inventory_id));
      // An inventory deleted since (appType 3) has nothing left to replay.
      const kept = rows.filter((r) => docs.has(r.inventory_id));
      if (kept.length) {
        const assessed = await assess(
          deps.db,
          deps.ports,
          kept.map((r) => ({ id: r.inventory_id, guid: r.guid, doc: docs.get(r.inventory_id)! })),
          [rule],
          now,
          { excludeFromHistory: [], at: kept.map((r) => new Date(r.decided_at)), replay: state },
        );
        inventories += assessed.length;
        for (const a of assessed) {
          const h = a.hits[0];
          if (!h) continue;
          hits += 1;
          examples.push({
            inventoryId: a.item.id,
            logisticsNo: a.item.doc.head.logisticsNo ?? null,
            ebcCode: a.facts.ebcCode,
            detailZh: h.detailZh,
            detailEn: h.detailEn,
          });
          if (examples.length > EXAMPLES) examples.shift();
        }
      }
      pruneReplay(state, [rule], new Date(last.decided_at));
      if (rows.length < chunk) break;
    }
    return {
      days: DRY_RUN_DAYS,
      from: since.toISOString(),
      to: now.toISOString(),
      inventories,
      hits,
      examples: examples.reverse(),
    };
  };
}
