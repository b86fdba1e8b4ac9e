import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEligibility, isRule, type EligibilityRule, type Figures } from './eligibility.rules.ts';

const F: Figures = {
  exportsCny: 150_000,
  exportsUsd: 21_000,
  parcels: 900,
  refundsCny: 12_000,
  creditLevelRank: 3,
  parkMember: 1,
};

test('all rules must hold; each result says what was compared', () => {
  const cases: [string, EligibilityRule[], boolean][] = [
    ['no rules', [], true],
    ['exports ≥ 100k', [{ metric: 'exportsCny', op: '>=', value: 100_000 }], true],
    ['exports ≥ 200k', [{ metric: 'exportsCny', op: '>=', value: 200_000 }], false],
    [
      'credit A or better and in a park',
      [
        { metric: 'creditLevelRank', op: '>=', value: 3 },
        { metric: 'parkMember', op: '=', value: 1 },
      ],
      true,
    ],
    ['credit AA', [{ metric: 'creditLevelRank', op: '>=', value: 4 }], false],
    ['small sellers only', [{ metric: 'parcels', op: '<=', value: 1000 }], true],
    [
      'exports ≥ 100k with export tax refunds ≥ 10k',
      [
        { metric: 'exportsCny', op: '>=', value: 100_000 },
        { metric: 'refundsCny', op: '>=', value: 10_000 },
      ],
      true,
    ],
    ['export tax refunds ≥ 20k', [{ metric: 'refundsCny', op: '>=', value: 20_000 }], false],
  ];
  for (const [name, rules, eligible] of cases) {
    const r = checkEligibility(rules, F);
    assert.equal(r.eligible, eligible, name);
    assert.equal(r.results.length, rules.length, name);
  }
  assert.equal(isRule({ metric: 'exportsCny', op: '>=', value: 1 }), true);
  assert.equal(isRule({ metric: 'refundsCny', op: '>=', value: 1 }), true);
  assert.equal(isRule({ metric: 'salary', op: '>=', value: 1 }), false);
  assert.equal(isRule({ metric: 'parcels', op: '>', value: 1 }), false);
});
