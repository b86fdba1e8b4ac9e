-- The risk engine's split-shipment rule asks, for a batch of inventories, who bought each order
-- (seller code + order number, read-only): an index instead of a scan of every sales order.
create index sales_order_ebc_order on sales_order (ebc_code, order_no);
