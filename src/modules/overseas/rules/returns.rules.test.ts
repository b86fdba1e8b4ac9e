import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateFifo, withinReturnWindow } from './returns.rules.ts';

test('return window: one year from release (GACC 2020 No. 44)', () => {
  const released = new Date('2025-03-15T10:00:00Z');
  const table: [string, boolean][] = [
    ['2025-03-15T10:00:00Z', true],
    ['2025-09-01T00:00:00Z', true],
    ['2026-03-15T10:00:00Z', true],
    ['2026-03-15T10:00:01Z', false],
    ['2027-01-01T00:00:00Z', false],
    ['2025-03-14T00:00:00Z', false],
  ];
  for (const [at, ok] of table) assert.equal(withinReturnWindow(released, new Date(at)), ok, at);
  // 29 February: the window ends on 1 March of the next year
  assert.equal(withinReturnWindow(new Date('2024-02-29T00:00:00Z'), new Date('2025-03-01T00:00:00Z')), true);
});

test('FIFO allocation over consignments', () => {
  const lots = [
    { consignmentId: 'b', releasedAt: new Date('2026-02-01'), remaining: 5 },
    { consignmentId: 'a', releasedAt: new Date('2026-01-01'), remaining: 3 },
  ];
  assert.deepEqual(allocateFifo(2, lots), [{ consignmentId: 'a', qty: 2 }]);
  assert.deepEqual(allocateFifo(6, lots), [
    { consignmentId: 'a', qty: 3 },
    { consignmentId: 'b', qty: 3 },
  ]);
  assert.equal(allocateFifo(9, lots), null);
});
