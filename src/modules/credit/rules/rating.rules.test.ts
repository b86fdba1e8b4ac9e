import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateEnterprise, type RatingInputs } from './rating.rules.ts';

const CLEAN: RatingInputs = {
  declared: 200,
  rejected: 2,
  closed: 190,
  inspectionFindings: 0,
  minorCases: 0,
  majorCases: 0,
  summaryOnTimeRate: 1,
  forexReceiptRate: 1,
  filed: true,
  blacklisted: false,
};

test('each factor moves the rating as documented', () => {
  const cases: [string, Partial<RatingInputs>, string, number][] = [
    ['clean record', {}, 'AA', 100],
    ['rejection rate 10% (> 5%): -10', { rejected: 20 }, 'AA', 90],
    ['rejection rate 20% (> 15%): -25', { rejected: 40 }, 'A', 75],
    ['small sample: rate not counted', { declared: 10, rejected: 5, closed: 5 }, 'A', 100],
    ['fewer than 50 closed caps at A', { closed: 49 }, 'A', 100],
    ['3 findings: -15', { inspectionFindings: 3 }, 'A', 85],
    ['9 findings capped at -20', { inspectionFindings: 9 }, 'A', 80],
    ['one minor case: -10', { minorCases: 1 }, 'AA', 90],
    ['one major case: -40', { majorCases: 1 }, 'B', 60],
    ['summary on time 90%: -10', { summaryOnTimeRate: 0.9 }, 'AA', 90],
    ['summary on time 70%: -20', { summaryOnTimeRate: 0.7 }, 'A', 80],
    ['forex 85%: -10', { forexReceiptRate: 0.85 }, 'AA', 90],
    ['unknown forex / summary: no deduction', { forexReceiptRate: null, summaryOnTimeRate: null }, 'AA', 100],
    ['filing not approved: -15', { filed: false }, 'A', 85],
    ['blacklisted: C whatever the score', { blacklisted: true }, 'C', 100],
    ['many problems: C', { rejected: 40, majorCases: 1 }, 'C', 35],
  ];
  for (const [name, over, level, score] of cases) {
    const r = rateEnterprise({ ...CLEAN, ...over });
    assert.equal(r.score, score, `${name}: score`);
    assert.equal(r.level, level, `${name}: level`);
    assert.equal(r.score, 100 + r.factors.reduce((a, f) => a + f.points, 0), `${name}: factors explain the score`);
  }
});

test('every factor carries a bilingual explanation', () => {
  for (const f of rateEnterprise({ ...CLEAN, blacklisted: true, closed: 1 }).factors) {
    assert.ok(f.explanation.zh && f.explanation.en, f.factor);
  }
});
