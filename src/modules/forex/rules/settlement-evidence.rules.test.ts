import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evidenceProblems, type SettlementEvidence } from './settlement-evidence.rules.ts';

const none: SettlementEvidence = {
  contractNo: null,
  orderNo: null,
  invoiceNo: null,
  entryId: null,
  orderFound: null,
  entryFound: null,
};

const cases: [string, Partial<SettlementEvidence>, string[]][] = [
  ['nothing named', {}, ['no_evidence']],
  ['a contract only: taken as given', { contractNo: 'CT-1' }, []],
  ['an invoice only: taken as given', { invoiceNo: 'INV-1' }, []],
  ['an order found', { orderNo: 'O-1', orderFound: true }, []],
  ['an order not found', { orderNo: 'O-1', orderFound: false }, ['order_not_found']],
  ['an order not looked up yet', { orderNo: 'O-1' }, ['order_not_found']],
  ['a declaration found', { entryId: 'E-1', entryFound: true }, []],
  ['a declaration not found, beside a contract', { contractNo: 'CT-1', entryId: 'E-1', entryFound: false }, ['entry_not_found']],
  [
    'neither order nor declaration found',
    { orderNo: 'O-1', orderFound: false, entryId: 'E-1', entryFound: false },
    ['order_not_found', 'entry_not_found'],
  ],
];

for (const [name, s, want] of cases)
  test(`settlement evidence: ${name}`, () => {
    const got = evidenceProblems({ ...none, ...s });
    assert.deepEqual(
      got.map((p) => p.reason),
      want,
    );
    for (const p of got) assert.ok(p.message.zh && p.message.en);
  });
