import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldFacts, regionOf, type InventoryFact } from './fold.rules.ts';
import type { FxRate } from './money.rules.ts';

const RATES: FxRate[] = [
  { currency: '502', validFrom: '2026-01-01', cnyPerUnitMicros: 7_000_000n },
  { currency: '300', validFrom: '2026-01-01', cnyPerUnitMicros: 8_000_000n },
];

const fact = (id: string, over: Partial<InventoryFact> = {}): InventoryFact => ({
  id,
  customsCode: '4006',
  tradeMode: '9610',
  ebcCode: '3601260888',
  carrierCode: '3601980012',
  country: '502',
  grossWeight: '1.5',
  day: '2026-11-26',
  lines: [{ gcode: '6911101900', qty: '1', totalPrice: '70', currency: '142' }],
  ...over,
});

test('the seller region is the first five characters of its customs code', () => {
  assert.equal(regionOf('3601260888'), '36012');
  assert.equal(regionOf(''), '00000');
});

test('inventories with the same key are summed into one cube row; values convert per line, then to USD', () => {
  const out = foldFacts(
    [
      fact('a'),
      fact('b', { lines: [{ gcode: '6911', qty: '1', totalPrice: '10', currency: '300' }], grossWeight: '0.5' }),
      fact('c', { country: '303' }),
    ],
    RATES,
  );
  assert.equal(out.inventory.length, 2);
  const us = out.inventory.find((r) => r.country === '502')!;
  assert.equal(us.inventories, 2);
  assert.equal(us.valueFen, 7000n + 8000n);
  assert.equal(us.valueUsdCents, 1000n + 1143n);
  assert.equal(us.weightGrams, 2000n);
  assert.equal(us.region, '36012');
});

test('the goods cube splits an inventory by heading; weight shares by value add up to the whole', () => {
  const out = foldFacts(
    [
      fact('a', {
        grossWeight: '1.000',
        lines: [
          { gcode: '6911101900', qty: '1', totalPrice: '10', currency: '142' },
          { gcode: '6912001000', qty: '2', totalPrice: '20', currency: '142' },
          { gcode: '6911109000', qty: '1', totalPrice: '0', currency: '142' },
        ],
      }),
    ],
    RATES,
  );
  assert.equal(out.inventory.length, 1);
  const byH = new Map(out.goods.map((g) => [g.hsHeading, g]));
  assert.deepEqual([...byH.keys()].sort(), ['6911', '6912']);
  assert.equal(byH.get('6911')!.lines, 2);
  assert.equal(byH.get('6911')!.valueFen, 1000n);
  assert.equal(byH.get('6911')!.weightGrams, 333n);
  assert.equal(byH.get('6912')!.weightGrams, 667n);
  assert.equal(
    out.goods.reduce((a, g) => a + g.weightGrams, 0n),
    1000n,
  );
});

test('a fact in a currency without a rate is refused (the batch is retried, never folded wrong)', () => {
  assert.throws(() => foldFacts([fact('x', { lines: [{ gcode: '6911', qty: '1', totalPrice: '1', currency: '116' }] })], RATES));
});
