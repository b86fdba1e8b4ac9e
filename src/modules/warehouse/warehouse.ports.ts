import type { CebMessage } from '../../ceb/index.ts';
import type { Executor } from '../../kernel/db.ts';
import type { Principal } from '../identity/index.ts';

/**
 * How the warehouse hands its arrival (CEB507) to customs, wired in the composition root like
 * the orders module's DeclarePort: `submit` to clearance intake, as the warehouse organisation
 * (`asOrganisation`), so a floor clerk without the right to submit messages can still dispatch.
 */
export interface ArrivalPort {
  submit(
    p: Principal,
    message: CebMessage,
    requestId?: string,
  ): Promise<{
    accepted: number;
    rejected: number;
    entities: {
      index: number;
      accepted: boolean;
      documentId: string | null;
      returnStatus: string;
      returnInfo: string;
      preNo?: string;
    }[];
  }>;
  asOrganisation(orgId: string): Promise<Principal>;
}

export interface SiteScan {
  logisticsCode: string;
  logisticsNo: string;
  code: 'in_warehouse';
  at: Date;
  location: string;
}

/**
 * Where the warehouse's scans go for the parcel's tracking (the logistics module). `record`
 * writes in the scan's own transaction, so a committed scan always has its tracking event;
 * `announce` (after the commit) only tells live listeners and may be lost without harm.
 */
export interface SiteScanPort {
  record(exec: Executor, events: SiteScan[]): Promise<{ stored: number; announce(): Promise<void> }>;
}

/** A joint-inspection task as the floor shows it when its parcel is scanned at the inspection station. */
export interface InspectionTaskFacts {
  id: string;
  inventoryId: string;
  /** open, passed, failed, withdrawn */
  status: string;
  /** the agencies inspecting (both: joint inspection) */
  agencies: string[];
  /** the agencies that have not recorded their finding yet */
  pending: string[];
  createdAt: Date;
}

/**
 * The joint-inspection task of declared inventories (the inspection module), wired in the
 * composition root: a parcel whose task is open is held at the inspection station when scanned,
 * and may not be packed or dispatched until the task is completed.
 */
export interface InspectionPort {
  /** the task per inventory document id; inventories without a task are absent */
  tasksOf(inventoryIds: string[]): Promise<Map<string, InspectionTaskFacts>>;
}
