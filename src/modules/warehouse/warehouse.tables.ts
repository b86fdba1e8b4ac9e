import type { Generated } from 'kysely';

export interface BookingRow {
  id: string;
  booking_no: string;
  seller_org_id: string;
  warehouse_org_id: string;
  logistics_code: string;
  expected_at: string;
  note: string;
  created_at: Date;
}

export type ParcelStatus = 'expected' | 'received' | 'sorted' | 'packed' | 'dispatched';

export interface ParcelRow {
  id: string;
  warehouse_org_id: string;
  logistics_no: string;
  logistics_code: string;
  booking_id: string | null;
  seller_org_id: string | null;
  status: ParcelStatus;
  location: string | null;
  route: string | null;
  bag_id: string | null;
  received_at: Date | null;
  dispatched_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** held at the inspection station (open inspection task) since; null when not held */
  held_at: Date | null;
  held_inventory_id: string | null;
  held_task_id: string | null;
}

export type PackageKind = 'bag' | 'pallet';

export interface BagRow {
  id: string;
  warehouse_org_id: string;
  /** a bag holds parcels; a pallet holds closed bags */
  kind: PackageKind;
  /** the pallet this bag is on; null for pallets and loose bags */
  pallet_id: string | null;
  bag_no: string;
  route: string;
  logistics_code: string;
  status: 'open' | 'closed' | 'dispatched';
  dispatch_id: string | null;
  created_at: Date;
  closed_at: Date | null;
}

export interface DispatchRow {
  id: string;
  warehouse_org_id: string;
  cop_no: string;
  logistics_code: string;
  bill_no: string | null;
  domestic_traf_no: string;
  arrival_document_id: string | null;
  pre_no: string | null;
  return_status: string;
  return_info: string;
  parcel_count: number;
  created_at: Date;
}

export interface LocationRow {
  warehouse_org_id: string;
  code: string;
  zone: string;
  /** false: retired, no longer a put-away choice (the row stays: parcels and counts name it) */
  active: Generated<boolean>;
}

export interface CountRow {
  id: string;
  warehouse_org_id: string;
  location: string | null;
  status: 'open' | 'closed';
  started_at: Date;
  closed_at: Date | null;
  /** the discrepancy list, stored when the count is closed */
  discrepancies: CountDiscrepancyRow[] | null;
}

export interface CountDiscrepancyRow {
  logisticsNo: string;
  kind: 'missing' | 'unexpected' | 'misplaced';
  expectedLocation: string | null;
  scannedLocation: string | null;
}

export interface WarehouseTables {
  whs_booking: BookingRow;
  whs_parcel: ParcelRow;
  whs_bag: BagRow;
  whs_dispatch: DispatchRow;
  whs_location: LocationRow;
  whs_count: CountRow;
  whs_count_scan: { count_id: string; logistics_no: string; location: string | null; scanned_at: Date };
}
