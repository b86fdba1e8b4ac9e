-- Batch write-off ledger (分批核销), audit follow-up of issue 5.
-- A parcel's quarantine lines draw on a batch when the risk engine decides it, before anyone knows
-- whether it will be released: that quantity is RESERVED. It counts as RELEASED only once the
-- parcel reaches 399 (green, approved on review, passed inspection, or decided again), WRITTEN OFF
-- when it departs (899), and goes back (RETURNED, reserved or released) when the parcel is
-- rejected or cancelled. Balance = declared - reserved - released; nothing ever goes negative.
alter table insp_batch add column reserved_qty numeric not null default 0;
alter table insp_batch add column returned_qty numeric not null default 0;

-- The use row: reserved_at (the draw, formerly released_at), then released_at once the parcel
-- reached 399, written_off_at at departure, or returned_at.
alter table insp_batch_use rename column released_at to reserved_at;
alter table insp_batch_use add column released_at timestamptz;

-- What was drawn before this split: written off means released; anything else not given back is
-- reserved until its parcel's next event (a departure releases and writes it off at once).
update insp_batch_use set released_at = written_off_at where written_off_at is not null;
update insp_batch b set reserved_qty = s.q, released_qty = b.released_qty - s.q
  from (select batch_id, sum(qty) as q from insp_batch_use
        where released_at is null and returned_at is null group by batch_id) s
  where b.id = s.batch_id;
update insp_batch b set returned_qty = s.q
  from (select batch_id, sum(qty) as q from insp_batch_use where returned_at is not null group by batch_id) s
  where b.id = s.batch_id;

alter table insp_batch add constraint insp_batch_ledger check (
  reserved_qty >= 0 and released_qty >= 0 and returned_qty >= 0 and written_off_qty >= 0
  and reserved_qty + released_qty <= declared_qty and written_off_qty <= released_qty
);
alter table insp_batch_use add constraint insp_batch_use_written_off_released check (written_off_at is null or released_at is not null);

-- The authority's steps on a batch (inspection.states.ts, batchLifecycle): declared → accepted |
-- rejected; accepted → closed. Only an accepted batch is drawn on. Batches declared before this
-- were drawn on at once: they are accepted.
alter table insp_batch add column status text not null default 'declared'
  check (status in ('declared', 'accepted', 'rejected', 'closed'));
alter table insp_batch add column reason text;
alter table insp_batch add column decided_by uuid;
alter table insp_batch add column decided_at timestamptz;
alter table insp_batch add column closed_at timestamptz;
update insp_batch set status = 'accepted', decided_at = created_at;
create index insp_batch_drawable on insp_batch (enterprise_code, item_no, created_at) where status = 'accepted';

-- Centralised declaration per enterprise and Beijing day (grouping 'day'), or per enterprise and
-- total-sub bill (grouping 'bill': the master bill number the inventory names, billNo), as the
-- inspection authority of the customs office sets it (insp_setting; 'day' when unset).
alter table insp_declaration add column grouping text not null default 'day' check (grouping in ('day', 'bill'));
alter table insp_declaration add column bill_no text;
alter table insp_declaration add constraint insp_declaration_grouping_bill check ((grouping = 'bill') = (bill_no is not null));
alter table insp_declaration drop constraint insp_declaration_enterprise_code_customs_code_day_key;
create unique index insp_declaration_day_key on insp_declaration (enterprise_code, customs_code, day) where grouping = 'day';
create unique index insp_declaration_bill_key on insp_declaration (enterprise_code, customs_code, bill_no) where grouping = 'bill';

-- An inspection authority's settings, for the customs offices under a jurisdiction prefix ('' =
-- every office, the operator's); the longest prefix of a parcel's customs office applies.
create table insp_setting (
  customs_prefix text primary key,
  declaration_grouping text not null check (declaration_grouping in ('day', 'bill')),
  updated_by uuid,
  updated_at timestamptz not null
);
