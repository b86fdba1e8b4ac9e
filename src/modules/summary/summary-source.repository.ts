import { sql } from 'kysely';
import type { Executor } from '../../kernel/db.ts';
import { closedInventoryLines } from '../clearance/index.ts';

const SOURCE_COLUMNS = sql.raw(
  'inventory_id, gnum, invt_no, logistics_no, ebc_code, agent_code, statistics_flag, customs_code, closed_at, first_line, ' +
    'traf_mode, owner_code, head_country, port_code, gross_weight, net_weight, line_country, gcode, currency, unit, item_name, ' +
    'gname, qty, total_price, qty1, unit1',
);

/** Copies clearance's closed inventory lines into sum_source_line; a line already there is kept. */
function copySourceLines(q: Parameters<typeof closedInventoryLines>[0]) {
  return sql`
    insert into sum_source_line (${SOURCE_COLUMNS})
    select ${SOURCE_COLUMNS} from (${closedInventoryLines(q)}) x
    on conflict do nothing`;
}

/** The summary's copy of closed inventory lines (sum_source_line) and what is still unsummarised in it. */
export function createSourceRepository(exec: Executor) {
  return {
    /**
     * Copies the lines of newly closed inventories into sum_source_line (one statement for the
     * batch). Ids that are not closed are skipped; a replay inserts nothing (a closed inventory
     * never changes, so the first copy stays right).
     */
    async addSourceLines(inventoryIds: readonly string[]): Promise<number> {
      if (!inventoryIds.length) return 0;
      const r = await copySourceLines({ inventoryIds: [...new Set(inventoryIds)] }).execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },

    /**
     * Copies what the clearance.closed handler has not (yet) copied of a window: inventories
     * closed in it without source lines. Grouping calls it first, so a late or dead-lettered
     * event never leaves an inventory out of a summary.
     */
    async addMissingSourceLines(ebcCodes: readonly string[], from: Date, to: Date): Promise<number> {
      if (!ebcCodes.length) return 0;
      let copied = 0;
      for (const statisticsFlag of ['B', 'A'] as const) {
        const r = await copySourceLines({
          window: { ebcCodes, from, to, statisticsFlag },
          unless: (inv) => sql`exists (select 1 from sum_source_line s where s.inventory_id = ${inv.id})`,
        }).execute(exec);
        copied += Number(r.numAffectedRows ?? 0);
      }
      return copied;
    },

    /** Closed B-type inventories per month (China time) not yet in any summary. */
    async pendingByPeriod(ebcCodes: readonly string[], from: Date, to: Date): Promise<{ period: string; inventories: number }[]> {
      const r = await sql<{ period: string; inventories: number }>`
        select to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM') as period, count(*)::int as inventories
        from sum_source_line s
        where s.statistics_flag = 'B' and s.ebc_code = any(${[...ebcCodes]}::text[]) and s.closed_at >= ${from} and s.closed_at < ${to}
          and s.first_line and not exists (select 1 from sum_claim c where c.inventory_id = s.inventory_id)
        group by 1 order by 1`.execute(exec);
      return r.rows;
    },

    /** Closed B-type inventories of a window not yet in any summary, per consignor code (every consignor). */
    async pendingByConsignor(from: Date, to: Date): Promise<{ ebc_code: string; inventories: number }[]> {
      const r = await sql<{ ebc_code: string; inventories: number }>`
        select s.ebc_code, count(*)::int as inventories
        from sum_source_line s
        where s.statistics_flag = 'B' and s.closed_at >= ${from} and s.closed_at < ${to}
          and s.first_line and not exists (select 1 from sum_claim c where c.inventory_id = s.inventory_id)
        group by 1 order by 1`.execute(exec);
      return r.rows;
    },

    /** The month (China time) each listed inventory of the consignors closed in; absent when not a closed B-type one. */
    async closedMonths(ebcCodes: readonly string[], invtNos: readonly string[]): Promise<Map<string, string>> {
      if (!invtNos.length) return new Map();
      // A listed inventory that closed moments ago may not have been copied yet.
      await copySourceLines({
        invtNos,
        unless: (inv) => sql`exists (select 1 from sum_source_line s where s.invt_no = ${inv.invtNo})`,
      }).execute(exec);
      const r = await sql<{ invt_no: string; period: string }>`
        select invt_no, to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM') as period
        from sum_source_line
        where invt_no = any(${[...invtNos]}::text[]) and first_line and statistics_flag = 'B'
          and ebc_code = any(${[...ebcCodes]}::text[])`.execute(exec);
      return new Map(r.rows.map((x) => [x.invt_no, x.period]));
    },

    /** Of these inventory numbers, those already in a summary (sum_claim). */
    async claimedInvtNos(invtNos: readonly string[]): Promise<string[]> {
      if (!invtNos.length) return [];
      const r = await sql<{ invt_no: string }>`
        select distinct s.invt_no from sum_source_line s join sum_claim c on c.inventory_id = s.inventory_id
        where s.invt_no = any(${[...invtNos]}::text[]) order by 1`.execute(exec);
      return r.rows.map((x) => x.invt_no);
    },
  };
}
