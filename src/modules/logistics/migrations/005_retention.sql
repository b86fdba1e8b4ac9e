-- Retention and a cap on webhook retries (issue 7 audit). Feed entries and delivered webhook
-- batches used to be kept forever; a receiver that never came back was retried forever.

-- When the entry's events were stored (the storing transaction's time, from its feed batch):
-- the retention job deletes entries older than LOGISTICS_RETENTION_DAYS. Entries from before this
-- migration count from now. BRIN: the table is appended to in time order.
alter table lgx_feed_entry add column created_at timestamptz not null default now();
create index lgx_feed_entry_created on lgx_feed_entry using brin (created_at);

-- A batch given up on: still failing ~72 hours after it was queued. It no longer holds back the
-- hook's later batches.
alter table lgx_hook_delivery add column failed_at timestamptz;
drop index lgx_hook_delivery_due;
create index lgx_hook_delivery_due on lgx_hook_delivery (next_attempt_at) where delivered_at is null and failed_at is null;
-- finished batches (delivered or given up), for the retention job
create index lgx_hook_delivery_done on lgx_hook_delivery (created_at) where delivered_at is not null or failed_at is not null;

-- The hook gave up on a batch at this time and has delivered nothing since; cleared by the next
-- delivery. Shown to the hook's owner.
alter table lgx_hook add column failing_since timestamptz;
