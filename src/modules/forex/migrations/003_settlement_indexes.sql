-- Indexes for every lookup of the FX settlement repository (settlement-account.repository.ts).
-- (org_id, settlement_ref) and (org_id, account_no) are served by their unique constraints.

-- Linked receipts by reference number within the exporter (receiptsByRefs); fx_receipt_org
-- (org_id, received_on) would read all of the exporter's receipts for them.
create index fx_receipt_org_ref on fx_receipt (org_id, ref_no);

-- The exporter's settlements in date order (settlementsOf) and summed per account and day for
-- the balance check (settlementTotalsOf), read from the index without sorting.
create index fx_settlement_org_day on fx_settlement (org_id, settled_on, created_at);

-- The forex desk's jurisdiction prefix (orgIdsByJurisdiction: jurisdiction like '36%'); a plain
-- btree serves LIKE prefixes only under the C collation.
create index fx_settlement_account_jurisdiction_prefix on fx_settlement_account (jurisdiction text_pattern_ops);
