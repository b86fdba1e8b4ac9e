import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchesOf } from './inspection-declaration.service.ts';
import type { DrawRow } from './inspection-ledger.repository.ts';

// A declaration's batches add the draws' quantities exactly (N19,5 decimals): tenths of a kilo
// summed as floats come out 0.30000000000000004, large quantities lose their last units.

const draw = (batch_no: string, qty: string, state: DrawRow['state'], n: number): DrawRow => ({
  inventory_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  gnum: '1',
  batch_no,
  item_no: `${batch_no}-ITEM`,
  qty,
  state,
});

test('a declaration’s batches sum the draws per state exactly, as canonical decimals', () => {
  const cases: { what: string; draws: DrawRow[]; expected: ReturnType<typeof batchesOf> }[] = [
    { what: 'no draws', draws: [], expected: [] },
    {
      what: 'tenths of a kilo (numeric text as the database gives it)',
      draws: [draw('B1', '0.10000', 'released', 1), draw('B1', '0.20000', 'released', 2), draw('B1', '0.7', 'reserved', 3)],
      expected: [{ batchNo: 'B1', itemNo: 'B1-ITEM', reserved: '0.7', released: '0.3', writtenOff: '0', returned: '0' }],
    },
    {
      what: 'beyond a float’s 2^53',
      draws: [draw('B2', '9007199254740993', 'written_off', 1), draw('B2', '0.00001', 'written_off', 2)],
      expected: [
        { batchNo: 'B2', itemNo: 'B2-ITEM', reserved: '0', released: '0', writtenOff: '9007199254740993.00001', returned: '0' },
      ],
    },
    {
      what: 'two batches, every state',
      draws: [
        draw('B3', '1', 'reserved', 1),
        draw('B4', '2.5', 'returned', 2),
        draw('B3', '0.33333', 'returned', 3),
        draw('B3', '0.66667', 'returned', 4),
        draw('B4', '3', 'written_off', 5),
        draw('B3', '4.000000', 'released', 6),
      ],
      expected: [
        { batchNo: 'B3', itemNo: 'B3-ITEM', reserved: '1', released: '4', writtenOff: '0', returned: '1' },
        { batchNo: 'B4', itemNo: 'B4-ITEM', reserved: '0', released: '0', writtenOff: '3', returned: '2.5' },
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(batchesOf(c.draws), c.expected, c.what);
});
