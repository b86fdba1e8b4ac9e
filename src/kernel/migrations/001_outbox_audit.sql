-- Transactional outbox: events are written in the same transaction as the change they announce;
-- one delivery row per subscribed handler is the unit of work (and of retry) for the dispatcher.
create table outbox_event (
  id bigint generated always as identity primary key,
  topic text not null,
  key text,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
create index outbox_event_created_at on outbox_event (created_at);

create table outbox_delivery (
  handler text not null,
  event_id bigint not null references outbox_event (id) on delete cascade,
  -- 0 pending, 2 dead (gave up after max attempts); delivered rows are deleted in the handler's transaction
  status smallint not null default 0,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  primary key (handler, event_id)
);
create index outbox_delivery_pending on outbox_delivery (handler, event_id) where status = 0;

-- Append-only audit log, hash-chained. seq is assigned under the head-row lock, so it has no
-- gaps: a deleted row shows as a gap, a changed row as a hash mismatch, a truncated tail as a
-- mismatch with audit_head.
create table audit_log (
  seq bigint primary key,
  at timestamptz not null,
  actor_user_id uuid,
  actor_org_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  request_id text,
  prev_hash text not null,
  hash text not null
);
create index audit_log_entity on audit_log (entity, entity_id);
create index audit_log_actor_org on audit_log (actor_org_id, seq);

create table audit_head (
  id boolean primary key default true check (id),
  seq bigint not null,
  hash text not null
);
insert into audit_head (id, seq, hash) values (true, 0, 'genesis');

-- The log is append-only for the application role too: updates and deletes are refused by the
-- database itself (an operator with superuser rights can still tamper; `cbec audit verify` catches it).
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only (审计日志只能追加)';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
