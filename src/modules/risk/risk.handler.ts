import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_REVIEWED, TOPIC_WITHDRAWN } from '../clearance/index.ts';
import type { ClearancePort } from './risk.ports.ts';
import { createRiskRepository } from './risk.repository.ts';

/**
 * Asks the risk engine to decide held parcels again: published by whoever fixes or changes what
 * holds them, in that transaction: an inspection filing approved or a batch declared (the seller's
 * parcels in the `hold` lane), customs editing or switching off a rule (the parcels that rule holds
 * in the `hold` or `review` lane that no officer has decided yet).
 */
export const TOPIC_REDECIDE = 'risk.redecide';

export interface RedecidePayload {
  /** sellers (ebcCode) whose parcels held in the `hold` lane are decided again */
  ebcCodes: string[];
  /** and these inventories (by document id), where still held in the `hold` or `review` lane */
  inventoryIds?: string[];
}

/**
 * The risk module's reactions, each idempotent:
 * - parcels decided (399), rejected, cancelled or deleted leave the risk-hit queue;
 * - a seller's parcels held in the `hold` lane are decided again by the engine once the cause may
 *   be fixed, and the parcels a changed rule holds in the `hold` or `review` lane (set-based: one
 *   engine call for the batch); clearance applies the new lanes and re-checks under lock that each
 *   is still held and undecided, so a parcel an officer decided meanwhile is left alone.
 */
export function riskFollowUps(deps: { clearance: Pick<ClearancePort, 'redecideHeld'> }): OutboxHandler {
  return {
    name: 'risk.follow-ups',
    topics: [TOPIC_REVIEWED, TOPIC_WITHDRAWN, TOPIC_REDECIDE],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const settled: string[] = [];
      const sellers = new Set<string>();
      const parcels = new Set<string>();
      for (const e of events) {
        if (e.topic === TOPIC_REDECIDE) {
          const p = e.payload as RedecidePayload;
          for (const c of p.ebcCodes ?? []) sellers.add(c);
          for (const id of p.inventoryIds ?? []) parcels.add(id);
        } else settled.push(...(e.payload as { ids: string[] }).ids);
      }
      const repo = createRiskRepository(trx);
      await repo.settle(settled);
      const held = await repo.heldToRedecide([...sellers], [...parcels]);
      if (held.length) await deps.clearance.redecideHeld(trx, held);
    },
  };
}
