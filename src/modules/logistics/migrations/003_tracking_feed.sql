-- Live tracking streams across processes (issue 7, ADR 0012). The SSE stream used to be fed by an
-- in-process emitter: scaled out, an event stored by one API process (or a worker) never reached a
-- client connected to another, and a client that reconnected had no way to ask for what it missed.
-- Now every stored event enters a per-organisation feed with a position, read from PostgreSQL by
-- cursor (Last-Event-ID), like the receipt feed; NATS only carries "these organisations' feeds
-- moved" wake-ups.

-- Events stored by one transaction, waiting to enter the feed: one row per storing transaction,
-- with one (event, recipient) pair per element of the two arrays. The recipients (the carrier and
-- every party on the parcel's customs documents) are decided when the events are stored, as for
-- the tracking webhooks.
create table lgx_feed_batch (
  id bigserial primary key,
  event_ids uuid[] not null,
  recipients uuid[] not null,
  created_at timestamptz not null,
  check (cardinality(event_ids) = cardinality(recipients))
);

-- Feed positions, handed out by one sequencing pass at a time (an advisory lock), so a pass that
-- commits later always has higher positions: a reader at position c never misses an entry.
create sequence lgx_feed_seq;

-- The feed: an event has one position, shared by every organisation that may see it.
create table lgx_feed_entry (
  recipient_org_id uuid not null,
  seq bigint not null,
  event_id uuid not null,
  primary key (recipient_org_id, seq)
);
