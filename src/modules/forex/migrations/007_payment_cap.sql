-- The USD 50,000 single-transaction cap of payment institutions (汇发〔2015〕7号) applies to every
-- receipt of a payment institution, whatever its channel. Customs must not refuse a CEB403 for a
-- forex rule, and a reported record states money already received: both are stored and an
-- over-cap one carries a finding (over_cap) for the forex officer's desk and the enterprise's
-- reconciliation, where it is counted. The USD value uses the reference rates forex already uses
-- (rules/receipts.rules.ts USD_RATES), named by version.

-- Records (CSV / JSON batch): a payment-institution record over the cap was refused before this
-- file, so every stored row is under it (or a bank's).
alter table fx_receipt add column over_cap boolean not null default false;
alter table fx_receipt add column rate_version text;
create index fx_receipt_over_cap on fx_receipt (org_id, received_on) where over_cap;

-- Forex's copy of every CEB403 payment collection, written by the forex.collections outbox handler
-- as intake accepts, changes (appType 2) or deletes (appType 3, live = false) one, with its check.
-- The head fields are kept as declared; the check fills the rest (checked_at null: not checked yet).
create table fx_collection (
  document_id uuid primary key,
  live boolean not null,
  ebc_code text not null,
  ebp_code text not null,
  order_no text not null,
  pay_code text not null,
  pay_no text not null,
  pay_name text not null,
  charge text not null,
  currency text not null,
  accounting_date text not null,
  doc_created_at timestamptz not null,
  -- the exporter (ebcCode) and its jurisdiction: the forex desk's scope
  org_id uuid,
  jurisdiction text,
  amount numeric(24, 5),
  -- China date the funds were credited (accountingDate; the day of intake when it is not a date)
  received_on date,
  -- null: no reference rate for the currency, so the cap cannot be judged
  usd_amount numeric(17, 2),
  rate_version text,
  over_cap boolean,
  checked_at timestamptz
);
create index fx_collection_unchecked on fx_collection (ebc_code) where checked_at is null;
create index fx_collection_over_cap on fx_collection (org_id, received_on) where over_cap and live;
create index fx_collection_over_cap_jurisdiction on fx_collection (jurisdiction text_pattern_ops, org_id) where over_cap and live;

-- Collections accepted before this file: copied unchecked; the desk and the reconciliation check
-- unchecked rows before they read.
insert into fx_collection (document_id, live, ebc_code, ebp_code, order_no, pay_code, pay_no, pay_name, charge, currency,
  accounting_date, doc_created_at)
select d.id, d.live, coalesce(d.head->>'ebcCode', ''), coalesce(d.head->>'ebpCode', ''), coalesce(d.head->>'orderNo', ''),
  coalesce(d.head->>'payCode', ''), coalesce(d.head->>'payNo', ''), coalesce(d.head->>'payName', ''),
  coalesce(d.head->>'charge', ''), coalesce(d.head->>'currency', ''), coalesce(d.head->>'accountingDate', ''), d.created_at
from clr_document d
where d.kind = 'payment'
on conflict do nothing;
