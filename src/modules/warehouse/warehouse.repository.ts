import { sql, tables, type Executor } from '../../kernel/db.ts';
import type {
  BagRow,
  BookingRow,
  CountRow,
  DispatchRow,
  PackageKind,
  ParcelRow,
  ParcelStatus,
  WarehouseTables,
} from './warehouse.tables.ts';

// Any stable number: with the centre's hash, serialises the numbering of its bags and pallets.
const BAG_NUMBER_LOCK = 7_000_601;

export function createWarehouseRepository(exec: Executor) {
  const db = tables<WarehouseTables>(exec);
  /** Bags with their parcel count; a pallet's counts the parcels in its bags, and its bags. */
  const withCounts = () =>
    db
      .selectFrom('whs_bag as b')
      .selectAll('b')
      .select(
        sql<number>`(select count(*)::int from whs_parcel p
          where p.bag_id = any(array(select b.id union all select c.id from whs_bag c where c.pallet_id = b.id)))`.as(
          'parcel_count',
        ),
      )
      .select(sql<number>`(select count(*)::int from whs_bag c where c.pallet_id = b.id)`.as('bag_count'));
  return {
    insertBooking: (r: BookingRow) => db.insertInto('whs_booking').values(r).returningAll().executeTakeFirstOrThrow(),
    bookings: (q: { sellerOrgId?: string; warehouseOrgId?: string }) => {
      let s = db.selectFrom('whs_booking').selectAll();
      if (q.sellerOrgId) s = s.where('seller_org_id', '=', q.sellerOrgId);
      if (q.warehouseOrgId) s = s.where('warehouse_org_id', '=', q.warehouseOrgId);
      return s.orderBy('created_at', 'desc').limit(200).execute();
    },

    /** Expected parcels of a booking; a parcel (carrier and number) already known to the warehouse is left as it is. */
    async insertParcels(rows: ParcelRow[]): Promise<ParcelRow[]> {
      if (!rows.length) return [];
      return db
        .insertInto('whs_parcel')
        .values(rows)
        .onConflict((oc) => oc.columns(['warehouse_org_id', 'logistics_code', 'logistics_no']).doNothing())
        .returningAll()
        .execute();
    },
    /** One carrier's parcel: a waybill number is unique per carrier only. */
    parcel: (warehouseOrgId: string, logisticsCode: string, logisticsNo: string, lock = false) => {
      const q = db
        .selectFrom('whs_parcel')
        .selectAll()
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('logistics_code', '=', logisticsCode)
        .where('logistics_no', '=', logisticsNo);
      return (lock ? q.forUpdate() : q).executeTakeFirst();
    },
    /** Every carrier's parcel at the centre bearing a scanned number (usually one). */
    parcelsNumbered: (warehouseOrgId: string, logisticsNo: string, lock = false) => {
      const q = db
        .selectFrom('whs_parcel')
        .selectAll()
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('logistics_no', '=', logisticsNo)
        .orderBy('logistics_code');
      return (lock ? q.forUpdate() : q).execute();
    },
    /** Lets the parcels held for these inventories' inspection go; answers the parcels released. */
    releaseHolds: (inventoryIds: string[], now: Date) =>
      inventoryIds.length
        ? db
            .updateTable('whs_parcel')
            .set({ held_at: null, held_inventory_id: null, held_task_id: null, updated_at: now })
            .where('held_inventory_id', 'in', inventoryIds)
            .where('held_at', 'is not', null)
            .returningAll()
            .execute()
        : Promise.resolve([]),
    /** Parcels bearing these numbers, at one centre when `warehouseOrgId` is given, else at any. */
    parcelsByNos: (logisticsNos: string[], warehouseOrgId?: string) => {
      if (!logisticsNos.length) return Promise.resolve([]);
      let q = db.selectFrom('whs_parcel').selectAll().where('logistics_no', 'in', logisticsNos);
      if (warehouseOrgId) q = q.where('warehouse_org_id', '=', warehouseOrgId);
      return q.execute();
    },
    parcels: (
      warehouseOrgId: string,
      q: { status?: ParcelStatus[]; bagId?: string; bookingIds?: string[]; location?: string },
    ) => {
      let s = db.selectFrom('whs_parcel').selectAll().where('warehouse_org_id', '=', warehouseOrgId);
      if (q.status?.length) s = s.where('status', 'in', q.status);
      if (q.bagId) s = s.where('bag_id', '=', q.bagId);
      if (q.bookingIds) s = q.bookingIds.length ? s.where('booking_id', 'in', q.bookingIds) : s.where(sql<boolean>`false`);
      if (q.location) s = s.where('location', '=', q.location);
      return s.orderBy('updated_at', 'desc').orderBy('logistics_no').limit(2000).execute();
    },
    updateParcel: (id: string, patch: Partial<ParcelRow>) =>
      db.updateTable('whs_parcel').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
    upsertParcel: (r: ParcelRow) =>
      db
        .insertInto('whs_parcel')
        .values(r)
        .onConflict((oc) =>
          oc.columns(['warehouse_org_id', 'logistics_code', 'logistics_no']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            received_at: eb.ref('excluded.received_at'),
            held_at: eb.ref('excluded.held_at'),
            held_inventory_id: eb.ref('excluded.held_inventory_id'),
            held_task_id: eb.ref('excluded.held_task_id'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),
    markDispatched: (bagIds: string[], now: Date) =>
      db
        .updateTable('whs_parcel')
        .set({ status: 'dispatched', dispatched_at: now, updated_at: now })
        .where('bag_id', 'in', bagIds)
        .execute(),

    /**
     * One of a centre's locations, retired or not. A retirement locks it for update and a
     * put-away for share: a parcel is never put away at a location being retired.
     */
    location: (warehouseOrgId: string, code: string, lock?: 'update' | 'share') => {
      const q = db.selectFrom('whs_location').selectAll().where('warehouse_org_id', '=', warehouseOrgId).where('code', '=', code);
      return (lock === 'update' ? q.forUpdate() : lock === 'share' ? q.forShare() : q).executeTakeFirst();
    },
    setLocationActive: (warehouseOrgId: string, code: string, active: boolean) =>
      db
        .updateTable('whs_location')
        .set({ active })
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('code', '=', code)
        .returningAll()
        .executeTakeFirstOrThrow(),
    /** Parcels in stock put away at a location. */
    async stockAt(warehouseOrgId: string, code: string, inStock: readonly ParcelStatus[]): Promise<number> {
      const r = await db
        .selectFrom('whs_parcel')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('location', '=', code)
        .where('status', 'in', [...inStock])
        .executeTakeFirstOrThrow();
      return r.n;
    },
    addLocations: (rows: { warehouse_org_id: string; code: string; zone: string }[]) =>
      rows.length
        ? db
            .insertInto('whs_location')
            .values(rows)
            .onConflict((oc) => oc.columns(['warehouse_org_id', 'code']).doUpdateSet((eb) => ({ zone: eb.ref('excluded.zone') })))
            .execute()
        : Promise.resolve([]),
    locations: (warehouseOrgId: string) =>
      db.selectFrom('whs_location').selectAll().where('warehouse_org_id', '=', warehouseOrgId).orderBy('code').execute(),
    /** The registered locations (the active ones unless `all`) with the parcels in stock put away at each. */
    locationsWithStock: (warehouseOrgId: string, inStock: readonly ParcelStatus[], all = false) =>
      db
        .selectFrom('whs_location as l')
        .select(['l.code', 'l.zone', 'l.active'])
        .select((eb) =>
          eb
            .selectFrom('whs_parcel as p')
            .whereRef('p.warehouse_org_id', '=', 'l.warehouse_org_id')
            .whereRef('p.location', '=', 'l.code')
            .where('p.status', 'in', [...inStock])
            .select(sql<number>`count(*)::int`.as('n'))
            .as('parcels'),
        )
        .where('l.warehouse_org_id', '=', warehouseOrgId)
        .$if(!all, (q) => q.where('l.active', '=', true))
        .orderBy('l.code')
        .execute(),

    insertBag: (r: BagRow) => db.insertInto('whs_bag').values(r).returningAll().executeTakeFirstOrThrow(),
    bag: (id: string, lock = false) => {
      const q = db.selectFrom('whs_bag').selectAll().where('id', '=', id);
      return (lock ? q.forUpdate() : q).executeTakeFirst();
    },
    /** A centre's bag or pallet by its printed number (a scan), optionally locked. */
    bagByNo: (warehouseOrgId: string, bagNo: string, lock = false) => {
      const q = db.selectFrom('whs_bag').selectAll().where('warehouse_org_id', '=', warehouseOrgId).where('bag_no', '=', bagNo);
      return (lock ? q.forUpdate() : q).executeTakeFirst();
    },
    bagsByIds: (ids: string[]) =>
      db.selectFrom('whs_bag').selectAll().where('id', 'in', ids).orderBy('bag_no').forUpdate().execute(),
    /** The bags on these pallets, locked. */
    bagsOnPallets: (palletIds: string[]) =>
      palletIds.length
        ? db.selectFrom('whs_bag').selectAll().where('pallet_id', 'in', palletIds).orderBy('bag_no').forUpdate().execute()
        : Promise.resolve([]),
    /**
     * A centre's bags and pallets with their parcel counts (a pallet's: the parcels in its bags),
     * newest first; `topLevel`: only pallets and the bags not on one (what a dispatch takes).
     */
    bags: (warehouseOrgId: string, q: { status?: BagRow['status']; topLevel?: boolean } = {}) => {
      let s = withCounts().where('b.warehouse_org_id', '=', warehouseOrgId);
      if (q.status) s = s.where('b.status', '=', q.status);
      if (q.topLevel) s = s.where('b.pallet_id', 'is', null);
      return s.orderBy('b.created_at', 'desc').limit(200).execute();
    },
    /** One bag or pallet with its counts, as the floor shows it after a scan. */
    bagWithCount: (id: string) => withCounts().where('b.id', '=', id).executeTakeFirst(),
    /** Serialises the numbering of a centre's bags and pallets until the transaction ends. */
    lockBagNumbering: async (warehouseOrgId: string): Promise<void> => {
      await sql`select pg_advisory_xact_lock(${BAG_NUMBER_LOCK}, hashtext(${warehouseOrgId}))`.execute(exec);
    },
    updateBags: (ids: string[], patch: Partial<BagRow>) => db.updateTable('whs_bag').set(patch).where('id', 'in', ids).execute(),
    /** Bags (or pallets) opened by a warehouse on a day: the next number's sequence. */
    async bagCount(warehouseOrgId: string, since: Date, kind: PackageKind = 'bag'): Promise<number> {
      const r = await db
        .selectFrom('whs_bag')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('created_at', '>=', since)
        .where('kind', '=', kind)
        .executeTakeFirstOrThrow();
      return r.n;
    },

    insertDispatch: (r: DispatchRow) => db.insertInto('whs_dispatch').values(r).returningAll().executeTakeFirstOrThrow(),
    updateDispatch: (id: string, patch: Partial<DispatchRow>) =>
      db.updateTable('whs_dispatch').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
    /** A dispatch row, locked: the outcome of a submission is written once, by the dispatch or by the repair. */
    dispatchLocked: (id: string, skipLocked = false) => {
      const q = db.selectFrom('whs_dispatch').selectAll().where('id', '=', id).forUpdate();
      return (skipLocked ? q.skipLocked() : q).executeTakeFirst();
    },
    /** Dispatches still waiting for their outcome since before `before` (a crash between intake and the outcome). */
    pendingDispatches: (before: Date, warehouseOrgId?: string) => {
      let q = db.selectFrom('whs_dispatch').selectAll().where('return_status', '=', 'pending').where('created_at', '<', before);
      if (warehouseOrgId) q = q.where('warehouse_org_id', '=', warehouseOrgId);
      return q.orderBy('created_at').limit(100).execute();
    },
    bagsOfDispatches: (dispatchIds: string[]) =>
      dispatchIds.length
        ? db.selectFrom('whs_bag').selectAll().where('dispatch_id', 'in', dispatchIds).orderBy('bag_no').execute()
        : Promise.resolve([]),
    parcelsInBags: (bagIds: string[]) =>
      bagIds.length
        ? db.selectFrom('whs_parcel').selectAll().where('bag_id', 'in', bagIds).orderBy('logistics_no').execute()
        : Promise.resolve([]),
    /** Every dispatch (of any warehouse) that left on a master bill. */
    dispatchesOnBill: (billNo: string) =>
      db.selectFrom('whs_dispatch').selectAll().where('bill_no', '=', billNo).orderBy('created_at').limit(100).execute(),
    /** One dispatch of a centre; another centre's is absent. */
    dispatch: (warehouseOrgId: string, id: string) =>
      db
        .selectFrom('whs_dispatch')
        .selectAll()
        .where('id', '=', id)
        .where('warehouse_org_id', '=', warehouseOrgId)
        .executeTakeFirst(),
    dispatches: (warehouseOrgId: string) =>
      db
        .selectFrom('whs_dispatch')
        .selectAll()
        .where('warehouse_org_id', '=', warehouseOrgId)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute(),

    insertCount: (r: CountRow) => db.insertInto('whs_count').values(r).returningAll().executeTakeFirstOrThrow(),
    count: (id: string, lock = false) => {
      const q = db.selectFrom('whs_count').selectAll().where('id', '=', id);
      return (lock ? q.forUpdate() : q).executeTakeFirst();
    },
    /** A centre's counts, newest first, with their scans counted; the discrepancy list only counted. */
    counts: (warehouseOrgId: string, status?: CountRow['status']) => {
      let q = db
        .selectFrom('whs_count as c')
        .select(['c.id', 'c.warehouse_org_id', 'c.location', 'c.status', 'c.started_at', 'c.closed_at'])
        .select((eb) =>
          eb
            .selectFrom('whs_count_scan as s')
            .whereRef('s.count_id', '=', 'c.id')
            .select(sql<number>`count(*)::int`.as('n'))
            .as('scanned'),
        )
        .select(sql<number | null>`jsonb_array_length(c.discrepancies)`.as('discrepancy_count'))
        .where('c.warehouse_org_id', '=', warehouseOrgId);
      if (status) q = q.where('c.status', '=', status);
      return q.orderBy('c.started_at', 'desc').limit(100).execute();
    },
    /**
     * Closes a count and stores its discrepancy list, computed in the database over the whole
     * stock (anti-joins, no row cap): parcels in stock (at the count's location, for a location
     * count) that nobody scanned are missing; scans of numbers not in stock at the centre are
     * unexpected; parcels in stock scanned at another location than theirs are misplaced.
     */
    closeCount: async (
      c: { id: string; warehouse_org_id: string; location: string | null },
      inStock: readonly ParcelStatus[],
      now: Date,
    ) => {
      const statuses = [...inStock];
      const r = await sql<CountRow>`
        with missing as (
          select distinct on (p.logistics_no) p.logistics_no, p.location
          from whs_parcel p
          where p.warehouse_org_id = ${c.warehouse_org_id} and p.status = any(${statuses}::text[])
            and (${c.location}::text is null or p.location = ${c.location})
            and not exists (select 1 from whs_count_scan s where s.count_id = ${c.id} and s.logistics_no = p.logistics_no)
          order by p.logistics_no, p.location
        ), misplaced as (
          select distinct on (p.logistics_no) p.logistics_no, p.location, s.location as scanned
          from whs_count_scan s
          join whs_parcel p on p.warehouse_org_id = ${c.warehouse_org_id} and p.logistics_no = s.logistics_no
            and p.status = any(${statuses}::text[])
          where s.count_id = ${c.id} and p.location is not null and s.location is not null and p.location <> s.location
          order by p.logistics_no, p.location
        ), unexpected as (
          select s.logistics_no, s.location
          from whs_count_scan s
          where s.count_id = ${c.id}
            and not exists (
              select 1 from whs_parcel p
              where p.warehouse_org_id = ${c.warehouse_org_id} and p.logistics_no = s.logistics_no
                and p.status = any(${statuses}::text[]))
        ), found as (
          select logistics_no, 'missing' as kind, location as expected, null::text as scanned from missing
          union all select logistics_no, 'misplaced', location, scanned from misplaced
          union all select logistics_no, 'unexpected', null, location from unexpected
        )
        update whs_count set status = 'closed', closed_at = ${now}, discrepancies = (
          select coalesce(jsonb_agg(jsonb_build_object(
            'logisticsNo', logistics_no, 'kind', kind, 'expectedLocation', expected, 'scannedLocation', scanned)
            order by kind, logistics_no), '[]'::jsonb)
          from found)
        where id = ${c.id}
        returning *`.execute(exec);
      return r.rows[0]!;
    },
    addCountScan: (r: { count_id: string; logistics_no: string; location: string | null; scanned_at: Date }) =>
      db
        .insertInto('whs_count_scan')
        .values(r)
        .onConflict((oc) =>
          oc
            .columns(['count_id', 'logistics_no'])
            .doUpdateSet((eb) => ({ location: eb.ref('excluded.location'), scanned_at: eb.ref('excluded.scanned_at') })),
        )
        .execute(),
    async countScanCount(countId: string): Promise<number> {
      const r = await db
        .selectFrom('whs_count_scan')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('count_id', '=', countId)
        .executeTakeFirstOrThrow();
      return r.n;
    },
  };
}
