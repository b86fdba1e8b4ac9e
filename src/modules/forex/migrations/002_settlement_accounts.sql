-- FX settlement accounts (结汇账户) of exporters and their FX settlements (结汇: foreign currency
-- sold to the bank for CNY). Issue 6 point 3.

create table fx_settlement_account (
  id uuid primary key,
  org_id uuid not null,
  ebc_code text not null,
  -- copied from the organisation at registration: the forex officer's desk filters by it
  jurisdiction text,
  -- current: 经常项目外汇结算账户; pending_check: 待核查账户 (proceeds held until verified)
  account_kind text not null check (account_kind in ('current', 'pending_check')),
  bank_name text not null,
  -- SWIFT/BIC (8 or 11) or CNAPS (12 digits)
  bank_code text not null,
  account_no text not null,
  currency text not null,
  opened_on date not null,
  status text not null check (status in ('active', 'closed')),
  closed_on date,
  created_at timestamptz not null,
  -- one holder per number at the platform: a receipt naming the number finds one account
  unique (org_id, account_no)
);
create index fx_settlement_account_org on fx_settlement_account (org_id, currency);
create index fx_settlement_account_jurisdiction on fx_settlement_account (jurisdiction);

create table fx_settlement (
  id uuid primary key,
  org_id uuid not null,
  account_id uuid not null references fx_settlement_account (id),
  -- the client's own reference: a retry with the same one answers the stored settlement
  settlement_ref text not null,
  settled_on date not null,
  currency text not null,
  amount numeric(17, 2) not null check (amount > 0),
  rate numeric(18, 8) not null check (rate > 0),
  cny_amount numeric(17, 2) not null check (cny_amount > 0),
  receipt_ids uuid[] not null default '{}',
  created_by uuid,
  created_at timestamptz not null,
  unique (org_id, settlement_ref)
);
create index fx_settlement_account_day on fx_settlement (account_id, settled_on);

-- A bank's receipt record may name the account it credited (收款账号); receipts naming none are
-- attributed to the exporter by currency (see settlement-account.rules.ts).
alter table fx_receipt add column account_no text;
