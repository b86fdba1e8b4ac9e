import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCode } from '../../../codes/index.ts';
import { foldFacts, missingRates, partitionByRates, regionOf, type InventoryFact } from './fold.rules.ts';
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

test('the seller region: characters 1-5 of a customs code; the division in characters 3-8 of a USCC', () => {
  assert.equal(regionOf('3601260888'), '36012');
  // expected keys read off the customs region table by hand, with the division each USCC names
  const cases: [uscc: string, region: string, name: string][] = [
    ['91360100MA38ABCD1X', '36019', '南昌其他'], // 360100 南昌市
    ['91360203MA38ABCD1X', '36029', '景德镇'], // 360203 景德镇市珠山区
    ['91110105MA01ABCD2Y', '11059', '朝阳区'], // 110105 北京市朝阳区: a municipality's district
    ['91310115MA1HABCD3Q', '31159', '川沙'], // 310115 上海市浦东新区 (the former 川沙县)
    ['91360000MA35ABCD4R', '36909', '江西其他'], // 360000 registered by the province
  ];
  for (const [uscc, region, name] of cases) {
    assert.equal(regionOf(uscc), region, uscc);
    assert.equal(getCode('region', region)?.nameZh, name, region);
  }
  for (const bad of ['', '3601', '91360100', 'ZZ360100MA38ABCD1X', '91ABCDEFMA38ABCD1X'])
    assert.equal(regionOf(bad), '00000', bad);
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

test('a fact in a currency without a rate is refused by the fold (never folded wrong)', () => {
  assert.throws(() => foldFacts([fact('x', { lines: [{ gcode: '6911', qty: '1', totalPrice: '1', currency: '116' }] })], RATES));
});

test('the rates a fact misses on its closing day: a line currency (none given: CNY), or USD', () => {
  const jpy = fact('j', { lines: [{ gcode: '6911', qty: '1', totalPrice: '100', currency: '116' }] });
  const early = fact('e', { day: '2025-12-31', lines: [{ gcode: '6911', qty: '1', totalPrice: '1', currency: '300' }] });
  const cny = fact('c', { lines: [{ gcode: '6911', qty: '1', totalPrice: '1', currency: '' }] });
  const eur = fact('u', { lines: [{ gcode: '6911', qty: '1', totalPrice: '1', currency: '300' }] });
  assert.deepEqual(missingRates(jpy, RATES), ['116']);
  // before the EUR and USD rates are valid: both missing, sorted
  assert.deepEqual(missingRates(early, RATES), ['300', '502']);
  assert.deepEqual(missingRates(cny, RATES), []);
  assert.deepEqual(missingRates(cny, []), ['502'], 'every value is also given in USD');
  const split = partitionByRates([jpy, cny, early, eur], RATES);
  assert.deepEqual(
    split.foldable.map((f) => f.id),
    ['c', 'u'],
  );
  assert.deepEqual(
    split.unfoldable.map((u) => [u.fact.id, u.missing]),
    [
      ['j', ['116']],
      ['e', ['300', '502']],
    ],
  );
  // what is foldable folds without throwing
  assert.equal(foldFacts(split.foldable, RATES).inventory.length, 1);
});
