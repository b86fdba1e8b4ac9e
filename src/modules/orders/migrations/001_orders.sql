-- Sales orders (销售订单): the seller's own record of its marketplace orders, imported from a file
-- or pushed by API; not customs documents. Buyer name/address/phone are personal data: stored
-- for the declaration, never logged.
create table sales_order (
  id uuid primary key,
  seller_org_id uuid not null references organisation (id),
  ebc_code text not null,
  -- the ebp customs code the orders were sold on, and its name when the order was imported
  platform_code text not null,
  platform_name text not null,
  marketplace text not null check (marketplace in ('aliexpress', 'ebay', 'generic', 'api')),
  order_no text not null check (length(order_no) between 1 and 60),
  buyer_name text not null default '',
  buyer_country text not null check (length(buyer_country) = 3),
  buyer_address text not null default '',
  buyer_phone text not null default '',
  currency text not null check (length(currency) = 3),
  goods_value numeric(19, 5) not null check (goods_value >= 0),
  freight numeric(19, 5) not null default 0 check (freight >= 0),
  insured_fee numeric(19, 5) not null default 0 check (insured_fee >= 0),
  tracking_no text,
  gross_weight numeric(19, 5),
  net_weight numeric(19, 5),
  -- [{ gnum, itemNo, itemName, qty, price, totalPrice }]
  lines jsonb not null,
  status text not null check (status in ('imported', 'inventory_built', 'declared')),
  -- the CEB303 order document in clearance, once declared (by the seller or the platform)
  order_document_id text,
  source_row integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (seller_org_id, platform_code, order_no)
);
create index sales_order_seller on sales_order (seller_org_id, status, id);

-- Inventory drafts (申报清单草稿): CEB603 head + lines built from a sales order and filed products,
-- reviewed by the seller or its declaring agent, then declared in bulk.
create table inventory_draft (
  id uuid primary key,
  sales_order_id uuid not null unique references sales_order (id),
  seller_org_id uuid not null references organisation (id),
  agent_org_id uuid not null references organisation (id),
  order_no text not null,
  platform_code text not null,
  trade_mode text not null,
  head jsonb not null,
  lines jsonb not null,
  -- [{ field, rule, message: { zh, en } }]: what is missing before it can be declared
  problems jsonb not null default '[]',
  status text not null check (status in ('draft', 'complete', 'declaring', 'declared', 'rejected')),
  document_id text,
  invt_no text,
  return_status text,
  return_info text,
  declared_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index inventory_draft_seller on inventory_draft (seller_org_id, status, id);
create index inventory_draft_agent on inventory_draft (agent_org_id, status, id);
