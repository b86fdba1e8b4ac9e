-- The three foreign keys on the intake tables cost a trigger and a row lock on the parent per row:
-- 80,600 documents, 20,000 inventories and 60,000 parcel events per 20,000 parcels, each locking
-- its message or document FOR KEY SHARE (a heap write and WAL record on the parent).
-- Measured (bench, --statements, 20,000 parcels): document insert 8.8 s → 7.1 s, parcel events
-- 3.9 s → 2.1 s. The rows are written only by intake, in the transaction that writes their
-- parent, and nothing deletes a message or document, so the keys guarded nothing the code
-- does not (docs/adr/0023-intake-without-foreign-keys.md; a check query in the ADR finds orphans).
alter table clr_document drop constraint clr_document_message_id_fkey;
alter table clr_inventory drop constraint clr_inventory_document_id_fkey;
alter table clr_parcel_event drop constraint clr_parcel_event_document_id_fkey;
