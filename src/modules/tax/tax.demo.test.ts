import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { seedDemo } from '../../server/platform.ts';
import { createTaxRepository } from './tax.repository.ts';
import { versionOn } from './tax.refunds.ts';

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform({ listen: false });
});
after(async () => {
  await tp.stop();
});

test('demo: the demo sellers have a tax status on first start; seeding again changes nothing', async () => {
  const q = () =>
    sql<{ code: string; general_taxpayer: boolean; refund_qualified: boolean; pilot_zone: string | null }>`
      select o.customs_code as code, p.general_taxpayer, p.refund_qualified, p.pilot_zone
      from tax_profile p join organisation o on o.id = p.org_id order by 1`.execute(tp.platform.database.db);
  const first = (await q()).rows;
  assert.deepEqual(
    first.map((r) => `${r.code}:${r.general_taxpayer}:${r.refund_qualified}:${r.pilot_zone}`),
    ['3601260888:true:true:null', '3601260999:false:false:3607'],
  );
  await seedDemo(tp.platform);
  assert.deepEqual((await q()).rows, first);
});

test('demo: the demo sellers’ HS codes have a refund rate in the version in force (database)', async () => {
  const repo = createTaxRepository(tp.platform.database.db);
  const version = versionOn(await repo.rateVersions(), '2026-11-01')!.version;
  const codes = ['6911101900', '6913100000', '0805100000'];
  const hits = await repo.ratesFor(codes.map((gcode) => ({ version, gcode })));
  assert.deepEqual(
    codes.map((hs) => hits.get(`${version}|${hs}`)?.rate),
    ['0.13', '0.13', '0.09'],
  );
});
