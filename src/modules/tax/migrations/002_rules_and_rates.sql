-- Tax rules and refund rates as versioned data, kept by the tax officer (audited): a declaration
-- is judged by the versions in force on its exit day, so a past month can be replayed.

-- 无票免税 (财税〔2018〕103号): whether the rule applies, and which pilot zones with which customs
-- (districts such as 4000, or offices such as 4006): the export must be declared through customs
-- in the zone the exporter is registered in.
create table tax_rule_version (
  effective_from date primary key,
  no_invoice_enabled boolean not null,
  -- [{"zone": "3601", "customs": ["4000"]}, ...]
  pilot_zones jsonb not null check (jsonb_typeof(pilot_zones) = 'array'),
  note text not null default '',
  updated_by uuid,
  updated_at timestamptz not null
);

-- 财税〔2018〕103号 took effect on 1 October 2018: Nanchang (3601, 南昌关区 4000) was a pilot zone.
-- Ganzhou (3607) joined with the fourth batch of pilot zones (国函〔2019〕137号), from 2020.
insert into tax_rule_version (effective_from, no_invoice_enabled, pilot_zones, note, updated_at) values
  ('2018-10-01', true, '[{"zone": "3601", "customs": ["4000"]}]', '财税〔2018〕103号', now()),
  ('2020-01-01', true, '[{"zone": "3601", "customs": ["4000"]}, {"zone": "3607", "customs": ["4000"]}]',
   '国函〔2019〕137号 第四批综试区（赣州）', now());

-- Export VAT refund rates (出口退税率) per HS prefix, one set per version.
create table tax_rate_version (
  version text primary key,
  effective_from date not null unique,
  source text not null,
  updated_by uuid,
  updated_at timestamptz not null
);
create table tax_refund_rate (
  version text not null references tax_rate_version (version) on delete cascade,
  -- an HS prefix (2 to 10 digits): the longest one covering a goods code wins
  hs text not null check (hs ~ '^[0-9]{2,10}$'),
  -- null when the goods are excluded from refund and exemption (财税〔2013〕96号 第三条)
  rate numeric(5, 4) check (rate >= 0 and rate <= 1),
  excluded boolean not null default false,
  primary key (version, hs),
  check ((excluded and rate is null) or (not excluded and rate is not null))
);

-- The tables the platform carried in code (rules/refund-rates.data.ts) until this migration.
insert into tax_rate_version (version, effective_from, source, updated_at) values
  ('2019-04', '2019-04-01', '财政部 税务总局 海关总署公告2019年第39号', now()),
  ('2020-03', '2020-03-20', '财政部 税务总局公告2020年第15号', now());
insert into tax_refund_rate (version, hs, rate, excluded) values
  ('2019-04', '6911', 0.13, false), ('2019-04', '6912', 0.13, false), ('2019-04', '6913', 0.13, false),
  ('2019-04', '0805', 0.09, false), ('2019-04', '6109', 0.13, false),
  ('2019-04', '2710', null, true), ('2019-04', '4403', null, true),
  ('2020-03', '6911', 0.13, false), ('2020-03', '6912', 0.13, false), ('2020-03', '6913', 0.13, false),
  ('2020-03', '0805', 0.09, false), ('2020-03', '6109', 0.13, false), ('2020-03', '9503', 0.13, false),
  ('2020-03', '2710', null, true), ('2020-03', '4403', null, true);
