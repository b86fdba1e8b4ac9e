-- Issue 7 audit. A waybill number is unique per carrier (business key logisticsCode + logisticsNo),
-- not per centre: two carriers' parcels with the same number are two parcels. The floor looks
-- parcels up by the scanned number, hence the plain index as well.
alter table whs_parcel drop constraint whs_parcel_warehouse_org_id_logistics_no_key;
alter table whs_parcel add constraint whs_parcel_carrier_no unique (warehouse_org_id, logistics_code, logistics_no);
create index whs_parcel_no on whs_parcel (warehouse_org_id, logistics_no);

-- Held at the inspection station: set when the parcel is scanned while its inventory's
-- (joint-)inspection task is open, cleared when the task is completed (or the inventory withdrawn).
alter table whs_parcel
  add column held_at timestamptz,
  add column held_inventory_id uuid,
  add column held_task_id uuid;
create index whs_parcel_held on whs_parcel (held_inventory_id) where held_at is not null;
