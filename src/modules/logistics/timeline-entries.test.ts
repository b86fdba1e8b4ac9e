import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customsEntries } from './logistics.service.ts';

const base = {
  waybillKey: 'C|W1',
  documentId: '01a00000-0000-7000-8000-000000000001',
  returnInfo: null,
  invtNo: '40062026E000000013',
  billNo: null,
  parties: [],
};
const at = (m: number) => new Date(Date.UTC(2026, 10, 28, 3, m));

test('a closed inventory tells its release and its closure once each, at their own times', () => {
  const entries = customsEntries([
    { ...base, kind: 'inventory', status: '899', at: at(40), releasedAt: at(42), closedAt: at(44) },
  ]);
  assert.deepEqual(
    entries.map((e) => [e.code, e.at, e.label.zh]),
    [
      ['inventory.800', at(42).toISOString(), '清单：放行'],
      ['inventory.899', at(44).toISOString(), '清单：结关'],
    ],
  );
});

test('an inventory still waiting, and a released one not yet closed, keep their state entry', () => {
  const decided = customsEntries([{ ...base, kind: 'inventory', status: '399', at: at(40), releasedAt: null, closedAt: null }]);
  assert.deepEqual(
    decided.map((e) => e.code),
    ['inventory.399'],
  );
  const released = customsEntries([
    { ...base, kind: 'inventory', status: '800', at: at(40), releasedAt: at(41), closedAt: null },
  ]);
  assert.deepEqual(
    released.map((e) => [e.code, e.at]),
    [['inventory.800', at(41).toISOString()]],
  );
  // a released bill has no release time of its own: its state entry stays
  const bill = customsEntries([
    { ...base, kind: 'consolidation', status: '800', invtNo: null, billNo: 'B1', at: at(43), releasedAt: null, closedAt: null },
  ]);
  assert.deepEqual(
    bill.map((e) => [e.code, e.detail]),
    [['consolidation.800', 'B1']],
  );
});
