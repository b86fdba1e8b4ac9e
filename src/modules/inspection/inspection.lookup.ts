import { sql, type Executor } from '../../kernel/db.ts';
import { createInspectionRepository } from './inspection.repository.ts';

/**
 * What other modules ask of inspection (the risk engine: "is this product filed with the
 * inspection authority?"), in one statement per call. No access check: callers are pipeline stages.
 */
export function inspectionLookup(exec: Executor) {
  return {
    /** `${ebcCode}|${itemNo}` among the pairs with an approved inspection product filing. */
    filedProducts: (pairs: { ebcCode: string; itemNo: string }[]): Promise<Set<string>> =>
      createInspectionRepository(exec).approvedProducts(pairs),
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
    /** Draws quarantine lines on the seller's batches; answers the lines covered. */
    drawOnBatches: (
      lines: { inventoryId: string; gnum: string; ebcCode: string; itemNo: string; qty: number }[],
      at: Date,
    ): Promise<Set<string>> => createInspectionRepository(exec).drawOnBatches(lines, at),
  };
}
