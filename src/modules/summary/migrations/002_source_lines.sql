-- The summary's own copy of every closed (899) inventory line, in typed columns: month-end grouping
-- over a million inventories must not unnest jsonb (docs/performance.md). Rows are written once,
-- when an inventory closes (summary.source handler on clearance.closed; a closed inventory never
-- changes again), and read by the grouping, the deadlines and the A-type statistics.
-- Values are those of clearance's closedInventoryLines relation: absent text is '', absent numbers 0.
-- Text the grouping sorts or compares is collated "C" (byte order: the order the result hash uses).
create table sum_source_line (
  inventory_id uuid not null,
  gnum integer not null,
  invt_no text collate "C" not null,
  logistics_no text not null,
  ebc_code text collate "C" not null,
  agent_code text not null,
  statistics_flag text not null,
  customs_code text collate "C",
  closed_at timestamptz not null,
  -- the inventory's lowest gnum: its head values (weights, count) are summed once per inventory
  first_line boolean not null,
  traf_mode text collate "C" not null,
  owner_code text collate "C" not null,
  head_country text collate "C" not null,
  port_code text collate "C" not null,
  gross_weight numeric not null,
  net_weight numeric not null,
  line_country text collate "C" not null,
  gcode text collate "C" not null,
  currency text collate "C" not null,
  unit text collate "C" not null,
  item_name text collate "C" not null,
  gname text collate "C" not null,
  qty numeric not null,
  total_price numeric not null,
  primary key (inventory_id, gnum)
);
-- The month of one consignor (grouping, deadlines; A-type statistics), and a CEB701's listed inventories.
create index sum_source_line_b on sum_source_line (ebc_code, closed_at) where statistics_flag = 'B';
create index sum_source_line_a on sum_source_line (ebc_code, closed_at) where statistics_flag = 'A';
create index sum_source_line_invt on sum_source_line (invt_no);

-- Inventories closed before this table existed.
insert into sum_source_line
select i.document_id, (l.value->>'gnum')::int, i.invt_no, i.logistics_no, i.ebc_code, i.agent_code, i.statistics_flag,
  d.customs_code, i.closed_at,
  row_number() over (partition by i.document_id order by (l.value->>'gnum')::int) = 1,
  coalesce(d.head->>'trafMode', ''), coalesce(d.head->>'ownerCode', ''), coalesce(d.head->>'country', ''),
  coalesce(d.head->>'portCode', ''),
  coalesce(nullif(d.head->>'grossWeight', ''), '0')::numeric, coalesce(nullif(d.head->>'netWeight', ''), '0')::numeric,
  coalesce(l.value->>'country', ''), coalesce(l.value->>'gcode', ''), coalesce(l.value->>'currency', ''),
  coalesce(l.value->>'unit', ''), coalesce(l.value->>'itemName', ''), coalesce(l.value->>'gname', ''),
  coalesce(nullif(l.value->>'qty', ''), '0')::numeric, coalesce(nullif(l.value->>'totalPrice', ''), '0')::numeric
from clr_inventory i
join clr_document d on d.id = i.document_id
cross join lateral jsonb_array_elements(d.lines) as l(value)
where i.closed_at is not null and d.status = '899' and d.live
on conflict do nothing;
analyze sum_source_line;
