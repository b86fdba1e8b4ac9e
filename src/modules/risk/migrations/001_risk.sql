-- Risk rules are versioned data (DESIGN.md §5): an edit adds a version; the version in force on a
-- day is the latest one effective on or before it. Old versions stay for audit and replay.
create table rsk_rule (
  id text not null,
  version integer not null,
  effective_from date not null,
  kind text not null,
  lane text not null check (lane in ('green', 'review', 'inspect', 'hold')),
  params jsonb not null default '{}',
  explain_zh text not null,
  explain_en text not null,
  enabled boolean not null default true,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (id, version)
);

-- Enterprise credit level (AA/A/B/C). From the credit system later; today set by customs or by
-- the demo seed. An enterprise without a row is graded from its history (see risk.engine.ts).
create table rsk_credit (
  enterprise_code text primary key,
  level text not null check (level in ('AA', 'A', 'B', 'C')),
  source text not null,
  updated_at timestamptz not null default now()
);

-- One row per inventory decision: which rules hit and why (officer only), plus the facts the
-- batch rules (split shipments, first-time exporter, HS median) and the dry run read back.
create table rsk_decision (
  inventory_id uuid primary key,
  guid text not null,
  ebc_code text not null,
  customs_code text,
  split_key text not null,
  total numeric not null,
  doc jsonb not null,
  lane text not null,
  hits jsonb not null,
  decided_at timestamptz not null
);
create index rsk_decision_ebc on rsk_decision (ebc_code);
create index rsk_decision_split on rsk_decision (split_key, decided_at);
create index rsk_decision_at on rsk_decision (decided_at);

-- Price facts per line for the HS-level median (undervaluation when no reference price is filed).
create table rsk_price (
  inventory_id uuid not null,
  gnum text not null,
  hs_code text not null,
  currency text not null,
  unit_price numeric not null,
  decided_at timestamptz not null,
  primary key (inventory_id, gnum)
);
create index rsk_price_hs on rsk_price (hs_code, currency, decided_at);

-- The rule set customs starts from. Numbers marked [I] in rules/risk.rules.ts are our defaults.
insert into rsk_rule (id, version, effective_from, kind, lane, params, explain_zh, explain_en, enabled) values
  ('R-VALUE-LIMIT', 1, '2018-06-30', 'parcel_limit', 'review', '{"maxValue": "50000"}',
   '申报总价超过 50000，转人工审核', 'declared total above 50000: manual review', true),
  ('R-UNDERVALUE', 1, '2018-06-30', 'undervaluation', 'review', '{"minRatio": 0.3, "medianMinSamples": 20}',
   '申报单价低于备案参考价或同税号中位数的 30%，涉嫌低报', 'unit price below 30% of the filed reference price or the HS median: possible undervaluation', true),
  ('R-PROHIBITED-HS', 1, '2018-06-30', 'hs_list', 'hold', '{"hsPrefixes": ["9301", "9302", "3601", "3602"]}',
   '商品编码属于禁止或限制出口（武器、炸药等）', 'HS code prohibited or restricted for export (arms, explosives …)', true),
  ('R-DESTINATION', 1, '2018-06-30', 'destination_list', 'review', '{"countries": []}',
   '运抵国属于受限目的地', 'destination is a restricted country', true),
  ('R-VAGUE', 1, '2018-06-30', 'vague_description', 'review',
   '{"words": ["gift", "gifts", "accessories", "accessory", "parts", "sample", "samples", "goods", "礼品", "配件", "样品", "货物", "商品", "其他"]}',
   '商品名称笼统（如“礼品”“配件”），需人工审核', 'goods description too vague (e.g. "gift", "accessories"): manual review', true),
  ('R-SPLIT', 1, '2018-06-30', 'split_shipment', 'review', '{"windowHours": 24, "minCount": 20, "maxValue": "5000", "keyFields": ["ebcCode", "country", "POD"]}',
   '同一企业同一目的地短时间内大量低值包裹，疑似拆单', 'many low-value parcels of one seller to one destination in a short window: possible split shipment', false),
  ('R-CREDIT-SAMPLE', 1, '2018-06-30', 'credit_sampling', 'inspect', '{"seed": "2026", "ratesPct": {"AA": 0, "A": 0.5, "B": 2, "C": 10}}',
   '按企业信用等级随机布控查验', 'random inspection sample by enterprise credit level', true),
  ('R-FIRST-EXPORTER', 1, '2018-06-30', 'first_time_exporter', 'review', '{}',
   '首次出口企业，首票人工审核', 'first-time exporter: first parcel reviewed by hand', true),
  ('R-QUARANTINE', 1, '2018-06-30', 'quarantine', 'hold', '{}',
   '检疫类商品未办理检验检疫备案，暂扣', 'quarantine-category product without inspection filing: held', true);
