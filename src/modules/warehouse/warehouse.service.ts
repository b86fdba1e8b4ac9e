import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { checkS10, looksLikeS10 } from '../logistics/index.ts';
import { createCustomsGate, type DeclaredParcel, type ParcelCustoms } from './customs-gate.service.ts';
import { normaliseScan, type CountDiscrepancy } from './rules/arrival.rules.ts';
import { atInspection } from './rules/customs-gate.rules.ts';
import { labelPdf } from './warehouse.label.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';
import { bi, nextStatus, toParcel, warehouseOf, type WarehouseDeps, type WarehouseParcel } from './warehouse.shared.ts';
import { IN_STOCK } from './warehouse.states.ts';
import type { BookingRow, CountRow, ParcelRow, ParcelStatus } from './warehouse.tables.ts';

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
  /** the joint-inspection task's status (open, passed, failed, withdrawn); null without a task */
  inspection: string | null;
  /** the parcel is held at the inspection station (its task is open, or customs selected it for one) */
  held: boolean;
  /** the task the scan opened on the floor screen, while it is open */
  inspectionTask: {
    id: string;
    status: string;
    agencies: string[];
    joint: boolean;
    pending: string[];
    createdAt: string;
  } | null;
}

/** One of the parcels a scanned number may mean, when several carriers use it: the operator chooses. */
export interface CarrierCandidate {
  logisticsCode: string;
  logisticsName: string | null;
  invtNo: string | null;
  customsStatus: string | null;
  /** its state at this centre, when the centre knows it (booked: expected) */
  atCentre: ParcelStatus | null;
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

/** A count in the list: the discrepancy list only counted (null while open). */
export type StockCountSummary = Omit<StockCount, 'discrepancies'> & { discrepancyCount: number | null };

/** A registered location and the parcels in stock put away there. */
export interface StockLocation {
  code: string;
  zone: string;
  parcels: number;
  /** false: retired, no longer a put-away choice */
  active: boolean;
}

const LOCATION = /^[A-Z0-9-]{1,20}$/;

const toCount = (c: Omit<CountRow, 'discrepancies'>, scanned: number) => ({
  id: c.id,
  location: c.location,
  status: c.status,
  scanned,
  startedAt: c.started_at.toISOString(),
  closedAt: c.closed_at?.toISOString() ?? null,
});

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

/**
 * A number with the UPU S10 shape (2 letters, 9 digits, 2 letters: postal items) whose check
 * digit is wrong is a misread or mistyped scan: refused (400) naming the field and the rule.
 */
function refuseBadS10(no: string): void {
  if (!looksLikeS10(no)) return;
  const c = checkS10(no);
  if (c.ok || c.rule !== 's10CheckDigit') return;
  throw validationError([
    {
      field: 'logisticsNo',
      rule: 's10CheckDigit',
      message: bi(
        `运单号 ${no} 为万国邮联 S10 邮件号格式（2 字母 + 9 位数字 + 2 字母），但第 11 位校验位 ${no[10]} 错误，应为 ${c.expected}：请重新扫描`,
        `waybill number ${no} has the UPU S10 form (2 letters, 9 digits, 2 letters) but its check digit (11th character) ${no[10]} is wrong, expected ${c.expected}: scan again`,
      ),
      value: no,
    },
  ]);
}

/**
 * A scanned number that several carriers' parcels bear (409): nothing is done; the operator
 * chooses the carrier among `candidates` and scans again naming it (`logisticsCode`).
 */
function chooseCarrier(no: string, candidates: CarrierCandidate[]): DomainError {
  const codes = candidates.map((c) => c.logisticsCode);
  return new DomainError(
    'warehouse.conflict',
    bi(
      `运单号 ${no} 同时属于多家承运商的包裹（${codes.join('、')}），请选择承运商后重新扫描`,
      `waybill number ${no} is borne by parcels of several carriers (${codes.join(', ')}): choose the carrier and scan again`,
    ),
    {
      reason: 'choose_carrier',
      logisticsNo: no,
      candidates,
      errors: candidates.map((c) => ({
        field: 'logisticsCode',
        rule: 'choose',
        message: bi(
          `承运商 ${c.logisticsCode}${c.logisticsName ? `（${c.logisticsName}）` : ''}${c.invtNo ? `，清单 ${c.invtNo}` : ''}`,
          `carrier ${c.logisticsCode}${c.logisticsName ? ` (${c.logisticsName})` : ''}${c.invtNo ? `, inventory ${c.invtNo}` : ''}`,
        ),
        value: c,
      })),
    },
  );
}

function candidatesOf(rows: ParcelRow[], declared: DeclaredParcel[]): CarrierCandidate[] {
  const codes = [...new Set([...rows.map((r) => r.logistics_code), ...declared.map((d) => d.logisticsCode)])].sort();
  return codes.map((code) => {
    const d = declared.find((x) => x.logisticsCode === code);
    return {
      logisticsCode: code,
      logisticsName: d?.logisticsName ?? null,
      invtNo: d?.invtNo ?? null,
      customsStatus: d?.status ?? null,
      atCentre: rows.find((r) => r.logistics_code === code)?.status ?? null,
    };
  });
}

/**
 * Which carrier's parcel a scan means: the one the scan names; else the one booked to this centre
 * under that number; else the only carrier that this centre or customs knows the number of.
 * Several: the operator chooses (409 with the candidates); none: the carrier must be named.
 */
function carrierOfScan(no: string, given: string | undefined, rows: ParcelRow[], declared: DeclaredParcel[]): string {
  if (given) return given;
  const booked = [...new Set(rows.filter((r) => r.status === 'expected').map((r) => r.logistics_code))];
  if (booked.length === 1) return booked[0]!;
  const candidates = candidatesOf(rows, declared);
  if (candidates.length === 1) return candidates[0]!.logisticsCode;
  if (candidates.length > 1) throw chooseCarrier(no, candidates);
  throw validationError([
    {
      field: 'logisticsCode',
      rule: 'required',
      message: bi(`包裹 ${no} 未预约也未申报：请选择承运商`, `parcel ${no} is neither booked nor declared: name its carrier`),
    },
  ]);
}

/** The inspection-station hold a scan leaves on the parcel: set while the task is open, cleared once it is not. */
function holdOf(
  c: ParcelCustoms,
  row: ParcelRow | undefined,
  now: Date,
): Pick<ParcelRow, 'held_at' | 'held_inventory_id' | 'held_task_id'> {
  if (!atInspection(c.facts)) return { held_at: null, held_inventory_id: null, held_task_id: null };
  return {
    held_at: row?.held_at ?? now,
    held_inventory_id: c.declared!.documentId,
    held_task_id: c.task?.id ?? null,
  };
}

export type WarehouseService = ReturnType<typeof createWarehouseService>;

/** Bookings, receiving, put-away, sorting, labels and stock counts of the supervision centre. */
export function createWarehouseService(deps: WarehouseDeps) {
  const { db, clock, audit } = deps;
  const gate = createCustomsGate({ db, inspection: deps.inspection });

  /** The parcel a scan means at this centre, locked; several carriers' parcels under the number: the operator chooses. */
  async function locked(
    trx: Parameters<typeof createWarehouseRepository>[0],
    whId: string,
    no: string,
    logisticsCode?: string,
  ): Promise<ParcelRow> {
    const rows = (await createWarehouseRepository(trx).parcelsNumbered(whId, no, true)).filter(
      (r) => !logisticsCode || r.logistics_code === logisticsCode,
    );
    if (!rows.length) throw notFound(bi(`包裹 ${no}（未入库）`, `parcel ${no} (not received)`));
    if (rows.length > 1) throw chooseCarrier(no, candidatesOf(rows, await gate.declaredByNo([no])));
    return rows[0]!;
  }

  async function setActive(p: Principal | null, input: string, active: boolean): Promise<StockLocation> {
    requirePermission(p, 'warehouse.operate');
    const wh = warehouseOf(p);
    const code = normaliseScan(input);
    return db.transaction().execute(async (trx) => {
      const repo = createWarehouseRepository(trx);
      const before = await repo.location(wh.id, code, 'update');
      if (!before) throw notFound(bi(`库位 ${code}`, `location ${code}`));
      if (before.active === active)
        throw new DomainError(
          'warehouse.invalid_state',
          active
            ? bi(`库位 ${code} 已在使用中`, `location ${code} is already in use`)
            : bi(`库位 ${code} 已停用`, `location ${code} is already retired`),
          { location: code, active },
        );
      const parcels = await repo.stockAt(wh.id, code, IN_STOCK);
      if (!active && parcels > 0)
        throw new DomainError(
          'warehouse.invalid_state',
          bi(
            `库位 ${code} 仍有 ${parcels} 件在库包裹，不能停用：请先将包裹上架到其他库位`,
            `location ${code} still holds ${parcels} parcel(s) in stock and cannot be retired: put them away elsewhere first`,
          ),
          { location: code, parcels },
        );
      const after = await repo.setLocationActive(wh.id, code, active);
      await audit.append(trx, actorOf(p), [
        {
          action: active ? 'warehouse.location_activated' : 'warehouse.location_deactivated',
          entity: 'warehouse_location',
          entityId: wh.id,
          before: { code, zone: before.zone, active: before.active },
          after: { code, zone: after.zone, active: after.active },
        },
      ]);
      return { code, zone: after.zone, parcels, active: after.active };
    });
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
            held_at: null,
            held_inventory_id: null,
            held_task_id: null,
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
      const problems = locations
        .filter((l) => !LOCATION.test(l.code))
        .map((l) => ({
          field: 'code',
          rule: 'pattern',
          message: bi('库位码须为 1–20 位大写字母、数字或 -', 'a location code is 1–20 capitals, digits or -'),
          value: l.code,
        }));
      // one statement upserts the list: a code twice in it would be written twice (a 500, not a 400)
      const twice = [...new Set(locations.map((l) => l.code).filter((c, i, all) => all.indexOf(c) !== i))];
      problems.push(
        ...twice.map((c) => ({
          field: 'code',
          rule: 'unique',
          message: bi(`库位码 ${c} 在列表中重复`, `location code ${c} appears more than once in the list`),
          value: c,
        })),
      );
      if (problems.length) throw validationError(problems);
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

    /**
     * The registered locations, with the parcels in stock at each: the active ones are the choices
     * of put-away; `all` adds the retired ones (the locations screen).
     */
    async listLocations(p: Principal | null, q: { all?: boolean } = {}): Promise<StockLocation[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return (await createWarehouseRepository(db).locationsWithStock(wh.id, IN_STOCK, q.all)).map((l) => ({
        code: l.code,
        zone: l.zone,
        parcels: l.parcels ?? 0,
        active: l.active,
      }));
    },

    /**
     * Retires a location: it is no longer a put-away choice. Refused while parcels in stock are
     * put away there (the shelf would hold parcels nobody may put away to or find in the list);
     * another centre's location is not found.
     */
    async deactivateLocation(p: Principal | null, code: string): Promise<StockLocation> {
      return setActive(p, code, false);
    },

    /** Brings a retired location back into use. */
    async activateLocation(p: Principal | null, code: string): Promise<StockLocation> {
      return setActive(p, code, true);
    },

    async listParcels(p: Principal | null, q: { status?: ParcelStatus }): Promise<WarehouseParcel[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return (await createWarehouseRepository(db).parcels(wh.id, q.status ? { status: [q.status] } : {})).map(toParcel);
    },

    /**
     * Receiving by scan, also at the inspection station. The parcel is one carrier's (carrier +
     * number): the one the scan names, the one booked here, or the only one customs or the centre
     * knows under the number; when several carriers' parcels bear it, nothing is done and the
     * operator chooses (409 with the candidates). Its customs declaration is that carrier's. A
     * parcel whose inspection task is open is held at the inspection station, and the answer
     * carries the task for the floor screen; the hold ends when the task is completed. Scanning
     * a parcel twice changes nothing else.
     */
    async receive(p: Principal | null, input: { logisticsNo: string; logisticsCode?: string }): Promise<ReceiveResult> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const given = input.logisticsCode?.trim() || undefined;
      const [declaredAll, known] = await Promise.all([
        gate.declaredByNo([no]),
        createWarehouseRepository(db).parcelsNumbered(wh.id, no),
      ]);
      // a parcel customs or the centre knows under this number is that parcel; an unknown number
      // with the S10 form must have its check digit right (a misread scan otherwise)
      if (!declaredAll.length && !known.length) refuseBadS10(no);
      const code = carrierOfScan(no, given, known, declaredAll);
      const [customs] = await gate.customsOf([{ logisticsCode: code, logisticsNo: no }]);
      const { declared, task } = customs!;
      const now = clock.now();
      const outcome = await db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const existing = await repo.parcel(wh.id, code, no, true);
        const hold = holdOf(customs!, existing, now);
        const base = {
          booked: !!existing?.booking_id,
          declared: !!declared,
          invtNo: declared?.invtNo ?? null,
          customsStatus: declared?.status ?? null,
          inspection: task?.status ?? null,
          held: hold.held_at !== null,
          inspectionTask:
            task && task.status === 'open'
              ? {
                  id: task.id,
                  status: task.status,
                  agencies: task.agencies,
                  joint: task.agencies.length > 1,
                  pending: task.pending,
                  createdAt: task.createdAt.toISOString(),
                }
              : null,
        };
        if (existing && existing.status !== 'expected') {
          // a repeated scan: only the inspection-station hold may change
          if (existing.held_at?.getTime() === hold.held_at?.getTime() && existing.held_task_id === hold.held_task_id)
            return { result: { ...base, parcel: toParcel(existing), repeated: true }, tracked: null };
          const held = await repo.updateParcel(existing.id, { ...hold, updated_at: now });
          await audit.append(trx, actorOf(p), [
            {
              action: hold.held_at ? 'warehouse.parcel_held' : 'warehouse.parcel_hold_released',
              entity: 'warehouse_parcel',
              entityId: existing.id,
              before: toParcel(existing),
              after: toParcel(held),
            },
          ]);
          return { result: { ...base, parcel: toParcel(held), repeated: true }, tracked: null };
        }
        const row = existing
          ? await repo.updateParcel(existing.id, {
              status: nextStatus(no, existing.status, 'receive'),
              received_at: now,
              ...hold,
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
              ...hold,
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

    async putAway(
      p: Principal | null,
      input: { logisticsNo: string; location: string; logisticsCode?: string },
    ): Promise<WarehouseParcel> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = scanned('logisticsNo', input.logisticsNo);
      const location = normaliseScan(input.location);
      return db.transaction().execute(async (trx) => {
        // locked for share: a retirement of the location waits for this put-away, or this one sees it retired
        const at = await createWarehouseRepository(trx).location(wh.id, location, 'share');
        if (!at || !at.active)
          throw validationError([
            {
              field: 'location',
              rule: at ? 'active' : 'exists',
              message: at
                ? bi(`库位 ${location} 已停用，请选择其他库位`, `location ${location} is retired: choose another`)
                : bi(`库位 ${location} 未登记`, `location ${location} is not registered`),
              value: location,
            },
          ]);
        const row = await locked(trx, wh.id, no, input.logisticsCode);
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
    async sort(
      p: Principal | null,
      input: { logisticsNo: string; route: string; logisticsCode?: string },
    ): Promise<WarehouseParcel> {
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
        const row = await locked(trx, wh.id, no, input.logisticsCode);
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
    async label(p: Principal | null, logisticsNo: string, logisticsCode?: string): Promise<Buffer> {
      requirePermission(p, 'warehouse.book');
      const org = p.organisation;
      if (!org) throw forbidden();
      const no = normaliseScan(logisticsNo);
      const rows = (await createWarehouseRepository(db).parcelsByNos([no])).filter(
        (r) =>
          (r.warehouse_org_id === org.id || r.seller_org_id === org.id) && (!logisticsCode || r.logistics_code === logisticsCode),
      );
      const declaredAll = await gate.declaredByNo([no]);
      if (rows.length > 1) throw chooseCarrier(no, candidatesOf(rows, declaredAll));
      const row = rows[0];
      if (!row) throw notFound(bi(`包裹 ${no}`, `parcel ${no}`));
      const declared = declaredAll.find((d) => d.logisticsCode === row.logistics_code);
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
          discrepancies: null,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.count_started', entity: 'stock_count', entityId: c.id, after: c },
        ]);
        return c;
      });
      return { ...toCount(row, 0), discrepancies: [] };
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
      return { scanned: await repo.countScanCount(id) };
    },

    /**
     * Closes a count; the discrepancy list compares the scans with the whole stock (in the
     * database, no row cap) and is stored with the count, to be read back.
     */
    async closeCount(p: Principal | null, id: string): Promise<StockCount> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const c = await repo.count(id, true);
        if (!c || c.warehouse_org_id !== wh.id) throw notFound(bi('盘点', 'stock count'));
        if (c.status !== 'open') throw new DomainError('warehouse.invalid_state', bi('盘点已结束', 'the stock count is closed'));
        const closed = await repo.closeCount(c, IN_STOCK, clock.now());
        const discrepancies = closed.discrepancies ?? [];
        const scanned = await repo.countScanCount(id);
        const byKind = { missing: 0, unexpected: 0, misplaced: 0 };
        for (const d of discrepancies) byKind[d.kind] += 1;
        await audit.append(trx, actorOf(p), [
          { action: 'warehouse.count_closed', entity: 'stock_count', entityId: id, after: { scanned, ...byKind } },
        ]);
        return { ...toCount(closed, scanned), discrepancies };
      });
    },

    /** The centre's stock counts, newest first (open ones to resume, closed ones to read). */
    async listCounts(p: Principal | null, q: { status?: 'open' | 'closed' }): Promise<StockCountSummary[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return (await createWarehouseRepository(db).counts(wh.id, q.status)).map((c) => ({
        ...toCount(c, c.scanned ?? 0),
        discrepancyCount: c.discrepancy_count,
      }));
    },

    /** One count with its stored discrepancy list; another centre's count is not found. */
    async getCount(p: Principal | null, id: string): Promise<StockCount> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const repo = createWarehouseRepository(db);
      const c = await repo.count(id);
      if (!c || c.warehouse_org_id !== wh.id) throw notFound(bi('盘点', 'stock count'));
      return { ...toCount(c, await repo.countScanCount(id)), discrepancies: c.discrepancies ?? [] };
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
