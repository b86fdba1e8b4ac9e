-- The forex desk lists every enterprise of the jurisdiction that has receipts, also one without
-- any summary declaration (its receipts are then `undeclared`). The exporter's jurisdiction is
-- copied at import, as for the settlement accounts (002); rows stored before stay null and are
-- placed through the organisation directory by their exporter code.
alter table fx_receipt add column jurisdiction text;
-- Prefix LIKE (jurisdiction like '36%') under any collation, with the exporter for a distinct scan.
create index fx_receipt_jurisdiction on fx_receipt (jurisdiction text_pattern_ops, org_id);
create index fx_receipt_no_jurisdiction on fx_receipt (ebc_code, org_id) where jurisdiction is null;
