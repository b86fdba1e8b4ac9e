import assert from 'node:assert/strict';
import { test } from 'node:test';
import { billDeclarationNo, declarationDay, declarationNo, groupingFor } from './declaration.rules.ts';

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

test('declaration numbers per total-sub bill name the bill, the enterprise and the office', () => {
  assert.equal(billDeclarationNo('3601260999', '4006', '781-12345675'), 'JZB-781-12345675-3601260999-4006');
  assert.equal(billDeclarationNo('3601260999', '', 'W-784-1'), 'JZB-W-784-1-3601260999');
  assert.notEqual(billDeclarationNo('3601260999', '4006', 'A'), billDeclarationNo('3601260998', '4006', 'A'));
});

test('the grouping of a parcel is the setting of the longest jurisdiction prefix of its customs office', () => {
  const settings = [
    { prefix: '', grouping: 'bill' as const },
    { prefix: '40', grouping: 'day' as const },
    { prefix: '4006', grouping: 'bill' as const },
  ];
  const cases: [string, string][] = [
    ['4006', 'bill'],
    ['4007', 'day'],
    ['5141', 'bill'],
    ['', 'bill'],
  ];
  for (const [cc, g] of cases) assert.equal(groupingFor(cc, settings), g, cc);
  assert.equal(groupingFor('4006', []), 'day', 'unset: per enterprise and day');
  assert.equal(groupingFor('4006', [{ prefix: '51', grouping: 'bill' as const }]), 'day');
});
