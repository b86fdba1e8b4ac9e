import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { TOPIC_CLOSED } from '../clearance/index.ts';
import type { SummaryPreview } from './summary.service.ts';

// Parcels close on 20 October 2026 (China time); the seller previews October in November.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};

const db = () => tp.platform.database.db;
const sourceCounts = async () =>
  (
    await sql<{ lines: number; inventories: number }>`
      select count(*)::int as lines, count(*) filter (where first_line)::int as inventories
      from sum_source_line s join clr_inventory i on i.document_id = s.inventory_id where i.logistics_no like 'T%'`.execute(db())
  ).rows[0]!;
const jsonbLines = async () =>
  (
    await sql<{ n: number }>`
      select coalesce(sum(jsonb_array_length(d.lines)), 0)::int as n from clr_inventory i join clr_document d on d.id = i.document_id
      where i.logistics_no like 'T%' and d.status = '899'`.execute(db())
  ).rows[0]!.n;

async function preview(): Promise<SummaryPreview> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/summary/preview',
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: { period: '2026-10' },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as SummaryPreview;
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller']) tokens[u] = await login(tp.platform, u);
  await closeParcels(
    tp,
    tokens,
    Array.from({ length: 12 }, (_, i) => makeParcel(i + 1, 'T')),
    1,
    'T',
  );
  clock.set(new Date('2026-11-02T01:00:00Z'));
  tokens.seller = await login(tp.platform, 'seller');
});
after(async () => {
  await tp.stop();
});

test('closing inventories copies every line into sum_source_line once; a replayed event adds nothing', async () => {
  const before = await sourceCounts();
  assert.equal(before.inventories, 12);
  assert.equal(before.lines, await jsonbLines());
  const ids = (await sql<{ id: string }>`select document_id as id from clr_inventory where logistics_no like 'T%'`.execute(db()))
    .rows;
  await db()
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids: ids.map((x) => x.id) } }]));
  await tp.platform.settle();
  assert.deepEqual(await sourceCounts(), before);
});

test('grouping copies what the handler missed first: the preview is the same with or without it', async () => {
  const full = await preview();
  assert.ok(full.inventoryCount >= 12, `${full.inventoryCount} inventories`);
  // as if some clearance.closed events had been lost (dead-lettered)
  await sql`delete from sum_source_line where inventory_id in (
    select document_id from clr_inventory where logistics_no like 'T%' order by invt_no limit 5)`.execute(db());
  assert.equal((await sourceCounts()).inventories, 7);
  const again = await preview();
  assert.equal(again.resultHash, full.resultHash);
  assert.deepEqual(again.declarations, full.declarations);
  assert.equal((await sourceCounts()).inventories, 12);
});
