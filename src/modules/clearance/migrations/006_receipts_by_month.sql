-- Receipts partitioned by month (China time) of their creation.
--
-- Receipts are the largest table of the platform (about eleven rows per parcel against four
-- documents) and, since migration 005, append-only: nothing updates them, so a month's partition
-- is written while the month lasts and read afterwards, and an operator can detach and archive
-- a whole month (docs/operations.md) instead of deleting rows one by one. Documents are not
-- partitioned: see docs/adr/0020-partitioning.md.
--
-- A partition exists for every month that has receipts, and ahead of time for the coming months
-- (clr_ensure_receipt_partitions, run here, at every start and every few hours by the receipt
-- sequencer). Rows for a month without a partition (a test clock far in the past) land in the
-- default partition, which the function never splits.

alter table clr_receipt rename to clr_receipt_unpartitioned;
alter index clr_receipt_pkey rename to clr_receipt_unpartitioned_pkey;
alter index clr_receipt_document rename to clr_receipt_unpartitioned_document;
drop trigger clr_receipt_batch_on_insert on clr_receipt_unpartitioned;

create table clr_receipt (
  id bigint generated always as identity,
  recipient_org_id uuid not null,
  message_type text not null,
  document_id uuid,
  guid text not null,
  return_status text not null,
  return_info text not null,
  return_time text not null,
  fields jsonb not null,
  created_at timestamptz not null,
  primary key (id, created_at)
) partition by range (created_at);
create index clr_receipt_document on clr_receipt (document_id);
create table clr_receipt_default partition of clr_receipt default;

-- Creates the monthly partitions from the month of `from_ts` up to `months_ahead` months after
-- now, skipping those that exist or whose month already has rows in the default partition.
-- Answers how many it created.
create function clr_ensure_receipt_partitions(months_ahead integer, from_ts timestamptz default now())
returns integer language plpgsql as $$
declare
  m timestamp := date_trunc('month', from_ts at time zone 'Asia/Shanghai');
  last_month timestamp := date_trunc('month', now() at time zone 'Asia/Shanghai') + make_interval(months => months_ahead);
  lo timestamptz;
  hi timestamptz;
  name text;
  created integer := 0;
begin
  perform pg_advisory_xact_lock(4242610003);
  while m <= last_month loop
    name := format('clr_receipt_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
    lo := m at time zone 'Asia/Shanghai';
    hi := (m + interval '1 month') at time zone 'Asia/Shanghai';
    if to_regclass(name) is null
       and not exists (select 1 from clr_receipt_default where created_at >= lo and created_at < hi) then
      execute format('create table %I partition of clr_receipt for values from (%L) to (%L)', name, lo, hi);
      created := created + 1;
    end if;
    m := m + interval '1 month';
  end loop;
  return created;
end $$;

-- Partitions for the months the existing receipts span, then the rows, keeping their ids.
select clr_ensure_receipt_partitions(3, coalesce((select min(created_at) from clr_receipt_unpartitioned), now()));
insert into clr_receipt (id, recipient_org_id, message_type, document_id, guid, return_status, return_info, return_time, fields, created_at)
overriding system value
select id, recipient_org_id, message_type, document_id, guid, return_status, return_info, return_time, fields, created_at
from clr_receipt_unpartitioned;
select setval(pg_get_serial_sequence('clr_receipt', 'id'), coalesce((select max(id) from clr_receipt), 0) + 1, false);

-- The feed and pending batches carry each receipt's creation time, so a receipt is found in its
-- partition alone.
alter table clr_receipt_batch add column created_ats timestamptz[];
update clr_receipt_batch b set created_ats = (
  select array_agg(r.created_at order by r.id) from clr_receipt_unpartitioned r where r.id = any(b.receipt_ids));
alter table clr_receipt_batch alter column created_ats set not null;
alter table clr_receipt_feed_entry add column receipt_created_at timestamptz;
update clr_receipt_feed_entry f set receipt_created_at = r.created_at from clr_receipt_unpartitioned r where r.id = f.receipt_id;
delete from clr_receipt_feed_entry where receipt_created_at is null;
alter table clr_receipt_feed_entry alter column receipt_created_at set not null;
drop table clr_receipt_unpartitioned;

create or replace function clr_receipt_register_batch() returns trigger language plpgsql as $$
begin
  insert into clr_receipt_batch (receipt_ids, recipients, created_ats)
  select array_agg(id order by id), array_agg(recipient_org_id order by id), array_agg(created_at order by id)
  from new_receipts having count(*) > 0;
  return null;
end $$;

create trigger clr_receipt_batch_on_insert after insert on clr_receipt
  referencing new table as new_receipts for each statement execute function clr_receipt_register_batch();
