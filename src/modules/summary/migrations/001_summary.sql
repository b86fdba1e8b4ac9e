-- 汇总申报 (monthly summary declaration): one application per enterprise and period, the customs
-- declarations (报关单) it forms, their lines, and the lineage from every inventory line.

-- Grouping reads closed B-type inventories of one consignor in one month: this index answers it
-- without touching other enterprises' rows (clr_inventory belongs to clearance; we only read it).
create index if not exists sum_clr_inventory_closed on clr_inventory (ebc_code, closed_at) include (document_id)
  where statistics_flag = 'B' and closed_at is not null;
create index if not exists sum_clr_inventory_closed_a on clr_inventory (ebc_code, closed_at)
  where statistics_flag = 'A' and closed_at is not null;

create table sum_application (
  id uuid primary key,
  org_id uuid not null,
  ebc_code text not null,
  ebc_name text not null,
  period text not null check (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  rule_set text not null,
  summary_flag text not null check (summary_flag in ('1', '2')),
  item_name_flag text not null check (item_name_flag in ('1', '')),
  -- web = the seller pressed submit; ceb701 = an agent sent a CEB701
  source text not null check (source in ('web', 'ceb701')),
  guid text not null,
  cop_no text not null,
  pre_no text not null unique,
  sum_no text not null unique,
  customs_code text not null,
  agent_code text not null,
  agent_name text not null,
  decl_agent_code text not null,
  decl_agent_name text not null,
  status text not null,
  inventory_count integer not null,
  line_count integer not null,
  -- sha256 of the canonical result (declarations, lines, lineage): the same input gives the same hash
  result_hash text not null,
  deadline date not null,
  submitted_at timestamptz not null,
  created_at timestamptz not null
);
-- One live summary per consignor and month (an inventory is summarised once: sum_claim).
create unique index sum_application_period on sum_application (ebc_code, period) where status <> 'cancelled';
create unique index sum_application_cop on sum_application (org_id, cop_no);

create table sum_declaration (
  id uuid primary key,
  application_id uuid not null references sum_application (id),
  seq integer not null,
  decl_seq_no text not null unique,
  entry_id text not null unique,
  dec_state text not null,
  head_key jsonb not null,
  ebc_code text not null,
  owner_code text,
  traf_mode text,
  country text,
  port_code text,
  gross_weight numeric(19, 5) not null,
  net_weight numeric(19, 5) not null,
  inventory_count integer not null,
  created_at timestamptz not null,
  unique (application_id, seq)
);
create index sum_declaration_ebc on sum_declaration (ebc_code, created_at);

create table sum_declaration_line (
  declaration_id uuid not null references sum_declaration (id),
  line_no integer not null,
  line_key jsonb not null,
  gcode text not null,
  gname text not null,
  country text not null,
  currency text not null,
  unit text not null,
  qty numeric(19, 5) not null,
  total_price numeric(19, 5) not null,
  source_count integer not null,
  primary key (declaration_id, line_no)
);

-- Which inventory line fed which declaration line (CEB792 SummaryResultList).
create table sum_lineage (
  declaration_id uuid not null,
  line_no integer not null,
  inventory_id uuid not null,
  invt_no text not null,
  gnum integer not null,
  logistics_no text not null,
  gcode text not null,
  primary key (inventory_id, gnum)
);
create index sum_lineage_line on sum_lineage (declaration_id, line_no);

-- An inventory belongs to at most one summary.
create table sum_claim (
  inventory_id uuid primary key,
  application_id uuid not null references sum_application (id)
);
create index sum_claim_application on sum_claim (application_id);

create table sum_counter (
  name text primary key,
  value bigint not null
);
