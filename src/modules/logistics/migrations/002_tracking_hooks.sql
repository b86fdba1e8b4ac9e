-- Tracking events out by webhook (issue 7). The receipt webhooks (webhooks module) follow the
-- sequenced receipt feed with one cursor per subscription; tracking events have no such feed, so
-- each event batch is queued per receiving hook in the transaction that stores the events: a
-- stored event is never without its deliveries, and a slow receiver delays only itself.
create table lgx_hook (
  id uuid primary key,
  organisation_id uuid not null,
  url text not null,
  -- in clear, as whk_subscription.secret: HMAC signing needs the secret itself
  secret text not null,
  created_by uuid,
  created_at timestamptz not null
);
create index lgx_hook_org on lgx_hook (organisation_id);

create table lgx_hook_delivery (
  id uuid primary key,
  hook_id uuid not null references lgx_hook (id) on delete cascade,
  -- the tracking events as the receiver gets them (each with its event id, to dedupe by)
  items jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  delivered_at timestamptz,
  status_code integer,
  last_error text,
  created_at timestamptz not null
);
create index lgx_hook_delivery_due on lgx_hook_delivery (next_attempt_at) where delivered_at is null;
create index lgx_hook_delivery_hook on lgx_hook_delivery (hook_id, created_at);
