-- Every currency of the customs currency table (币制代码表, 22 codes; intake accepts each) gets a
-- reference rate, and an inventory that still cannot be valued waits instead of failing its event.

-- Reference rates for the 12 currencies the first seed (migration 001) left out: CNY per one
-- unit, rounded to about three significant digits, approximate values for early January 2025 (the
-- period of that seed). After the PBoC/CFETS RMB central parity rates (人民币汇率中间价) for CHF,
-- NZD, SGD (direct quotes) and DKK, MYR, NOK, SEK, THB (indirect quotes, inverted); after Bank of
-- China reference rates (中国银行外汇牌价, 折算价) for IDR, MOP, PHP and TWD, which have no central
-- parity. Approximations written from those publications, not copied from one day's table: like
-- the first seed they are starting values valid from 2000-01-01 so that no inventory is left
-- unvalued; the commerce department enters the official rates through
-- `PUT /api/v1/statistics/fx-rates`. A rate already set for the same currency and day is kept.
insert into stat_fx_rate (currency, valid_from, cny_per_unit, source) values
  ('331', '2000-01-01', 7.950000, 'seed: approx. PBoC central parity, Jan 2025 (CHF)'),
  ('609', '2000-01-01', 4.080000, 'seed: approx. PBoC central parity, Jan 2025 (NZD)'),
  ('132', '2000-01-01', 5.300000, 'seed: approx. PBoC central parity, Jan 2025 (SGD)'),
  ('302', '2000-01-01', 1.020000, 'seed: approx. PBoC central parity, Jan 2025 (DKK, inverted)'),
  ('122', '2000-01-01', 1.610000, 'seed: approx. PBoC central parity, Jan 2025 (MYR, inverted)'),
  ('326', '2000-01-01', 0.645000, 'seed: approx. PBoC central parity, Jan 2025 (NOK, inverted)'),
  ('330', '2000-01-01', 0.655000, 'seed: approx. PBoC central parity, Jan 2025 (SEK, inverted)'),
  ('136', '2000-01-01', 0.210000, 'seed: approx. PBoC central parity, Jan 2025 (THB, inverted)'),
  ('112', '2000-01-01', 0.000444, 'seed: approx. Bank of China reference rate, Jan 2025 (IDR)'),
  ('121', '2000-01-01', 0.885000, 'seed: approx. Bank of China reference rate, Jan 2025 (MOP)'),
  ('129', '2000-01-01', 0.123000, 'seed: approx. Bank of China reference rate, Jan 2025 (PHP)'),
  ('143', '2000-01-01', 0.219000, 'seed: approx. Bank of China reference rate, Jan 2025 (TWD)')
on conflict (currency, valid_from) do nothing;

-- Closed inventories that could not be valued when they were folded: a line's currency, or USD,
-- had no rate in force on the closing day. They are claimed in stat_folded (a replay adds nothing)
-- but in no cube; setting a rate for one of the `missing` currencies folds them then (setRate),
-- in the same transaction. Before, the fold threw, the outbox retried the whole batch ten times and
-- gave the event up, and the figures stayed short with nothing to show for it.
create table stat_fold_pending (
  inventory_id uuid primary key,
  -- the closing day (CST), whose rates were missing
  day date not null,
  -- customs currency codes without a rate in force on that day
  missing text[] not null,
  parked_at timestamptz not null
);
create index stat_fold_pending_missing on stat_fold_pending using gin (missing);
