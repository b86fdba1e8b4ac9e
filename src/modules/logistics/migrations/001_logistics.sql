-- Logistics service system (issue 7): carriers' services with their routes, and tracking events
-- from acceptance to delivery abroad. Customs states are not copied here: timelines read them
-- from clearance when asked, so they are never stale.

create table lgx_service (
  id uuid primary key,
  carrier_org_id uuid not null,
  code text not null,
  name text not null,
  kind text not null check (kind in ('ems', 'air_registered', 'air_unregistered', 'express', 'sea_consolidation', 'rail_consolidation')),
  -- destination countries (ISO 3166-1 alpha-2) this service reaches
  countries text[] not null,
  transit_days integer,
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (carrier_org_id, code)
);
create index lgx_service_countries on lgx_service using gin (countries);

-- One row per scan. A carrier sending the same scan twice (retries, overlapping files) stores it once.
create table lgx_event (
  id uuid primary key,
  carrier_org_id uuid not null,
  -- the carrier's customs code when the event came in: with logistics_no it is the clearance waybill key
  carrier_code text not null,
  logistics_no text not null,
  code text not null,
  at timestamptz not null,
  location text,
  country text,
  description text not null default '',
  service_code text,
  source text not null check (source in ('api', 'csv', 'warehouse')),
  created_at timestamptz not null,
  unique (carrier_org_id, logistics_no, code, at)
);
create index lgx_event_parcel on lgx_event (logistics_no, at);
create index lgx_event_carrier on lgx_event (carrier_org_id, at);
