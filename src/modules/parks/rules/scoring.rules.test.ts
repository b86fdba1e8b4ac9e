import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCriterion, scoreAgainst, STANDARD_CRITERIA } from './scoring.rules.ts';

test('the standard rubric adds up to 100', () => {
  assert.equal(
    STANDARD_CRITERIA.reduce((s, c) => s + c.max, 0),
    100,
  );
  assert.ok(STANDARD_CRITERIA.every(isCriterion));
});

test('a full, in-range score sums; missing, unknown and out-of-range points are named', () => {
  assert.deepEqual(scoreAgainst(STANDARD_CRITERIA, { policy: 25, performance: 30, impact: 10, compliance: 10 }), {
    total: 75,
    problems: [],
  });
  const bad = scoreAgainst(STANDARD_CRITERIA, { policy: 31, performance: 1.5, impact: 5, salary: 3 });
  assert.deepEqual(
    bad.problems.map((p) => [p.field, p.rule]),
    [
      ['scores.salary', 'criterion'],
      ['scores.policy', 'range'],
      ['scores.performance', 'range'],
      ['scores.compliance', 'required'],
    ],
  );
  assert.ok(bad.problems.every((p) => /[\u4e00-\u9fff]/.test(p.zh) && p.en.length > 0));
});

test('a criterion is a key, two names and a maximum from 1 to 100', () => {
  assert.equal(isCriterion({ key: 'jobs', name: '就业', nameEn: 'Jobs', max: 50 }), true);
  assert.equal(isCriterion({ key: 'Jobs!', name: '就业', nameEn: 'Jobs', max: 50 }), false);
  assert.equal(isCriterion({ key: 'jobs', name: '', nameEn: 'Jobs', max: 50 }), false);
  assert.equal(isCriterion({ key: 'jobs', name: '就业', nameEn: 'Jobs', max: 0 }), false);
  assert.equal(isCriterion({ key: 'jobs', name: '就业', nameEn: 'Jobs', max: 101 }), false);
});
