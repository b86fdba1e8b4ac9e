-- A receipt's fields are kept as the text they were written in (json), not decomposed (jsonb).
--
-- Nothing queries inside them: they are written once, eleven receipts a parcel, and read back
-- whole (the feed, webhooks, the document view). As jsonb each receipt's fields were parsed into
-- the binary form on insert and printed back to text on every read. Measured on 100,000 receipts
-- in batches of 1,000 (the pipeline's): 2.2–2.7 s as jsonb through jsonb_to_recordset, 1.8–2.1 s as
-- json through json_to_recordset. Rewrites every receipt partition once (an exclusive lock while it
-- runs: minutes for tens of millions of receipts).
alter table clr_receipt alter column fields type json using fields::json;
