-- Receipts go to the enterprise that sent the message (and to BaseSubscribe subscribers), as on
-- the national single window; other parties see the document and its receipts by query.
alter table clr_document add column sender_org_id uuid;
update clr_document d set sender_org_id = m.sender_org_id from clr_message m where m.id = d.message_id;
alter table clr_document alter column sender_org_id set not null;

-- Documents change status four or five times in their life: with no index on the status and
-- room left in each page, those updates are HOT (no index maintenance). The review queue keeps
-- a small partial index of its own.
drop index clr_document_kind_status;
create index clr_document_review on clr_document (customs_code, created_at) where kind = 'inventory' and status = '300';
alter table clr_document set (fillfactor = 85);
alter table clr_inventory set (fillfactor = 85);
