-- Several topics per subscription ('receipts', 'summary.deadline_reminder'): one cursor per
-- subscription and topic, each the feed position of the topic's last item the receiver
-- acknowledged. The subscription's own cursor was the receipts cursor: it moves here.

create table whk_cursor (
  subscription_id uuid not null references whk_subscription (id) on delete cascade,
  topic text not null,
  cursor bigint not null default 0,
  primary key (subscription_id, topic)
);

insert into whk_cursor (subscription_id, topic, cursor)
select id, 'receipts', cursor from whk_subscription where 'receipts' = any (topics);

alter table whk_subscription drop column cursor;

-- the topic a delivery carried (every delivery before this migration carried receipts)
alter table whk_delivery add column topic text not null default 'receipts';
alter table whk_delivery alter column topic drop default;
