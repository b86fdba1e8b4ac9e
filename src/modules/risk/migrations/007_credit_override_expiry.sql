-- A credit level customs (or the demo seed) set in the risk workbench outranked the credit
-- system's rating for ever: an override set once for a case shielded the enterprise from every
-- later rating. An override now holds until valid_until; past it, the credit system's rating (or
-- the provisional grade) applies again. Existing overrides hold for a year from when they were set.
alter table rsk_credit add column valid_until timestamptz;
update rsk_credit set valid_until = updated_at + interval '1 year';
alter table rsk_credit alter column valid_until set not null;
