export interface ServiceRow {
  id: string;
  carrier_org_id: string;
  code: string;
  name: string;
  kind: string;
  countries: string[];
  transit_days: number | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  id: string;
  carrier_org_id: string;
  carrier_code: string;
  logistics_no: string;
  code: string;
  at: Date;
  location: string | null;
  country: string | null;
  description: string;
  service_code: string | null;
  source: 'api' | 'csv' | 'warehouse';
  created_at: Date;
}

export interface HookRow {
  id: string;
  organisation_id: string;
  url: string;
  secret: string;
  created_by: string | null;
  created_at: Date;
  /** a batch was given up on (failing ~72 h) and nothing was delivered since; null when healthy */
  failing_since: Date | null;
}

export interface HookDeliveryRow {
  id: string;
  hook_id: string;
  items: unknown;
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  /** given up on: still failing ~72 h after it was queued */
  failed_at: Date | null;
  status_code: number | null;
  last_error: string | null;
  created_at: Date;
}

/** Events of one storing transaction waiting to enter the tracking feed: parallel arrays, one (event, recipient) pair per element. */
export interface FeedBatchRow {
  id: number;
  event_ids: string[];
  recipients: string[];
  created_at: Date;
}

/** A position in an organisation's tracking feed (shared by every recipient of the event). */
export interface FeedEntryRow {
  recipient_org_id: string;
  seq: number;
  event_id: string;
  /** when the event was stored (its feed batch's time): the retention job deletes by it */
  created_at: Date;
}

/** The latest event of a parcel per carrier (kept by the statement that stores events). */
export interface ParcelLastRow {
  carrier_org_id: string;
  logistics_no: string;
  event_id: string;
  code: string;
  last_at: Date;
}

export interface LogisticsTables {
  lgx_service: ServiceRow;
  lgx_event: EventRow;
  lgx_hook: HookRow;
  lgx_hook_delivery: HookDeliveryRow;
  lgx_feed_batch: FeedBatchRow;
  lgx_feed_entry: FeedEntryRow;
  lgx_parcel_last: ParcelLastRow;
}
