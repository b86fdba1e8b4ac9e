-- Scale-out (NATS JetStream): the relay marks a delivery row when it has announced it to the
-- workers, so each due row is announced once; a failed attempt clears the mark, so the row is
-- announced again when its retry falls due. Unused by the in-process dispatcher.
alter table outbox_delivery add column announced_at timestamptz;
create index outbox_delivery_unannounced on outbox_delivery (handler, event_id) where status = 0 and announced_at is null;
