import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import { closedInventoryLines, inventoryCollections } from '../clearance/index.ts';
import type { StoredReceipt, StoredSettlement } from './rules/receipts.rules.ts';
import type { ForexTables, FxReceiptRow, FxSettlementRow } from './forex.tables.ts';

/** A closed inventory's declared value and CEB403 collections in one currency (decimal text). */
export interface InventoryFigures {
  inventoryId: string;
  currency: string;
  declared: string;
  collected: string;
}

export function createForexRepository(exec: Executor) {
  const db = tables<ForexTables>(exec);
  return {
    /** refNos of an institution already stored */
    async existingRefs(pairs: { institution: string; refNo: string }[]): Promise<Set<string>> {
      if (!pairs.length) return new Set();
      const r = await sql<{ k: string }>`
        select institution_code || '|' || ref_no as k from fx_receipt
        where (institution_code, ref_no) in (select * from unnest(${pairs.map((p) => p.institution)}::text[], ${pairs.map((p) => p.refNo)}::text[]))`.execute(
        exec,
      );
      return new Set(r.rows.map((x) => x.k));
    },
    async insertReceipts(rows: FxReceiptRow[]): Promise<void> {
      if (rows.length) await db.insertInto('fx_receipt').values(rows).execute();
    },
    /**
     * Receipt records of exporters (all of them, or only those naming one of `orderNos`), oldest
     * first: the per-receipt matching to declarations by order number.
     */
    async receipts(orgIds: readonly string[], orderNos?: readonly string[]): Promise<StoredReceipt[]> {
      if (!orgIds.length || (orderNos && !orderNos.length)) return [];
      const r = await sql<StoredReceipt>`
        select id, org_id as "orgId", institution_kind as "institutionKind", institution_code as "institutionCode",
          ref_no as "refNo", order_no as "orderNo", currency, trim_scale(amount)::text as amount,
          to_char(received_on, 'YYYY-MM-DD') as "receivedOn"
        from fx_receipt where org_id = any(${[...orgIds]}::uuid[])
          ${orderNos ? sql`and order_no = any(${[...new Set(orderNos)]}::text[])` : sql``}
        order by received_on, institution_code, ref_no`.execute(exec);
      return r.rows;
    },
    /**
     * Cross-border RMB settlements of exporters that name an order or a declaration (all of them,
     * or only those naming one of `orderNos` or `entryIds`): what may count as proceeds.
     */
    async rmbSettlements(
      orgIds: readonly string[],
      names?: { orderNos: readonly string[]; entryIds: readonly string[] },
    ): Promise<StoredSettlement[]> {
      if (!orgIds.length) return [];
      const r = await sql<StoredSettlement>`
        select id, ebc_org_id as "orgId", institution_code as "institutionCode", ref_no as "refNo", order_no as "orderNo",
          entry_id as "entryId", trim_scale(amount)::text as amount, to_char(settled_on, 'YYYY-MM-DD') as "settledOn"
        from fx_rmb_settlement where ebc_org_id = any(${[...orgIds]}::uuid[]) and (order_no is not null or entry_id is not null)
          ${
            names
              ? sql`and (order_no = any(${[...new Set(names.orderNos)]}::text[]) or entry_id = any(${[...new Set(names.entryIds)]}::text[]))`
              : sql``
          }
        order by settled_on, institution_code, ref_no`.execute(exec);
      return r.rows;
    },
    /**
     * Per closed inventory and currency: its declared value (the sum of its lines' totalPrice) and
     * the CEB403 collections of its order; one statement. What the
     * per-order coverage of a declaration reads (an order's value caps what its receipts cover).
     */
    async inventoryFigures(inventoryIds: readonly string[]): Promise<InventoryFigures[]> {
      const ids = [...new Set(inventoryIds)];
      if (!ids.length) return [];
      const r = await sql<InventoryFigures>`
        with v as (
          select inventory_id, currency, sum(total_price) as declared
          from (${closedInventoryLines({ inventoryIds: ids })}) l group by inventory_id, currency
        ), c as (
          select inventory_id, currency, sum(charge) as collected from (${inventoryCollections(sql`select unnest(${ids}::uuid[])`)}) c group by inventory_id, currency
        )
        select coalesce(v.inventory_id, c.inventory_id)::text as "inventoryId", coalesce(v.currency, c.currency) as currency,
          trim_scale(coalesce(v.declared, 0))::text as declared, trim_scale(coalesce(c.collected, 0))::text as collected
        from v full join c on c.inventory_id = v.inventory_id and c.currency = v.currency
        order by 1, 2`.execute(exec);
      return r.rows;
    },
    async insertSettlement(row: FxSettlementRow): Promise<void> {
      await db.insertInto('fx_rmb_settlement').values(row).execute();
    },
    async settlementExists(institution: string, refNo: string): Promise<boolean> {
      return !!(await db
        .selectFrom('fx_rmb_settlement')
        .select('id')
        .where('institution_code', '=', institution)
        .where('ref_no', '=', refNo)
        .executeTakeFirst());
    },
    /**
     * The PBoC desk's candidates: settlements naming no evidence at all, or naming an order or a
     * declaration not found (or not looked up yet), newest first.
     */
    async settlementsLackingEvidence(prefix: string, limit: number): Promise<FxSettlementRow[]> {
      return db
        .selectFrom('fx_rmb_settlement')
        .selectAll()
        .select(sql<string>`to_char(settled_on, 'YYYY-MM-DD')`.as('settled_on'))
        .where(
          sql<boolean>`((contract_no is null and order_no is null and invoice_no is null and entry_id is null)
            or (order_no is not null and order_found is not true) or (entry_id is not null and entry_found is not true))`,
        )
        .where(sql<boolean>`coalesce(jurisdiction, '') like ${`${prefix}%`}`)
        .orderBy('fx_rmb_settlement.settled_on', 'desc')
        .orderBy('fx_rmb_settlement.ref_no')
        .limit(limit)
        .execute();
    },
    /** Stores what a look-up of settlements' evidence found, one statement for the batch. */
    async setSettlementEvidence(
      rows: readonly { id: string; orderFound: boolean | null; entryFound: boolean | null }[],
      at: Date,
    ): Promise<void> {
      if (!rows.length) return;
      await sql`
        update fx_rmb_settlement s set order_found = u.order_found, entry_found = u.entry_found, evidence_checked_at = ${at}
        from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.orderFound)}::boolean[],
          ${rows.map((r) => r.entryFound)}::boolean[]) as u(id, order_found, entry_found)
        where s.id = u.id`.execute(exec);
    },
    /**
     * Exporters with receipts in a jurisdiction (prefix; '' for all), with those stored before the
     * jurisdiction was recorded (jurisdiction null), which the caller places through the directory.
     */
    async receiptEnterprises(prefix: string): Promise<{ org_id: string; ebc_code: string; jurisdiction: string | null }[]> {
      // Also exporters with a CEB403 collection over the payment institutions' cap (007): the desk
      // shows the finding even where nothing else is there yet.
      const r = await sql<{ org_id: string; ebc_code: string; jurisdiction: string | null }>`
        select distinct on (org_id) org_id, ebc_code, jurisdiction from (
          select org_id, ebc_code, jurisdiction from fx_receipt
          where jurisdiction like ${`${prefix}%`} or jurisdiction is null
          union all
          select org_id, ebc_code, jurisdiction from fx_collection
          where over_cap and live and org_id is not null and (jurisdiction like ${`${prefix}%`} or jurisdiction is null)
        ) x
        order by org_id, jurisdiction nulls last`.execute(exec);
      return r.rows;
    },
  };
}
