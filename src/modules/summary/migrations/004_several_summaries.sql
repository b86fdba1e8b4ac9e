-- Several summaries per consignor and month. A CEB701 that lists inventories, or one from a
-- declaring agent, summarises only those; the rest of the month stays open for the next
-- application (of the agent or of the consignor). sum_claim (one row per inventory) keeps an
-- inventory from being summarised twice; the per-month lock goes.
drop index if exists sum_application_period;
create index sum_application_ebc_period on sum_application (ebc_code, period) where status <> 'cancelled';

-- 申报海关: a declaration is lodged at one customs office, numbered by it and read by its officers.
-- Declarations formed before take their application's office.
alter table sum_declaration add column customs_code text;
update sum_declaration d set customs_code = a.customs_code from sum_application a where a.id = d.application_id;
create index sum_declaration_customs on sum_declaration (customs_code, created_at);

-- The source lines' customs office is a grouping key now (joins on it must not meet nulls).
update sum_source_line set customs_code = '' where customs_code is null;
alter table sum_source_line alter column customs_code set default '', alter column customs_code set not null;
