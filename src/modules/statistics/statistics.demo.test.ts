import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { DEMO_FLOWS, seedStatisticsDemo } from './index.ts';

let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-26T02:00:00Z'));

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
});
after(async () => {
  await tp.stop();
});

test('the demo flows reach the commerce dashboard under all four business modes', async () => {
  const sent = await seedStatisticsDemo({ app: tp.platform.app, clock });
  assert.deepEqual(sent, { accepted: sent.accepted, rejected: 0 });
  await tp.platform.settle();
  const token = await login(tp.platform, 'commerce');
  const r = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/statistics?by=mode',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(r.statusCode, 200, r.body);
  const rows = (r.json() as { rows: { key: string; inventories: number }[] }).rows;
  assert.deepEqual(new Map(rows.map((x) => [x.key, x.inventories])), new Map(DEMO_FLOWS.map((f) => [f.mode, f.parcels])));
});
