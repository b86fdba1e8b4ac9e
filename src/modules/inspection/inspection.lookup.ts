import { sql, type Executor } from '../../kernel/db.ts';
import { createLedgerRepository } from './inspection-ledger.repository.ts';
import { createInspectionRepository } from './inspection.repository.ts';
import { beijingDay } from './rules/declaration.rules.ts';

/**
 * What other modules ask of inspection (the risk engine: "is this product filed with the
 * inspection authority?"), in one statement per call. No access check: callers are pipeline stages.
 */
export function inspectionLookup(exec: Executor) {
  return {
    /**
     * `${ebcCode}|${itemNo}` among the pairs with an inspection product filing that counts for a
     * decision at `at`: approved, its enterprise's too, no certificate expired on that Beijing day.
     * The sellers' filings are locked shared first, until the caller's transaction ends: an
     * approval of one of them waits for this decision to commit (and its re-decision then sees
     * what this one held), or this read waits for the approval and sees it approved.
     */
    async filedProducts(pairs: { ebcCode: string; itemNo: string }[], at: Date = new Date()): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const repo = createInspectionRepository(exec);
      // Its own statement, before the read: the read's snapshot is taken once the lock is held.
      await repo.lockSellerFilings(
        pairs.map((p) => p.ebcCode),
        'shared',
      );
      return repo.approvedProducts(pairs, beijingDay(at));
    },
    /** Inspection task status (open, passed, failed) per inventory. */
    taskStatuses: (inventoryIds: string[]): Promise<Map<string, string>> =>
      createInspectionRepository(exec).taskStatuses(inventoryIds),
    /**
     * The task of each inventory as the supervision-centre floor shows it when the parcel is
     * scanned: its agencies and those still to record a finding; inventories without one are absent.
     */
    async tasksOf(
      inventoryIds: string[],
    ): Promise<
      Map<string, { id: string; inventoryId: string; status: string; agencies: string[]; pending: string[]; createdAt: Date }>
    > {
      if (inventoryIds.length === 0) return new Map();
      const r = await sql<{
        id: string;
        inventory_id: string;
        status: string;
        agencies: string[];
        pending: string[];
        created_at: Date;
      }>`
        select t.id, t.inventory_id, t.status, t.agencies, t.created_at,
               array(select a from unnest(t.agencies) a
                      where not exists (select 1 from insp_finding f where f.task_id = t.id and f.agency = a)) as pending
          from insp_task t where t.inventory_id = any(${[...new Set(inventoryIds)]}::uuid[])`.execute(exec);
      return new Map(
        r.rows.map((x) => [
          x.inventory_id,
          {
            id: x.id,
            inventoryId: x.inventory_id,
            status: x.status,
            agencies: x.agencies,
            pending: x.pending,
            createdAt: x.created_at,
          },
        ]),
      );
    },
    /**
     * The completed (passed or failed) tasks of inventories: when, the customs office, and the
     * failed finding's notes (product traceability shows the result on the goods' chain).
     */
    async completedTasks(inventoryIds: string[]): Promise<
      {
        id: string;
        inventoryId: string;
        status: 'passed' | 'failed';
        completedAt: Date;
        customsCode: string | null;
        note: string | null;
      }[]
    > {
      if (inventoryIds.length === 0) return [];
      const r = await sql<{
        id: string;
        inventory_id: string;
        status: 'passed' | 'failed';
        completed_at: Date;
        customs_code: string | null;
        outcome_note: string | null;
      }>`
        select id, inventory_id, status, completed_at, customs_code, outcome_note from insp_task
         where inventory_id = any(${[...new Set(inventoryIds)]}::uuid[]) and status in ('passed', 'failed')
           and completed_at is not null`.execute(exec);
      return r.rows.map((x) => ({
        id: x.id,
        inventoryId: x.inventory_id,
        status: x.status,
        completedAt: x.completed_at,
        customsCode: x.customs_code,
        note: x.outcome_note,
      }));
    },
    /**
     * Inspection tasks with a failed finding per seller since a date (credit factor
     * `inspection_findings`, issue 8); sellers without any are absent.
     */
    async failedTaskCounts(ebcCodes: string[], since: Date): Promise<Map<string, number>> {
      if (ebcCodes.length === 0) return new Map();
      const r = await sql<{ ebc_code: string; n: number }>`
        select t.ebc_code, count(*)::int as n from insp_task t
        where t.ebc_code = any(${[...new Set(ebcCodes)]}::text[]) and t.created_at >= ${since}
          and exists (select 1 from insp_finding f where f.task_id = t.id and f.result = 'fail')
        group by t.ebc_code`.execute(exec);
      return new Map(r.rows.map((x) => [x.ebc_code, x.n]));
    },
    /**
     * Reserves quarantine lines on the seller's accepted batches at decision; answers the lines
     * covered. What is reserved counts as released once the parcel reaches 399 (`inspection.tasks`).
     * The sellers are locked shared first (as in `filedProducts`; a no-op where that ran already in
     * this transaction), until the caller's transaction ends: the acceptance of a batch declared
     * after this draw looked (so not among the batch rows it locks) waits for this decision to
     * commit, and its re-decision then sees what this one held (inspection-batch.service.ts).
     */
    async drawOnBatches(
      lines: { inventoryId: string; gnum: string; ebcCode: string; itemNo: string; qty: number }[],
      at: Date,
    ): Promise<Set<string>> {
      if (lines.length === 0) return new Set();
      await createInspectionRepository(exec).lockSellerFilings(
        lines.map((l) => l.ebcCode),
        'shared',
      );
      return createLedgerRepository(exec).drawOnBatches(lines, at);
    },
  };
}
