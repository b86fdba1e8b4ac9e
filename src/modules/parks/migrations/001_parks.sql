-- Parks, training, events and support programmes (产业集聚, 人才培养, 对接会, 扶持资金).

create table pk_park (
  id uuid primary key,
  name text not null,
  name_en text,
  region text not null,
  kind text not null check (kind in ('park', 'distribution_centre')),
  address text,
  created_at timestamptz not null
);

create table pk_park_member (
  park_id uuid not null references pk_park (id),
  org_id uuid not null,
  joined_at timestamptz not null,
  primary key (park_id, org_id)
);

-- Training courses and matchmaking / training events: a schedule and a capacity.
create table pk_offering (
  id uuid primary key,
  kind text not null check (kind in ('course', 'event')),
  title text not null,
  title_en text,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  place text not null,
  capacity integer not null check (capacity > 0),
  -- kept beside the rows so a full offering refuses in one conditional update (no race)
  enrolled integer not null default 0 check (enrolled >= 0 and enrolled <= capacity),
  created_at timestamptz not null
);

create table pk_enrolment (
  offering_id uuid not null references pk_offering (id),
  user_id uuid not null,
  org_id uuid,
  enrolled_at timestamptz not null,
  attended boolean not null default false,
  certificate_no text unique,
  primary key (offering_id, user_id)
);

create table pk_programme (
  id uuid primary key,
  name text not null,
  category text not null check (category in ('park', 'training', 'overseas_service', 'new_model')),
  -- eligibility rules as data: [{"metric": "exportsCny", "op": ">=", "value": 100000}, …]
  rules jsonb not null,
  opens_on date not null,
  closes_on date not null,
  created_at timestamptz not null
);

create table pk_application (
  id uuid primary key,
  programme_id uuid not null references pk_programme (id),
  org_id uuid not null,
  org_code text not null,
  statement text not null,
  -- the enterprise's platform figures, attached when it applies
  figures jsonb not null,
  eligibility jsonb not null,
  status text not null,
  score integer,
  note text,
  created_at timestamptz not null,
  decided_at timestamptz,
  unique (programme_id, org_id)
);
