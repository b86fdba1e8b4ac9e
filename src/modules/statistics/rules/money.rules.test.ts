import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cnyFenToUsdCents, divRound, formatScaled, parseScaled, rateOn, toCnyFen, type FxRate } from './money.rules.ts';

const RATES: FxRate[] = [
  { currency: '502', validFrom: '2026-01-01', cnyPerUnitMicros: 7_100_000n },
  { currency: '502', validFrom: '2026-06-01', cnyPerUnitMicros: 7_200_000n },
  { currency: '300', validFrom: '2026-01-01', cnyPerUnitMicros: 7_800_000n },
];

test('parseScaled reads plain decimals exactly and rounds half up beyond the scale', () => {
  const cases: [string, number, bigint][] = [
    ['0', 2, 0n],
    ['12.3', 2, 1230n],
    ['1.005', 2, 101n],
    ['1.004', 2, 100n],
    ['150', 6, 150_000_000n],
  ];
  for (const [v, scale, want] of cases) assert.equal(parseScaled(v, scale), want, v);
  for (const bad of ['', '-1', '1e3', 'abc', '1.']) assert.throws(() => parseScaled(bad, 2), bad);
});

test('divRound rounds half away from zero, as PostgreSQL numeric does', () => {
  const cases: [bigint, bigint, bigint][] = [
    [5n, 2n, 3n],
    [4n, 2n, 2n],
    [7n, 3n, 2n],
    [0n, 9n, 0n],
  ];
  for (const [a, b, want] of cases) assert.equal(divRound(a, b), want, `${a}/${b}`);
  assert.equal(formatScaled(12345n, 2), '123.45');
  assert.equal(formatScaled(5n, 3), '0.005');
});

test('the rate in force is the latest valid from on or before the day; CNY is 1; a missing rate throws', () => {
  assert.equal(rateOn(RATES, '502', '2026-05-31'), 7_100_000n);
  assert.equal(rateOn(RATES, '502', '2026-06-01'), 7_200_000n);
  assert.equal(rateOn(RATES, '142', '2020-01-01'), 1_000_000n);
  assert.equal(rateOn(RATES, '502', '2025-12-31'), undefined);
  assert.equal(toCnyFen(RATES, '100', '300', '2026-03-01'), 78_000n);
  assert.equal(toCnyFen(RATES, '150', '142', '2026-03-01'), 15_000n);
  assert.equal(cnyFenToUsdCents(RATES, 71_000n, '2026-03-01'), 10_000n);
  assert.equal(cnyFenToUsdCents(RATES, 100n, '2026-03-01'), 14n);
  assert.throws(() => toCnyFen(RATES, '1', '116', '2026-03-01'), /116/);
});
