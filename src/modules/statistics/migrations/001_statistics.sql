-- Full-caliber statistics (全口径统计): read models folded from closed (899) inventories by an outbox
-- handler, never recomputed per request. Definitions: docs/metrics.md.

-- Inventories already folded: replaying an event folds nothing twice.
create table stat_folded (
  inventory_id uuid primary key,
  folded_at timestamptz not null
);

-- One row per day and dimension combination; measures are sums. Values in fen / cents, weights in
-- grams, as bigint: exact, and summing a million rows stays fast.
create table stat_inventory_cube (
  day date not null,
  trade_mode text not null,
  country text not null,
  ebc_code text not null,
  region text not null,
  customs_code text not null,
  carrier_code text not null,
  inventories bigint not null,
  value_fen bigint not null,
  value_usd_cents bigint not null,
  weight_grams bigint not null,
  primary key (day, trade_mode, country, ebc_code, region, customs_code, carrier_code)
);
create index stat_inventory_cube_ebc on stat_inventory_cube (ebc_code, day);
create index stat_inventory_cube_carrier on stat_inventory_cube (carrier_code, day);
create index stat_inventory_cube_customs on stat_inventory_cube (customs_code, day);

-- The same by HS heading (first four digits): an inventory with goods under two headings counts
-- once under each.
create table stat_goods_cube (
  day date not null,
  trade_mode text not null,
  country text not null,
  ebc_code text not null,
  region text not null,
  customs_code text not null,
  carrier_code text not null,
  hs_heading text not null,
  inventories bigint not null,
  lines bigint not null,
  value_fen bigint not null,
  value_usd_cents bigint not null,
  weight_grams bigint not null,
  primary key (day, trade_mode, country, ebc_code, region, customs_code, carrier_code, hs_heading)
);
create index stat_goods_cube_ebc on stat_goods_cube (ebc_code, day);
create index stat_goods_cube_customs on stat_goods_cube (customs_code, day);

-- Exchange rates as data: CNY per unit of a currency (customs currency code), valid from a day on.
create table stat_fx_rate (
  currency text not null,
  valid_from date not null,
  cny_per_unit numeric(18, 6) not null check (cny_per_unit > 0),
  source text not null default 'seed',
  primary key (currency, valid_from)
);
-- Starting rates (approximate PBoC central parity, early 2025); the commerce department adds the
-- monthly rates through the API.
insert into stat_fx_rate (currency, valid_from, cny_per_unit) values
  ('502', '2000-01-01', 7.100000),
  ('300', '2000-01-01', 7.800000),
  ('303', '2000-01-01', 9.100000),
  ('110', '2000-01-01', 0.910000),
  ('116', '2000-01-01', 0.047000),
  ('133', '2000-01-01', 0.005200),
  ('344', '2000-01-01', 0.095000),
  ('601', '2000-01-01', 4.600000),
  ('501', '2000-01-01', 5.200000);
