import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessScans } from './scan.rules.ts';

test('implausible scans are flagged with their reasons', () => {
  const unit = { kind: 'unit' as const, quantity: 1 };
  const cases: [string, number, string[], { kind: 'unit' | 'batch'; quantity: number }, number][] = [
    ['a buyer scanning a few times at home', 3, ['FR'], unit, 0],
    ['ten scans is still fine', 10, ['FR'], unit, 0],
    ['eleven scans', 11, ['FR'], unit, 1],
    ['two countries (bought in one, carried to another)', 4, ['FR', 'DE'], unit, 0],
    ['three countries', 3, ['FR', 'DE', 'US'], unit, 1],
    ['twenty scans in five countries', 20, ['FR', 'DE', 'US', 'BR', 'JP'], unit, 2],
    ['a batch of 100 units scanned 200 times in one country', 200, ['FR'], { kind: 'batch', quantity: 100 }, 0],
    ['a batch of 2 units scanned 20 times', 20, ['FR'], { kind: 'batch', quantity: 2 }, 1],
  ];
  for (const [name, scans, countries, code, reasons] of cases) {
    const r = assessScans({ scans, countries }, code);
    assert.equal(r.reasons.length, reasons, name);
    assert.equal(r.flagged, reasons > 0, name);
  }
});
