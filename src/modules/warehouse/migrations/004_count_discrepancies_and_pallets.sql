-- Issue 7 audit. A closed stock count keeps its discrepancy list (missing, unexpected, misplaced),
-- to be read back after the floor screen is gone; null while the count is open.
alter table whs_count add column discrepancies jsonb;
create index whs_count_warehouse on whs_count (warehouse_org_id, started_at);

-- Pallets: a package of closed bags. Parcels go into bags, bags onto a pallet; a dispatch names
-- each parcel's top-level package (its pallet, else its bag) as totalPackageNo. A pallet is never
-- on another pallet.
alter table whs_bag
  add column kind text not null default 'bag' check (kind in ('bag', 'pallet')),
  add column pallet_id uuid references whs_bag (id),
  add constraint whs_bag_pallet_holds_bags check (kind = 'bag' or pallet_id is null);
create index whs_bag_pallet on whs_bag (pallet_id) where pallet_id is not null;
