-- The receipt feed moves out of clr_receipt into a narrow table of its own.
--
-- Migration 002 stamped `seq` on every receipt row once its transaction had committed: an UPDATE
-- of every wide row (new tuple, an entry in every index, a dead tuple for vacuum), the single
-- most expensive statement of the clearance pipeline (issue #4 profile, docs/performance.md).
-- Now a receipt row is written once and never changed. Each INSERT statement on clr_receipt
-- registers its rows as one pending batch (statement trigger, so every writer is covered); the
-- sequencer takes the batches whose transactions have all finished (txid below the snapshot's
-- xmin, as before), deletes them and appends their receipts to clr_receipt_feed_entry in one
-- statement. The feed stays append-only in commit order and gap-free, with the same `seq`
-- numbers (clr_receipt_seq) the pull API, the live stream and webhooks page by.

create table clr_receipt_batch (
  id bigint generated always as identity primary key,
  txid xid8 not null default pg_current_xact_id(),
  receipt_ids bigint[] not null,
  recipients uuid[] not null
);

create table clr_receipt_feed_entry (
  recipient_org_id uuid not null,
  seq bigint not null,
  receipt_id bigint not null,
  primary key (recipient_org_id, seq)
);
create index clr_receipt_feed_receipt on clr_receipt_feed_entry (receipt_id);

create function clr_receipt_register_batch() returns trigger language plpgsql as $$
begin
  insert into clr_receipt_batch (receipt_ids, recipients)
  select array_agg(id order by id), array_agg(recipient_org_id order by id) from new_receipts having count(*) > 0;
  return null;
end $$;

create trigger clr_receipt_batch_on_insert after insert on clr_receipt
  referencing new table as new_receipts for each statement execute function clr_receipt_register_batch();

-- Receipts already in the feed keep their positions; those still waiting become one batch per
-- writing transaction.
insert into clr_receipt_feed_entry (recipient_org_id, seq, receipt_id)
select recipient_org_id, seq, id from clr_receipt where seq is not null;
insert into clr_receipt_batch (txid, receipt_ids, recipients)
select txid, array_agg(id order by id), array_agg(recipient_org_id order by id) from clr_receipt where seq is null group by txid;

drop index clr_receipt_recipient;
alter table clr_receipt drop column seq;
alter table clr_receipt drop column txid;
