-- 企业备案: one application per organisation; its lifecycle (filing.states.ts) runs in place:
-- draft → submitted → approved | rejected (reason) → submitted again.
create table enterprise_filing (
  id uuid primary key,
  organisation_id uuid not null unique references organisation (id),
  -- copied from the organisation when the application is written (text, not char: the lookups
  -- compare with text[] parameters and must use the indexes)
  customs_code text check (customs_code is null or length(customs_code) = 10),
  uscc text check (uscc is null or length(uscc) = 18),
  name text not null,
  -- 营业执照号: the USCC, or a 15-character registration number
  licence_no text not null check (length(licence_no) between 1 and 18),
  legal_rep text not null check (length(legal_rep) between 1 and 50),
  contact_name text not null check (length(contact_name) between 1 and 50),
  contact_phone text not null check (length(contact_phone) between 1 and 30),
  contact_email text check (contact_email is null or length(contact_email) <= 100),
  address text not null check (length(address) between 1 and 200),
  -- enterprise roles filed for: ebp, ebc, logistics, payment, agent, warehouse, overseas
  roles text[] not null check (cardinality(roles) > 0),
  -- the enterprise's competent customs office: decides which officers review it
  jurisdiction text,
  status text not null check (status in ('draft', 'submitted', 'approved', 'rejected')),
  reason text,
  submitted_at timestamptz,
  reviewed_at timestamptz,
  reviewed_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (customs_code is not null or uscc is not null),
  check (status <> 'rejected' or reason is not null)
);
-- filedEnterprises(codes): approved filings by customs code or by USCC
create index enterprise_filing_customs_code on enterprise_filing (customs_code) where status = 'approved';
create index enterprise_filing_uscc on enterprise_filing (uscc) where status = 'approved';
-- review queue: by status within a jurisdiction, oldest first (ids are time-ordered)
create index enterprise_filing_review on enterprise_filing (status, jurisdiction, id);

-- 商品备案: one row per seller and SKU (CEB603 InventoryList.itemNo, ≤ 20 characters).
create table product_filing (
  id uuid primary key,
  seller_org_id uuid not null references organisation (id),
  -- the seller's codes as documents name it (CEB ebcCode): customs code, and the USCC
  ebc_code text not null,
  ebc_uscc text,
  item_no text not null check (length(item_no) between 1 and 20),
  gname text not null check (length(gname) between 1 and 250),
  gname_en text check (gname_en is null or length(gname_en) <= 250),
  hs_code text not null check (hs_code ~ '^[0-9]{10}$'),
  gmodel text not null check (length(gmodel) between 1 and 250),
  unit text not null,
  legal_unit1 text not null,
  legal_unit2 text,
  origin_country text not null default '142',
  reference_price numeric(19, 5) not null check (reference_price > 0),
  currency text not null default '142',
  barcode text check (barcode is null or length(barcode) <= 50),
  quarantine_category text,
  jurisdiction text,
  status text not null check (status in ('draft', 'submitted', 'approved', 'rejected')),
  reason text,
  submitted_at timestamptz,
  reviewed_at timestamptz,
  reviewed_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (seller_org_id, item_no),
  check (status <> 'rejected' or reason is not null)
);
-- filedProducts(pairs): by (ebcCode, itemNo), where ebcCode is the customs code or the USCC
create index product_filing_ebc_item on product_filing (ebc_code, item_no) where status = 'approved';
create index product_filing_uscc_item on product_filing (ebc_uscc, item_no) where status = 'approved';
create index product_filing_review on product_filing (status, jurisdiction, id);
