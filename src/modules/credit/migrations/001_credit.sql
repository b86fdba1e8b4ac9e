-- Export credit system (出口信用体系): ratings with history, cases, blacklist. Rules: docs/credit-rating.md.

-- Every computed rating is kept: the latest per organisation is the current level.
create table cr_rating (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  code text not null,
  level text not null check (level in ('AA', 'A', 'B', 'C')),
  score integer not null,
  factors jsonb not null,
  rules_version text not null,
  computed_at timestamptz not null
);
create index cr_rating_org on cr_rating (org_id, id desc);

create table cr_case (
  id uuid primary key,
  kind text not null check (kind in ('fraud', 'ip', 'counterfeit', 'quality')),
  subject_org_id uuid not null,
  subject_code text not null,
  subject_name text not null,
  status text not null,
  -- officer: opened by an agency; public: a report from anyone (e.g. a buyer through a trace code)
  source text not null check (source in ('officer', 'public')),
  reporter_org_id uuid,
  reporter_contact text,
  summary text not null,
  trace_code text,
  severity text check (severity in ('none', 'minor', 'major')),
  blacklist boolean not null default false,
  decision text,
  appeal_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  decided_at timestamptz,
  published_at timestamptz
);
create index cr_case_subject on cr_case (subject_org_id, status);
create index cr_case_status on cr_case (status, created_at desc);

create table cr_case_event (
  id bigint generated always as identity primary key,
  case_id uuid not null references cr_case (id),
  event text not null,
  from_status text,
  to_status text not null,
  actor_user_id uuid,
  actor_org_id uuid,
  note text,
  at timestamptz not null
);
create index cr_case_event_case on cr_case_event (case_id, id);

-- 失信名单: one active entry per organisation; lifting keeps the row.
create table cr_blacklist (
  id uuid primary key,
  org_id uuid not null,
  code text not null,
  name text not null,
  reason text not null,
  case_id uuid references cr_case (id),
  listed_at timestamptz not null,
  lifted_at timestamptz
);
create unique index cr_blacklist_active on cr_blacklist (org_id) where lifted_at is null;
