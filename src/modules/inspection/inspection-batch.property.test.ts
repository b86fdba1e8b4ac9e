import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import type { BatchRow } from './inspection-ledger.repository.ts';
import { toBatchView } from './inspection-batch.service.ts';

// Quantities as PostgreSQL numeric text: up to 5 fraction digits, sometimes with trailing zeros.
const part = fc.bigInt({ min: 0n, max: 10n ** 17n });
const asNumericText = (n: bigint, pad: number) => {
  const t = fromScaled(n);
  return pad === 0 ? t : `${t}${t.includes('.') ? '' : '.'}${'0'.repeat(pad)}`;
};

const row = (
  q: Pick<BatchRow, 'declared_qty' | 'reserved_qty' | 'released_qty' | 'written_off_qty' | 'returned_qty'>,
): BatchRow => ({
  id: 'b1',
  batch_no: 'GZ-P-01',
  organisation_id: 'o1',
  enterprise_code: '4401960001',
  item_no: 'ITEM-1',
  unit: '千克',
  status: 'accepted',
  reason: null,
  decided_by: null,
  decided_at: null,
  closed_at: null,
  created_at: new Date('2024-01-01T00:00:00Z'),
  ...q,
});

// canonical decimal text: no exponent, no float tail, no trailing fraction zeros, no "-0"
const CANONICAL = /^-?(0|[1-9]\d*)(\.\d{0,4}[1-9])?$/;

test('batch ledger view: exact decimal text, and declared = reserved + released + balance, released = written off + in transit', () => {
  fc.assert(
    fc.property(
      fc.record({ reserved: part, writtenOff: part, inTransit: part, balance: part, returned: part }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }),
      (q, pads) => {
        const released = q.writtenOff + q.inTransit;
        const declared = q.reserved + released + q.balance;
        const v = toBatchView(
          row({
            declared_qty: asNumericText(declared, pads[0]!),
            reserved_qty: asNumericText(q.reserved, pads[1]!),
            released_qty: asNumericText(released, pads[2]!),
            written_off_qty: asNumericText(q.writtenOff, pads[3]!),
            returned_qty: asNumericText(q.returned, pads[4]!),
          }),
        );
        for (const k of ['declared', 'reserved', 'released', 'writtenOff', 'returned', 'balance', 'inTransit'] as const)
          assert.match(v[k], CANONICAL, `${k}: ${v[k]}`);
        assert.equal(v.balance, fromScaled(q.balance));
        assert.equal(v.inTransit, fromScaled(q.inTransit));
        assert.equal(v.returned, fromScaled(q.returned));
        assert.equal(toScaled(v.declared), toScaled(v.reserved) + toScaled(v.released) + toScaled(v.balance));
        assert.equal(toScaled(v.released), toScaled(v.writtenOff) + toScaled(v.inTransit));
      },
    ),
  );
});

test('batch ledger view: the float artefacts of Number() arithmetic do not show', () => {
  // 0.3 − 0.1 − 0 is 0.19999999999999998 in floating point; 0.7 − 0.1 is 0.6 only by luck
  const v = toBatchView(
    row({ declared_qty: '0.3', reserved_qty: '0.1', released_qty: '0', written_off_qty: '0', returned_qty: '0' }),
  );
  assert.equal(v.balance, '0.2');
  const w = toBatchView(
    row({ declared_qty: '1.10000', reserved_qty: '0', released_qty: '0.3', written_off_qty: '0.1', returned_qty: '0.20' }),
  );
  assert.deepEqual([w.declared, w.released, w.balance, w.inTransit, w.returned], ['1.1', '0.3', '0.8', '0.2', '0.2']);
  // beyond 2^53 a float loses units; the scaled integers do not
  const big = toBatchView(
    row({ declared_qty: '90071992547409930', reserved_qty: '1', released_qty: '0', written_off_qty: '0', returned_qty: '0' }),
  );
  assert.equal(big.balance, '90071992547409929');
});
