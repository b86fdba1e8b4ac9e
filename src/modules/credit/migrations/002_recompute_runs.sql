-- Scheduled recomputation of every rated or active enterprise (ratings went stale between cases).
-- One row per run: when it last ran is what decides whether the next is due, on any worker.
create table cr_recompute_run (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('schedule', 'cli')),
  started_at timestamptz not null,
  finished_at timestamptz,
  -- enterprises rated, and of those whose rating changed (a new row in cr_rating)
  enterprises integer,
  changed integer
);
create index cr_recompute_run_started on cr_recompute_run (started_at desc);
