-- Overseas warehouses (9810 and 整柜出口分单零售, issue 7): consignments exported to an overseas
-- warehouse, a stock ledger per SKU, retail sales abroad linked back to the export declaration,
-- returns within one year of release (GACC 2020 No. 44). And overseas service points (境外服务体系).

create table ovs_warehouse (
  id uuid primary key,
  provider_org_id uuid not null,
  code text not null,
  name text not null,
  country text not null,
  city text not null,
  created_at timestamptz not null,
  unique (provider_org_id, code)
);

-- One export to an overseas warehouse under one declaration (报关单 / 清单 number), released on released_at.
create table ovs_consignment (
  id uuid primary key,
  warehouse_id uuid not null references ovs_warehouse (id),
  seller_org_id uuid not null,
  declaration_no text not null,
  trade_mode text not null check (trade_mode in ('9810', '9610', '0110')),
  released_at timestamptz not null,
  created_at timestamptz not null,
  unique (warehouse_id, declaration_no)
);

create table ovs_consignment_line (
  consignment_id uuid not null references ovs_consignment (id),
  sku text not null,
  qty integer not null check (qty > 0),
  -- units already allocated to retail sales (first in, first out)
  allocated integer not null default 0 check (allocated >= 0 and allocated <= qty),
  primary key (consignment_id, sku)
);

-- The ledger's balance per SKU: available = qty_in + qty_returned - qty_reserved - qty_out, never negative.
create table ovs_stock (
  warehouse_id uuid not null references ovs_warehouse (id),
  seller_org_id uuid not null,
  sku text not null,
  qty_in integer not null default 0,
  qty_reserved integer not null default 0,
  qty_out integer not null default 0,
  qty_returned integer not null default 0,
  primary key (warehouse_id, seller_org_id, sku),
  check (qty_reserved >= 0 and qty_out >= 0 and qty_in + qty_returned - qty_reserved - qty_out >= 0)
);

create table ovs_sale (
  id uuid primary key,
  warehouse_id uuid not null references ovs_warehouse (id),
  seller_org_id uuid not null,
  order_no text not null,
  status text not null check (status in ('reserved', 'shipped', 'cancelled')),
  created_at timestamptz not null,
  shipped_at timestamptz,
  unique (seller_org_id, order_no)
);

-- Each sold unit points at the consignment (and so the export declaration) it came from.
create table ovs_sale_line (
  sale_id uuid not null references ovs_sale (id),
  sku text not null,
  consignment_id uuid not null references ovs_consignment (id),
  qty integer not null check (qty > 0),
  returned integer not null default 0 check (returned >= 0 and returned <= qty),
  primary key (sale_id, sku, consignment_id)
);

create table ovs_movement (
  id uuid primary key,
  warehouse_id uuid not null,
  seller_org_id uuid not null,
  sku text not null,
  kind text not null check (kind in ('in', 'reserve', 'out', 'return', 'return_to_china')),
  qty integer not null,
  consignment_id uuid,
  sale_id uuid,
  customs_record_no text,
  at timestamptz not null
);
create index ovs_movement_stock on ovs_movement (warehouse_id, seller_org_id, sku, at);

create table ovs_point (
  id uuid primary key,
  provider_org_id uuid not null,
  name text not null,
  country text not null,
  city text not null,
  services text[] not null,
  contact text not null,
  description text not null default '',
  active boolean not null default true,
  created_at timestamptz not null
);
create index ovs_point_country on ovs_point (country, city);

create table ovs_request (
  id uuid primary key,
  point_id uuid not null references ovs_point (id),
  requester_org_id uuid not null,
  service text not null,
  message text not null,
  status text not null check (status in ('open', 'accepted', 'declined', 'done')),
  reply text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index ovs_request_point on ovs_request (point_id, created_at);
create index ovs_request_requester on ovs_request (requester_org_id, created_at);
