import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { DraftStatus, SalesOrderStatus } from './orders.states.ts';
import type { InventoryDraftRow, OrdersTables, SalesOrderRow } from './orders.tables.ts';

type NewSalesOrderRow = Omit<SalesOrderRow, 'created_at' | 'updated_at'>;
type NewDraftRow = Omit<InventoryDraftRow, 'created_at' | 'updated_at'>;

export interface DraftOutcome {
  id: string;
  status: DraftStatus;
  document_id: string | null;
  invt_no: string | null;
  return_status: string | null;
  return_info: string | null;
}

/** The only SQL of the orders module. Batch-first: one statement per file, per build, per declaration. */
export function createOrdersRepository(exec: Executor) {
  const db = tables<OrdersTables>(exec);
  const jsonb = (v: unknown) => sql<never>`${JSON.stringify(v)}::jsonb`;
  return {
    // --- sales orders --------------------------------------------------------------------------
    /** Which of `orderNos` the seller already has for this platform: one statement. */
    async existingOrderNos(sellerOrgId: string, platformCode: string, orderNos: readonly string[]): Promise<string[]> {
      if (orderNos.length === 0) return [];
      const rows = await db
        .selectFrom('sales_order')
        .select('order_no')
        .where('seller_org_id', '=', sellerOrgId)
        .where('platform_code', '=', platformCode)
        .where('order_no', '=', sql<string>`any(${[...orderNos]}::text[])`)
        .execute();
      return rows.map((r) => r.order_no);
    },
    /** One multi-row INSERT for a whole file (chunked below PostgreSQL's parameter limit). */
    async insertOrders(rows: NewSalesOrderRow[], now: Date): Promise<{ id: string; order_no: string }[]> {
      const out: { id: string; order_no: string }[] = [];
      const chunk = 2000; // 25 columns × 2000 < 65,535 parameters
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk).map((r) => ({ ...r, lines: jsonb(r.lines), created_at: now, updated_at: now }));
        out.push(...(await db.insertInto('sales_order').values(part).returning(['id', 'order_no']).execute()));
      }
      return out;
    },
    /**
     * The buyer of each (seller code, order number), for the risk engine's split-shipment key:
     * one statement for a whole decision batch (index sales_order_ebc_order). An order number may
     * recur on two platforms of one seller: every row is answered with its platform code.
     */
    async buyersByOrder(
      keys: readonly { ebcCode: string; orderNo: string }[],
    ): Promise<{ ebc_code: string; order_no: string; platform_code: string; buyer_name: string; buyer_address: string }[]> {
      const unique = [...new Map(keys.map((k) => [`${k.ebcCode}|${k.orderNo}`, k])).values()];
      if (unique.length === 0) return [];
      const { rows } = await sql<{
        ebc_code: string;
        order_no: string;
        platform_code: string;
        buyer_name: string;
        buyer_address: string;
      }>`
        select s.ebc_code, s.order_no, s.platform_code, s.buyer_name, s.buyer_address
        from unnest(${unique.map((k) => k.ebcCode)}::text[], ${unique.map((k) => k.orderNo)}::text[]) as k(ebc_code, order_no)
        join sales_order s on s.ebc_code = k.ebc_code and s.order_no = k.order_no`.execute(exec);
      return rows;
    },
    async findOrder(id: string): Promise<SalesOrderRow | undefined> {
      return db.selectFrom('sales_order').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listOrders(opts: {
      sellerOrgId: string;
      status?: SalesOrderStatus;
      afterId?: string;
      limit: number;
    }): Promise<SalesOrderRow[]> {
      let q = db
        .selectFrom('sales_order')
        .selectAll()
        .where('seller_org_id', '=', opts.sellerOrgId)
        .orderBy('id')
        .limit(opts.limit);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.afterId) q = q.where('id', '>', opts.afterId);
      return q.execute();
    },
    /** The seller's orders to build inventories from: the ids named, else every imported one. */
    async ordersToBuild(sellerOrgId: string, ids: readonly string[] | null, limit: number): Promise<SalesOrderRow[]> {
      let q = db.selectFrom('sales_order').selectAll().where('seller_org_id', '=', sellerOrgId).orderBy('id').limit(limit);
      q = ids ? q.where('id', '=', sql<string>`any(${[...ids]}::uuid[])`) : q.where('status', '=', 'imported');
      return q.execute();
    },
    async ordersByIds(ids: readonly string[]): Promise<SalesOrderRow[]> {
      if (ids.length === 0) return [];
      return db
        .selectFrom('sales_order')
        .selectAll()
        .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
        .execute();
    },
    async setOrderStatus(ids: readonly string[], status: SalesOrderStatus, now: Date): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('sales_order')
        .set({ status, updated_at: now })
        .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
        .execute();
    },
    async setOrderDocuments(items: { id: string; documentId: string }[], now: Date): Promise<void> {
      if (items.length === 0) return;
      await sql`update sales_order o set order_document_id = v.document_id, updated_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(items.map((i) => ({ id: i.id, document_id: i.documentId })))}::jsonb)
          as v(id uuid, document_id text)
        where o.id = v.id`.execute(exec);
    },

    // --- inventory drafts ------------------------------------------------------------------------
    /** Inserts drafts, or rebuilds those not yet declared (declaring/declared drafts stay as they are). */
    async upsertDrafts(rows: NewDraftRow[], now: Date): Promise<InventoryDraftRow[]> {
      if (rows.length === 0) return [];
      return db
        .insertInto('inventory_draft')
        .values(
          rows.map((r) => ({
            ...r,
            head: jsonb(r.head),
            lines: jsonb(r.lines),
            problems: jsonb(r.problems),
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc
            .column('sales_order_id')
            .doUpdateSet({
              agent_org_id: sql.ref('excluded.agent_org_id'),
              trade_mode: sql.ref('excluded.trade_mode'),
              head: sql.ref('excluded.head'),
              lines: sql.ref('excluded.lines'),
              problems: sql.ref('excluded.problems'),
              status: sql.ref('excluded.status'),
              return_status: null,
              return_info: null,
              updated_at: now,
            })
            .where('inventory_draft.status', 'in', ['draft', 'complete', 'rejected']),
        )
        .returningAll()
        .execute();
    },
    async findDraft(id: string): Promise<InventoryDraftRow | undefined> {
      return db.selectFrom('inventory_draft').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async lockDraft(id: string): Promise<InventoryDraftRow | undefined> {
      return db.selectFrom('inventory_draft').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async draftsByIds(ids: readonly string[]): Promise<InventoryDraftRow[]> {
      if (ids.length === 0) return [];
      return db
        .selectFrom('inventory_draft')
        .selectAll()
        .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
        .execute();
    },
    /** Drafts the organisation sees: as the seller, or as the declaring agent named in them. */
    async listDrafts(opts: {
      orgId: string;
      status?: DraftStatus;
      afterId?: string;
      limit: number;
    }): Promise<InventoryDraftRow[]> {
      let q = db
        .selectFrom('inventory_draft')
        .selectAll()
        .where((eb) => eb.or([eb('seller_org_id', '=', opts.orgId), eb('agent_org_id', '=', opts.orgId)]))
        .orderBy('id')
        .limit(opts.limit);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.afterId) q = q.where('id', '>', opts.afterId);
      return q.execute();
    },
    async updateDraft(
      id: string,
      patch: Pick<InventoryDraftRow, 'head' | 'lines' | 'problems' | 'status'>,
      now: Date,
    ): Promise<InventoryDraftRow> {
      return db
        .updateTable('inventory_draft')
        .set({
          head: jsonb(patch.head),
          lines: jsonb(patch.lines),
          problems: jsonb(patch.problems),
          status: patch.status,
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Claims declarable drafts of this agent for one declaration (so two declarations never race). */
    async claimDrafts(
      ids: readonly string[],
      agentOrgId: string,
      from: readonly DraftStatus[],
      now: Date,
    ): Promise<InventoryDraftRow[]> {
      if (ids.length === 0) return [];
      return db
        .updateTable('inventory_draft')
        .set({ status: 'declaring', updated_at: now })
        .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
        .where('agent_org_id', '=', agentOrgId)
        .where('status', 'in', [...from])
        .returningAll()
        .execute();
    },
    /** Each draft's outcome of a declaration, in one statement. */
    async finishDrafts(items: DraftOutcome[], now: Date): Promise<InventoryDraftRow[]> {
      if (items.length === 0) return [];
      const res = await sql<InventoryDraftRow>`update inventory_draft d set
          status = v.status, document_id = coalesce(v.document_id, d.document_id), invt_no = coalesce(v.invt_no, d.invt_no),
          return_status = v.return_status, return_info = v.return_info,
          declared_at = case when v.status = 'declared' then ${now}::timestamptz else d.declared_at end,
          updated_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(items)}::jsonb)
          as v(id uuid, status text, document_id text, invt_no text, return_status text, return_info text)
        where d.id = v.id
        returning d.*`.execute(exec);
      return res.rows;
    },
  };
}
