import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox, OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_CLOSED, TOPIC_REVIEWED, TOPIC_WITHDRAWN, type ClosedPayload, type WithdrawnPayload } from '../clearance/index.ts';
import {
  TOPIC_INSPECT,
  TOPIC_QUARANTINE,
  TOPIC_REDECIDE,
  type InspectPayload,
  type QuarantinePayload,
  type RedecidePayload,
} from '../risk/index.ts';
import { createDeclarationRepository, type NewDeclaredParcel } from './inspection-declaration.repository.ts';
import { createLedgerRepository } from './inspection-ledger.repository.ts';
import { createInspectionRepository } from './inspection.repository.ts';
import { billDeclarationNo, declarationDay, declarationNo, groupingFor } from './rules/declaration.rules.ts';

export interface InspectionTasksDeps {
  clock: Clock;
  /** follow-up events (risk.redecide) in the handler's transaction */
  outbox?: Pick<Outbox, 'publish'>;
  /** the master bill number (CEB603 head billNo) of inventories, for declarations per bill */
  billNos?: (exec: Executor, inventoryIds: string[]) => Promise<Map<string, string | null>>;
}

/**
 * The inspection module's reactions, each idempotent (the outbox may deliver twice) and
 * independent of the order its events arrive in:
 * - one inspection task per inventory the risk engine selected, whichever agencies selected it:
 *   both agencies on one task is the joint inspection (一次查验);
 * - quarantine parcels declared to the inspection authority per enterprise and day, or per
 *   enterprise and total-sub bill, as the authority of the customs office set it (集中申报);
 * - the batch ledger (分批核销): what a parcel reserved at decision counts as released once it
 *   reaches 399 (green at decision: `risk.quarantine` with lane green; approved on review, passed
 *   inspection or decided again: `clearance.reviewed`), is written off when it departs
 *   (`clearance.closed`) and goes back when it is rejected or cancelled (`clearance.withdrawn`);
 *   quantity back on an accepted batch asks the risk engine to decide its seller's held parcels
 *   again (`risk.redecide`, in this transaction).
 */
export function inspectionTasks(deps: InspectionTasksDeps): OutboxHandler {
  return {
    name: 'inspection.tasks',
    topics: [TOPIC_INSPECT, TOPIC_CLOSED, TOPIC_WITHDRAWN, TOPIC_QUARANTINE, TOPIC_REVIEWED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const now = deps.clock.now();
      const repo = createInspectionRepository(trx);
      const ledger = createLedgerRepository(trx);
      const declarations = createDeclarationRepository(trx);
      const byInventory = new Map<string, InspectPayload>();
      const departed: string[] = [];
      const withdrawn: string[] = [];
      const released: string[] = [];
      const declared = new Map<string, { parcel: QuarantinePayload['parcels'][number]; day: string }>();
      for (const e of events) {
        if (e.topic === TOPIC_CLOSED) departed.push(...(e.payload as ClosedPayload).ids);
        else if (e.topic === TOPIC_WITHDRAWN) withdrawn.push(...(e.payload as WithdrawnPayload).ids);
        else if (e.topic === TOPIC_REVIEWED) released.push(...(e.payload as { ids: string[] }).ids);
        else if (e.topic === TOPIC_QUARANTINE) {
          const q = e.payload as QuarantinePayload;
          const day = declarationDay(new Date(q.decidedAt));
          for (const parcel of q.parcels) {
            declared.set(parcel.inventoryId, { parcel, day });
            // green at decision: 399 in the same transaction
            if (parcel.lane === 'green') released.push(parcel.inventoryId);
          }
        } else {
          const p = e.payload as InspectPayload;
          byInventory.set(p.inventoryId, p);
        }
      }
      // One lock, in one order, of every draw this batch changes: concurrent batches wait, never deadlock.
      await ledger.lock([...released, ...departed, ...withdrawn]);
      await ledger.releaseDraws(released, now);
      await ledger.writeOff(departed, now);
      await declarations.declareParcels(await declarationRows([...declared.values()], trx), now);
      // After the releases and declarations: a parcel released (or declared) and withdrawn in the
      // same batch ends withdrawn, its quantity back.
      const sellers = await ledger.returnDraws(withdrawn, now);
      if (sellers.length && deps.outbox) {
        const payload: RedecidePayload = { ebcCodes: sellers.sort() };
        await deps.outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: sellers.join(','), payload }]);
      }
      await declarations.withdrawDeclared(withdrawn, now);
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

  /** Each parcel's declaration: per bill where its authority says so and it names a bill, else per day. */
  async function declarationRows(
    parcels: { parcel: QuarantinePayload['parcels'][number]; day: string }[],
    trx: Executor,
  ): Promise<NewDeclaredParcel[]> {
    if (parcels.length === 0) return [];
    const settings = (await createDeclarationRepository(trx).settings()).map((s) => ({
      prefix: s.customs_prefix,
      grouping: s.declaration_grouping,
    }));
    const perBill = parcels.filter(({ parcel }) => groupingFor(parcel.customsCode ?? '', settings) === 'bill');
    const bills =
      perBill.length && deps.billNos
        ? await deps.billNos(
            trx,
            perBill.map(({ parcel }) => parcel.inventoryId),
          )
        : new Map<string, string | null>();
    return parcels.map(({ parcel, day }) => {
      const cc = parcel.customsCode ?? '';
      const billNo = groupingFor(cc, settings) === 'bill' ? bills.get(parcel.inventoryId)?.trim() || null : null;
      return {
        newId: newId(),
        declarationNo: billNo ? billDeclarationNo(parcel.ebcCode, cc, billNo) : declarationNo(parcel.ebcCode, cc, day),
        grouping: billNo ? 'bill' : 'day',
        billNo,
        enterpriseCode: parcel.ebcCode,
        customsCode: cc,
        day,
        inventoryId: parcel.inventoryId,
        logisticsNo: parcel.logisticsNo,
        lane: parcel.lane,
        lines: parcel.lines,
      };
    });
  }
}
