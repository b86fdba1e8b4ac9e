import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEligibility, checkRules, isRule, type EligibilityRule, type Figures } from './eligibility.rules.ts';

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

test('rules are checked field by field: each problem names rule index and field, both languages', () => {
  const ok = checkRules([
    { value: 100_000, metric: 'exportsCny', op: '>=' },
    { metric: 'parkMember', op: '=', value: 1 },
  ]);
  assert.deepEqual(ok.problems, []);
  // stored as {metric, op, value}, in that order, whatever order they came in
  assert.equal(
    JSON.stringify(ok.rules),
    '[{"metric":"exportsCny","op":">=","value":100000},{"metric":"parkMember","op":"=","value":1}]',
  );
  const bad = checkRules([
    { metric: 'exportsCny', op: '>=', value: 1 },
    { metric: 'salary', op: '>', value: '5' },
    [],
    { metric: 'parcels', op: '<=', value: 3, unit: 'pcs' },
    { metric: 'parcels', op: '<=' },
  ]);
  assert.deepEqual(
    bad.problems.map((p) => [p.field, p.rule]),
    [
      ['rules[1].metric', 'enum'],
      ['rules[1].op', 'enum'],
      ['rules[1].value', 'type'],
      ['rules[2]', 'type'],
      ['rules[3].unit', 'additionalProperties'],
      ['rules[4].value', 'type'],
    ],
  );
  assert.deepEqual(bad.rules, [{ metric: 'exportsCny', op: '>=', value: 1 }], 'only the valid rules are kept');
  const metric = bad.problems[0]!;
  assert.match(metric.zh, /^第 2 条规则的指标（metric）无效，应为：exportsCny（出口额（人民币））、/);
  assert.equal(
    metric.en,
    'rule 2: metric must be one of exportsCny, exportsUsd, parcels, refundsCny, creditLevelRank, parkMember',
  );
  assert.equal(metric.value, 'salary');
  for (const p of bad.problems) assert.ok(p.zh && p.en, p.field);
});
