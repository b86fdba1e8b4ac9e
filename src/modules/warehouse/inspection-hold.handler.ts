import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_WITHDRAWN, type WithdrawnPayload } from '../clearance/index.ts';
import { TOPIC_TASK_COMPLETED, type TaskCompletedPayload } from '../inspection/index.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';
import { toParcel } from './warehouse.shared.ts';

/**
 * Ends the inspection-station hold of the parcels whose task was completed (passed or failed:
 * a failed one is rejected, 100, and may not move anyway) or whose inventory was withdrawn
 * (cancelled), in the transaction that delivers the event; idempotent (the outbox may deliver
 * twice: a released parcel is not held any more and is not touched again).
 */
export function warehouseInspectionHolds(deps: { clock: Clock; audit: AuditLog }): OutboxHandler {
  return {
    name: 'warehouse.inspection_holds',
    topics: [TOPIC_TASK_COMPLETED, TOPIC_WITHDRAWN],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const inventoryIds = events.flatMap((e) =>
        e.topic === TOPIC_TASK_COMPLETED
          ? [(e.payload as TaskCompletedPayload).inventoryId]
          : (e.payload as WithdrawnPayload).ids,
      );
      const released = await createWarehouseRepository(trx).releaseHolds([...new Set(inventoryIds)], deps.clock.now());
      if (!released.length) return;
      await deps.audit.append(
        trx,
        SYSTEM_ACTOR,
        released.map((r) => ({
          action: 'warehouse.parcel_hold_released',
          entity: 'warehouse_parcel',
          entityId: r.id,
          after: toParcel(r),
        })),
      );
    },
  };
}
