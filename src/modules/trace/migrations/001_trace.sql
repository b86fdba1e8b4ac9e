-- Product quality traceability (质量追溯): trace codes per batch or unit, their event chain, scans.

create table tr_code (
  code text primary key,
  org_id uuid not null,
  ebc_code text not null,
  seller_name text not null,
  kind text not null check (kind in ('unit', 'batch')),
  batch_no text not null,
  quantity integer not null check (quantity > 0),
  item_no text not null,
  product_name text not null,
  product_name_en text,
  -- names in buyers' languages the seller offers, e.g. {"fr": "Bol en porcelaine"}
  product_names jsonb not null default '{}',
  hs_code text,
  origin text,
  created_at timestamptz not null
);
create index tr_code_org on tr_code (org_id, created_at desc);

create table tr_event (
  id bigint generated always as identity primary key,
  code text not null references tr_code (code),
  kind text not null check (kind in ('producer', 'filing', 'warehouse', 'inspection', 'departure', 'delivery')),
  at timestamptz not null,
  place text,
  country text,
  note text,
  actor_org_id uuid
);
create index tr_event_code on tr_event (code, at, id);

-- Scans of the public verification page. Only the country is kept, never the address.
create table tr_scan (
  id bigint generated always as identity primary key,
  code text not null references tr_code (code),
  at timestamptz not null,
  country text not null
);
create index tr_scan_code on tr_scan (code, at);
