-- Signed webhooks: an organisation's subscriptions to its receipt feed, and a bounded log of
-- delivery attempts. Deliveries page the clearance receipt feed by `seq` after `cursor`.

create table whk_subscription (
  id uuid primary key,
  organisation_id uuid not null references organisation (id),
  url text not null,
  -- a list so tracking events can be added later; today only 'receipts'
  topics text[] not null,
  -- The signing secret in clear: HMAC needs the secret itself on every delivery, so it cannot be
  -- stored as a one-way hash the way API keys are. It is shown to the owner once, at creation
  -- (and at rotation), never in a listing or the audit log.
  secret text not null,
  -- the feed position (receipt seq) of the last item the receiver acknowledged with a 2xx
  cursor bigint not null default 0,
  status text not null check (status in ('active', 'paused', 'failing')),
  consecutive_failures integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  last_delivered_at timestamptz,
  created_by uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index whk_subscription_org on whk_subscription (organisation_id, created_at);
create index whk_subscription_due on whk_subscription (next_attempt_at) where status = 'active';

-- One row per attempt (success or failure); the dispatcher keeps the last 1,000 per subscription.
create table whk_delivery (
  id uuid primary key,
  subscription_id uuid not null references whk_subscription (id) on delete cascade,
  attempted_at timestamptz not null,
  ok boolean not null,
  status_code integer,
  first_seq bigint,
  last_seq bigint,
  item_count integer not null,
  duration_ms integer not null,
  error text
);
create index whk_delivery_recent on whk_delivery (subscription_id, attempted_at desc, id desc);
