import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromScaled, toScaled } from '../../../kernel/decimal.ts';
import { checkReceivedGoods, declaredGoods } from './declaration.rules.ts';

// CEB quantities (成交数量): N19,5 decimal text, up to 5 fraction digits, as the inventory carries them.
const qtyText = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 5 }))
  .map(([int, frac]) => `${int}${frac ? `.${frac}` : ''}`);
const sku = fc.constantFrom('VASE', 'BOWL', 'CUP', ' VASE ');
const inventories = fc.array(fc.record({ lines: fc.array(fc.record({ itemNo: sku, qty: qtyText }), { maxLength: 8 }) }), {
  maxLength: 4,
});

/** The exact per-SKU sum, computed independently with scaled integers. */
function exactSums(invs: readonly { lines: readonly { itemNo: string; qty: string }[] }[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const l of invs.flatMap((i) => i.lines)) out.set(l.itemNo.trim(), (out.get(l.itemNo.trim()) ?? 0n) + toScaled(l.qty));
  return out;
}

test('declared goods: per-SKU sums equal the exact sum of the decimal quantities, in canonical text', () => {
  fc.assert(
    fc.property(inventories, (invs) => {
      const got = declaredGoods(invs);
      const want = exactSums(invs);
      assert.deepEqual(new Set(got.keys()), new Set(want.keys()));
      for (const [k, n] of want) {
        assert.equal(got.get(k), fromScaled(n));
        assert.match(got.get(k)!, /^(0|[1-9]\d*)(\.\d{0,4}[1-9])?$/);
      }
    }),
  );
  // ten lines of 0.1 are 1 exactly (a float sum is 0.9999999999999999)
  assert.equal(declaredGoods([{ lines: Array.from({ length: 10 }, () => ({ itemNo: 'VASE', qty: '0.1' })) }]).get('VASE'), '1');
});

test('received goods: a whole quantity passes exactly when it is not above the exact declared sum', () => {
  fc.assert(
    fc.property(inventories, fc.integer({ min: 1, max: 2_000_000_000 }), sku, (invs, qty, s) => {
      const declared = declaredGoods(invs);
      const key = s.trim();
      const problems = checkReceivedGoods([{ sku: key, qty, field: 'lines[0]' }], declared, 'N1');
      const d = exactSums(invs).get(key);
      if (d === undefined)
        assert.deepEqual(
          problems.map((p) => p.rule),
          ['declared'],
        );
      else if (BigInt(qty) * 100_000n > d)
        assert.deepEqual(
          problems.map((p) => [p.field, p.rule, p.value]),
          [['lines[0].qty', 'withinDeclared', qty]],
        );
      else assert.deepEqual(problems, []);
    }),
  );
  // 0.1 + 0.2 declared three times over is 0.9 exactly: 1 unit is over; 0.3 × 10 is 3: 3 units fit
  const tenths = declaredGoods([{ lines: ['0.1', '0.2', '0.1', '0.2', '0.1', '0.2'].map((qty) => ({ itemNo: 'CUP', qty })) }]);
  assert.equal(checkReceivedGoods([{ sku: 'CUP', qty: 1, field: 'lines[0]' }], tenths, 'N1').length, 1);
  const threes = declaredGoods([{ lines: Array.from({ length: 10 }, () => ({ itemNo: 'CUP', qty: '0.3' })) }]);
  assert.deepEqual(checkReceivedGoods([{ sku: 'CUP', qty: 3, field: 'lines[0]' }], threes, 'N1'), []);
});

test('declared goods: a quantity that is not a decimal counts for nothing (never NaN, never a float)', () => {
  const got = declaredGoods([
    {
      lines: [
        { itemNo: 'VASE', qty: '2' },
        { itemNo: 'VASE', qty: 'abc' },
        { itemNo: 'VASE', qty: '1e3' },
        { itemNo: 'BOWL', qty: '' },
      ],
    },
  ]);
  assert.deepEqual([...got], [['VASE', '2']]);
});
