import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codesOf, factorsOverCodes, type ClearanceCounts, type ExternalFactorCounts } from './factors.rules.ts';

const C = '3601260888';
const U = '91360100MA3260888X';

test('codesOf: customs code first, then USCC, empty ones left out', () => {
  assert.deepEqual(codesOf({ customs_code: C, uscc: U }), [C, U]);
  assert.deepEqual(codesOf({ customs_code: null, uscc: U }), [U]);
  assert.deepEqual(codesOf({ customs_code: C, uscc: null }), [C]);
});

test("factors are taken over the sums of all the enterprise's codes, never per code", () => {
  const cases: {
    name: string;
    clearance: [string, ClearanceCounts][];
    filed: string[];
    external: [string, ExternalFactorCounts][] | null;
    want: ReturnType<typeof factorsOverCodes>;
  }[] = [
    {
      name: 'nothing known: zero counts; external factors unknown without a port',
      clearance: [],
      filed: [],
      external: null,
      want: {
        declared: 0,
        rejected: 0,
        closed: 0,
        inspectionFindings: null,
        summaryOnTimeRate: null,
        forexReceiptRate: null,
        filed: false,
      },
    },
    {
      name: 'all under the USCC: as if under the customs code',
      clearance: [[U, { declared: 24, rejected: 6, closed: 18 }]],
      filed: [U],
      external: [
        [U, { inspectionFindings: 2, summaries: { total: 5, onTime: 4 }, forex: { declaredUsd: 1000, receivedUsd: 950 } }],
      ],
      want: {
        declared: 24,
        rejected: 6,
        closed: 18,
        inspectionFindings: 2,
        summaryOnTimeRate: 0.8,
        forexReceiptRate: 0.95,
        filed: true,
      },
    },
    {
      name: 'split between the codes: the same figures',
      clearance: [
        [C, { declared: 12, rejected: 3, closed: 9 }],
        [U, { declared: 12, rejected: 3, closed: 9 }],
      ],
      filed: [U],
      external: [
        [C, { inspectionFindings: 1, summaries: { total: 4, onTime: 4 }, forex: { declaredUsd: 1000, receivedUsd: 0 } }],
        [U, { inspectionFindings: 1, summaries: { total: 1, onTime: 0 }, forex: { declaredUsd: 0, receivedUsd: 950 } }],
      ],
      want: {
        declared: 24,
        rejected: 6,
        closed: 18,
        inspectionFindings: 2,
        summaryOnTimeRate: 0.8,
        forexReceiptRate: 0.95,
        filed: true,
      },
    },
    {
      name: 'received beyond declared is capped at 1; received with nothing declared is no rate',
      clearance: [],
      filed: [C],
      external: [
        [C, { inspectionFindings: 0, forex: { declaredUsd: 100, receivedUsd: 50 } }],
        [U, { inspectionFindings: 0, forex: { declaredUsd: 0, receivedUsd: 500 } }],
      ],
      want: {
        declared: 0,
        rejected: 0,
        closed: 0,
        inspectionFindings: 0,
        summaryOnTimeRate: null,
        forexReceiptRate: 1,
        filed: true,
      },
    },
  ];
  for (const c of cases) {
    const got = factorsOverCodes([C, U], new Map(c.clearance), (x) => c.filed.includes(x), c.external && new Map(c.external));
    assert.deepEqual(got, c.want, c.name);
  }
  // a code given twice is counted once
  assert.equal(factorsOverCodes([C, C], new Map([[C, { declared: 3, rejected: 0, closed: 0 }]]), () => false, null).declared, 3);
  const onlyUscc = factorsOverCodes([U], new Map(), () => false, new Map([[U, { forex: { declaredUsd: 0, receivedUsd: 500 } }]]));
  assert.equal(onlyUscc.forexReceiptRate, null);
});
