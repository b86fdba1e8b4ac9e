import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { clearanceLookup, TOPIC_CLOSED, type ClosedPayload } from '../clearance/index.ts';
import { foldFacts } from './rules/fold.rules.ts';
import { createStatisticsRepository } from './statistics.repository.ts';

/**
 * Keeps the statistics cubes current: each batch of `clearance.closed` events is folded into the
 * cubes with one upsert per cube, in the handler's transaction. `stat_folded` makes a replay a
 * no-op, so the read model never counts an inventory twice.
 */
export function statisticsFolder(deps: { clock: Clock }): OutboxHandler {
  return {
    name: 'statistics.fold',
    topics: [TOPIC_CLOSED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const repo = createStatisticsRepository(trx);
      const ids = [...new Set(events.flatMap((e) => (e.payload as ClosedPayload).ids))];
      const fresh = await repo.claimUnfolded(ids, deps.clock.now());
      if (fresh.length === 0) return;
      const facts = await clearanceLookup(trx).closedInventoryFacts(fresh);
      const cubes = foldFacts(facts, await repo.rates());
      await repo.addToCubes(cubes.inventory, cubes.goods);
    },
  };
}
