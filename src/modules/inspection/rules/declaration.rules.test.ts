import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declarationDay, declarationNo } from './declaration.rules.ts';

test('the declaration day is the Beijing day', () => {
  const cases: [string, string][] = [
    ['2026-11-26T00:00:00Z', '2026-11-26'],
    ['2026-11-26T15:59:59Z', '2026-11-26'],
    ['2026-11-26T16:00:00Z', '2026-11-27'],
    ['2026-12-31T23:30:00Z', '2027-01-01'],
  ];
  for (const [at, day] of cases) assert.equal(declarationDay(new Date(at)), day, at);
});

test('declaration numbers are per enterprise, customs office and day', () => {
  const cases: [string, string, string, string][] = [
    ['3301960001', '5141', '2026-11-26', 'JZ202611263301960001-5141'],
    ['3301960001', '', '2026-11-26', 'JZ202611263301960001'],
    ['3301960002', '5141', '2026-11-27', 'JZ202611273301960002-5141'],
  ];
  for (const [ebc, cc, day, no] of cases) assert.equal(declarationNo(ebc, cc, day), no);
});
