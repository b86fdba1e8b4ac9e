import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeDecimal } from '../../../kernel/decimal.ts';
import { capFinding, PAYMENT_INSTITUTION_CAP_USD, toUsd, USD_RATES } from './receipts.rules.ts';

// The USD 50,000 cap (汇发〔2015〕7号) against exact rational arithmetic: a decimal text d is the
// fraction digits(d) / 10^places(d), so amount ÷ rate > cap ⇔ a·10^r > cap·q·10^k, all integers.
const DAY = '2026-11-26';
const RATES = USD_RATES[0]!.perUsd;
const CURRENCIES = Object.keys(RATES);

const fraction = (d: string): { n: bigint; places: bigint } => {
  const [int, frac = ''] = d.split('.');
  return { n: BigInt(`${int}${frac}`), places: BigInt(frac.length) };
};
const exactOver = (amount: string, rate: string): boolean => {
  const a = fraction(amount);
  const q = fraction(rate);
  return a.n * 10n ** q.places > BigInt(PAYMENT_INSTITUTION_CAP_USD) * q.n * 10n ** a.places;
};

const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
/** Amounts anywhere up to 10^10, with up to five places (a CEB403 charge may carry five). */
const anyAmount = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.option(digits(5), { nil: undefined }))
  .map(([int, frac]) => (frac ? `${int}.${frac}` : `${int}`));
/**
 * Amounts around the cap in the currency: cap × rate, give or take up to 0.02 in steps of 10^-5,
 * where rounding the USD value to the cent, or a float quotient, could tip the decision.
 */
const nearCap = (currency: string) =>
  fc.integer({ min: -2000, max: 2000 }).map((delta) => {
    const q = fraction(RATES[currency]!);
    // cap × rate scaled by 10^5, then moved by delta hundred-thousandths
    const scaled = (BigInt(PAYMENT_INSTITUTION_CAP_USD) * q.n * 10n ** 5n) / 10n ** q.places + BigInt(delta);
    const int = scaled / 100_000n;
    const frac = (scaled % 100_000n).toString().padStart(5, '0');
    return `${int}.${frac}`;
  });
const receipt = fc
  .constantFrom(...CURRENCIES)
  .chain((currency) => fc.tuple(fc.constant(currency), fc.oneof(anyAmount, nearCap(currency))));

test('the cap decision is the exact rational comparison amount ÷ rate > 50,000, for a payment institution only', () => {
  fc.assert(
    fc.property(receipt, ([currency, amount]) => {
      const want = exactOver(amount, RATES[currency]!);
      assert.equal(capFinding('payment', amount, currency, DAY).overCap, want, `${amount} in ${currency}`);
      assert.equal(capFinding('bank', amount, currency, DAY).overCap, false);
    }),
    { numRuns: 2000 },
  );
});

test('the USD value shown is the exact quotient rounded half up to the cent', () => {
  fc.assert(
    fc.property(receipt, ([currency, amount]) => {
      const usd = capFinding('payment', amount, currency, DAY).usdAmount!;
      assert.match(usd, /^\d+\.\d{2}$/);
      assert.equal(toUsd(amount, currency, DAY), normalizeDecimal(usd));
      // X = 100·amount/rate exact cents; half up: X − ½ < cents ≤ X + ½, times 2·q·10^places(amount)
      const a = fraction(amount);
      const q = fraction(RATES[currency]!);
      const cents = fraction(usd).n;
      const lhs = 2n * cents * q.n * 10n ** a.places;
      const exact = 2n * 100n * a.n * 10n ** q.places;
      const half = q.n * 10n ** a.places;
      assert.ok(exact - half < lhs && lhs <= exact + half, `${amount} in ${currency} → ${usd}`);
    }),
    { numRuns: 2000 },
  );
});

test('at the boundary: equal to the cap is not over; a hundred-thousandth of a unit more is, though it shows as 50000.00', () => {
  assert.deepEqual(capFinding('payment', '355000', '142', DAY), {
    usdAmount: '50000.00',
    rateVersion: '2026-01',
    overCap: false,
  });
  assert.deepEqual(capFinding('payment', '355000.00001', '142', DAY), {
    usdAmount: '50000.00',
    rateVersion: '2026-01',
    overCap: true,
  });
  assert.equal(capFinding('payment', '46000', '300', DAY).overCap, false, 'EUR 46,000 at 0.92 is USD 50,000 exactly');
  assert.equal(capFinding('payment', '46000.01', '300', DAY).overCap, true);
});
