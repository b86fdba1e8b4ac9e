import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessScans, type ScanReason } from './scan.rules.ts';

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

test('a scan away from where the goods went, once they left, is flagged', () => {
  const unit = { kind: 'unit' as const, quantity: 1 };
  const batch = { kind: 'batch' as const, quantity: 50 };
  const cases: [string, string[], string[], { kind: 'unit' | 'batch'; quantity: number }, string[]][] = [
    ['not departed yet: nothing known, nothing judged', [], ['FR'], unit, []],
    ['scanned where it went', ['FR'], ['FR'], unit, []],
    ['scanned unknown (no trusted proxy)', ['FR'], ['ZZ'], unit, []],
    ['scanned in Brazil after leaving for France', ['FR'], ['FR', 'BR'], unit, ['BR']],
    ['delivered in Germany, declared for France: both are where it went', ['DE', 'FR'], ['DE', 'FR'], unit, []],
    ['a unit code scanned in China after it left', ['FR'], ['CN'], unit, ['CN']],
    ['a batch: its other units may still be in China', ['FR'], ['CN'], batch, []],
    ['a batch scanned in a country none of its parcels went to', ['FR', 'US'], ['US', 'JP', 'BR'], batch, ['BR', 'JP']],
  ];
  for (const [name, destinations, sinceDeparture, code, away] of cases) {
    const r = assessScans({ scans: sinceDeparture.length, countries: sinceDeparture, destinations, sinceDeparture }, code);
    const place = r.reasons.find((x): x is Extract<ScanReason, { rule: 'place' }> => x.rule === 'place');
    assert.deepEqual(place?.values.countries ?? [], away, name);
    assert.equal(r.flagged, away.length > 0 || r.reasons.some((x) => x.rule !== 'place'), name);
  }
  const r = assessScans({ scans: 2, countries: ['FR', 'BR'], destinations: ['FR'], sinceDeparture: ['FR', 'BR'] }, unit);
  assert.deepEqual(
    r.reasons.map((x) => [x.rule, x.en]),
    [['place', 'scanned in BR after it left for FR']],
  );
});
