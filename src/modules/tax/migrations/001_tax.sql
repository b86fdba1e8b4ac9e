-- Export tax refund (出口退(免)税) per 财税〔2013〕96号: what the tax office knows of each exporter,
-- and the purchase records an exporter gives per declaration line.

-- Kept by the tax officer: taxpayer status, refund qualification, company type, pilot zone.
create table tax_profile (
  org_id uuid primary key,
  general_taxpayer boolean not null,
  refund_qualified boolean not null,
  tax_registered boolean not null,
  trading_company boolean not null,
  pilot_zone text,
  updated_by uuid,
  updated_at timestamptz not null
);

-- Purchase invoices or vouchers (进货凭证) per declaration line, entered by the exporter.
create table tax_purchase (
  declaration_id uuid not null,
  line_no integer not null,
  invoice_no text not null,
  kind text not null check (kind in ('vat_special', 'import_vat', 'consumption_cert', 'ordinary')),
  amount_excl_vat numeric(19, 2) not null check (amount_excl_vat > 0),
  org_id uuid not null,
  created_at timestamptz not null,
  primary key (declaration_id, line_no, invoice_no)
);
