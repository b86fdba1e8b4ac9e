-- The editable holiday calendar: when the State Council publishes a year's arrangement (放假调休,
-- usually November–December of the year before), the platform operator or customs enters its rest
-- days (holiday) and make-up working days on weekends (workday) here, without a release. A year
-- with any row counts as confirmed and replaces the built-in table of rules/holidays.data.ts for
-- that year; years without rows keep the built-in (or provisional) days. Every change is audited.
create table sum_holiday_day (
  day date primary key,
  -- the arrangement (notice) the day belongs to: its own year, or the next for a late-December day
  -- where a New Year holiday begins
  year integer not null,
  kind text not null check (kind in ('holiday', 'workday')),
  name text not null,
  -- the notice it comes from, e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
  source text not null,
  created_by uuid,
  created_at timestamptz not null,
  check (extract(year from day)::int = year or (extract(year from day)::int = year - 1 and extract(month from day)::int = 12))
);
create index sum_holiday_day_year on sum_holiday_day (year, day);
