-- Cross-border RMB settlements: whether the order and the declaration a settlement names as its
-- trade evidence were found (order: an inventory of the exporter naming it; declaration: a summary
-- export declaration of the exporter). null: nothing named, or not looked up yet (rows stored
-- before this migration); the PBoC desk looks those up again.
alter table fx_rmb_settlement
  add column order_found boolean,
  add column entry_found boolean,
  add column evidence_checked_at timestamptz;
-- The PBoC desk: settlements naming an order or a declaration not (yet) found. Together with
-- fx_rmb_settlement_no_evidence (001) it covers every row the desk lists.
create index fx_rmb_settlement_unresolved on fx_rmb_settlement (jurisdiction, settled_on)
  where (order_no is not null and order_found is not true) or (entry_id is not null and entry_found is not true);
