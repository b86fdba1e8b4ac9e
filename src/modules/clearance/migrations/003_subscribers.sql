-- BaseSubscribe (third-party subscription): DATA subscribers may read the document, RET
-- subscribers receive its receipts, ALL both. Kept apart from `parties` (who are named in it).
alter table clr_document add column readers uuid[] not null default '{}';
alter table clr_document add column receipt_copies uuid[] not null default '{}';
create index clr_document_readers on clr_document using gin (readers) where readers <> '{}';
