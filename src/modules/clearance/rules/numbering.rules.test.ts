import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appTime, cstYear, formatInvtNo, formatPreNo, ymd } from './numbering.rules.ts';

test('preNo and invtNo are numbered by the China Standard Time day and year, like appTime', () => {
  // 17:00 UTC on 31 December is 01:00 on 1 January in Beijing.
  const newYear = new Date('2026-12-31T17:00:00Z');
  assert.equal(appTime(newYear), '20270101010000');
  assert.equal(ymd(newYear), '20270101');
  assert.equal(cstYear(newYear), 2027);
  assert.equal(formatPreNo(newYear, 42), 'B20270101000000042');
  assert.equal(formatInvtNo('4006', newYear, 7), '40062027E000000007');
  assert.equal(formatPreNo(newYear, 42).length, 18);
  assert.equal(formatInvtNo('4006', newYear, 7).length, 18);
  // Until 16:00 UTC it is still the old day in Beijing.
  const lastEvening = new Date('2026-12-31T15:59:59Z');
  assert.equal(formatPreNo(lastEvening, 1), 'B20261231000000001');
  assert.equal(formatInvtNo('4006', lastEvening, 1), '40062026E000000001');
});
