-- Centralised declaration and batch write-off (集中申报、分批核销): quarantine goods declared to the
-- inspection authority in a batch; each released parcel draws on it, each departed parcel writes
-- its quantity off. The checks make over-release impossible whatever the concurrency.
create table insp_batch (
  id uuid primary key,
  batch_no text not null unique,
  organisation_id uuid not null,
  enterprise_code text not null,
  item_no text not null,
  unit text,
  declared_qty numeric not null check (declared_qty > 0),
  released_qty numeric not null default 0,
  written_off_qty numeric not null default 0,
  created_at timestamptz not null,
  check (released_qty >= 0 and released_qty <= declared_qty),
  check (written_off_qty >= 0 and written_off_qty <= released_qty)
);
create index insp_batch_product on insp_batch (enterprise_code, item_no, created_at);

-- Which parcel drew how much on which batch: one row per inventory line, so a replayed decision
-- draws nothing twice.
create table insp_batch_use (
  batch_id uuid not null references insp_batch (id),
  inventory_id uuid not null,
  gnum text not null,
  qty numeric not null check (qty > 0),
  released_at timestamptz not null,
  written_off_at timestamptz,
  primary key (inventory_id, gnum)
);
create index insp_batch_use_batch on insp_batch_use (batch_id);
