-- Inspection & quarantine filing (全备案): an enterprise, or one of its products, filed with the
-- inspection authority. One table for both kinds (item_no null for an enterprise filing).
create table insp_filing (
  id uuid primary key,
  kind text not null check (kind in ('enterprise', 'product')),
  organisation_id uuid not null,
  enterprise_code text not null,
  item_no text,
  goods_name text,
  quarantine_category text,
  producer text not null,
  certificates jsonb not null default '[]',
  status text not null,
  reason text,
  submitted_at timestamptz,
  reviewed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((kind = 'enterprise') = (item_no is null))
);
-- One live filing per enterprise and per product.
create unique index insp_filing_key on insp_filing (enterprise_code, coalesce(item_no, ''));
create index insp_filing_status on insp_filing (status, submitted_at);

-- One inspection task per selected inventory, joint when both agencies select (一次查验).
create table insp_task (
  id uuid primary key,
  inventory_id uuid not null unique,
  logistics_no text not null,
  customs_code text,
  ebc_code text not null,
  agencies text[] not null,
  status text not null,
  outcome_note text,
  created_at timestamptz not null,
  completed_at timestamptz,
  released_at timestamptz
);
create index insp_task_waybill on insp_task (logistics_no);
create index insp_task_open on insp_task (status, created_at);

-- Each involved agency's finding on the task, recorded once (一次放行 needs all of them).
create table insp_finding (
  task_id uuid not null references insp_task (id),
  agency text not null,
  result text not null check (result in ('pass', 'fail')),
  codes text[] not null default '{}',
  notes text,
  photos text[] not null default '{}',
  user_id uuid,
  recorded_at timestamptz not null,
  primary key (task_id, agency)
);
