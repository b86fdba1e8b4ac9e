-- Receipt feed order = commit order. Identity ids are handed out inside transactions, so a
-- receipt with a lower id can commit after one with a higher id; a cursor over ids would skip
-- it. A sequencer stamps `seq` only on receipts whose transactions have all finished, in one
-- serialised statement, and the pull feed, the live stream and webhooks page by `seq`.
alter table clr_receipt add column txid xid8 not null default pg_current_xact_id();
alter table clr_receipt add column seq bigint;
create sequence clr_receipt_seq;
create index clr_receipt_unsequenced on clr_receipt (id) where seq is null;
create index clr_receipt_feed on clr_receipt (recipient_org_id, seq) where seq is not null;
