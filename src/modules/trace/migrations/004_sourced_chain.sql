-- The chain's links from the records that hold them (issue 8 audit): a warehouse receipt is the
-- supervision centre's (warehouse module), an inspection result the inspection task's finding or
-- an agency officer's within its jurisdiction, a delivery the carrier's tracking event. The seller
-- names the parcel; time, place and country come from the record.

-- An inspection link's result; null on other links. Inspection links recorded before this
-- migration have none and count as not inspected (their result is unknown).
alter table tr_event add column result text check (result in ('pass', 'fail'));
alter table tr_event add constraint tr_event_result_on_inspection check (kind = 'inspection' or result is null);
alter table tr_event add constraint tr_event_inspection_has_result check (kind <> 'inspection' or result is not null) not valid;
-- Where the link came from: seller (the producer, the seller's word), filing, warehouse, customs
-- (departure, 899), inspection (task finding), agency (officer's entry), logistics (tracking).
alter table tr_event add column source text;
-- The parcel the link is about (warehouse, inspection, departure, delivery), and the source
-- record's key: a record becomes a link of a chain once, whoever or whatever brings it.
alter table tr_event add column logistics_no text;
alter table tr_event add column ref text;
create unique index tr_event_ref on tr_event (code, ref);

-- The customs office the product was filed with (its filing's jurisdiction): agencies record
-- inspection results on codes within their jurisdiction only. Earlier codes carry it on their
-- filing link.
alter table tr_code add column jurisdiction text;
update tr_code c set jurisdiction = e.place
  from tr_event e where e.code = c.code and e.kind = 'filing' and e.place ~ '^[0-9]{4}$';

-- The parcels a code's goods travel in, once the seller named them on a link: inspection results
-- of their inventories join the chain when the task completes (outbox topic inspection.completed).
create table tr_parcel (
  code text not null references tr_code (code),
  inventory_id uuid not null,
  logistics_no text not null,
  waybill_key text not null,
  linked_at timestamptz not null,
  primary key (code, inventory_id)
);
create index tr_parcel_inventory on tr_parcel (inventory_id);
