-- A consignment's export declaration is checked against the platform's own customs records
-- (issue 7): a 9810/9610 consignment names an inventory (clearance invtNo) or a summary export
-- declaration (entryId) of the same seller, released by customs, and its release time is the
-- one customs recorded. A 0110 (general trade) declaration is lodged outside the platform: its
-- number and release time are kept as typed and marked external.
--   inventory | summary: verified; declaration_ref is the clearance document / summary declaration id
--   external:            0110, declared outside the platform, not verified
--   legacy:              received before verification existed, as typed, not verified
alter table ovs_consignment
  add column declaration_source text not null default 'legacy'
    check (declaration_source in ('inventory', 'summary', 'external', 'legacy')),
  add column declaration_ref uuid,
  -- what the provider typed as the release time (null: not typed); released_at is what counts
  add column typed_released_at timestamptz;

update ovs_consignment set declaration_source = 'external' where trade_mode = '0110';
update ovs_consignment set typed_released_at = released_at;
alter table ovs_consignment alter column declaration_source drop default;
alter table ovs_consignment add constraint ovs_consignment_declaration_ref
  check ((declaration_ref is not null) = (declaration_source in ('inventory', 'summary')));

-- One consignment per customs declaration, and per released inventory whichever number names it
-- (its invtNo, or the entryId of the summary declaration it fed): the same export is never put
-- into stock twice.
create unique index ovs_consignment_declaration on ovs_consignment (declaration_source, declaration_ref)
  where declaration_ref is not null;
create table ovs_consignment_inventory (
  inventory_id uuid primary key,
  consignment_id uuid not null references ovs_consignment (id)
);
create index ovs_consignment_seller on ovs_consignment (seller_org_id, created_at);
