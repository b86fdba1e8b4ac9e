import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCriteria, criteriaOf, isCriterion, scoreAgainst, STANDARD_CRITERIA, weightedTotal } from './scoring.rules.ts';

test('the standard rubric adds up to 100, its weights too', () => {
  assert.equal(
    STANDARD_CRITERIA.reduce((s, c) => s + c.max, 0),
    100,
  );
  assert.ok(STANDARD_CRITERIA.every((c) => c.weight === c.max));
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

test('points are weighted: each criterion counts points / max × weight, rounded once at the end', () => {
  const criteria = checkCriteria([
    { key: 'fit', name: '契合度', nameEn: 'Fit', max: 10, weight: 60 },
    { key: 'jobs', name: '带动就业', nameEn: 'Jobs', max: 5, weight: 40 },
  ]).criteria;
  assert.deepEqual(scoreAgainst(criteria, { fit: 7, jobs: 3 }), { total: 42 + 24, problems: [] });
  assert.equal(weightedTotal(criteria, { fit: 10, jobs: 5 }), 100);
  assert.equal(weightedTotal(criteria, { fit: 0, jobs: 0 }), 0);
  const thirds = checkCriteria([
    { key: 'a', name: '甲', nameEn: 'A', max: 3, weight: 50 },
    { key: 'b', name: '乙', nameEn: 'B', max: 3, weight: 50 },
  ]).criteria;
  assert.equal(weightedTotal(thirds, { a: 1, b: 1 }), 33, '16.67 + 16.67');
  assert.equal(weightedTotal(thirds, { a: 1, b: 2 }), 50);
  // the range is the criterion's maximum, not its weight
  assert.deepEqual(
    scoreAgainst(criteria, { fit: 11, jobs: 3 }).problems.map((p) => [p.field, p.rule]),
    [['scores.fit', 'range']],
  );
});

test('criteria as written: unique keys, both names, whole weight and max from 1 to 100, weights adding up to 100', () => {
  const ok = checkCriteria([
    { key: 'fit', name: ' 契合度 ', nameEn: 'Fit', max: 10, weight: 70 },
    { key: 'jobs', name: '就业', nameEn: 'Jobs', max: 30 },
  ]);
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(
    ok.criteria.map((c) => [c.key, c.name, c.weight, c.max]),
    [
      ['fit', '契合度', 70, 10],
      ['jobs', '就业', 30, 30],
    ],
    'names trimmed; no weight: the maximum',
  );
  const bad = checkCriteria([
    { key: 'fit', name: '契合度', nameEn: '', max: 10, weight: 0 },
    { key: 'fit', name: '', nameEn: 'Again', max: 101, weight: 50 },
    'jobs',
  ]);
  assert.deepEqual(
    bad.problems.map((p) => [p.field, p.rule]),
    [
      ['criteria[0].nameEn', 'required'],
      ['criteria[0].weight', 'range'],
      ['criteria[1].key', 'unique'],
      ['criteria[1].name', 'required'],
      ['criteria[1].max', 'range'],
      ['criteria[2]', 'format'],
    ],
  );
  assert.ok(bad.problems.every((p) => /[\u4e00-\u9fff]/.test(p.zh) && p.en.length > 0));
  const sum = checkCriteria([
    { key: 'fit', name: '契合度', nameEn: 'Fit', max: 10, weight: 60 },
    { key: 'jobs', name: '就业', nameEn: 'Jobs', max: 10, weight: 30 },
  ]);
  assert.deepEqual(
    sum.problems.map((p) => [p.field, p.rule, p.zh, p.en]),
    [
      [
        'criteria',
        'weights',
        '各评分项权重之和须为 100（现为 90）',
        "the criteria's weights must add up to 100 (they add up to 90)",
      ],
    ],
  );
  assert.deepEqual(checkCriteria([]), { criteria: [], problems: [] }, 'none: the standard rubric');
});

test('stored criteria read back with weights; from before weights, the weight is the maximum', () => {
  assert.deepEqual(
    criteriaOf([{ key: 'fit', name: '契合度', nameEn: 'Fit', max: 60 }]).map((c) => c.weight),
    [60],
  );
  assert.deepEqual(criteriaOf(null), [...STANDARD_CRITERIA]);
  assert.deepEqual(criteriaOf([{ key: 'Bad!', name: 'x', nameEn: 'x', max: 1 }]), [...STANDARD_CRITERIA]);
  assert.equal(isCriterion({ key: 'jobs', name: '就业', nameEn: 'Jobs', max: 50, weight: 0 }), false);
});
