-- Status updates were never HOT: the review-queue index named `status` in its predicate, and
-- PostgreSQL treats a column an index predicate reads as indexed, so each of a document's four or
-- five status changes wrote an entry in every index of clr_document (two of them GIN). The queue
-- now lives on the narrow inventory row: `held_at` is set only when an inventory is held for an
-- officer (300) and cleared when it leaves review, so green parcels never touch an indexed column.
alter table clr_inventory add column held_at timestamptz;
update clr_inventory i set held_at = d.updated_at
from clr_document d
where d.id = i.document_id and d.kind = 'inventory' and d.status = '300';
create index clr_inventory_held on clr_inventory (held_at) where held_at is not null;
drop index clr_document_review;
-- A HOT update needs room for the new version on the same page: an inventory row is ~1.8 kB, so
-- the 15 % left free before held barely one. New pages keep 40 % (documents) and 30 % (the
-- inventory rows, updated at decision, release and closure) free.
alter table clr_document set (fillfactor = 60);
alter table clr_inventory set (fillfactor = 70);
