-- Split-shipment counts ask, per key, for parcels under the rule's value decided within its
-- window. Ordered by (key, decided_at), the count visited every parcel of the key in the window,
-- low-value or not: a large seller's everyday parcels made it grow with the day (14.6 s of
-- database time over 200,000 parcels, rising). Ordered by (key, total, decided_at), it reads only
-- the key's low-value parcels and checks the window on the index entry.
create index rsk_decision_split_value on rsk_decision (split_key, total, decided_at);
drop index rsk_decision_split;
