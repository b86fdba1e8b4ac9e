import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { parcelCustomsLookup } from '../clearance/index.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { countDiscrepancies, normaliseScan, type CountDiscrepancy } from './rules/arrival.rules.ts';
import { labelPdf } from './warehouse.label.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';
import { bi, nextStatus, toParcel, warehouseOf, type WarehouseDeps, type WarehouseParcel } from './warehouse.shared.ts';
import { IN_STOCK } from './warehouse.states.ts';
import type { BookingRow, ParcelRow, ParcelStatus } from './warehouse.tables.ts';

export interface BookingInput {
  warehouseCode: string;
  logisticsCode: string;
  expectedAt: string;
  logisticsNos: string[];
  note?: string;
}

export interface Booking {
  id: string;
  bookingNo: string;
  warehouseOrgId: string;
  logisticsCode: string;
  expectedAt: string;
  note: string;
  parcels: { logisticsNo: string; status: ParcelStatus }[];
  createdAt: string;
}

export interface ReceiveResult {
  parcel: WarehouseParcel;
  repeated: boolean;
  booked: boolean;
  declared: boolean;
  invtNo: string | null;
  customsStatus: string | null;
  /** the joint-inspection task of the parcel's inventory: `open` sends the parcel to the inspection station */
  inspection: string | null;
}

export interface StockCount {
  id: string;
  location: string | null;
  status: 'open' | 'closed';
  scanned: number;
  startedAt: string;
  closedAt: string | null;
  discrepancies: CountDiscrepancy[];
}

const SCAN = /^[A-Z0-9-]{4,40}$/;

function scanned(field: string, value: string): string {
  const v = normaliseScan(value);
  if (!SCAN.test(v))
    throw validationError([
      {
        field,
        rule: 'pattern',
        message: bi('运单号须为 4–40 位字母、数字或 -', 'a waybill number is 4–40 letters, digits or -'),
        value,
      },
    ]);
  return v;
}

export type WarehouseService = ReturnType<typeof createWarehouseService>;

/** Bookings, receiving, put-away, sorting, labels and stock counts of the supervision centre. */
export function createWarehouseService(deps: WarehouseDeps) {
  const { db, clock, audit } = deps;

  async function locked(trx: Parameters<typeof createWarehouseRepository>[0], whId: string, no: string): Promise<ParcelRow> {
    const row = await createWarehouseRepository(trx).parcel(whId, no, true);
    if (!row) throw notFound(bi(`包裹 ${no}（未入库）`, `parcel ${no} (not received)`));
    return row;
  }

  /** The inspection task status of the parcel's live inventory, if the inspection module is wired. */
  async function inspectionOf(waybillKey: string): Promise<string | null> {
    if (!deps.inspection) return null;
    const inv = (await parcelCustomsLookup(db).states([waybillKey])).find((s) => s.kind === 'inventory');
    if (!inv) return null;
    return (await deps.inspection.statusOf([inv.documentId])).get(inv.documentId) ?? null;
  }

  return {
    async createBooking(p: Principal | null, input: BookingInput): Promise<Booking> {
      requirePermission(p, 'warehouse.book');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.roles.some((r) => r === 'ebc' || r === 'ebp')) throw forbidden();
      const nos = [...new Set(input.logisticsNos.map(normaliseScan).filter(Boolean))];
      const bad = nos.filter((n) => !SCAN.test(n));
      const problems = bad.map((n) => ({
        field: 'logisticsNos',
        rule: 'pattern',
        message: bi(`运单号 ${n} 格式错误`, `waybill number ${n} is malformed`),
        value: n,
      }));
      if (!nos.length)
        problems.push({
          field: 'logisticsNos',
          rule: 'minItems',
          message: bi('至少预约一个包裹', 'book at least one parcel'),
          value: '',
        });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(input.expectedAt))
        problems.push({
          field: 'expectedAt',
          rule: 'date',
          message: bi('预计到仓日期须为 yyyy-MM-dd', 'expectedAt must be yyyy-MM-dd'),
          value: input.expectedAt,
        });
      if (problems.length) throw validationError(problems);
      const [wh] = await organisationDirectory(db).byCodes([input.warehouseCode]);
      if (!wh || !wh.roles.includes('warehouse'))
        throw notFound(bi(`监管中心 ${input.warehouseCode}`, `supervision centre ${input.warehouseCode}`));
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const booking = await repo.insertBooking({
          id: newId(),
          booking_no: `BK${now.toISOString().slice(2, 10).replace(/-/g, '')}${newId().replace(/-/g, '').slice(-6).toUpperCase()}`,
          seller_org_id: org.id,
          warehouse_org_id: wh.id,
          logistics_code: input.logisticsCode,
          expected_at: input.expectedAt,
          note: input.note ?? '',
          created_at: now,
        });
        const rows = await repo.insertParcels(
          nos.map((n) => ({
            id: newId(),
            warehouse_org_id: wh.id,
            logistics_no: n,
            logistics_code: input.logisticsCode,
            booking_id: booking.id,
            seller_org_id: org.id,
            status: 'expected' as const,
            location: null,
            route: null,
            bag_id: null,
            received_at: null,
            dispatched_at: null,
            created_at: now,
            updated_at: now,
          })),
        );
        if (rows.length !== nos.length) {
          const taken = nos.filter((n) => !rows.some((r) => r.logistics_no === n));
          throw new DomainError(
            'warehouse.duplicate',
            bi(`运单号已在该监管中心：${taken.join('、')}`, `already at this centre: ${taken.join(', ')}`),
            { logisticsNos: taken },
          );
        }
        const view = toBooking(booking, rows);
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.booking_created', entity: 'warehouse_booking', entityId: booking.id, after: view },
        ]);
        return view;
      });
    },

    /** A seller sees its bookings; a supervision centre the bookings made with it. */
    async listBookings(p: Principal | null): Promise<Booking[]> {
      requirePermission(p, 'warehouse.book');
      const org = p.organisation;
      if (!org) throw forbidden();
      const repo = createWarehouseRepository(db);
      const rows = await repo.bookings(org.roles.includes('warehouse') ? { warehouseOrgId: org.id } : { sellerOrgId: org.id });
      const parcels = rows.length
        ? await createWarehouseRepository(db).parcels(rows[0]!.warehouse_org_id, { bookingIds: rows.map((r) => r.id) })
        : [];
      // bookings of one seller may be spread over centres: read each centre's parcels
      const other = [...new Set(rows.map((r) => r.warehouse_org_id))].filter((w) => w !== rows[0]?.warehouse_org_id);
      for (const w of other) parcels.push(...(await repo.parcels(w, { bookingIds: rows.map((r) => r.id) })));
      return rows.map((b) =>
        toBooking(
          b,
          parcels.filter((x) => x.booking_id === b.id),
        ),
      );
    },

    async registerLocations(
      p: Principal | null,
      locations: { code: string; zone?: string }[],
    ): Promise<{ code: string; zone: string }[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const bad = locations.filter((l) => !/^[A-Z0-9-]{1,20}$/.test(l.code));
      if (bad.length)
        throw validationError(
          bad.map((l) => ({
            field: 'code',
            rule: 'pattern',
            message: bi('库位码须为 1–20 位大写字母、数字或 -', 'a location code is 1–20 capitals, digits or -'),
            value: l.code,
          })),
        );
      await db.transaction().execute(async (trx) => {
        await createWarehouseRepository(trx).addLocations(
          locations.map((l) => ({ warehouse_org_id: wh.id, code: l.code, zone: l.zone ?? '' })),
        );
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.locations_registered', entity: 'warehouse_location', entityId: wh.id, after: locations },
        ]);
      });
      return (await createWarehouseRepository(db).locations(wh.id)).map((l) => ({ code: l.code, zone: l.zone }));
    },

    async listParcels(p: Principal | null, q: { status?: ParcelStatus }): Promise<WarehouseParcel[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return (await createWarehouseRepository(db).parcels(wh.id, q.status ? { status: [q.status] } : {})).map(toParcel);
    },

    /**
     * Receiving by scan. A booked parcel knows its carrier; an unbooked one is found among the
     * declared inventories, or the scan names the carrier. Scanning a parcel twice changes nothing.
     */
    async receive(p: Principal | null, input: { logisticsNo: string; logisticsCode?: string }): Promise<ReceiveResult> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const declared = (await parcelCustomsLookup(db).declared([no]))[0];
      const inspection = declared ? await inspectionOf(declared.waybillKey) : null;
      const now = clock.now();
      const outcome = await db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const existing = await repo.parcel(wh.id, no, true);
        const base = {
          booked: !!existing?.booking_id,
          declared: !!declared,
          invtNo: declared?.invtNo ?? null,
          customsStatus: declared?.status ?? null,
          inspection,
        };
        if (existing && existing.status !== 'expected')
          return { result: { ...base, parcel: toParcel(existing), repeated: true }, tracked: null };
        const code = existing?.logistics_code ?? declared?.waybillKey.split('|')[0] ?? input.logisticsCode;
        if (!code)
          throw validationError([
            {
              field: 'logisticsCode',
              rule: 'required',
              message: bi(
                `包裹 ${no} 未预约也未申报：请选择承运商`,
                `parcel ${no} is neither booked nor declared: name its carrier`,
              ),
            },
          ]);
        const row = existing
          ? await repo.updateParcel(existing.id, {
              status: nextStatus(no, existing.status, 'receive'),
              received_at: now,
              updated_at: now,
            })
          : await repo.upsertParcel({
              id: newId(),
              warehouse_org_id: wh.id,
              logistics_no: no,
              logistics_code: code,
              booking_id: null,
              seller_org_id: null,
              status: 'received',
              location: null,
              route: null,
              bag_id: null,
              received_at: now,
              dispatched_at: null,
              created_at: now,
              updated_at: now,
            });
        // the tracking event commits with the scan: a received parcel is never missing its scan
        const tracked = deps.scans
          ? await deps.scans.record(trx, [
              { logisticsCode: row.logistics_code, logisticsNo: no, code: 'in_warehouse', at: now, location: wh.name },
            ])
          : null;
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.parcel_received',
            entity: 'warehouse_parcel',
            entityId: row.id,
            before: existing ? toParcel(existing) : null,
            after: toParcel(row),
          },
        ]);
        return { result: { ...base, parcel: toParcel(row), repeated: false }, tracked };
      });
      await outcome.tracked?.announce().catch(() => undefined);
      return outcome.result;
    },

    async putAway(p: Principal | null, input: { logisticsNo: string; location: string }): Promise<WarehouseParcel> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const location = normaliseScan(input.location);
      if (!(await createWarehouseRepository(db).locationExists(wh.id, location)))
        throw validationError([
          {
            field: 'location',
            rule: 'exists',
            message: bi(`库位 ${location} 未登记`, `location ${location} is not registered`),
            value: location,
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const row = await locked(trx, wh.id, no);
        if (!IN_STOCK.includes(row.status) || row.status === 'packed')
          throw new DomainError(
            'warehouse.invalid_state',
            bi(`包裹 ${no} 不在库位上架范围`, `parcel ${no} cannot be put away while ${row.status}`),
            { state: row.status },
          );
        const now = clock.now();
        const updated = await createWarehouseRepository(trx).updateParcel(row.id, { location, updated_at: now });
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.parcel_put_away',
            entity: 'warehouse_parcel',
            entityId: row.id,
            before: toParcel(row),
            after: toParcel(updated),
          },
        ]);
        return toParcel(updated);
      });
    },

    /** Sorting by route: the destination (or flight) the parcel leaves on; bags take one route. */
    async sort(p: Principal | null, input: { logisticsNo: string; route: string }): Promise<WarehouseParcel> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const route = input.route.trim().toUpperCase();
      if (!/^[A-Z0-9-]{2,20}$/.test(route))
        throw validationError([
          {
            field: 'route',
            rule: 'pattern',
            message: bi(
              '线路须为 2–20 位字母、数字或 -（如 US、CA1234）',
              'a route is 2–20 letters, digits or - (e.g. US, CA1234)',
            ),
            value: input.route,
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const row = await locked(trx, wh.id, no);
        const now = clock.now();
        const updated = await createWarehouseRepository(trx).updateParcel(row.id, {
          status: nextStatus(no, row.status, 'sort'),
          route,
          updated_at: now,
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.parcel_sorted',
            entity: 'warehouse_parcel',
            entityId: row.id,
            before: toParcel(row),
            after: toParcel(updated),
          },
        ]);
        return toParcel(updated);
      });
    },

    /** The parcel label (PDF): the supervision centre, or the seller who booked the parcel. */
    async label(p: Principal | null, logisticsNo: string): Promise<Buffer> {
      requirePermission(p, 'warehouse.book');
      const org = p.organisation;
      if (!org) throw forbidden();
      const no = normaliseScan(logisticsNo);
      const rows = await createWarehouseRepository(db).parcelsByNos([no]);
      const row = rows.find((r) => r.warehouse_org_id === org.id || r.seller_org_id === org.id);
      if (!row) throw notFound(bi(`包裹 ${no}`, `parcel ${no}`));
      const declared = (await parcelCustomsLookup(db).declared([no])).find((d) =>
        d.waybillKey.startsWith(`${row.logistics_code}|`),
      );
      const orgs = await organisationDirectory(db).byCodes([row.logistics_code]);
      const [whOrg, seller] = await Promise.all([
        organisationDirectory(db).byId(row.warehouse_org_id),
        row.seller_org_id ? organisationDirectory(db).byId(row.seller_org_id) : Promise.resolve(undefined),
      ]);
      const bag = row.bag_id ? await createWarehouseRepository(db).bag(row.bag_id) : undefined;
      return labelPdf({
        logisticsNo: no,
        carrier: declared?.logisticsName ?? orgs[0]?.name ?? row.logistics_code,
        sender: seller?.name ?? '—',
        warehouse: whOrg?.name ?? '',
        route: row.route,
        location: row.location,
        bagNo: bag?.bag_no ?? null,
        invtNo: declared?.invtNo ?? null,
        tradeMode: declared?.tradeMode ?? null,
        printedAt: clock.now(),
      });
    },

    async startCount(p: Principal | null, input: { location?: string }): Promise<StockCount> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const c = await createWarehouseRepository(trx).insertCount({
          id: newId(),
          warehouse_org_id: wh.id,
          location: input.location ? normaliseScan(input.location) : null,
          status: 'open',
          started_at: now,
          closed_at: null,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.count_started', entity: 'stock_count', entityId: c.id, after: c },
        ]);
        return c;
      });
      return {
        id: row.id,
        location: row.location,
        status: row.status,
        scanned: 0,
        startedAt: row.started_at.toISOString(),
        closedAt: null,
        discrepancies: [],
      };
    },

    async countScan(
      p: Principal | null,
      id: string,
      input: { logisticsNo: string; location?: string },
    ): Promise<{ scanned: number }> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const repo = createWarehouseRepository(db);
      const c = await repo.count(id);
      if (!c || c.warehouse_org_id !== wh.id) throw notFound(bi('盘点', 'stock count'));
      if (c.status !== 'open') throw new DomainError('warehouse.invalid_state', bi('盘点已结束', 'the stock count is closed'));
      await repo.addCountScan({
        count_id: id,
        logistics_no: no,
        location: input.location ? normaliseScan(input.location) : c.location,
        scanned_at: clock.now(),
      });
      return { scanned: (await repo.countScans(id)).length };
    },

    /** Closes a count; the discrepancy list compares the scans with the parcels in stock. */
    async closeCount(p: Principal | null, id: string): Promise<StockCount> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const c = await repo.count(id);
        if (!c || c.warehouse_org_id !== wh.id) throw notFound(bi('盘点', 'stock count'));
        if (c.status !== 'open') throw new DomainError('warehouse.invalid_state', bi('盘点已结束', 'the stock count is closed'));
        const stock = await repo.parcels(wh.id, { status: [...IN_STOCK], ...(c.location ? { location: c.location } : {}) });
        const scans = await repo.countScans(id);
        // a scan in a location count of a parcel kept elsewhere is misplaced, not unexpected
        const elsewhere = c.location
          ? (await repo.parcelsByNos(scans.map((s) => s.logistics_no))).filter(
              (r) => r.warehouse_org_id === wh.id && IN_STOCK.includes(r.status),
            )
          : [];
        const discrepancies = countDiscrepancies(
          [...stock, ...elsewhere.filter((e) => !stock.some((s) => s.id === e.id))].map((s) => ({
            logisticsNo: s.logistics_no,
            location: s.location,
          })),
          scans.map((s) => ({ logisticsNo: s.logistics_no, location: s.location })),
        ).filter((d) => !(c.location && d.kind === 'missing' && d.expectedLocation !== c.location));
        const closed = await repo.closeCount(id, clock.now());
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.count_closed', entity: 'stock_count', entityId: id, after: { discrepancies } },
        ]);
        return {
          id,
          location: closed.location,
          status: closed.status,
          scanned: scans.length,
          startedAt: closed.started_at.toISOString(),
          closedAt: closed.closed_at?.toISOString() ?? null,
          discrepancies,
        };
      });
    },
  };
}

function toBooking(b: BookingRow, parcels: ParcelRow[]): Booking {
  return {
    id: b.id,
    bookingNo: b.booking_no,
    warehouseOrgId: b.warehouse_org_id,
    logisticsCode: b.logistics_code,
    expectedAt: dateOnly(b.expected_at as string | Date),
    note: b.note,
    parcels: parcels.map((x) => ({ logisticsNo: x.logistics_no, status: x.status })),
    createdAt: b.created_at.toISOString(),
  };
}

/** pg reads a `date` as local midnight: print it back in local time, not UTC. */
function dateOnly(d: string | Date): string {
  if (typeof d === 'string') return d;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
