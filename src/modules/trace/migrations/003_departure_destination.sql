-- Where a departed parcel was going (运抵国, the customs country code its inventory declared), kept
-- on the departure link of the chain: the verification page speaks that country's language to a
-- buyer whose browser names none the page offers. Null on every other link, and on departures
-- recorded before this migration.
alter table tr_event add column destination text;
