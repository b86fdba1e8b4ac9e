import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { parcelCustomsLookup } from '../clearance/index.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createCustomsGate } from './customs-gate.service.ts';
import { arrivalMessage, bagNo, cebTime, normaliseScan } from './rules/arrival.rules.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';
import {
  bi,
  customsRefusal,
  nextStatus,
  toBag,
  toParcel,
  warehouseOf,
  type Bag,
  type WarehouseDeps,
  type WarehouseParcel,
} from './warehouse.shared.ts';
import type { BagRow, DispatchRow, PackageKind } from './warehouse.tables.ts';

export interface OpenBagInput {
  /** bag (parcels) or pallet (closed bags); bag unless named */
  kind?: PackageKind;
  route?: string;
  logisticsCode?: string;
  /** scan-first: the bag takes this parcel's carrier and (unless typed) its route */
  logisticsNo?: string;
  /** scan-first for a pallet: it takes this bag's carrier and (unless typed) its route */
  bagNo?: string;
}

export interface DispatchInput {
  bagIds: string[];
  domesticTrafNo: string;
  billNo?: string;
  trafMode?: string;
}

export interface Dispatch {
  id: string;
  copNo: string;
  logisticsCode: string;
  billNo: string | null;
  domesticTrafNo: string;
  arrivalDocumentId: string | null;
  preNo: string | null;
  returnStatus: string;
  returnInfo: string;
  parcelCount: number;
  bagNos: string[];
  createdAt: string;
}

/** CEB transport modes a dispatch may leave by (GACC code table: 2 sea, 3 rail, 4 road, 5 air). */
const TRAF_MODES = ['2', '3', '4', '5'];

export const toDispatch = (r: DispatchRow, bagNos: string[]): Dispatch => ({
  id: r.id,
  copNo: r.cop_no,
  logisticsCode: r.logistics_code,
  billNo: r.bill_no,
  domesticTrafNo: r.domestic_traf_no,
  arrivalDocumentId: r.arrival_document_id,
  preNo: r.pre_no,
  returnStatus: r.return_status,
  returnInfo: r.return_info,
  parcelCount: r.parcel_count,
  bagNos,
  createdAt: r.created_at.toISOString(),
});

/** The number a parcel's package is known by in the arrival: its pallet's when its bag is on one. */
function topLevelNos(bags: BagRow[]): Map<string, string> {
  const noOf = new Map(bags.map((b) => [b.id, b.bag_no]));
  return new Map(bags.map((b) => [b.id, (b.pallet_id && noOf.get(b.pallet_id)) || b.bag_no]));
}

/** The packages a dispatch counts (totalPackageNo): pallets and the bags not on a pallet. */
export const topLevelBagNos = (bags: BagRow[]): string[] =>
  bags
    .filter((b) => !b.pallet_id)
    .map((b) => b.bag_no)
    .sort();

const ROUTE = /^[A-Z0-9-]{2,20}$/;

export type DispatchService = ReturnType<typeof createDispatchService>;

/** Bags (totalPackageNo) and dispatch: the arrival (CEB507) goes to customs through the ArrivalPort. */
export function createDispatchService(deps: WarehouseDeps) {
  const { db, clock, audit, arrivals } = deps;
  const gate = createCustomsGate({ db, inspection: deps.inspection });

  /**
   * The WayBillList of dispatches: per parcel its bag (totalPackageNo) and, once declared, its
   * inventory number; `mayShow` filters by the parties of the parcel's inventory.
   */
  async function handoverLines(dispatches: DispatchRow[], mayShow: (parties: string[]) => boolean) {
    const repo = createWarehouseRepository(db);
    const bags = await repo.bagsOfDispatches(dispatches.map((d) => d.id));
    const parcels = await repo.parcelsInBags(bags.map((b) => b.id));
    const carrierOf = new Map(dispatches.map((d) => [d.id, d.logistics_code]));
    const dispatchOf = new Map(bags.map((b) => [b.id, b.dispatch_id!]));
    const declared = new Map(
      (await parcelCustomsLookup(db).declared(parcels.map((x) => x.logistics_no))).map((x) => [x.waybillKey, x]),
    );
    const bagNoOf = topLevelNos(bags);
    return parcels
      .map((x) => {
        const inv = declared.get(`${carrierOf.get(dispatchOf.get(x.bag_id!)!)}|${x.logistics_no}`);
        return { totalPackageNo: bagNoOf.get(x.bag_id!)!, logisticsNo: x.logistics_no, invtNo: inv?.invtNo ?? null, inv };
      })
      .filter((l) => mayShow(l.inv?.parties ?? []))
      .sort((a, b) => a.totalPackageNo.localeCompare(b.totalPackageNo) || a.logisticsNo.localeCompare(b.logisticsNo))
      .map((l, i) => ({ gnum: String(i + 1), totalPackageNo: l.totalPackageNo, logisticsNo: l.logisticsNo, invtNo: l.invtNo }));
  }

  return {
    /**
     * Opens a bag (for parcels) or a pallet (for closed bags) for one carrier and route. Scan-first:
     * the first parcel scanned (`logisticsNo`) gives a bag its carrier and, unless typed, its route;
     * the first bag scanned (`bagNo`) does the same for a pallet. Numbers count per China day and
     * kind (BG… bags, PL… pallets); a centre's numbering is serialised, so clerks opening at once
     * get distinct numbers.
     */
    async openBag(p: Principal | null, input: OpenBagInput): Promise<Bag> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const kind: PackageKind = input.kind ?? 'bag';
      const repo = createWarehouseRepository(db);
      let route = input.route?.trim().toUpperCase() ?? '';
      let carrier = input.logisticsCode?.trim() ?? '';
      if (kind === 'bag' && input.logisticsNo) {
        const no = normaliseScan(input.logisticsNo);
        const rows = (await repo.parcelsNumbered(wh.id, no)).filter((r) => !carrier || r.logistics_code === carrier);
        if (!rows.length) throw notFound(bi(`包裹 ${no}（未入库）`, `parcel ${no} (not received)`));
        if (rows.length > 1)
          throw new DomainError(
            'warehouse.conflict',
            bi(
              `运单号 ${no} 同时属于多家承运商的包裹（${rows.map((r) => r.logistics_code).join('、')}），请输入承运商后开袋`,
              `waybill number ${no} is borne by parcels of several carriers (${rows.map((r) => r.logistics_code).join(', ')}): name the carrier to open the bag`,
            ),
            {
              errors: rows.map((r) => ({
                field: 'logisticsCode',
                rule: 'choose',
                message: bi(`承运商 ${r.logistics_code}`, `carrier ${r.logistics_code}`),
                value: r.logistics_code,
              })),
            },
          );
        carrier = rows[0]!.logistics_code;
        route ||= rows[0]!.route ?? '';
        if (!route)
          throw validationError([
            {
              field: 'route',
              rule: 'required',
              message: bi(
                `包裹 ${no} 尚未分拣到线路：请先分拣，或输入线路后扫描`,
                `parcel ${no} is not sorted to a route: sort it first, or type the route and scan again`,
              ),
              value: no,
            },
          ]);
      } else if (kind === 'pallet' && input.bagNo) {
        const no = normaliseScan(input.bagNo);
        const bag = await repo.bagByNo(wh.id, no);
        if (!bag || bag.kind !== 'bag') throw notFound(bi(`袋 ${no}`, `bag ${no}`));
        carrier = bag.logistics_code;
        route ||= bag.route;
      }
      const problems = [];
      if (!ROUTE.test(route))
        problems.push({
          field: 'route',
          rule: route ? 'pattern' : 'required',
          message: bi('线路须为 2–20 位字母、数字或 -', 'a route is 2–20 letters, digits or -'),
          value: input.route ?? '',
        });
      if (!carrier)
        problems.push({
          field: 'logisticsCode',
          rule: 'required',
          message: bi('须填写承运商代码，或先扫描一件包裹', 'name the carrier, or scan a parcel first'),
          value: '',
        });
      if (problems.length) throw validationError(problems);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        // numbers count per China day and kind; one clerk numbers at a time per centre
        await repo.lockBagNumbering(wh.id);
        const dayStart = new Date(Math.floor((now.getTime() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000);
        const seq = (await repo.bagCount(wh.id, dayStart, kind)) + 1;
        const bag = await repo.insertBag({
          id: newId(),
          warehouse_org_id: wh.id,
          kind,
          pallet_id: null,
          bag_no: bagNo(wh.code, now, seq, kind === 'pallet' ? 'PL' : 'BG'),
          route,
          logistics_code: carrier,
          status: 'open',
          dispatch_id: null,
          created_at: now,
          closed_at: null,
        });
        await audit.append(trx, actorOf(p), [
          {
            action: kind === 'pallet' ? 'warehouse.pallet_opened' : 'warehouse.bag_opened',
            entity: 'warehouse_bag',
            entityId: bag.id,
            after: toBag(bag),
          },
        ]);
        return toBag(bag);
      });
    },

    async listBags(p: Principal | null, q: { status?: 'open' | 'closed' | 'dispatched'; topLevel?: boolean }): Promise<Bag[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return (
        await createWarehouseRepository(db).bags(wh.id, {
          ...(q.status ? { status: q.status } : {}),
          ...(q.topLevel ? { topLevel: true } : {}),
        })
      ).map(toBag);
    },

    /**
     * Packing by scan: the parcel goes into the open bag; a bag holds one carrier's parcels of one
     * route, so the bag's carrier says which parcel the number means. Customs must let it move
     * (declared, live, not at the inspection station): otherwise 409 naming the waybill number
     * and the reason, and nothing changes.
     */
    async pack(p: Principal | null, bagId: string, logisticsNo: string): Promise<{ bag: Bag; parcel: WarehouseParcel }> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = normaliseScan(logisticsNo);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const bag = await repo.bag(bagId, true);
        if (!bag || bag.warehouse_org_id !== wh.id) throw notFound(bi('袋', 'bag'));
        if (bag.kind === 'pallet')
          throw new DomainError(
            'warehouse.conflict',
            bi(
              `${bag.bag_no} 是板，只装已封的袋：请扫描袋号`,
              `${bag.bag_no} is a pallet and takes closed bags: scan a bag number`,
            ),
            { field: 'logisticsNo', kind: bag.kind },
          );
        if (bag.status !== 'open')
          throw new DomainError('warehouse.invalid_state', bi(`袋 ${bag.bag_no} 已封袋`, `bag ${bag.bag_no} is not open`), {
            state: bag.status,
          });
        const row = await repo.parcel(wh.id, bag.logistics_code, no, true);
        if (!row) {
          const others = (await repo.parcelsNumbered(wh.id, no)).map((r) => r.logistics_code);
          if (others.length)
            throw new DomainError(
              'warehouse.conflict',
              bi(
                `包裹 ${no} 的承运商（${others.join('、')}）与袋（${bag.logistics_code}）不同`,
                `parcel ${no} belongs to another carrier (${others.join(', ')}) than the bag (${bag.logistics_code})`,
              ),
              { parcel: others, bag: bag.logistics_code },
            );
          throw notFound(bi(`包裹 ${no}（未入库）`, `parcel ${no} (not received)`));
        }
        const [refused] = await gate.refusals('pack', [{ logisticsCode: row.logistics_code, logisticsNo: no }]);
        if (refused) throw customsRefusal('pack', [refused]);
        if (row.route && row.route !== bag.route)
          throw new DomainError(
            'warehouse.conflict',
            bi(
              `包裹 ${no} 分拣到线路 ${row.route}，袋为 ${bag.route}`,
              `parcel ${no} is sorted to ${row.route}, the bag goes to ${bag.route}`,
            ),
          );
        const now = clock.now();
        const updated = await repo.updateParcel(row.id, {
          status: nextStatus(no, row.status, 'pack'),
          bag_id: bag.id,
          route: bag.route,
          // customs lets it move: a hold left from the inspection station is over
          held_at: null,
          held_inventory_id: null,
          held_task_id: null,
          updated_at: now,
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.parcel_packed',
            entity: 'warehouse_parcel',
            entityId: row.id,
            before: toParcel(row),
            after: toParcel(updated),
          },
        ]);
        return { bag: toBag((await repo.bagWithCount(bag.id)) ?? bag), parcel: toParcel(updated) };
      });
    },

    /**
     * Takes a parcel out of a bag that has not left (open or closed): back to sorted, for a
     * parcel customs does not let go (a refused dispatch names it) or a mistake. The bag keeps
     * its state; an emptied bag cannot be dispatched.
     */
    async unpack(p: Principal | null, bagId: string, logisticsNo: string): Promise<{ bag: Bag; parcel: WarehouseParcel }> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = normaliseScan(logisticsNo);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const bag = await repo.bag(bagId, true);
        if (!bag || bag.warehouse_org_id !== wh.id) throw notFound(bi('袋', 'bag'));
        if (bag.status === 'dispatched')
          throw new DomainError('warehouse.invalid_state', bi(`袋 ${bag.bag_no} 已出库`, `bag ${bag.bag_no} has left`), {
            state: bag.status,
          });
        const row = await repo.parcel(wh.id, bag.logistics_code, no, true);
        if (!row || row.bag_id !== bag.id)
          throw notFound(bi(`袋 ${bag.bag_no} 中的包裹 ${no}`, `parcel ${no} in bag ${bag.bag_no}`));
        const now = clock.now();
        const updated = await repo.updateParcel(row.id, {
          status: nextStatus(no, row.status, 'unpack'),
          bag_id: null,
          updated_at: now,
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.parcel_unpacked',
            entity: 'warehouse_parcel',
            entityId: row.id,
            before: toParcel(row),
            after: toParcel(updated),
          },
        ]);
        return { bag: toBag((await repo.bagWithCount(bag.id)) ?? bag), parcel: toParcel(updated) };
      });
    },

    /**
     * Loading by scan: a closed bag goes onto the open pallet. A pallet takes one carrier's bags
     * of one route; a bag is on one pallet at most, and leaves with it.
     */
    async loadBag(p: Principal | null, palletId: string, scannedBagNo: string): Promise<{ pallet: Bag; bag: Bag }> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const no = normaliseScan(scannedBagNo);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const found = await repo.bagByNo(wh.id, no);
        const pallet0 = await repo.bag(palletId);
        if (!pallet0 || pallet0.warehouse_org_id !== wh.id) throw notFound(bi('板', 'pallet'));
        if (!found) throw notFound(bi(`袋 ${no}`, `bag ${no}`));
        // both locked in number order, as a dispatch locks them
        const lockedRows = await repo.bagsByIds([...new Set([palletId, found.id])]);
        const pallet = lockedRows.find((b) => b.id === palletId)!;
        const bag = lockedRows.find((b) => b.id === found.id)!;
        const refuse = (zh: string, en: string, rule: string) =>
          new DomainError('warehouse.conflict', bi(zh, en), {
            errors: [{ field: 'bagNo', rule, message: bi(zh, en), value: no }],
          });
        if (pallet.kind !== 'pallet') throw refuse(`${pallet.bag_no} 不是板`, `${pallet.bag_no} is not a pallet`, 'kind');
        if (pallet.status !== 'open')
          throw new DomainError(
            'warehouse.invalid_state',
            bi(`板 ${pallet.bag_no} 已封板`, `pallet ${pallet.bag_no} is not open`),
            {
              state: pallet.status,
            },
          );
        if (bag.kind !== 'bag') throw refuse(`${no} 是板，不能装到板上`, `${no} is a pallet: it cannot go onto a pallet`, 'kind');
        if (bag.pallet_id === pallet.id)
          return { pallet: toBag((await repo.bagWithCount(pallet.id))!), bag: toBag((await repo.bagWithCount(bag.id))!) };
        if (bag.pallet_id) throw refuse(`袋 ${no} 已在另一块板上`, `bag ${no} is on another pallet`, 'onPallet');
        if (bag.status !== 'closed')
          throw refuse(
            bag.status === 'open' ? `袋 ${no} 未封袋：先封袋再装板` : `袋 ${no} 已出库`,
            bag.status === 'open' ? `bag ${no} is open: close it before loading` : `bag ${no} has left`,
            'status',
          );
        if (bag.logistics_code !== pallet.logistics_code)
          throw refuse(
            `袋 ${no} 的承运商（${bag.logistics_code}）与板（${pallet.logistics_code}）不同`,
            `bag ${no} belongs to another carrier (${bag.logistics_code}) than the pallet (${pallet.logistics_code})`,
            'carrier',
          );
        if (bag.route !== pallet.route)
          throw refuse(
            `袋 ${no} 的线路 ${bag.route} 与板的线路 ${pallet.route} 不同`,
            `bag ${no} goes to ${bag.route}, the pallet to ${pallet.route}`,
            'route',
          );
        await repo.updateBags([bag.id], { pallet_id: pallet.id });
        await audit.append(trx, actorOf(p), [
          {
            action: 'warehouse.bag_loaded',
            entity: 'warehouse_bag',
            entityId: bag.id,
            before: { palletId: null },
            after: { palletId: pallet.id, palletNo: pallet.bag_no },
          },
        ]);
        return { pallet: toBag((await repo.bagWithCount(pallet.id))!), bag: toBag((await repo.bagWithCount(bag.id))!) };
      });
    },

    async closeBag(p: Principal | null, bagId: string): Promise<Bag> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const bag = await repo.bag(bagId, true);
        if (!bag || bag.warehouse_org_id !== wh.id) throw notFound(bi('袋', 'bag'));
        if (bag.status !== 'open')
          throw new DomainError('warehouse.invalid_state', bi(`袋 ${bag.bag_no} 已封袋`, `bag ${bag.bag_no} is not open`));
        const counted = (await repo.bagWithCount(bagId))!;
        if (bag.kind === 'pallet' ? !counted.bag_count : !counted.parcel_count)
          throw new DomainError(
            'warehouse.invalid_state',
            bag.kind === 'pallet'
              ? bi(`板 ${bag.bag_no} 上没有袋`, `pallet ${bag.bag_no} holds no bags`)
              : bi(`袋 ${bag.bag_no} 是空袋`, `bag ${bag.bag_no} is empty`),
          );
        const now = clock.now();
        await repo.updateBags([bagId], { status: 'closed', closed_at: now });
        await audit.append(trx, actorOf(p), [
          {
            action: bag.kind === 'pallet' ? 'warehouse.pallet_closed' : 'warehouse.bag_closed',
            entity: 'warehouse_bag',
            entityId: bagId,
            after: { parcels: counted.parcel_count, bags: counted.bag_count },
          },
        ]);
        return toBag({ ...counted, status: 'closed', closed_at: now });
      });
    },

    /**
     * What the declaring agent's total-sub bill (CEB607) needs from a dispatch: the master bill,
     * the carrier and, per parcel, its bag (totalPackageNo) and inventory number — the
     * WayBillList as the CEB607 spec names its fields.
     */
    async waybillList(p: Principal | null, id: string) {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const repo = createWarehouseRepository(db);
      const d = await repo.dispatch(wh.id, id);
      if (!d) throw notFound(bi('出库记录', 'dispatch'));
      const lines = await handoverLines([d], () => true);
      return { copNo: d.cop_no, billNo: d.bill_no, logisticsCode: d.logistics_code, WayBillList: lines };
    },

    /**
     * The same list for whoever files the total-sub bill (CEB607): the declaring agent or seller
     * asks by master bill number and gets the parcels of every dispatch on that bill whose
     * inventory names it — never another party's parcels, and 404 when it has none there.
     */
    async waybillListForDeclarant(p: Principal | null, billNo: string) {
      requirePermission(p, 'ceb.submit');
      const orgId = p!.organisation?.id;
      if (!orgId) throw notFound(bi('提单', 'bill'));
      const dispatches = await createWarehouseRepository(db).dispatchesOnBill(billNo);
      const lines = await handoverLines(dispatches, (parties) => parties.includes(orgId));
      if (lines.length === 0) throw notFound(bi('提单', 'bill'));
      const carriers = [...new Set(dispatches.map((d) => d.logistics_code))];
      return { billNo, logisticsCode: carriers.length === 1 ? carriers[0]! : null, WayBillList: lines };
    },

    async listDispatches(p: Principal | null): Promise<Dispatch[]> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const repo = createWarehouseRepository(db);
      const rows = await repo.dispatches(wh.id);
      const bags = await repo.bagsOfDispatches(rows.map((r) => r.id));
      return rows.map((r) => toDispatch(r, topLevelBagNos(bags.filter((b) => b.dispatch_id === r.id))));
    },

    /**
     * Dispatch: the bags are claimed, the arrival (CEB507) naming every parcel with its bag goes
     * to clearance intake as the supervision centre, and the bags leave only if customs accepted
     * it; a rejected arrival puts them back (closed) with the receipt text.
     *
     * All or nothing: the bags leave together in one arrival, so when customs does not let one of
     * their parcels move (not declared, rejected or cancelled, not yet checked, at the inspection
     * station), the dispatch is refused as a whole (409) listing every such parcel with its bag
     * and reason, and nothing changes; the floor takes those parcels out (unpack) and dispatches
     * again.
     */
    async dispatch(p: Principal | null, input: DispatchInput, requestId?: string): Promise<Dispatch> {
      requirePermission(p, 'warehouse.operate');
      const wh = warehouseOf(p);
      const trafMode = input.trafMode ?? '5';
      const problems = [];
      if (!input.bagIds.length)
        problems.push({ field: 'bagIds', rule: 'minItems', message: bi('至少选择一个袋', 'choose at least one bag') });
      if (!input.domesticTrafNo.trim())
        problems.push({
          field: 'domesticTrafNo',
          rule: 'required',
          message: bi('须填写国内运输工具编号（车牌）', 'domesticTrafNo (truck plate) is required'),
        });
      if (!TRAF_MODES.includes(trafMode))
        problems.push({
          field: 'trafMode',
          rule: 'codeTable',
          message: bi('运输方式须为 2/3/4/5', 'trafMode must be 2, 3, 4 or 5'),
          value: trafMode,
        });
      if (!wh.jurisdiction || !/^\d{4}$/.test(wh.jurisdiction))
        problems.push({
          field: 'customsCode',
          rule: 'required',
          message: bi('监管中心没有主管海关', 'the centre has no competent customs office'),
        });
      if (problems.length) throw validationError(problems);
      const now = clock.now();
      const dispatchId = newId();
      const copNo = `D${wh.code.slice(-4)}${cebTime(now).slice(0, 12)}${dispatchId.replace(/-/g, '').slice(-4).toUpperCase()}`;

      const claimed = await db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        const requested = await repo.bagsByIds([...new Set(input.bagIds)]);
        if (requested.length !== new Set(input.bagIds).size || requested.some((b) => b.warehouse_org_id !== wh.id))
          throw notFound(bi('袋', 'bag'));
        // a pallet leaves with its bags; a bag on a pallet only with its pallet
        const palletIds = requested.filter((b) => b.kind === 'pallet').map((b) => b.id);
        const stray = requested.filter((b) => b.pallet_id && !palletIds.includes(b.pallet_id));
        if (stray.length)
          throw new DomainError(
            'warehouse.conflict',
            bi(
              `袋已装板，须随板出库：${stray.map((b) => b.bag_no).join('、')}`,
              `bags on a pallet leave with their pallet: ${stray.map((b) => b.bag_no).join(', ')}`,
            ),
            {
              errors: stray.map((b) => ({
                field: 'bagIds',
                rule: 'onPallet',
                message: bi(`袋 ${b.bag_no} 已装板`, `bag ${b.bag_no} is on a pallet`),
                value: b.id,
              })),
            },
          );
        const onPallets = await repo.bagsOnPallets(palletIds);
        const bags = [...requested.filter((b) => !b.pallet_id), ...onPallets];
        const notReady = bags.filter((b) => b.status === 'dispatched');
        if (notReady.length)
          throw new DomainError(
            'warehouse.invalid_state',
            bi(
              `袋已出库：${notReady.map((b) => b.bag_no).join('、')}`,
              `bags already dispatched: ${notReady.map((b) => b.bag_no).join(', ')}`,
            ),
          );
        const carriers = [...new Set(bags.map((b) => b.logistics_code))];
        if (carriers.length !== 1)
          throw new DomainError(
            'warehouse.conflict',
            bi('一次出库的袋须属于同一承运商（一份运抵单）', 'bags dispatched together must share one carrier (one arrival)'),
            { carriers },
          );
        const parcels = await repo.parcelsInBags(bags.filter((b) => b.kind === 'bag').map((b) => b.id));
        const filled = new Set(parcels.map((x) => x.bag_id));
        const empty = bags.filter((b) => (b.kind === 'bag' ? !filled.has(b.id) : !onPallets.some((x) => x.pallet_id === b.id)));
        if (empty.length)
          throw new DomainError(
            'warehouse.invalid_state',
            bi(`空袋：${empty.map((b) => b.bag_no).join('、')}`, `empty bags: ${empty.map((b) => b.bag_no).join(', ')}`),
          );
        for (const x of parcels) nextStatus(x.logistics_no, x.status, 'dispatch');
        const refused = await gate.refusals(
          'dispatch',
          parcels.map((x) => ({ logisticsCode: x.logistics_code, logisticsNo: x.logistics_no })),
        );
        if (refused.length) {
          const bagOfParcel = new Map(parcels.map((x) => [`${x.logistics_code}|${x.logistics_no}`, x.bag_id!]));
          const bagNoOf = new Map(bags.map((b) => [b.id, b.bag_no]));
          throw customsRefusal(
            'dispatch',
            refused.map((r) => {
              const bagId = bagOfParcel.get(`${r.logisticsCode}|${r.logisticsNo}`)!;
              return { ...r, bagId, bagNo: bagNoOf.get(bagId)! };
            }),
          );
        }
        await repo.insertDispatch({
          id: dispatchId,
          warehouse_org_id: wh.id,
          cop_no: copNo,
          logistics_code: carriers[0]!,
          bill_no: input.billNo?.trim() || null,
          domestic_traf_no: input.domesticTrafNo.trim(),
          arrival_document_id: null,
          pre_no: null,
          return_status: 'pending',
          return_info: '',
          parcel_count: parcels.length,
          created_at: now,
        });
        await repo.updateBags(
          bags.map((b) => b.id),
          { status: 'dispatched', dispatch_id: dispatchId, closed_at: now },
        );
        return { bags, parcels, carrier: carriers[0]! };
      });

      const declared = await parcelCustomsLookup(db).declared(claimed.parcels.map((x) => x.logistics_no));
      const carrierName = declared.find((d) => d.waybillKey.startsWith(`${claimed.carrier}|`))?.logisticsName ?? claimed.carrier;
      // totalPackageNo: the parcel's top-level package (its pallet, else its bag)
      const bagOf = topLevelNos(claimed.bags);
      const bagNos = topLevelBagNos(claimed.bags);
      const message = arrivalMessage({
        messageGuid: newId().toUpperCase(),
        entityGuid: newId().toUpperCase(),
        now,
        customsCode: wh.jurisdiction!,
        copNo,
        operator: { code: wh.code, name: wh.name },
        logistics: { code: claimed.carrier, name: carrierName },
        billNo: input.billNo?.trim() || null,
        domesticTrafNo: input.domesticTrafNo.trim(),
        trafMode,
        parcels: claimed.parcels.map((x) => ({ logisticsNo: x.logistics_no, bagNo: bagOf.get(x.bag_id!)! })),
      });
      let outcome: Awaited<ReturnType<typeof arrivals.submit>>['entities'][number];
      try {
        const res = await arrivals.submit(await arrivals.asOrganisation(wh.id), message, requestId);
        outcome = res.entities[0]!;
      } catch (e) {
        const err = e as { code?: string; bilingual?: { zh: string; en: string }; message?: string };
        outcome = {
          index: 0,
          accepted: false,
          documentId: null,
          returnStatus: err.code ?? 'error',
          returnInfo: err.bilingual ? `${err.bilingual.zh} / ${err.bilingual.en}` : String(err.message),
        };
      }

      return db.transaction().execute(async (trx) => {
        const repo = createWarehouseRepository(trx);
        // the repair may have completed it meanwhile (a slow intake): its outcome stands
        const current = await repo.dispatchLocked(dispatchId);
        if (current && current.return_status !== 'pending') return toDispatch(current, bagNos);
        const bagIds = claimed.bags.map((b) => b.id);
        if (outcome.accepted) await repo.markDispatched(bagIds, now);
        else await repo.updateBags(bagIds, { status: 'closed', dispatch_id: null });
        const row = await repo.updateDispatch(dispatchId, {
          arrival_document_id: outcome.documentId,
          pre_no: outcome.preNo ?? null,
          return_status: outcome.returnStatus,
          return_info: outcome.returnInfo,
        });
        const view = toDispatch(row, bagNos);
        await audit.append(trx, actorOf(p), [
          {
            action: outcome.accepted ? 'warehouse.dispatched' : 'warehouse.dispatch_rejected',
            entity: 'warehouse_dispatch',
            entityId: dispatchId,
            after: view,
          },
        ]);
        return view;
      });
    },
  };
}
