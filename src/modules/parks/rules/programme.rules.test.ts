import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../../../kernel/errors.ts';
import { checkDecision, checkWindow, rulesOf, sameRules } from './programme.rules.ts';
import { STANDARD_CRITERIA } from './scoring.rules.ts';

const FULL = { policy: 25, performance: 30, impact: 10, compliance: 10 };

test('a decision by criteria scores their weighted sum; a total sent along must be it', () => {
  assert.deepEqual(checkDecision(STANDARD_CRITERIA, { decision: 'approve', scores: FULL }), {
    score: 75,
    note: null,
    problems: [],
  });
  assert.deepEqual(checkDecision(STANDARD_CRITERIA, { decision: 'approve', scores: FULL, score: 75 }).problems, []);
  const wrong = checkDecision(STANDARD_CRITERIA, { decision: 'approve', scores: FULL, score: 80 });
  assert.deepEqual(
    wrong.problems.map((p) => [p.field, p.rule]),
    [['score', 'sum']],
  );
  assert.match(wrong.problems[0]!.message.zh, /75/);
  // the criterion's own problems, and no sum problem on top of them
  const bad = checkDecision(STANDARD_CRITERIA, { decision: 'approve', scores: { ...FULL, policy: 31 }, score: 1 });
  assert.deepEqual(
    bad.problems.map((p) => [p.field, p.rule]),
    [['scores.policy', 'range']],
  );
});

test('a decision as a whole needs its score; a rejection needs its reason, trimmed', () => {
  assert.deepEqual(checkDecision(STANDARD_CRITERIA, { decision: 'approve', score: 60, note: '  ok ' }), {
    score: 60,
    note: 'ok',
    problems: [],
  });
  assert.deepEqual(
    checkDecision(STANDARD_CRITERIA, { decision: 'reject', note: '   ' }).problems.map((p) => [p.field, p.rule]),
    [
      ['scores', 'required'],
      ['note', 'required'],
    ],
  );
});

test('a window ending before it opens names closesOn; rules compare as {metric, op, value}', () => {
  assert.doesNotThrow(() => checkWindow('2025-01-01', '2025-01-01'));
  assert.throws(
    () => checkWindow('2025-02-01', '2025-01-31'),
    (e: unknown) => e instanceof DomainError && e.details?.errors?.[0]?.field === 'closesOn',
  );
  assert.deepEqual(rulesOf([{ value: 1, op: '>=', metric: 'parcels', extra: true }]), [
    { metric: 'parcels', op: '>=', value: 1 },
  ]);
  assert.ok(sameRules([{ value: 1, op: '>=', metric: 'parcels' }], [{ metric: 'parcels', op: '>=', value: 1 }]));
  assert.ok(!sameRules([{ metric: 'parcels', op: '>=', value: 1 }], []));
  assert.deepEqual(rulesOf(null), []);
});
