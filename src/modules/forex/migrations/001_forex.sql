-- Forex receipts (收汇) reported by banks and payment institutions (or the exporter), and
-- cross-border RMB settlement records with their trade-authenticity evidence.

create table fx_receipt (
  id uuid primary key,
  org_id uuid not null,
  ebc_code text not null,
  institution_kind text not null check (institution_kind in ('bank', 'payment')),
  institution_code text not null,
  ref_no text not null,
  order_no text not null default '',
  currency text not null,
  amount numeric(17, 2) not null check (amount > 0),
  usd_amount numeric(17, 2) not null,
  received_on date not null,
  payer_name text not null default '',
  reported_by uuid not null,
  created_at timestamptz not null,
  unique (institution_code, ref_no)
);
create index fx_receipt_org on fx_receipt (org_id, received_on);

create table fx_rmb_settlement (
  id uuid primary key,
  institution_org_id uuid not null,
  institution_code text not null,
  ebc_org_id uuid not null,
  ebc_code text not null,
  jurisdiction text,
  ref_no text not null,
  amount numeric(17, 2) not null check (amount > 0),
  settled_on date not null,
  contract_no text,
  order_no text,
  invoice_no text,
  entry_id text,
  created_at timestamptz not null,
  unique (institution_code, ref_no)
);
-- The central bank's desk: records that name no contract, order, invoice or declaration.
create index fx_rmb_settlement_no_evidence on fx_rmb_settlement (jurisdiction, settled_on)
  where contract_no is null and order_no is null and invoice_no is null and entry_id is null;
