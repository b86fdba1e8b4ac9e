import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { BagRow, BookingRow, CountRow, DispatchRow, ParcelRow, ParcelStatus, WarehouseTables } from './warehouse.tables.ts';

export function createWarehouseRepository(exec: Executor) {
  const db = tables<WarehouseTables>(exec);
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
    parcelsByNos: (logisticsNos: string[]) =>
      logisticsNos.length
        ? db.selectFrom('whs_parcel').selectAll().where('logistics_no', 'in', logisticsNos).execute()
        : Promise.resolve([]),
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

    locationExists: async (warehouseOrgId: string, code: string) =>
      !!(await db
        .selectFrom('whs_location')
        .select('code')
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('code', '=', code)
        .executeTakeFirst()),
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

    insertBag: (r: BagRow) => db.insertInto('whs_bag').values(r).returningAll().executeTakeFirstOrThrow(),
    bag: (id: string, lock = false) => {
      const q = db.selectFrom('whs_bag').selectAll().where('id', '=', id);
      return (lock ? q.forUpdate() : q).executeTakeFirst();
    },
    bagsByIds: (ids: string[]) =>
      db.selectFrom('whs_bag').selectAll().where('id', 'in', ids).orderBy('bag_no').forUpdate().execute(),
    bags: (warehouseOrgId: string, status?: BagRow['status']) => {
      let s = db
        .selectFrom('whs_bag as b')
        .selectAll('b')
        .select((eb) =>
          eb
            .selectFrom('whs_parcel as p')
            .whereRef('p.bag_id', '=', 'b.id')
            .select(sql<number>`count(*)::int`.as('n'))
            .as('parcel_count'),
        )
        .where('b.warehouse_org_id', '=', warehouseOrgId);
      if (status) s = s.where('b.status', '=', status);
      return s.orderBy('b.created_at', 'desc').limit(200).execute();
    },
    updateBags: (ids: string[], patch: Partial<BagRow>) => db.updateTable('whs_bag').set(patch).where('id', 'in', ids).execute(),
    /** Bags opened by a warehouse on a day: the next bag number's sequence. */
    async bagCount(warehouseOrgId: string, since: Date): Promise<number> {
      const r = await db
        .selectFrom('whs_bag')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('warehouse_org_id', '=', warehouseOrgId)
        .where('created_at', '>=', since)
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
    dispatches: (warehouseOrgId: string) =>
      db
        .selectFrom('whs_dispatch')
        .selectAll()
        .where('warehouse_org_id', '=', warehouseOrgId)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute(),

    insertCount: (r: CountRow) => db.insertInto('whs_count').values(r).returningAll().executeTakeFirstOrThrow(),
    count: (id: string) => db.selectFrom('whs_count').selectAll().where('id', '=', id).executeTakeFirst(),
    closeCount: (id: string, now: Date) =>
      db
        .updateTable('whs_count')
        .set({ status: 'closed', closed_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
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
    countScans: (countId: string) => db.selectFrom('whs_count_scan').selectAll().where('count_id', '=', countId).execute(),
  };
}
