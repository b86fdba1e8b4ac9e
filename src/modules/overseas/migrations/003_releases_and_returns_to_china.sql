-- The ledger's ways back (issue 7): a cancelled reservation and a restocked return give their units
-- back to the consignment lot they were drawn from, so they can be sold again and still trace to
-- the export declaration; unsold stock can go back to China (退运, GACC 2020 No. 44) with the
-- customs record, which takes it out of the lot and out of the balance for good.

-- units of the lot sent back to China unsold; a lot's sellable units are qty - allocated - to_china
alter table ovs_consignment_line
  add column to_china integer not null default 0,
  add constraint ovs_consignment_line_to_china check (to_china >= 0 and allocated + to_china <= qty);

-- available = qty_in + qty_returned - qty_reserved - qty_out - qty_to_china, never negative
alter table ovs_stock
  add column qty_to_china integer not null default 0,
  add constraint ovs_stock_to_china check (
    qty_to_china >= 0 and qty_in + qty_returned - qty_reserved - qty_out - qty_to_china >= 0
  );

--   release:         a reserved sale cancelled, its units back to their lot
--   unsold_to_china: unsold stock of a lot returned to China under a customs record
alter table ovs_movement drop constraint ovs_movement_kind_check;
alter table ovs_movement add constraint ovs_movement_kind_check
  check (kind in ('in', 'reserve', 'out', 'return', 'return_to_china', 'release', 'unsold_to_china'));

-- Restocked returns made before this migration raised qty_returned but left their units allocated
-- to the lot, so the balance showed them available while no sale could draw them. Each such
-- return's movement names the lot the unit was sold from: give those units back to it.
update ovs_consignment_line l set allocated = l.allocated - r.qty
  from (select consignment_id, sku, sum(qty)::int as qty from ovs_movement
         where kind = 'return' and consignment_id is not null group by 1, 2) r
 where l.consignment_id = r.consignment_id and l.sku = r.sku;
