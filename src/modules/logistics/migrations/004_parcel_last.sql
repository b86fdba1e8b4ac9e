-- The latest event of each parcel per carrier (issue 7 audit). The problem-parcel list used to read
-- the latest of every event a carrier ever sent and ask clearance about all of those parcels. Now
-- the statement that stores events also keeps this row per parcel (a later event by event time
-- wins; at the same time, the later stage of the lifecycle), and the list reads it by window and
-- cursor.
create table lgx_parcel_last (
  carrier_org_id uuid not null,
  logistics_no text not null,
  -- the event that is the parcel's latest
  event_id uuid not null,
  code text not null,
  last_at timestamptz not null,
  primary key (carrier_org_id, logistics_no)
);

-- Problem candidates: every parcel not delivered (no scan for N days, held, returned), by last scan.
-- Delivered parcels, most of the table, stay out of the index.
create index lgx_parcel_last_open on lgx_parcel_last (carrier_org_id, last_at, logistics_no) where code <> 'delivered';

-- The parcels scanned before this migration.
insert into lgx_parcel_last (carrier_org_id, logistics_no, event_id, code, last_at)
select distinct on (carrier_org_id, logistics_no) carrier_org_id, logistics_no, id, code, at
  from lgx_event
 order by carrier_org_id, logistics_no, at desc,
          array_position(array['accepted', 'in_warehouse', 'departed_origin', 'in_transit', 'arrived_destination',
                                'customs_abroad', 'held', 'out_for_delivery', 'delivered', 'delivery_failed', 'returned'],
                         code) desc nulls last,
          created_at desc;
