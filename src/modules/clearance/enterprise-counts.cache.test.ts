import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { declareParcel } from '../../../test/support/clearance.ts';
import { enterpriseCountsCache } from './clearance.lookup.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};
let guid = 0;
const nextGuid = (): string => guidOf(7301, ++guid);
const SINCE = new Date('2000-01-01T00:00:00Z');

before(async () => {
  tp = await startTestPlatform();
  for (const u of ['platform', 'carrier', 'broker']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('seller counts: exact below the threshold, reused for the TTL above it, fresh after it', async () => {
  const db = tp.platform.database.db;
  const seller = PARTIES.seller.code;
  let clock = 0;
  const exact = enterpriseCountsCache({ ttlMs: 60_000, exactBelow: 1_000, now: () => clock });
  const cached = enterpriseCountsCache({ ttlMs: 60_000, exactBelow: 1, now: () => clock });
  const declared = async (c: typeof exact): Promise<number> =>
    (await c(db, [seller], SINCE)).find((x) => x.ebcCode === seller)?.declared ?? 0;

  await declareParcel(tp, tokens, makeParcel(1, 'CNT'), nextGuid);
  const first = await declared(exact);
  assert.ok(first >= 1, 'the declared inventory is counted');
  assert.equal(await declared(cached), first, 'the first read of a big seller counts');

  await declareParcel(tp, tokens, makeParcel(2, 'CNT'), nextGuid);
  assert.equal(await declared(exact), first + 1, 'a small history is always exact');
  assert.equal(await declared(cached), first, 'a big history is reused within the TTL');
  clock += 60_000;
  assert.equal(await declared(cached), first + 1, 'and counted again after it');
  assert.deepEqual(await cached(db, ['0000000000'], SINCE), [], 'a seller without inventories has no counts');
});
