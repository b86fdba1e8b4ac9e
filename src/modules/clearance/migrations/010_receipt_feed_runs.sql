-- The receipt feed as runs: one row per recipient and receipt batch, not one per receipt.
--
-- The sequencer appended one clr_receipt_feed_entry row per receipt and recipient (eleven a
-- parcel), each with two index entries and a nextval: 3.3 s of database time per 20,000 parcels
-- (docs/performance.md, 28 Nov 2026), as much as the five status updates of the documents. A
-- batch (one INSERT statement on clr_receipt) holds up to 1,000 receipts for a handful of
-- recipients, so a run per (batch, recipient) with consecutive positions carries the same feed in
-- a few rows. A receipt's position is first_seq plus its place in the run; positions stay unique
-- per recipient, increasing in commit order and gap-free per pass, as ADR 0007 asks.
create table clr_receipt_feed_run (
  recipient_org_id uuid not null,
  first_seq bigint not null,
  last_seq bigint not null,
  receipt_ids bigint[] not null,
  receipt_created_ats timestamptz[] not null,
  -- a receipt's run is found by (recipient, id) through these: a batch's ids are one statement's
  min_receipt_id bigint not null,
  max_receipt_id bigint not null,
  -- archiving a receipt month removes the runs that point into it (docs/operations.md)
  last_receipt_created_at timestamptz not null,
  primary key (recipient_org_id, last_seq),
  check (last_seq - first_seq + 1 = cardinality(receipt_ids))
);
create index clr_receipt_feed_run_receipt on clr_receipt_feed_run (recipient_org_id, max_receipt_id);

-- Positions already handed out are kept: every existing entry becomes a run of one.
insert into clr_receipt_feed_run
  (recipient_org_id, first_seq, last_seq, receipt_ids, receipt_created_ats, min_receipt_id, max_receipt_id, last_receipt_created_at)
select recipient_org_id, seq, seq, array[receipt_id], array[receipt_created_at], receipt_id, receipt_id, receipt_created_at
from clr_receipt_feed_entry;
drop table clr_receipt_feed_entry;

-- One row per receipt and recipient, as before, for queries and checks that think in entries.
create view clr_receipt_feed_entry as
select r.recipient_org_id, r.first_seq + u.ord - 1 as seq, u.receipt_id, u.receipt_created_at
from clr_receipt_feed_run r
cross join lateral unnest(r.receipt_ids, r.receipt_created_ats) with ordinality as u(receipt_id, receipt_created_at, ord);
