import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden } from '../../kernel/errors.ts';
import type { Principal } from '../identity/index.ts';
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
  /** optional: without it, a scan does not tell of an open inspection task */
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
  updatedAt: r.updated_at.toISOString(),
});

export interface Bag {
  id: string;
  bagNo: string;
  route: string;
  logisticsCode: string;
  status: BagRow['status'];
  parcelCount: number;
  dispatchId: string | null;
  createdAt: string;
}

export const toBag = (r: BagRow & { parcel_count?: number | null }): Bag => ({
  id: r.id,
  bagNo: r.bag_no,
  route: r.route,
  logisticsCode: r.logistics_code,
  status: r.status,
  parcelCount: r.parcel_count ?? 0,
  dispatchId: r.dispatch_id,
  createdAt: r.created_at.toISOString(),
});
