create table organisation (
  id uuid primary key,
  kind text not null check (kind in ('enterprise', 'agency', 'operator')),
  name text not null check (length(name) between 1 and 200),
  name_en text,
  -- 统一社会信用代码 (GB 32100-2015) and 海关编码 (10 characters); an enterprise has at least one
  uscc char(18) unique,
  customs_code char(10) unique,
  -- enterprise roles (ebp, ebc, logistics, payment, agent, warehouse, overseas) or agency duties
  -- (customs, inspection, tax, forex, pboc, commerce)
  roles text[] not null default '{}',
  -- agencies: the customs district or office they supervise; enterprises: their competent customs
  jurisdiction text,
  created_at timestamptz not null default now(),
  check (kind <> 'enterprise' or uscc is not null or customs_code is not null),
  check (kind <> 'agency' or jurisdiction is not null)
);
create index organisation_kind_name on organisation (kind, name);
create index organisation_jurisdiction on organisation (jurisdiction);

create table app_user (
  id uuid primary key,
  organisation_id uuid references organisation (id),
  username text not null unique check (username = lower(username) and username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text not null,
  password_hash text not null,
  roles text[] not null,
  locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
  failed_logins integer not null default 0,
  locked_until timestamptz,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index app_user_organisation on app_user (organisation_id);

-- Only a hash of each session token is stored: a leaked table does not log anyone in.
create table user_session (
  token_hash bytea primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index user_session_user on user_session (user_id);
create index user_session_expires on user_session (expires_at);

create table api_key (
  id uuid primary key,
  organisation_id uuid not null references organisation (id),
  created_by uuid references app_user (id),
  name text not null check (length(name) between 1 and 100),
  prefix text not null unique,
  secret_hash bytea not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_key_organisation on api_key (organisation_id, created_at desc);
