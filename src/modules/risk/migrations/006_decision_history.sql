-- A decision taken again (a hold fixed, a rule edited or switched off) replaced the row of the
-- first: the hits that held the parcel were lost, and the measures counted a parcel held and then
-- released as auto-released, its decision time from the last decision. The replaced decision is now
-- appended to rsk_decision_history (append-only, in the statement that stores the new one), and the
-- row keeps its first lane and time. Null while a row is its own first decision, so existing rows
-- need no rewrite and a first decision writes nothing more.
alter table rsk_decision add column first_lane text, add column first_decided_at timestamptz;

create table rsk_decision_history (
  id bigserial primary key,
  inventory_id uuid not null,
  lane text not null,
  hits jsonb not null,
  decided_at timestamptz not null,
  -- when the decision that replaced it was taken
  superseded_at timestamptz not null
);
create index rsk_decision_history_inventory on rsk_decision_history (inventory_id, decided_at);
