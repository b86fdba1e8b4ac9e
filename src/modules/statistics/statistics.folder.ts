import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { clearanceLookup, TOPIC_CLOSED, type ClosedPayload } from '../clearance/index.ts';
import { foldFacts, partitionByRates } from './rules/fold.rules.ts';
import { createStatisticsRepository } from './statistics.repository.ts';

/**
 * Folds claimed inventories (already in `stat_folded`) into the cubes, one upsert per cube. An
 * inventory that cannot be valued — a currency, or USD, with no rate in force on its closing day —
 * is parked in `stat_fold_pending` instead of failing the batch, and folded when that rate is set
 * (`foldPendingFor`). Before parking, the rates are read again under a share lock on the rate
 * table, so a rate set meanwhile is either seen here or finds the parked rows when it commits.
 */
export async function foldClaimed(trx: Executor, ids: string[], now: Date): Promise<{ folded: number; parked: number }> {
  if (ids.length === 0) return { folded: 0, parked: 0 };
  const repo = createStatisticsRepository(trx);
  const facts = await clearanceLookup(trx).closedInventoryFacts(ids);
  let rates = await repo.rates();
  let split = partitionByRates(facts, rates);
  if (split.unfoldable.length) {
    await repo.lockRates();
    rates = await repo.rates();
    split = partitionByRates(facts, rates);
  }
  const cubes = foldFacts(split.foldable, rates);
  await repo.addToCubes(cubes.inventory, cubes.goods);
  await repo.park(
    split.unfoldable.map((u) => ({ inventoryId: u.fact.id, day: u.fact.day, missing: u.missing })),
    now,
  );
  return { folded: split.foldable.length, parked: split.unfoldable.length };
}

/**
 * Folds the inventories parked for want of a rate of `currency` (called in the transaction that
 * sets that rate, after it): those the rates now value go into the cubes, the others (a rate from
 * a later day, or a second currency still missing) are parked again with what they still miss.
 */
export async function foldPendingFor(trx: Executor, currency: string, now: Date): Promise<{ folded: number; parked: number }> {
  const ids = await createStatisticsRepository(trx).takePending(currency);
  return foldClaimed(trx, ids, now);
}

/**
 * Keeps the statistics cubes current: each batch of `clearance.closed` events is folded into the
 * cubes with one upsert per cube, in the handler's transaction. `stat_folded` makes a replay a
 * no-op, so the read model never counts an inventory twice; an inventory without a rate waits in
 * `stat_fold_pending` (the batch is not failed, the event not retried).
 */
export function statisticsFolder(deps: { clock: Clock }): OutboxHandler {
  return {
    name: 'statistics.fold',
    topics: [TOPIC_CLOSED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const repo = createStatisticsRepository(trx);
      const ids = [...new Set(events.flatMap((e) => (e.payload as ClosedPayload).ids))];
      const now = deps.clock.now();
      await foldClaimed(trx, await repo.claimUnfolded(ids, now), now);
    },
  };
}
