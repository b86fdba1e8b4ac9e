-- Supervision-centre warehouse (仓储物流监管中心, issue 7): bookings by sellers, parcels from
-- receiving scan to dispatch, bags (totalPackageNo), the CEB507 arrivals sent, stock counts.

create table whs_booking (
  id uuid primary key,
  booking_no text not null unique,
  seller_org_id uuid not null,
  warehouse_org_id uuid not null,
  logistics_code text not null,
  expected_at date not null,
  note text not null default '',
  created_at timestamptz not null
);
create index whs_booking_seller on whs_booking (seller_org_id, created_at);
create index whs_booking_warehouse on whs_booking (warehouse_org_id, expected_at);

create table whs_bag (
  id uuid primary key,
  warehouse_org_id uuid not null,
  -- printed on the bag and sent as totalPackageNo in the arrival
  bag_no text not null unique,
  route text not null,
  logistics_code text not null,
  status text not null check (status in ('open', 'closed', 'dispatched')),
  dispatch_id uuid,
  created_at timestamptz not null,
  closed_at timestamptz
);
create index whs_bag_warehouse on whs_bag (warehouse_org_id, status);

create table whs_dispatch (
  id uuid primary key,
  warehouse_org_id uuid not null,
  -- the arrival's copNo: the business key customs knows the CEB507 by
  cop_no text not null unique,
  logistics_code text not null,
  bill_no text,
  domestic_traf_no text not null,
  arrival_document_id uuid,
  pre_no text,
  return_status text not null,
  return_info text not null,
  parcel_count integer not null,
  created_at timestamptz not null
);

create table whs_parcel (
  id uuid primary key,
  warehouse_org_id uuid not null,
  logistics_no text not null,
  logistics_code text not null,
  booking_id uuid references whs_booking (id),
  seller_org_id uuid,
  status text not null check (status in ('expected', 'received', 'sorted', 'packed', 'dispatched')),
  location text,
  route text,
  bag_id uuid references whs_bag (id),
  received_at timestamptz,
  dispatched_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (warehouse_org_id, logistics_no)
);
create index whs_parcel_bag on whs_parcel (bag_id);
create index whs_parcel_status on whs_parcel (warehouse_org_id, status);
create index whs_parcel_booking on whs_parcel (booking_id);

create table whs_location (
  warehouse_org_id uuid not null,
  code text not null,
  zone text not null default '',
  primary key (warehouse_org_id, code)
);

create table whs_count (
  id uuid primary key,
  warehouse_org_id uuid not null,
  -- null: the whole warehouse
  location text,
  status text not null check (status in ('open', 'closed')),
  started_at timestamptz not null,
  closed_at timestamptz
);

create table whs_count_scan (
  count_id uuid not null references whs_count (id),
  logistics_no text not null,
  location text,
  scanned_at timestamptz not null,
  primary key (count_id, logistics_no)
);
