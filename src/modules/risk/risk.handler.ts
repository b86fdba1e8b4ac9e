import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_REVIEWED, TOPIC_WITHDRAWN } from '../clearance/index.ts';
import type { ClearancePort } from './risk.ports.ts';
import { createRiskRepository } from './risk.repository.ts';

/**
 * Asks the risk engine to decide a seller's held (`hold` lane) parcels again: published by whoever
 * fixes what holds them (an inspection filing approved, a batch declared), in that transaction.
 */
export const TOPIC_REDECIDE = 'risk.redecide';

export interface RedecidePayload {
  /** sellers (ebcCode) whose parcels held in the `hold` lane are decided again */
  ebcCodes: string[];
}

/**
 * The risk module's reactions, each idempotent:
 * - parcels decided (399), rejected, cancelled or deleted leave the risk-hit queue;
 * - a seller's parcels held in the `hold` lane are decided again by the engine once the cause may
 *   be fixed (set-based: one engine call for the batch); clearance applies the new lanes and
 *   re-checks under lock that each is still held, so a parcel decided meanwhile is left alone.
 */
export function riskFollowUps(deps: { clearance: Pick<ClearancePort, 'redecideHeld'> }): OutboxHandler {
  return {
    name: 'risk.follow-ups',
    topics: [TOPIC_REVIEWED, TOPIC_WITHDRAWN, TOPIC_REDECIDE],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const settled: string[] = [];
      const sellers = new Set<string>();
      for (const e of events) {
        if (e.topic === TOPIC_REDECIDE) for (const c of (e.payload as RedecidePayload).ebcCodes) sellers.add(c);
        else settled.push(...(e.payload as { ids: string[] }).ids);
      }
      const repo = createRiskRepository(trx);
      await repo.settle(settled);
      const held = await repo.heldInHoldLane([...sellers]);
      if (held.length) await deps.clearance.redecideHeld(trx, held);
    },
  };
}
