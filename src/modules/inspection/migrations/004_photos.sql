-- Photos taken on the supervision-centre floor, uploaded by the officer as the raw image (JPEG,
-- PNG or WebP, at most 8 MiB, its signature checked against its type). A finding names its photos
-- by id (insp_finding.photos), each one of the same task. The bytes are served only to officers
-- who may see the task. Re-sending the same bytes for a task answers the photo already stored.
create table insp_photo (
  id uuid primary key,
  task_id uuid not null references insp_task (id),
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
  size_bytes integer not null check (size_bytes between 1 and 8388608),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bytea not null check (octet_length(bytes) = size_bytes),
  -- the officer (null when an API key of the agency uploaded it; the audit log names the organisation)
  uploaded_by uuid,
  uploaded_at timestamptz not null,
  unique (task_id, sha256)
);
-- Images are compressed already: store them out of line without trying to compress them again.
alter table insp_photo alter column bytes set storage external;
