-- Lookups the overseas pages make (issue 7 audit): a warehouse's sales and a seller's sales, newest
-- first; the public directory's service filter (`services @> array[$1]`) on the points' service
-- lists. Service points are edited and retired (active = false) by their provider from now on;
-- the directory shows active ones only.
create index ovs_sale_warehouse on ovs_sale (warehouse_id, created_at);
create index ovs_sale_seller on ovs_sale (seller_org_id, created_at);
create index ovs_point_services on ovs_point using gin (services);
create index ovs_point_provider on ovs_point (provider_org_id);
