import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soakVerdict } from '../../bench/soak-verdict.ts';

const flat = (heaps: number[], backlog = 0) => heaps.map((heapUsed) => ({ heapUsed, clientBacklog: backlog }));

test('a soak on pace with a flat heap passes', () => {
  const v = soakVerdict(30, 1_800, flat([80, 90, 91, 89, 92, 90, 93, 91, 90, 92]));
  assert.deepEqual(v, {
    minutes: 30,
    submitSeconds: 1800,
    onPace: true,
    errors: 0,
    heapGrowthMb: 3,
    heapFlat: true,
    passed: true,
  });
});

test('a heap that keeps growing fails, even on pace', () => {
  const v = soakVerdict(30, 1_790, flat([80, 90, 100, 110, 120, 130, 140, 150, 160, 170]));
  assert.equal(v.heapGrowthMb, 80);
  assert.equal(v.heapFlat, false);
  assert.equal(v.passed, false);
});

test('the client backlog is not counted as the platform growing', () => {
  // 400,000 waiting orders ≈ 38 MB of client heap in the late tenths.
  const timeline = [...flat([80, 90, 91, 89, 92, 90, 93]), ...flat([130, 131, 129], 400_000)];
  const v = soakVerdict(30, 1_800, timeline);
  assert.ok(v.heapGrowthMb < 10, String(v.heapGrowthMb));
  assert.equal(v.passed, true);
});

test('submissions that fall behind the offered rate fail the soak', () => {
  const v = soakVerdict(30, 30 * 60 * 1.1, flat([80, 90, 91, 89, 92, 90, 93, 91, 90, 92]));
  assert.equal(v.onPace, false);
  assert.equal(v.passed, false);
});
