-- Audited writes no longer queue on the chain head: each transaction appends its entries here
-- (no lock), and the chainer moves committed entries into audit_log in commit order, hashing
-- them onto the chain under the head lock in one short transaction. `txid` tells which entries
-- are committed and older than every transaction still running (see clr_receipt for the same idea).
create table audit_pending (
  id bigint generated always as identity primary key,
  txid xid8 not null default pg_current_xact_id(),
  at timestamptz not null,
  actor_user_id uuid,
  actor_org_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  request_id text
);
