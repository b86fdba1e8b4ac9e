import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_CLOSED, TOPIC_WITHDRAWN, type ClosedPayload, type WithdrawnPayload } from '../clearance/index.ts';
import { TOPIC_INSPECT, TOPIC_QUARANTINE, type InspectPayload, type QuarantinePayload } from '../risk/index.ts';
import { createInspectionRepository } from './inspection.repository.ts';
import { declarationNo, declarationDay } from './rules/declaration.rules.ts';

/**
 * The inspection module's reactions, each idempotent (the outbox may deliver twice):
 * - one inspection task per inventory the risk engine selected, whichever agencies selected it:
 *   both agencies on one task is the joint inspection (一次查验);
 * - quarantine parcels declared to the inspection authority per enterprise and day (集中申报);
 * - departed parcels write off what they drew on their batches (分批核销); rejected or
 *   cancelled ones give it back.
 */
export function inspectionTasks(deps: { clock: Clock }): OutboxHandler {
  return {
    name: 'inspection.tasks',
    topics: [TOPIC_INSPECT, TOPIC_CLOSED, TOPIC_WITHDRAWN, TOPIC_QUARANTINE],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const now = deps.clock.now();
      const repo = createInspectionRepository(trx);
      const byInventory = new Map<string, InspectPayload>();
      const departed: string[] = [];
      const withdrawn: string[] = [];
      const declared = new Map<string, { parcel: QuarantinePayload['parcels'][number]; day: string }>();
      for (const e of events) {
        if (e.topic === TOPIC_CLOSED) departed.push(...(e.payload as ClosedPayload).ids);
        else if (e.topic === TOPIC_WITHDRAWN) withdrawn.push(...(e.payload as WithdrawnPayload).ids);
        else if (e.topic === TOPIC_QUARANTINE) {
          const q = e.payload as QuarantinePayload;
          const day = declarationDay(new Date(q.decidedAt));
          for (const parcel of q.parcels) declared.set(parcel.inventoryId, { parcel, day });
        } else {
          const p = e.payload as InspectPayload;
          byInventory.set(p.inventoryId, p);
        }
      }
      await repo.writeOff(departed, now);
      await repo.declareParcels(
        [...declared.values()].map(({ parcel, day }) => ({
          newId: newId(),
          declarationNo: declarationNo(parcel.ebcCode, parcel.customsCode ?? '', day),
          enterpriseCode: parcel.ebcCode,
          customsCode: parcel.customsCode ?? '',
          day,
          inventoryId: parcel.inventoryId,
          logisticsNo: parcel.logisticsNo,
          lane: parcel.lane,
          lines: parcel.lines,
        })),
        now,
      );
      // After the declarations: a parcel declared and withdrawn in the same batch ends withdrawn.
      await repo.returnDraws(withdrawn, now);
      await repo.withdrawDeclared(withdrawn, now);
      await repo.insertTasks(
        [...byInventory.values()].map((p) => ({
          id: newId(),
          inventory_id: p.inventoryId,
          logistics_no: p.logisticsNo,
          customs_code: p.customsCode,
          ebc_code: p.ebcCode,
          agencies: p.agencies.length ? p.agencies : ['customs'],
          created_at: now,
        })),
      );
      // After the tasks: a parcel selected and withdrawn in the same batch leaves no open task.
      await repo.withdrawTasks(withdrawn, now);
    },
  };
}
