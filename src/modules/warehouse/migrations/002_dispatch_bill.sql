-- A declaring agent (or seller) asks for the parcels a dispatch put on a master bill, by bill number,
-- to file the total-sub bill (CEB607) from them.
create index whs_dispatch_bill on whs_dispatch (bill_no) where bill_no is not null;
