import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, type FieldProblem } from '../../kernel/errors.ts';
import type { Principal } from '../identity/index.ts';
import { batchRefusal, type GateAction, type GateRefusal } from './rules/customs-gate.rules.ts';
import type { ArrivalPort, InspectionPort, SiteScanPort } from './warehouse.ports.ts';
import { parcelLifecycle, STATUS_LABELS, type ParcelEvent } from './warehouse.states.ts';
import type { BagRow, ParcelRow, ParcelStatus } from './warehouse.tables.ts';

export interface WarehouseDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  arrivals: ArrivalPort;
  /** optional: without it, scans are not put on the parcel's tracking */
  scans?: SiteScanPort;
  /**
   * optional: without it, a scan does not show the inspection task, and only the inventory's
   * lane (300, `inspect`) keeps a selected parcel at the inspection station
   */
  inspection?: InspectionPort;
}

export const bi = (zh: string, en: string) => ({ zh, en });

/** The supervision centre the caller works for. */
export function warehouseOf(p: Principal): { id: string; code: string; name: string; jurisdiction: string | null } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.includes('warehouse') || !org.code) throw forbidden();
  return { id: org.id, code: org.code, name: org.name, jurisdiction: org.jurisdiction };
}

const EVENT_ZH: Readonly<Record<ParcelEvent, string>> = {
  receive: '入库',
  sort: '分拣',
  pack: '装袋',
  unpack: '拆袋',
  dispatch: '出库',
};

export function nextStatus(logisticsNo: string, from: ParcelStatus, event: ParcelEvent): ParcelStatus {
  const t = parcelLifecycle.transition(from, event);
  if (t.ok) return t.to;
  throw new DomainError(
    'warehouse.invalid_state',
    bi(
      `包裹 ${logisticsNo} 处于“${STATUS_LABELS[from].zh}”状态，不能${EVENT_ZH[event]}`,
      `parcel ${logisticsNo} is ${from} and cannot take "${event}"`,
    ),
    { logisticsNo, state: from, event, allowed: t.allowed },
  );
}

export interface WarehouseParcel {
  id: string;
  logisticsNo: string;
  logisticsCode: string;
  bookingId: string | null;
  status: ParcelStatus;
  location: string | null;
  route: string | null;
  bagId: string | null;
  receivedAt: string | null;
  dispatchedAt: string | null;
  /** held at the inspection station (open inspection task) since; null when not held */
  heldAt: string | null;
  heldTaskId: string | null;
  updatedAt: string;
}

export const toParcel = (r: ParcelRow): WarehouseParcel => ({
  id: r.id,
  logisticsNo: r.logistics_no,
  logisticsCode: r.logistics_code,
  bookingId: r.booking_id,
  status: r.status,
  location: r.location,
  route: r.route,
  bagId: r.bag_id,
  receivedAt: r.received_at?.toISOString() ?? null,
  dispatchedAt: r.dispatched_at?.toISOString() ?? null,
  heldAt: r.held_at?.toISOString() ?? null,
  heldTaskId: r.held_task_id,
  updatedAt: r.updated_at.toISOString(),
});

export interface Bag {
  id: string;
  /** bag: holds parcels; pallet: holds closed bags */
  kind: BagRow['kind'];
  /** the pallet the bag is on */
  palletId: string | null;
  bagNo: string;
  route: string;
  logisticsCode: string;
  status: BagRow['status'];
  /** a pallet's: the parcels in its bags */
  parcelCount: number;
  /** the bags on a pallet (0 for a bag) */
  bagCount: number;
  dispatchId: string | null;
  createdAt: string;
}

export const toBag = (r: BagRow & { parcel_count?: number | null; bag_count?: number | null }): Bag => ({
  id: r.id,
  kind: r.kind,
  palletId: r.pallet_id,
  bagNo: r.bag_no,
  route: r.route,
  logisticsCode: r.logistics_code,
  status: r.status,
  parcelCount: r.parcel_count ?? 0,
  bagCount: r.bag_count ?? 0,
  dispatchId: r.dispatch_id,
  createdAt: r.created_at.toISOString(),
});

/**
 * The refusal of a pack or dispatch for customs reasons (409): one message naming every refused
 * waybill number and its reason, and per parcel a field problem (`value`: carrier, number, reason
 * and, for a dispatch, the bag it is in) for the floor to list.
 */
export function customsRefusal(action: GateAction, refusals: (GateRefusal & { bagId?: string; bagNo?: string })[]): DomainError {
  const errors: FieldProblem[] = refusals.map((r) => ({
    field: 'logisticsNo',
    rule: r.reason,
    message: r.message,
    value: {
      logisticsCode: r.logisticsCode,
      logisticsNo: r.logisticsNo,
      ...(r.bagId ? { bagId: r.bagId, bagNo: r.bagNo } : {}),
    },
  }));
  return new DomainError(
    'warehouse.invalid_state',
    refusals.length === 1 && action === 'pack' ? refusals[0]!.message : batchRefusal(action, refusals),
    { reason: 'customs', refused: refusals.map((r) => ({ logisticsNo: r.logisticsNo, reason: r.reason })), errors },
  );
}
