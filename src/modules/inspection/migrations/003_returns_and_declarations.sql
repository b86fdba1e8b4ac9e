-- A parcel that drew on a batch and is then rejected (100) or cancelled (CEB605) gives its
-- quantity back, once: the use row remembers when.
alter table insp_batch_use add column returned_at timestamptz;
alter table insp_batch_use add constraint insp_batch_use_once check (returned_at is null or written_off_at is null);

-- Centralised declaration (集中申报): the platform declares the day's inspection-relevant parcels
-- (a line in a quarantine category) to the inspection authority as one record per enterprise,
-- customs office and Beijing day, not parcel by parcel; the authority supervises the batch at the
-- supervision centre (集中监管).
create table insp_declaration (
  id uuid primary key,
  declaration_no text not null unique,
  enterprise_code text not null,
  customs_code text not null default '',
  day date not null,
  parcel_count integer not null default 0,
  status text not null check (status in ('declared', 'supervised')),
  supervised_by uuid,
  supervised_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (enterprise_code, customs_code, day)
);
create index insp_declaration_day on insp_declaration (day desc, customs_code);

create table insp_declaration_parcel (
  inventory_id uuid primary key,
  declaration_id uuid not null references insp_declaration (id),
  logistics_no text not null,
  lane text not null,
  lines jsonb not null,
  added_at timestamptz not null,
  withdrawn_at timestamptz
);
create index insp_declaration_parcel_decl on insp_declaration_parcel (declaration_id);
