import { SYSTEM_ACTOR, type Actor } from '../../kernel/audit.ts';
import { parcelCustomsLookup } from '../clearance/index.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { toDispatch, topLevelBagNos, type Dispatch } from './dispatch.service.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';
import { warehouseOf, type WarehouseDeps } from './warehouse.shared.ts';

/**
 * How long a dispatch may wait for its outcome before the repair looks at it: a submission to
 * intake takes seconds; a dispatch still pending after this lost its second transaction.
 */
export const REPAIR_AFTER_MS = 5 * 60_000;

/** What became of a pending dispatch: completed from the arrival customs holds, or its bags released. */
export interface RepairResult {
  completed: Dispatch[];
  released: Dispatch[];
}

export type DispatchRepairService = ReturnType<typeof createDispatchRepairService>;

/**
 * Dispatch is two transactions around the intake submission (ADR 0014). A crash between them
 * leaves the dispatch `pending` with its bags claimed. The repair reads clearance: if the arrival
 * naming the dispatch's parcels is there, the dispatch is completed as the second transaction
 * would have; if customs has nothing, the submission never committed and the bags go back to
 * `closed`, to be dispatched again.
 */
export function createDispatchRepairService(deps: Pick<WarehouseDeps, 'db' | 'clock' | 'audit'>) {
  const { db, clock, audit } = deps;

  async function repair(actor: Actor, warehouseOrgId: string | undefined, olderThanMs: number) {
    const now = clock.now();
    const pending = await createWarehouseRepository(db).pendingDispatches(new Date(now.getTime() - olderThanMs), warehouseOrgId);
    const out: RepairResult = { completed: [], released: [] };
    for (const candidate of pending) {
      await db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        // another process (or the dispatch itself, late) may be on it: skip, it will be seen next time
        const d = await repo.dispatchLocked(candidate.id, true);
        if (!d || d.return_status !== 'pending') return;
        const bags = await repo.bagsOfDispatches([d.id]);
        const parcels = await repo.parcelsInBags(bags.map((b) => b.id));
        const states = await parcelCustomsLookup(trx).states(parcels.map((x) => `${d.logistics_code}|${x.logistics_no}`));
        // the arrival this centre sent for these parcels since the dispatch was claimed
        const arrival = states.find(
          (s) =>
            s.kind === 'arrival' &&
            s.parties.includes(d.warehouse_org_id) &&
            s.at.getTime() >= d.created_at.getTime() &&
            s.status !== '100',
        );
        const bagIds = bags.map((b) => b.id);
        const bagNos = topLevelBagNos(bags);
        if (arrival) {
          await repo.markDispatched(bagIds, d.created_at);
          const row = await repo.updateDispatch(d.id, {
            arrival_document_id: arrival.documentId,
            return_status: arrival.status,
            return_info: '出库结果由修复补记 / outcome recorded by the dispatch repair',
          });
          const view = toDispatch(row, bagNos);
          await audit.append(trx, actor, [
            { action: 'warehouse.dispatch_repaired', entity: 'warehouse_dispatch', entityId: d.id, after: view },
          ]);
          out.completed.push(view);
        } else {
          await repo.updateBags(bagIds, { status: 'closed', dispatch_id: null });
          const row = await repo.updateDispatch(d.id, {
            return_status: 'abandoned',
            return_info: '海关未收到运抵单，袋已退回待出库 / customs has no arrival for it: the bags are back to closed',
          });
          const view = toDispatch(row, []);
          await audit.append(trx, actor, [
            { action: 'warehouse.dispatch_released', entity: 'warehouse_dispatch', entityId: d.id, after: { ...view, bagNos } },
          ]);
          out.released.push(view);
        }
      });
    }
    return out;
  }

  return {
    /** A supervision centre's own pending dispatches (the floor's "repair" button). */
    async repair(p: Principal | null, opts: { olderThanMs?: number } = {}): Promise<RepairResult> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return repair(actorOf(p), wh.id, opts.olderThanMs ?? REPAIR_AFTER_MS);
    },

    /** Every centre's pending dispatches: run by the workers on start and then periodically. */
    repairAll: (opts: { olderThanMs?: number } = {}): Promise<RepairResult> =>
      repair(SYSTEM_ACTOR, undefined, opts.olderThanMs ?? REPAIR_AFTER_MS),
  };
}
