-- 9610 clearance: messages in, documents with their customs state, receipts out.
-- Status columns hold the national receipt codes (2, 120, 300, 399, 500, 800, 899, 100 …) as text,
-- so a stored state is exactly what the party was told.

-- Every accepted CEB message (XML or JSON). A retry with the same guid from the same sender answers
-- the stored outcome: nothing is stored twice.
create table clr_message (
  id uuid primary key,
  sender_org_id uuid not null,
  guid text not null,
  message_type text not null,
  format text not null check (format in ('xml', 'json')),
  entity_count integer not null,
  outcome jsonb not null,
  received_at timestamptz not null,
  unique (sender_org_id, guid)
);

-- One row per business document. `head` and `lines` keep the entity exactly as declared; the
-- columns beside them are the keys the pipeline joins on. `parties` holds every organisation the
-- document names (platform, seller, carrier, agent, payer, operator): who may see it.
create table clr_document (
  id uuid primary key,
  kind text not null check (kind in ('order', 'payment', 'waybill', 'inventory', 'cancellation', 'arrival', 'consolidation', 'departure')),
  message_id uuid not null references clr_message (id),
  guid text not null,
  cop_no text,
  -- e-port pre-entry number (B + yyyyMMdd + 9 digits), assigned at intake to every document whose receipt carries one
  pre_no text unique,
  business_key text not null,
  status text not null,
  live boolean not null default true,
  customs_code text,
  parties uuid[] not null,
  head jsonb not null,
  lines jsonb not null default '[]',
  return_info text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
-- A live document blocks a duplicate business key; after a rejection (live = false) it may be resubmitted.
create unique index clr_document_live_key on clr_document (kind, business_key) where live;
create index clr_document_parties on clr_document using gin (parties);
create index clr_document_kind_status on clr_document (kind, status, created_at);
create index clr_document_customs on clr_document (customs_code, kind, created_at);

-- The inventory's own columns: what matching, decisions, release and closure need.
create table clr_inventory (
  document_id uuid primary key references clr_document (id),
  order_key text not null,
  waybill_key text not null,
  logistics_no text not null,
  ebc_code text not null,
  agent_code text not null,
  trade_mode text not null,
  statistics_flag text not null,
  -- 4-digit customs office + year + E + 9 digits; assigned at intake so every CEB604 carries it
  invt_no text not null unique,
  lane text,
  review_reason text,
  decided_at timestamptz,
  released_at timestamptz,
  closed_at timestamptz
);
create index clr_inventory_order_key on clr_inventory (order_key);
create index clr_inventory_waybill_key on clr_inventory (waybill_key);
create index clr_inventory_logistics_no on clr_inventory (logistics_no);

-- What carriers and site operators report about parcels, by waybill key (logisticsCode|logisticsNo):
-- arrival at the site, binding to a master bill, departure. Kept apart from the inventory so the
-- messages may come in any order: release and closure read them whenever the inventory is ready.
create table clr_parcel_event (
  waybill_key text not null,
  kind text not null check (kind in ('arrival', 'consolidation', 'departure')),
  document_id uuid not null references clr_document (id),
  bill_no text,
  at timestamptz not null,
  primary key (waybill_key, kind, document_id)
);
create index clr_parcel_event_document on clr_parcel_event (document_id);

-- Number blocks for preNo (per day) and invtNo (per customs office and year), allocated n at a time.
create table clr_counter (
  name text primary key,
  value bigint not null
);

-- Receipts (回执) to every party that should see them; `id` is the pull cursor.
create table clr_receipt (
  id bigint generated always as identity primary key,
  recipient_org_id uuid not null,
  message_type text not null,
  document_id uuid,
  guid text not null,
  return_status text not null,
  return_info text not null,
  return_time text not null,
  fields jsonb not null,
  created_at timestamptz not null
);
create index clr_receipt_recipient on clr_receipt (recipient_org_id, id);
create index clr_receipt_document on clr_receipt (document_id);
