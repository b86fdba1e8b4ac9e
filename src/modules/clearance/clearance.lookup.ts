import type { Executor } from '../../kernel/db.ts';
import { sql, type RawBuilder } from 'kysely';
import { createClearanceRepository } from './clearance.repository.ts';
import { toReceiptView, type ReceiptView } from './clearance.service.ts';

/** What other modules may ask of clearance, batch-first. */
export function clearanceLookup(exec: Executor) {
  const repo = createClearanceRepository(exec);
  return {
    /** business keys (`ebpCode|orderNo`) among `keys` that have a live order (CEB303) */
    async liveOrderKeys(keys: string[]): Promise<Set<string>> {
      return new Set((await repo.liveByKeys('order', [...new Set(keys)])).map((d) => d.business_key));
    },
    /**
     * `${payCode}|${payNo}` among `pairs` that a live payment collection (CEB403) already carries:
     * forex (issue 6) does not count the same payment transaction twice.
     */
    async collectionRefs(pairs: { payCode: string; payNo: string }[]): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const r = await sql<{ k: string }>`
        select distinct (head->>'payCode') || '|' || (head->>'payNo') as k from clr_document
        where kind = 'payment' and live
          and (head->>'payCode', head->>'payNo') in (
            select * from unnest(${pairs.map((x) => x.payCode)}::text[], ${pairs.map((x) => x.payNo)}::text[]))`.execute(exec);
      return new Set(r.rows.map((x) => x.k));
    },
    /**
     * `${ebcCode}|${orderNo}` among `pairs` that an inventory of that seller names (any state), in
     * one statement: forex checks the order an RMB settlement gives as trade evidence (issue 6).
     * Confined to each seller's inventories (clr_inventory_ebc), as orderInventories without ebpCode.
     */
    async sellerOrderRefs(pairs: readonly { ebcCode: string; orderNo: string }[]): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const r = await sql<{ k: string }>`
        select distinct q.ebc_code || '|' || q.order_no as k
        from unnest(${pairs.map((x) => x.ebcCode)}::text[], ${pairs.map((x) => x.orderNo)}::text[]) as q(ebc_code, order_no)
        join clr_inventory i on i.ebc_code = q.ebc_code
          and substr(i.order_key, strpos(i.order_key, '|') + 1) = q.order_no`.execute(exec);
      return new Set(r.rows.map((x) => x.k));
    },
    /** What read models need of closed (899) inventories, one statement for a batch of ids. */
    async closedInventoryFacts(ids: string[]): Promise<ClosedInventoryFacts[]> {
      if (ids.length === 0) return [];
      const r = await sql<{
        id: string;
        customs_code: string | null;
        trade_mode: string;
        ebc_code: string;
        carrier_code: string | null;
        country: string | null;
        gross_weight: string | null;
        day: string;
        lines: Record<string, string>[];
      }>`select d.id, d.customs_code, i.trade_mode, i.ebc_code, d.head->>'logisticsCode' as carrier_code,
            d.head->>'country' as country, d.head->>'grossWeight' as gross_weight,
            to_char(i.closed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, d.lines
          from clr_document d join clr_inventory i on i.document_id = d.id
          where d.id = any(${[...new Set(ids)]}::uuid[]) and d.status = '899' and i.closed_at is not null`.execute(exec);
      return r.rows.map((x) => ({
        id: x.id,
        customsCode: x.customs_code ?? '',
        tradeMode: x.trade_mode,
        ebcCode: x.ebc_code,
        carrierCode: x.carrier_code ?? '',
        country: x.country ?? '',
        grossWeight: x.gross_weight ?? '0',
        day: x.day,
        lines: x.lines.map((l) => ({
          gcode: l.gcode ?? '',
          qty: l.qty ?? '0',
          totalPrice: l.totalPrice ?? '0',
          currency: l.currency ?? '142',
        })),
      }));
    },
    /** Inventory outcomes per seller (ebcCode) since a date: the clearance factors of credit ratings. */
    /** Inventory documents (head and lines) by id, in chunks: a dry run replays up to 20,000. */
    /** Each inventory's orderNo, from its order key (`ebpCode|orderNo`): no document is read. */
    async orderNos(ids: readonly string[]): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      if (!unique.length) return new Map();
      const r = await sql<{ id: string; order_no: string }>`
        select document_id as id, substr(order_key, strpos(order_key, '|') + 1) as order_no
        from clr_inventory where document_id = any(${unique}::uuid[])`.execute(exec);
      return new Map(r.rows.map((x) => [x.id, x.order_no]));
    },

    /**
     * Live inventories by invtNo or by document id: the seller, trade mode, customs status and
     * release as customs recorded them. What an overseas warehouse consignment checks the export
     * declaration it names against (issue 7); one statement.
     */
    async inventoryReleases(q: { invtNos?: readonly string[]; ids?: readonly string[] }): Promise<InventoryRelease[]> {
      const invtNos = [...new Set(q.invtNos ?? [])];
      const ids = [...new Set(q.ids ?? [])];
      if (!invtNos.length && !ids.length) return [];
      const r = await sql<{
        id: string;
        invt_no: string;
        ebc_code: string;
        trade_mode: string;
        status: string;
        released_at: Date | null;
        closed_at: Date | null;
      }>`
        select i.document_id as id, i.invt_no, i.ebc_code, i.trade_mode, d.status, i.released_at, i.closed_at
        from clr_inventory i join clr_document d on d.id = i.document_id
        where d.live and (i.invt_no = any(${invtNos}::text[]) or i.document_id = any(${ids}::uuid[]))`.execute(exec);
      return r.rows.map((x) => ({
        id: x.id,
        invtNo: x.invt_no,
        ebcCode: x.ebc_code,
        tradeMode: x.trade_mode,
        status: x.status,
        releasedAt: x.released_at,
        closedAt: x.closed_at,
      }));
    },

    async inventoryDocuments(
      ids: string[],
    ): Promise<Map<string, { head: Record<string, string>; lines: Record<string, string>[] }>> {
      const out = new Map<string, { head: Record<string, string>; lines: Record<string, string>[] }>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 2000) {
        const r = await sql<{ id: string; head: Record<string, string>; lines: Record<string, string>[] }>`
          select id, head, lines from clr_document where id = any(${unique.slice(i, i + 2000)}::uuid[]) and kind = 'inventory'`.execute(
          exec,
        );
        for (const d of r.rows) out.set(d.id, { head: d.head, lines: d.lines });
      }
      return out;
    },

    async enterpriseClearanceCounts(ebcCodes: string[], since: Date): Promise<EnterpriseClearanceCounts[]> {
      if (ebcCodes.length === 0) return [];
      // Per code (lateral): as one `ebc_code = any(…)` the planner, seeing a few dozen sellers
      // share the table, scanned every inventory, for each batch whose codes include one with no
      // history yet (a seller's USCC when it declares under its customs code): 32 ms a batch at
      // 200,000 parcels and growing. Per code it probes the seller index, and a code with no
      // inventories costs nothing.
      const r = await sql<EnterpriseClearanceCounts>`
        select c.code as "ebcCode", x.declared, x.rejected, x.reviewed, x.closed
        from unnest(${[...new Set(ebcCodes)]}::text[]) as c(code)
        cross join lateral (
          select count(*)::int as declared,
            count(*) filter (where d.status = '100')::int as rejected,
            count(*) filter (where i.lane is not null and i.lane <> 'green')::int as reviewed,
            count(*) filter (where d.status = '899')::int as closed
          from clr_inventory i join clr_document d on d.id = i.document_id
          where i.ebc_code = c.code and d.created_at >= ${since}) x
        where x.declared > 0`.execute(exec);
      return r.rows;
    },

    /** Seller codes (ebcCode as declared) with an inventory declared since `since`: whom the credit system rates. */
    async activeSellerCodes(since: Date): Promise<string[]> {
      const r = await sql<{ code: string }>`
        select distinct i.ebc_code as code from clr_inventory i join clr_document d on d.id = i.document_id
        where d.kind = 'inventory' and d.created_at >= ${since}`.execute(exec);
      return r.rows.map((x) => x.code);
    },
  };
}

/** The receipt feed of an organisation, for push channels (webhooks): pages in commit order. */
export function receiptFeed(exec: Executor) {
  const repo = createClearanceRepository(exec);
  return {
    async page(orgId: string, after: number, limit: number): Promise<{ items: ReceiptView[]; next: number }> {
      const rows = await repo.receiptsAfter(orgId, after, limit);
      return { items: rows.map(toReceiptView), next: rows.length ? rows[rows.length - 1]!.seq! : after };
    },
    async end(orgId: string): Promise<number> {
      return repo.feedEnd(orgId);
    },
  };
}

export interface ClosedInventoryFacts {
  id: string;
  customsCode: string;
  tradeMode: string;
  /** the seller (电商企业) */
  ebcCode: string;
  carrierCode: string;
  /** destination country (customs country code) */
  country: string;
  grossWeight: string;
  /** closing day in China Standard Time, YYYY-MM-DD */
  day: string;
  lines: { gcode: string; qty: string; totalPrice: string; currency: string }[];
}

/** A live inventory as customs holds it: whose, which trade mode, its status and release (800) time. */
export interface InventoryRelease {
  id: string;
  invtNo: string;
  /** the seller (电商企业) */
  ebcCode: string;
  tradeMode: string;
  status: string;
  releasedAt: Date | null;
  closedAt: Date | null;
}

export interface EnterpriseClearanceCounts {
  ebcCode: string;
  declared: number;
  rejected: number;
  reviewed: number;
  closed: number;
}

/** One customs fact about a parcel, for logistics timelines (issue 7). */
export interface ParcelCustomsState {
  waybillKey: string;
  kind: 'order' | 'payment' | 'waybill' | 'inventory' | 'arrival' | 'consolidation' | 'departure';
  documentId: string;
  status: string;
  returnInfo: string | null;
  invtNo: string | null;
  billNo: string | null;
  parties: string[];
  at: Date;
  releasedAt: Date | null;
  closedAt: Date | null;
}

/**
 * Customs states of parcels by waybill key (`logisticsCode|logisticsNo`), batch-first: the live
 * waybill and inventory documents, and the site documents (arrival, consolidation, departure)
 * that named the parcel; on request also the live order and payment collection that the live
 * inventory names (its order key, `ebpCode|orderNo`).
 */
export function parcelCustomsLookup(exec: Executor) {
  return {
    /**
     * Parcels that left the country (inventory closed, 899) by logistics number: the seller, when
     * customs closed it and the exit port — what a seller may put on a product's trace chain.
     */
    async departed(
      logisticsNos: string[],
    ): Promise<{ logisticsNo: string; ebcCode: string; closedAt: Date; portCode: string | null; country: string | null }[]> {
      const nos = [...new Set(logisticsNos)];
      if (!nos.length) return [];
      const r = await sql<{
        logistics_no: string;
        ebc_code: string;
        closed_at: Date;
        port_code: string | null;
        country: string | null;
      }>`
        select i.logistics_no, i.ebc_code, i.closed_at, d.head->>'portCode' as port_code, d.head->>'country' as country
          from clr_inventory i join clr_document d on d.id = i.document_id
         where i.logistics_no = any(${nos}::text[]) and d.live and d.status = '899' and i.closed_at is not null`.execute(exec);
      return r.rows.map((x) => ({
        logisticsNo: x.logistics_no,
        ebcCode: x.ebc_code,
        closedAt: x.closed_at,
        portCode: x.port_code,
        country: x.country,
      }));
    },

    /**
     * Declared parcels by logistics number (a warehouse scan knows only the number): the waybill
     * key, the carrier's name on the waybill and the live inventory's number and status.
     */
    async declared(logisticsNos: string[]): Promise<
      {
        logisticsNo: string;
        waybillKey: string;
        logisticsName: string | null;
        invtNo: string;
        tradeMode: string;
        status: string;
        parties: string[];
        /** the live inventory's document id and risk lane (`inspect` while selected for inspection) */
        documentId: string;
        lane: string | null;
      }[]
    > {
      const nos = [...new Set(logisticsNos)];
      if (!nos.length) return [];
      const r = await sql<{
        logistics_no: string;
        waybill_key: string;
        logistics_name: string | null;
        invt_no: string;
        trade_mode: string;
        status: string;
        parties: string[];
        document_id: string;
        lane: string | null;
      }>`
        select i.logistics_no, i.waybill_key, d.head->>'logisticsName' as logistics_name, i.invt_no, i.trade_mode, d.status, d.parties,
               i.document_id, i.lane
          from clr_inventory i join clr_document d on d.id = i.document_id
         where i.logistics_no = any(${nos}::text[]) and d.live`.execute(exec);
      return r.rows.map((x) => ({
        logisticsNo: x.logistics_no,
        waybillKey: x.waybill_key,
        logisticsName: x.logistics_name,
        invtNo: x.invt_no,
        tradeMode: x.trade_mode,
        status: x.status,
        parties: x.parties,
        documentId: x.document_id,
        lane: x.lane,
      }));
    },
    /**
     * In time order (the order's documents first on a tie). `orders` adds the order and payment
     * collection: their parties are not the parcel's (the payer, say), so only callers that
     * check each entry's parties ask for them.
     */
    async states(waybillKeys: string[], opts: { orders?: boolean } = {}): Promise<ParcelCustomsState[]> {
      const keys = [...new Set(waybillKeys)];
      if (!keys.length) return [];
      const r = await sql<{
        waybill_key: string;
        kind: ParcelCustomsState['kind'];
        document_id: string;
        status: string;
        return_info: string | null;
        invt_no: string | null;
        bill_no: string | null;
        parties: string[];
        at: Date;
        released_at: Date | null;
        closed_at: Date | null;
      }>`
        select * from (
          select d.business_key as waybill_key, d.kind, d.id as document_id, d.status, d.return_info, null::text as invt_no,
                 null::text as bill_no, d.parties, d.created_at as at, null::timestamptz as released_at, null::timestamptz as closed_at
            from clr_document d where d.kind = 'waybill' and d.live and d.business_key = any(${keys}::text[])
          union all
          select i.waybill_key, d.kind, d.id, d.status, d.return_info, i.invt_no, null, d.parties, d.created_at, i.released_at, i.closed_at
            from clr_inventory i join clr_document d on d.id = i.document_id
           where i.waybill_key = any(${keys}::text[]) and d.live
          union all
          select e.waybill_key, e.kind, d.id, d.status, d.return_info, null, e.bill_no, d.parties, e.at, null, null
            from clr_parcel_event e join clr_document d on d.id = e.document_id
           where e.waybill_key = any(${keys}::text[])
          ${
            opts.orders
              ? // the live inventory's order and payment collection, each by the live (kind, business_key) index
                sql`union all
          select i.waybill_key, o.kind, o.id, o.status, o.return_info, null, null, o.parties, o.created_at, null, null
            from clr_inventory i join clr_document d on d.id = i.document_id and d.live
            join clr_document o on o.kind in ('order', 'payment') and o.live and o.business_key = i.order_key
           where i.waybill_key = any(${keys}::text[])`
              : sql``
          }
        ) s
        order by at, array_position(array['order', 'payment', 'waybill', 'inventory', 'arrival', 'consolidation', 'departure'], kind)`.execute(
        exec,
      );
      return r.rows.map((x) => ({
        waybillKey: x.waybill_key,
        kind: x.kind,
        documentId: x.document_id,
        status: x.status,
        returnInfo: x.return_info,
        invtNo: x.invt_no,
        billNo: x.bill_no,
        parties: x.parties,
        at: x.at,
        releasedAt: x.released_at,
        closedAt: x.closed_at,
      }));
    },
  };
}

/**
 * Closed (899) inventory lines, one row per line, typed: inventory_id, gnum, invt_no,
 * logistics_no, ebc_code, agent_code, statistics_flag, customs_code, closed_at, first_line (the
 * line with the lowest gnum: head values such as weights count once per inventory), traf_mode,
 * owner_code, head_country, port_code, gross_weight, net_weight, line_country, gcode, currency,
 * unit, item_name, gname, qty, total_price, qty1, unit1 (quantity in the first legal unit and that
 * unit; absent text '', absent numbers 0). Selected by
 * inventory ids, by invtNos, or by consignors and a closing window; `unless` is the caller's own
 * predicate on `inventory_id` / `invt_no` (e.g. "not copied yet"), so its tables stay its own.
 */
export function closedInventoryLines(q: {
  inventoryIds?: readonly string[];
  invtNos?: readonly string[];
  /** the flag lets the (ebc_code, closed_at) partial indexes per statistics flag serve the window */
  window?: { ebcCodes: readonly string[]; from: Date; to: Date; statisticsFlag: 'A' | 'B' };
  unless?: (inventory: { id: RawBuilder<unknown>; invtNo: RawBuilder<unknown> }) => RawBuilder<unknown>;
}) {
  const unless = q.unless?.({
    id: sql.ref('i.document_id'),
    invtNo: sql.ref('i.invt_no'),
  });
  // The inventories are chosen first (materialised: by their indexes, the caller's predicate an
  // anti-join over them alone), and only theirs are joined to documents and unnested; planned as
  // one flat query, the catch-up over a month of a million inventories took 8 s more.
  return sql`
    with inv as materialized (
      select i.* from clr_inventory i
      where i.closed_at is not null
        ${q.inventoryIds ? sql`and i.document_id = any(${[...q.inventoryIds]}::uuid[])` : sql``}
        ${q.invtNos ? sql`and i.invt_no = any(${[...q.invtNos]}::text[])` : sql``}
        ${q.window ? sql`and i.ebc_code = any(${[...q.window.ebcCodes]}::text[]) and i.closed_at >= ${q.window.from} and i.closed_at < ${q.window.to} and i.statistics_flag = ${q.window.statisticsFlag}` : sql``}
        ${unless ? sql`and not (${unless})` : sql``}
    )
    select i.document_id as inventory_id, (l.value->>'gnum')::int as gnum, i.invt_no, i.logistics_no, i.ebc_code, i.agent_code,
      i.statistics_flag, coalesce(d.customs_code, '') as customs_code, i.closed_at,
      row_number() over (partition by i.document_id order by (l.value->>'gnum')::int) = 1 as first_line,
      coalesce(d.head->>'trafMode', '') as traf_mode, coalesce(d.head->>'ownerCode', '') as owner_code,
      coalesce(d.head->>'country', '') as head_country, coalesce(d.head->>'portCode', '') as port_code,
      coalesce(nullif(d.head->>'grossWeight', ''), '0')::numeric as gross_weight,
      coalesce(nullif(d.head->>'netWeight', ''), '0')::numeric as net_weight,
      coalesce(l.value->>'country', '') as line_country, coalesce(l.value->>'gcode', '') as gcode,
      coalesce(l.value->>'currency', '') as currency, coalesce(l.value->>'unit', '') as unit,
      coalesce(l.value->>'itemName', '') as item_name, coalesce(l.value->>'gname', '') as gname,
      coalesce(nullif(l.value->>'qty', ''), '0')::numeric as qty,
      coalesce(nullif(l.value->>'totalPrice', ''), '0')::numeric as total_price,
      coalesce(nullif(l.value->>'qty1', ''), '0')::numeric as qty1, coalesce(l.value->>'unit1', '') as unit1
    from inv i
    join clr_document d on d.id = i.document_id
    cross join lateral jsonb_array_elements(d.lines) as l(value)
    where d.status = '899' and d.live`;
}

/**
 * Every closed (899) inventory with its lines, one row per line in line order (an inventory without
 * lines gives one row with null line columns): a relation for set-based rebuilds of read models
 * (statistics). Columns: inventory_id, customs_code, trade_mode, ebc_code, carrier_code, country,
 * gross_weight (text), day (YYYY-MM-DD, China Standard Time), line_no, gcode, currency, total_price (text).
 */
export function closedInventoryFactLines() {
  return sql`
    select d.id as inventory_id, coalesce(d.customs_code, '') as customs_code, i.trade_mode, i.ebc_code,
      coalesce(d.head->>'logisticsCode', '') as carrier_code, coalesce(d.head->>'country', '') as country,
      d.head->>'grossWeight' as gross_weight, to_char(i.closed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
      l.ord as line_no, l.value->>'gcode' as gcode, l.value->>'currency' as currency, l.value->>'totalPrice' as total_price
    from clr_document d join clr_inventory i on i.document_id = d.id
    left join lateral jsonb_array_elements(d.lines) with ordinality as l(value, ord) on true
    where d.status = '899' and i.closed_at is not null`;
}

/**
 * Payment collections (CEB403 收款单) by document id, live or deleted, with their head fields as
 * declared: a relation for forex, which keeps its own copy of each to apply the payment
 * institutions' single-transaction cap (issue 6). Columns: document_id, live, ebc_code, ebp_code,
 * order_no, pay_code, pay_no, pay_name, charge (text), currency, accounting_date (text), created_at.
 */
export function collectionDocuments(ids: readonly string[]) {
  return sql`
    select d.id as document_id, d.live, coalesce(d.head->>'ebcCode', '') as ebc_code, coalesce(d.head->>'ebpCode', '') as ebp_code,
      coalesce(d.head->>'orderNo', '') as order_no, coalesce(d.head->>'payCode', '') as pay_code,
      coalesce(d.head->>'payNo', '') as pay_no, coalesce(d.head->>'payName', '') as pay_name,
      coalesce(d.head->>'charge', '') as charge, coalesce(d.head->>'currency', '') as currency,
      coalesce(d.head->>'accountingDate', '') as accounting_date, d.created_at
    from clr_document d
    where d.kind = 'payment' and d.id = any(${[...new Set(ids)]}::uuid[])`;
}

/**
 * Payment collections (CEB403 收款单) of inventories, by the order they share (ebpCode|orderNo):
 * a relation over a subquery of inventory ids, for set-based joins in other modules.
 * Columns: inventory_id, pay_no, pay_code, charge (numeric), currency, accounting_date (text, YYYYMMDDhhmmss).
 */
export function inventoryCollections(inventoryIds: RawBuilder<unknown>) {
  return sql`
    select i.document_id as inventory_id, p.head->>'payNo' as pay_no, p.head->>'payCode' as pay_code,
      coalesce(nullif(p.head->>'charge', ''), '0')::numeric as charge, coalesce(p.head->>'currency', '') as currency,
      p.head->>'accountingDate' as accounting_date
    from clr_inventory i
    join clr_document p on p.kind = 'payment' and p.live and p.business_key = i.order_key
    where i.document_id in (${inventoryIds})`;
}

/** One parcel's clearance record for an evidence pack: inventory, order, collection, waybill, site events. */
export interface InventoryDossier {
  inventoryId: string;
  invtNo: string;
  status: string;
  inventory: Record<string, unknown>;
  inventoryLines: Record<string, unknown>[];
  order: Record<string, unknown> | null;
  orderLines: Record<string, unknown>[];
  payment: Record<string, unknown> | null;
  waybill: Record<string, unknown> | null;
  /** the live documents of the parcel (inventory, order, collection, waybill): whose receipts an order pack lists */
  documentIds: string[];
  events: { kind: string; billNo: string | null; at: string }[];
  releasedAt: string | null;
  closedAt: string | null;
}

/** Clearance records of inventories, one statement for the batch (evidence packs). */
export async function inventoryDossiers(exec: Executor, inventoryIds: readonly string[]): Promise<InventoryDossier[]> {
  if (!inventoryIds.length) return [];
  const r = await sql<{
    inventory_id: string;
    invt_no: string;
    status: string;
    inventory: Record<string, unknown>;
    inventory_lines: Record<string, unknown>[];
    order_head: Record<string, unknown> | null;
    order_lines: Record<string, unknown>[] | null;
    payment_head: Record<string, unknown> | null;
    waybill_head: Record<string, unknown> | null;
    document_ids: string[];
    events: { kind: string; billNo: string | null; at: string }[] | null;
    released_at: Date | null;
    closed_at: Date | null;
  }>`
    select i.document_id as inventory_id, i.invt_no, d.status, d.head as inventory, d.lines as inventory_lines,
      o.head as order_head, o.lines as order_lines, p.head as payment_head, w.head as waybill_head,
      array_remove(array[d.id, o.id, p.id, w.id], null)::text[] as document_ids,
      (select jsonb_agg(jsonb_build_object('kind', e.kind, 'billNo', e.bill_no, 'at', e.at) order by e.at, e.kind)
         from clr_parcel_event e where e.waybill_key = i.waybill_key) as events,
      i.released_at, i.closed_at
    from clr_inventory i
    join clr_document d on d.id = i.document_id
    left join clr_document o on o.kind = 'order' and o.live and o.business_key = i.order_key
    left join clr_document p on p.kind = 'payment' and p.live and p.business_key = i.order_key
    left join clr_document w on w.kind = 'waybill' and w.live and w.business_key = i.waybill_key
    where i.document_id = any(${[...inventoryIds]}::uuid[])
    order by i.invt_no`.execute(exec);
  return r.rows.map((x) => ({
    inventoryId: x.inventory_id,
    invtNo: x.invt_no,
    status: x.status,
    inventory: x.inventory,
    inventoryLines: x.inventory_lines,
    order: x.order_head,
    orderLines: x.order_lines ?? [],
    payment: x.payment_head,
    waybill: x.waybill_head,
    documentIds: x.document_ids,
    events: x.events ?? [],
    releasedAt: x.released_at ? x.released_at.toISOString() : null,
    closedAt: x.closed_at ? x.closed_at.toISOString() : null,
  }));
}

/** An inventory declared for an order, with what an access check needs. */
export interface OrderInventory {
  inventoryId: string;
  invtNo: string;
  orderNo: string;
  ebpCode: string;
  ebcCode: string;
  agentCode: string;
  customsCode: string;
  live: boolean;
  status: string;
}

/**
 * The inventories declared for an order number, newest and live first. With the platform code the
 * order key (`ebpCode|orderNo`) is exact and indexed; without it the search is confined to one
 * seller's inventories (clr_inventory_ebc), since the order number alone is unique only per platform.
 */
export async function orderInventories(
  exec: Executor,
  q: { orderNo: string; ebpCode?: string; ebcCode?: string },
): Promise<OrderInventory[]> {
  if (!q.ebpCode && !q.ebcCode) return [];
  const r = await sql<{
    inventory_id: string;
    invt_no: string;
    order_key: string;
    ebc_code: string;
    agent_code: string;
    customs_code: string;
    live: boolean;
    status: string;
  }>`
    select i.document_id as inventory_id, i.invt_no, i.order_key, i.ebc_code, i.agent_code, d.customs_code, d.live, d.status
    from clr_inventory i join clr_document d on d.id = i.document_id
    where ${
      q.ebpCode
        ? sql`i.order_key = ${`${q.ebpCode}|${q.orderNo}`}`
        : sql`i.ebc_code = ${q.ebcCode} and substr(i.order_key, strpos(i.order_key, '|') + 1) = ${q.orderNo}`
    }
    ${q.ebpCode && q.ebcCode ? sql`and i.ebc_code = ${q.ebcCode}` : sql``}
    order by d.live desc, d.created_at desc limit 20`.execute(exec);
  return r.rows.map((x) => {
    const bar = x.order_key.indexOf('|');
    return {
      inventoryId: x.inventory_id,
      invtNo: x.invt_no,
      orderNo: x.order_key.slice(bar + 1),
      ebpCode: x.order_key.slice(0, bar),
      ebcCode: x.ebc_code,
      agentCode: x.agent_code,
      customsCode: x.customs_code,
      live: x.live,
      status: x.status,
    };
  });
}

/**
 * The receipts customs answered to documents, one per message and status (copies sent to several
 * parties collapse), in the order they were issued: the release and exit proof of an order pack.
 */
export async function documentReceiptHistory(
  exec: Executor,
  documentIds: readonly string[],
): Promise<{ documentId: string; messageType: string; returnStatus: string; returnTime: string; returnInfo: string }[]> {
  if (!documentIds.length) return [];
  const r = await sql<{
    document_id: string;
    message_type: string;
    return_status: string;
    return_time: string;
    return_info: string;
  }>`
    select distinct on (return_time, message_type, return_status, document_id)
      document_id, message_type, return_status, return_time, return_info
    from clr_receipt where document_id = any(${[...documentIds]}::uuid[])
    order by return_time, message_type, return_status, document_id, id`.execute(exec);
  return r.rows.map((x) => ({
    documentId: x.document_id,
    messageType: x.message_type,
    returnStatus: x.return_status,
    returnTime: x.return_time,
    returnInfo: x.return_info,
  }));
}

/**
 * Seller outcome counts for a decision made every pipeline batch (the risk engine's provisional
 * credit grade). Exact while a seller's history is small; for a seller with a large history the
 * counts are reused for `ttlMs`: a year of hundreds of thousands of inventories is counted once in
 * ten minutes instead of once per batch, and its rejection ratio does not move in ten minutes.
 * (Counting every batch cost each batch a document probe per inventory of every seller in it:
 * 0.8–1.1 s of database time per 20,000 parcels from 21 sellers of under 1,000 inventories each.
 * Refreshed every minute, the 21 sellers of a 200,000-parcel run still cost 8.6 s, each refresh a
 * probe per inventory of the seller's history, growing with it.)
 */
export function enterpriseCountsCache(opts: { ttlMs: number; exactBelow: number; now?: () => number }) {
  const now = opts.now ?? (() => Date.now());
  const cache = new Map<string, { at: number; counts: EnterpriseClearanceCounts | null }>();
  return async function counts(exec: Executor, ebcCodes: string[], since: Date): Promise<EnterpriseClearanceCounts[]> {
    const t = now();
    const out: EnterpriseClearanceCounts[] = [];
    const ask: string[] = [];
    for (const code of new Set(ebcCodes)) {
      const hit = cache.get(code);
      if (hit && t - hit.at < opts.ttlMs) {
        if (hit.counts) out.push(hit.counts);
      } else ask.push(code);
    }
    if (ask.length === 0) return out;
    const fresh = new Map((await clearanceLookup(exec).enterpriseClearanceCounts(ask, since)).map((c) => [c.ebcCode, c]));
    for (const code of ask) {
      const c = fresh.get(code) ?? null;
      if (c) out.push(c);
      if (c && c.declared >= opts.exactBelow) cache.set(code, { at: t, counts: c });
      else cache.delete(code);
    }
    return out;
  };
}
