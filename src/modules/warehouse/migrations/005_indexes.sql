-- Issue 7 audit: the floor's lists and the dispatch repair read by these.
-- dispatches of a centre, newest first
create index whs_dispatch_warehouse on whs_dispatch (warehouse_org_id, created_at);
-- the repair's scan for dispatches still waiting for their outcome
create index whs_dispatch_pending on whs_dispatch (created_at) where return_status = 'pending';
-- the bags (and pallets) a dispatch took
create index whs_bag_dispatch on whs_bag (dispatch_id);
-- bags of a centre, newest first, and the day's bag numbering
create index whs_bag_created on whs_bag (warehouse_org_id, created_at);
-- a waybill number across centres (labels for the seller, product traceability)
create index whs_parcel_logistics_no on whs_parcel (logistics_no);
