-- Bank receipts per seller code over the rating window (forex.lookup.ts forexReceiptTotals: the credit
-- factor `forex_receipt`, where ebc_code = any(...) and received_on >= since, summing usd_amount):
-- fx_receipt_org is by organisation id and fx_receipt_ebc_order by order number, so the factor
-- read every receipt of the table. The amount is carried in the index: the sum reads no heap.
create index fx_receipt_ebc_received on fx_receipt (ebc_code, received_on) include (usd_amount);
