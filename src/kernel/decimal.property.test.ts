import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  addDecimals,
  compareDecimals,
  fromScaled,
  normalizeDecimal,
  subtractDecimals,
  sumScaled,
  toScaled,
  within,
  withinPct,
} from './decimal.ts';

// N19,5: up to 14 integer digits here (19 total with 5 decimals), scaled by 10^5.
const MAX = 10n ** 19n - 1n;
const scaledN = fc.bigInt({ min: -MAX, max: MAX });
const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 14n - 1n }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 5 }),
  )
  .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);

test('fromScaled ∘ toScaled is the identity on scaled values', () => {
  fc.assert(fc.property(scaledN, (n) => toScaled(fromScaled(n)) === n));
});

test('toScaled reads what it is given: the canonical text compares equal after a round trip', () => {
  fc.assert(
    fc.property(decimalText, (s) => {
      const n = toScaled(s);
      assert.equal(toScaled(fromScaled(n)), n);
      // canonical form: no trailing zeros in the fraction, no "-0"
      const out = fromScaled(n);
      assert.doesNotMatch(out, /\.\d*0$|^-0$|^-?0\d/);
    }),
  );
});

test('sums are exact and order-independent (no float drift)', () => {
  fc.assert(
    fc.property(fc.array(decimalText, { maxLength: 50 }), (values) => {
      const expected = values.reduce((a, v) => a + toScaled(v), 0n);
      assert.equal(sumScaled(values), expected);
      assert.equal(sumScaled([...values].reverse()), expected);
    }),
  );
  assert.equal(fromScaled(sumScaled(Array.from({ length: 10 }, () => '0.1'))), '1');
  assert.equal(fromScaled(sumScaled(['0.00001', '99999999999999.99999'])), '100000000000000');
});

test('within: symmetric, zero tolerance means equal, monotone in the tolerance', () => {
  fc.assert(
    fc.property(scaledN, scaledN, fc.bigInt({ min: 0n, max: MAX }), fc.bigInt({ min: 0n, max: MAX }), (a, b, t, u) => {
      assert.equal(within(a, b, t), within(b, a, t));
      assert.equal(within(a, b, 0n), a === b);
      const [lo, hi] = t < u ? [t, u] : [u, t];
      if (within(a, b, lo)) assert.ok(within(a, b, hi));
      assert.equal(within(a, b, t), (a > b ? a - b : b - a) <= t);
    }),
  );
});

test('withinPct: exact against rational arithmetic', () => {
  fc.assert(
    fc.property(scaledN, scaledN, fc.integer({ min: 0, max: 10_000 }), (a, b, hundredths) => {
      const pct = hundredths / 100;
      const d = a > b ? a - b : b - a;
      const absB = b < 0n ? -b : b;
      // d ≤ pct/100 · |b|  ⇔  d · 10000 ≤ |b| · pct·100
      assert.equal(withinPct(a, b, pct), d * 10_000n <= absB * BigInt(hundredths));
      assert.equal(withinPct(a, b, 0), a === b || d === 0n);
    }),
  );
});

test('toScaled refuses what is not an N19,5 decimal', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e5', '0x10', '', ' ', '1.234567', '.5', '5.', '+1', '1,5', '--1'),
        fc.string().filter((s) => !/^\s*-?\d+(\.\d{1,5}0*)?\s*$/.test(s)),
      ),
      (s) => {
        assert.throws(() => toScaled(s), /not an N19,5 decimal/);
      },
    ),
  );
});

test('zeros past the fifth place carry no value: read, not refused (the CEB validator accepts them)', () => {
  assert.equal(toScaled('3.000000'), toScaled('3'));
  assert.equal(toScaled('1.2345600'), toScaled('1.23456'));
  assert.throws(() => toScaled('1.0000001'), /not an N19,5 decimal/);
});

test('addDecimals / subtractDecimals: exact, canonical, inverse of each other', () => {
  fc.assert(
    fc.property(decimalText, fc.array(decimalText, { maxLength: 10 }), (a, bs) => {
      const diff = subtractDecimals(a, ...bs);
      assert.equal(toScaled(diff), toScaled(a) - bs.reduce((acc, b) => acc + toScaled(b), 0n));
      assert.equal(toScaled(addDecimals(diff, ...bs)), toScaled(a));
      assert.equal(addDecimals(diff, ...bs), normalizeDecimal(a));
      assert.doesNotMatch(diff, /e|\.\d*0$|^-0$|^-?0\d|\.\d{6}/);
    }),
  );
  assert.equal(subtractDecimals('0.3', '0.1'), '0.2');
  assert.equal(addDecimals('0.1', '0.2'), '0.3');
  assert.equal(addDecimals(), '0');
  assert.equal(normalizeDecimal('3.00000'), '3');
});

test('compareDecimals agrees with the scaled order and is antisymmetric', () => {
  fc.assert(
    fc.property(decimalText, decimalText, (a, b) => {
      const c = compareDecimals(a, b);
      assert.equal(c, -compareDecimals(b, a) || 0);
      assert.equal(c === 0, toScaled(a) === toScaled(b));
      assert.equal(c < 0, toScaled(a) < toScaled(b));
    }),
  );
  assert.equal(compareDecimals('0.30000', '0.3'), 0);
  assert.equal(compareDecimals('2', '10'), -1);
});
