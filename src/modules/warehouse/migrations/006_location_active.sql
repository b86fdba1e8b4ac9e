-- Storage locations are retired, never deleted: parcels, stock counts and the audit trail name
-- them by code. A retired location is no longer a put-away choice; it can be brought back.
alter table whs_location add column active boolean not null default true;
