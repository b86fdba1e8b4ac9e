import { sql, type Executor } from '../../kernel/db.ts';

export interface WarehouseRow {
  id: string;
  provider_org_id: string;
  code: string;
  name: string;
  country: string;
  city: string;
  created_at: Date;
}
export interface StockRow {
  warehouse_id: string;
  seller_org_id: string;
  sku: string;
  qty_in: number;
  qty_reserved: number;
  qty_out: number;
  qty_returned: number;
  /** unsold units sent back to China (退运) */
  qty_to_china: number;
}
export interface SaleRow {
  id: string;
  warehouse_id: string;
  seller_org_id: string;
  order_no: string;
  status: 'reserved' | 'shipped' | 'cancelled';
  created_at: Date;
  shipped_at: Date | null;
}
/** Where a consignment's declaration was checked: clearance inventory, summary declaration, or not (see migration 002). */
export type DeclarationSource = 'inventory' | 'summary' | 'external' | 'legacy';

export interface ConsignmentRow {
  id: string;
  warehouse_id: string;
  seller_org_id: string;
  declaration_no: string;
  trade_mode: string;
  released_at: Date;
  created_at: Date;
  declaration_source: DeclarationSource;
  declaration_ref: string | null;
  typed_released_at: Date | null;
}
/** A consignment line as listed: units received, allocated to sales, and sent back to China unsold. */
export interface ConsignmentLineView {
  sku: string;
  qty: number;
  allocated: number;
  toChina: number;
}
export interface SaleLineRow {
  sale_id: string;
  sku: string;
  consignment_id: string;
  qty: number;
  returned: number;
  declaration_no: string;
  released_at: Date;
  declaration_source: DeclarationSource;
}
export interface PointRow {
  id: string;
  provider_org_id: string;
  name: string;
  country: string;
  city: string;
  services: string[];
  contact: string;
  description: string;
  active: boolean;
  created_at: Date;
}
export interface RequestRow {
  id: string;
  point_id: string;
  requester_org_id: string;
  service: string;
  message: string;
  status: 'open' | 'accepted' | 'declined' | 'done';
  reply: string | null;
  created_at: Date;
  updated_at: Date;
}

export function createOverseasRepository(exec: Executor) {
  const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(exec)).rows;
  return {
    async insertWarehouse(r: WarehouseRow): Promise<WarehouseRow> {
      return (
        await rows<WarehouseRow>(sql`insert into ovs_warehouse (id, provider_org_id, code, name, country, city, created_at)
          values (${r.id}, ${r.provider_org_id}, ${r.code}, ${r.name}, ${r.country}, ${r.city}, ${r.created_at})
          on conflict (provider_org_id, code) do update set name = excluded.name, country = excluded.country, city = excluded.city
          returning *`)
      )[0]!;
    },
    warehouses: (providerOrgId?: string) =>
      rows<WarehouseRow>(
        sql`select * from ovs_warehouse where ${providerOrgId ?? null}::uuid is null or provider_org_id = ${providerOrgId ?? null} order by code`,
      ),
    warehouse: async (id: string) => (await rows<WarehouseRow>(sql`select * from ovs_warehouse where id = ${id}`))[0],

    /** The consignment, its lines, stock in, and the released inventories it covers (each once, ever). */
    async insertConsignment(c: ConsignmentRow, lines: { sku: string; qty: number }[], inventories: readonly string[]) {
      await sql`insert into ovs_consignment (id, warehouse_id, seller_org_id, declaration_no, trade_mode, released_at, created_at,
          declaration_source, declaration_ref, typed_released_at)
        values (${c.id}, ${c.warehouse_id}, ${c.seller_org_id}, ${c.declaration_no}, ${c.trade_mode}, ${c.released_at}, ${c.created_at},
          ${c.declaration_source}, ${c.declaration_ref}, ${c.typed_released_at})`.execute(exec);
      if (inventories.length)
        await sql`insert into ovs_consignment_inventory (inventory_id, consignment_id)
          select x, ${c.id} from unnest(${[...inventories]}::uuid[]) as x`.execute(exec);
      await sql`insert into ovs_consignment_line (consignment_id, sku, qty)
        select ${c.id}, * from unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.qty)}::int[])`.execute(exec);
      await sql`insert into ovs_stock (warehouse_id, seller_org_id, sku, qty_in)
        select ${c.warehouse_id}, ${c.seller_org_id}, * from unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.qty)}::int[])
        on conflict (warehouse_id, seller_org_id, sku) do update set qty_in = ovs_stock.qty_in + excluded.qty_in`.execute(exec);
    },

    /** Consignments in scope, newest first, with their lines. */
    consignments: (q: { sellerOrgId?: string; providerOrgId?: string }) =>
      rows<ConsignmentRow & { warehouse_code: string; lines: ConsignmentLineView[] }>(sql`select c.*, w.code as warehouse_code,
          (select jsonb_agg(jsonb_build_object('sku', l.sku, 'qty', l.qty, 'allocated', l.allocated, 'toChina', l.to_china) order by l.sku)
             from ovs_consignment_line l where l.consignment_id = c.id) as lines
        from ovs_consignment c join ovs_warehouse w on w.id = c.warehouse_id
        where (${q.sellerOrgId ?? null}::uuid is null or c.seller_org_id = ${q.sellerOrgId ?? null})
          and (${q.providerOrgId ?? null}::uuid is null or w.provider_org_id = ${q.providerOrgId ?? null})
        order by c.created_at desc, c.declaration_no limit 500`),

    /** Locks the stock rows of the SKUs in a fixed order, so concurrent sales queue instead of deadlocking. */
    lockStock: (warehouseId: string, sellerOrgId: string, skus: string[]) =>
      rows<StockRow>(sql`select * from ovs_stock where warehouse_id = ${warehouseId} and seller_org_id = ${sellerOrgId}
        and sku = any(${skus}::text[]) order by sku for update`),
    stock: (q: { warehouseId?: string; sellerOrgId?: string; providerOrgId?: string }) =>
      rows<
        StockRow & { warehouse_code: string }
      >(sql`select s.*, w.code as warehouse_code from ovs_stock s join ovs_warehouse w on w.id = s.warehouse_id
        where (${q.warehouseId ?? null}::uuid is null or s.warehouse_id = ${q.warehouseId ?? null})
          and (${q.sellerOrgId ?? null}::uuid is null or s.seller_org_id = ${q.sellerOrgId ?? null})
          and (${q.providerOrgId ?? null}::uuid is null or w.provider_org_id = ${q.providerOrgId ?? null})
        order by w.code, s.sku limit 2000`),
    /** Consignment lots of a SKU with units not yet sold nor sent back to China, locked (stock is already locked first). */
    lots: (warehouseId: string, sellerOrgId: string, skus: string[]) =>
      rows<{ consignment_id: string; sku: string; released_at: Date; remaining: number }>(sql`
        select l.consignment_id, l.sku, c.released_at, l.qty - l.allocated - l.to_china as remaining
          from ovs_consignment_line l join ovs_consignment c on c.id = l.consignment_id
         where c.warehouse_id = ${warehouseId} and c.seller_org_id = ${sellerOrgId} and l.sku = any(${skus}::text[])
           and l.qty > l.allocated + l.to_china
         order by c.released_at, l.consignment_id for update of l`),
    consignment: async (id: string) => (await rows<ConsignmentRow>(sql`select * from ovs_consignment where id = ${id}`))[0],
    /** Lines of one consignment, locked (stock is already locked first, as for a sale). */
    lockConsignmentLines: (consignmentId: string, skus: string[]) =>
      rows<{ sku: string; qty: number; allocated: number; to_china: number }>(sql`
        select sku, qty, allocated, to_china from ovs_consignment_line
         where consignment_id = ${consignmentId} and sku = any(${skus}::text[]) order by sku for update`),
    /** Units of a lot sent back to China unsold; the table's check keeps allocated + to_china within qty. */
    sendToChina: (consignmentId: string, lines: { sku: string; qty: number }[]) =>
      sql`update ovs_consignment_line l set to_china = l.to_china + t.qty
        from unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.qty)}::int[]) as t(sku, qty)
        where l.consignment_id = ${consignmentId} and l.sku = t.sku`.execute(exec),
    /** Units given back to the lots they were drawn from (a cancelled reservation, a restocked return): sellable again. */
    unallocate: (items: { consignment_id: string; sku: string; qty: number }[]) =>
      sql`update ovs_consignment_line l set allocated = l.allocated - t.qty
        from (select consignment_id, sku, sum(qty)::int as qty from unnest(${items.map((i) => i.consignment_id)}::uuid[], ${items.map((i) => i.sku)}::text[], ${items.map((i) => i.qty)}::int[]) as u(consignment_id, sku, qty) group by 1, 2) t
        where l.consignment_id = t.consignment_id and l.sku = t.sku`.execute(exec),
    async reserve(sale: SaleRow, lines: { sku: string; consignment_id: string; qty: number }[]) {
      await sql`insert into ovs_sale (id, warehouse_id, seller_org_id, order_no, status, created_at)
        values (${sale.id}, ${sale.warehouse_id}, ${sale.seller_org_id}, ${sale.order_no}, 'reserved', ${sale.created_at})`.execute(
        exec,
      );
      await sql`insert into ovs_sale_line (sale_id, sku, consignment_id, qty)
        select ${sale.id}, * from unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.consignment_id)}::uuid[], ${lines.map((l) => l.qty)}::int[])`.execute(
        exec,
      );
      await sql`update ovs_consignment_line l set allocated = l.allocated + t.qty
        from (select consignment_id, sku, sum(qty)::int as qty from unnest(${lines.map((l) => l.consignment_id)}::uuid[], ${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.qty)}::int[]) as u(consignment_id, sku, qty) group by 1, 2) t
        where l.consignment_id = t.consignment_id and l.sku = t.sku`.execute(exec);
    },
    /** Moves stock columns by SKU; the table's check keeps the balance from going negative. */
    bump: (
      warehouseId: string,
      sellerOrgId: string,
      deltas: { sku: string; reserved?: number; out?: number; returned?: number; toChina?: number }[],
    ) =>
      sql`update ovs_stock s set qty_reserved = s.qty_reserved + t.r, qty_out = s.qty_out + t.o, qty_returned = s.qty_returned + t.ret,
          qty_to_china = s.qty_to_china + t.tc
        from unnest(${deltas.map((d) => d.sku)}::text[], ${deltas.map((d) => d.reserved ?? 0)}::int[], ${deltas.map((d) => d.out ?? 0)}::int[], ${deltas.map((d) => d.returned ?? 0)}::int[], ${deltas.map((d) => d.toChina ?? 0)}::int[]) as t(sku, r, o, ret, tc)
        where s.warehouse_id = ${warehouseId} and s.seller_org_id = ${sellerOrgId} and s.sku = t.sku`.execute(exec),
    movements: (
      ms: {
        id: string;
        warehouse_id: string;
        seller_org_id: string;
        sku: string;
        kind: string;
        qty: number;
        consignment_id: string | null;
        sale_id: string | null;
        customs_record_no: string | null;
        at: Date;
      }[],
    ) =>
      ms.length
        ? sql`insert into ovs_movement (id, warehouse_id, seller_org_id, sku, kind, qty, consignment_id, sale_id, customs_record_no, at)
          select * from unnest(${ms.map((m) => m.id)}::uuid[], ${ms.map((m) => m.warehouse_id)}::uuid[], ${ms.map((m) => m.seller_org_id)}::uuid[], ${ms.map((m) => m.sku)}::text[],
            ${ms.map((m) => m.kind)}::text[], ${ms.map((m) => m.qty)}::int[], ${ms.map((m) => m.consignment_id)}::uuid[], ${ms.map((m) => m.sale_id)}::uuid[],
            ${ms.map((m) => m.customs_record_no)}::text[], ${ms.map((m) => m.at)}::timestamptz[])`.execute(exec)
        : Promise.resolve(),
    sale: async (id: string, lock = false) =>
      (
        await rows<SaleRow>(
          lock ? sql`select * from ovs_sale where id = ${id} for update` : sql`select * from ovs_sale where id = ${id}`,
        )
      )[0],
    /**
     * The sales of a return with their warehouse's provider, locked in id order in one query: two
     * batch returns over the same sales queue instead of deadlocking.
     */
    lockSales: (ids: string[]) =>
      rows<SaleRow & { provider_org_id: string }>(sql`select s.*, w.provider_org_id from ovs_sale s
        join ovs_warehouse w on w.id = s.warehouse_id
        where s.id = any(${ids}::uuid[]) order by s.id for update of s`),
    /**
     * Restocked returns: units back into qty_returned, summed per warehouse, seller and SKU in one
     * update; the stock rows are locked first in key order, as a sale locks them (SKU order).
     */
    async restock(items: { warehouse_id: string; seller_org_id: string; sku: string; qty: number }[]) {
      if (!items.length) return;
      const w = items.map((i) => i.warehouse_id);
      const s = items.map((i) => i.seller_org_id);
      const k = items.map((i) => i.sku);
      const n = items.map((i) => i.qty);
      await sql`select 1 from ovs_stock st
        join (select distinct * from unnest(${w}::uuid[], ${s}::uuid[], ${k}::text[]) as u(warehouse_id, seller_org_id, sku)) t
          on st.warehouse_id = t.warehouse_id and st.seller_org_id = t.seller_org_id and st.sku = t.sku
        order by st.warehouse_id, st.seller_org_id, st.sku for update of st`.execute(exec);
      await sql`update ovs_stock st set qty_returned = st.qty_returned + t.qty
        from (select warehouse_id, seller_org_id, sku, sum(qty)::int as qty
                from unnest(${w}::uuid[], ${s}::uuid[], ${k}::text[], ${n}::int[]) as u(warehouse_id, seller_org_id, sku, qty)
               group by 1, 2, 3) t
        where st.warehouse_id = t.warehouse_id and st.seller_org_id = t.seller_org_id and st.sku = t.sku`.execute(exec);
    },
    /** Stock movements of one SKU in one warehouse, newest first, with the declaration and order they trace to. */
    movementHistory: (q: { warehouseId: string; sku: string; sellerOrgId?: string; providerOrgId?: string }) =>
      rows<{
        id: string;
        kind: string;
        qty: number;
        at: Date;
        customs_record_no: string | null;
        declaration_no: string | null;
        order_no: string | null;
      }>(sql`select m.id, m.kind, m.qty, m.at, m.customs_record_no, c.declaration_no, s.order_no
        from ovs_movement m join ovs_warehouse w on w.id = m.warehouse_id
          left join ovs_consignment c on c.id = m.consignment_id
          left join ovs_sale s on s.id = m.sale_id
        where m.warehouse_id = ${q.warehouseId} and m.sku = ${q.sku}
          and (${q.sellerOrgId ?? null}::uuid is null or m.seller_org_id = ${q.sellerOrgId ?? null})
          and (${q.providerOrgId ?? null}::uuid is null or w.provider_org_id = ${q.providerOrgId ?? null})
        order by m.at desc, m.id limit 1000`),
    sales: (q: { sellerOrgId?: string; providerOrgId?: string }) =>
      rows<SaleRow>(sql`select s.* from ovs_sale s join ovs_warehouse w on w.id = s.warehouse_id
        where (${q.sellerOrgId ?? null}::uuid is null or s.seller_org_id = ${q.sellerOrgId ?? null})
          and (${q.providerOrgId ?? null}::uuid is null or w.provider_org_id = ${q.providerOrgId ?? null})
        order by s.created_at desc limit 500`),
    saleLines: (saleIds: string[]) =>
      rows<SaleLineRow>(sql`select l.*, c.declaration_no, c.released_at, c.declaration_source from ovs_sale_line l join ovs_consignment c on c.id = l.consignment_id
        where l.sale_id = any(${saleIds}::uuid[]) order by l.sku, c.released_at`),
    lockSaleLines: (saleIds: string[]) =>
      rows<SaleLineRow>(sql`select l.*, c.declaration_no, c.released_at, c.declaration_source from ovs_sale_line l join ovs_consignment c on c.id = l.consignment_id
        where l.sale_id = any(${saleIds}::uuid[]) order by l.sale_id, l.sku, c.released_at for update of l`),
    markReturned: (items: { sale_id: string; sku: string; consignment_id: string; qty: number }[]) =>
      sql`update ovs_sale_line l set returned = l.returned + t.qty
        from unnest(${items.map((i) => i.sale_id)}::uuid[], ${items.map((i) => i.sku)}::text[], ${items.map((i) => i.consignment_id)}::uuid[], ${items.map((i) => i.qty)}::int[]) as t(sale_id, sku, consignment_id, qty)
        where l.sale_id = t.sale_id and l.sku = t.sku and l.consignment_id = t.consignment_id`.execute(exec),
    shipSale: (id: string, now: Date) =>
      sql`update ovs_sale set status = 'shipped', shipped_at = ${now} where id = ${id}`.execute(exec),
    cancelSale: (id: string) => sql`update ovs_sale set status = 'cancelled' where id = ${id}`.execute(exec),

    insertPoint: async (r: PointRow) =>
      (
        await rows<PointRow>(sql`insert into ovs_point (id, provider_org_id, name, country, city, services, contact, description, active, created_at)
          values (${r.id}, ${r.provider_org_id}, ${r.name}, ${r.country}, ${r.city}, ${r.services}::text[], ${r.contact}, ${r.description}, ${r.active}, ${r.created_at}) returning *`)
      )[0]!,
    points: (q: { country?: string; city?: string; service?: string; providerOrgId?: string; q?: string }) =>
      rows<PointRow>(sql`select * from ovs_point where active
        and (${q.country ?? null}::text is null or country = ${q.country ?? null})
        and (${q.city ?? null}::text is null or lower(city) = lower(${q.city ?? null}))
        and (${q.service ?? null}::text is null or services @> array[${q.service ?? null}::text])
        and (${q.providerOrgId ?? null}::uuid is null or provider_org_id = ${q.providerOrgId ?? null})
        and (${q.q ?? null}::text is null or name ilike ${'%' + (q.q ?? '').replace(/[\\%_]/g, (c) => `\\${c}`) + '%'})
        order by country, city, name limit 500`),
    point: async (id: string, lock = false) =>
      (
        await rows<PointRow>(
          lock ? sql`select * from ovs_point where id = ${id} for update` : sql`select * from ovs_point where id = ${id}`,
        )
      )[0],
    /** A provider's own points, retired ones too. */
    pointsOf: (providerOrgId: string) =>
      rows<PointRow>(sql`select * from ovs_point where provider_org_id = ${providerOrgId}
        order by active desc, country, city, name limit 500`),
    updatePoint: async (id: string, r: Pick<PointRow, 'name' | 'country' | 'city' | 'services' | 'contact' | 'description'>) =>
      (
        await rows<PointRow>(sql`update ovs_point set name = ${r.name}, country = ${r.country}, city = ${r.city},
          services = ${r.services}::text[], contact = ${r.contact}, description = ${r.description}
          where id = ${id} returning *`)
      )[0]!,
    deactivatePoint: async (id: string) =>
      (await rows<PointRow>(sql`update ovs_point set active = false where id = ${id} returning *`))[0]!,
    insertRequest: async (r: RequestRow) =>
      (
        await rows<RequestRow>(sql`insert into ovs_request (id, point_id, requester_org_id, service, message, status, reply, created_at, updated_at)
          values (${r.id}, ${r.point_id}, ${r.requester_org_id}, ${r.service}, ${r.message}, ${r.status}, ${r.reply}, ${r.created_at}, ${r.updated_at}) returning *`)
      )[0]!,
    requests: (q: { requesterOrgId?: string; providerOrgId?: string }) =>
      rows<
        RequestRow & { point_name: string }
      >(sql`select r.*, p.name as point_name from ovs_request r join ovs_point p on p.id = r.point_id
        where (${q.requesterOrgId ?? null}::uuid is null or r.requester_org_id = ${q.requesterOrgId ?? null})
          and (${q.providerOrgId ?? null}::uuid is null or p.provider_org_id = ${q.providerOrgId ?? null})
        order by r.created_at desc limit 500`),
    request: async (id: string) =>
      (
        await rows<RequestRow & { provider_org_id: string }>(
          sql`select r.*, p.provider_org_id from ovs_request r join ovs_point p on p.id = r.point_id where r.id = ${id} for update of r`,
        )
      )[0],
    updateRequest: async (id: string, status: string, reply: string | null, now: Date) =>
      (
        await rows<RequestRow>(
          sql`update ovs_request set status = ${status}, reply = ${reply}, updated_at = ${now} where id = ${id} returning *`,
        )
      )[0]!,
  };
}
