-- A CEB701 split into several messages (msgCount > 1): each part waits here, by the sender and
-- the application's copNo, until all have arrived; the summary is then formed once from their
-- inventories together and the parts are removed.
create table sum_ceb701_part (
  sender_org_id uuid not null,
  ebc_code text not null,
  cop_no text not null,
  msg_seq_no integer not null check (msg_seq_no >= 1),
  msg_count integer not null check (msg_count >= 1),
  guid text not null,
  head jsonb not null,
  invt_nos text[] not null,
  received_at timestamptz not null,
  primary key (sender_org_id, ebc_code, cop_no, msg_seq_no)
);

-- Deadline reminders sent (outbox summary.deadline_reminder): one per enterprise, period and
-- reminder day, whatever the number of runs; `seq` orders them as a feed per enterprise.
create table sum_deadline_reminder (
  seq bigint generated always as identity primary key,
  org_id uuid not null,
  period text not null,
  reminder_on date not null,
  days_before integer not null,
  deadline date not null,
  pending_inventories integer not null,
  created_at timestamptz not null,
  unique (org_id, period, reminder_on)
);
create index sum_deadline_reminder_org on sum_deadline_reminder (org_id, seq);
