-- Sessions get a public id (the token hash is never shown, not even to its owner) so a user can
-- list and end them one by one, and a last-seen time so an idle session expires before its
-- absolute end (issue 9, web security).
alter table user_session add column id uuid not null default gen_random_uuid();
alter table user_session add constraint user_session_id_unique unique (id);
alter table user_session add column last_seen_at timestamptz;
update user_session set last_seen_at = created_at;
alter table user_session alter column last_seen_at set not null;

-- When the password last changed: shown to administrators; a reset is audited with it.
alter table app_user add column password_changed_at timestamptz;
