-- A bank's receipt in a currency without a USD reference rate is stored without a USD value: the
-- USD 50,000 single-transaction cap (汇发〔2015〕7号) is a payment-institution rule, so a bank's
-- record needs no USD value and must not be refused for lack of one. A payment institution's
-- record still needs the rate (its cap cannot be judged without it).
alter table fx_receipt alter column usd_amount drop not null;
alter table fx_receipt add constraint fx_receipt_usd_of_payment
  check (institution_kind = 'bank' or usd_amount is not null) not valid;

-- The reconciliation counts a cross-border RMB settlement that names a declared order (or the
-- declaration itself) as received for that declaration's period: read per exporter.
create index fx_rmb_settlement_ebc_org on fx_rmb_settlement (ebc_org_id)
  where order_no is not null or entry_id is not null;
