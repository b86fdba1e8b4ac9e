-- Receipts and RMB settlements by the exporter and the order they name: the evidence pack of one
-- order (issue 6) asks "what did this exporter receive for this order", for the seller and for the
-- tax, forex and customs officers who know the exporter by its code, not by our organisation id.
create index fx_receipt_ebc_order on fx_receipt (ebc_code, order_no) where order_no <> '';
create index fx_rmb_settlement_ebc_order on fx_rmb_settlement (ebc_code, order_no) where order_no is not null;
