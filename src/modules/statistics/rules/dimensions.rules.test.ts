import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIMENSION_DEFS, DIMENSIONS, isDimension } from './dimensions.rules.ts';

test('every dimension has a definition; only HS dimensions need the goods cube', () => {
  for (const d of DIMENSIONS) assert.ok(DIMENSION_DEFS[d].label.zh && DIMENSION_DEFS[d].label.en, d);
  assert.deepEqual(
    DIMENSIONS.filter((d) => DIMENSION_DEFS[d].goodsOnly),
    ['hs_chapter', 'hs_heading'],
  );
  for (const [v, ok] of [
    ['country', true],
    ['drop table', false],
    ['', false],
  ] as const)
    assert.equal(isDimension(v), ok, v);
});
