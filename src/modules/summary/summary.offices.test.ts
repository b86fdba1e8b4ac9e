import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { summaryLookup } from './summary.lookup.ts';
import type { SummaryApplicationView, SummaryPreview } from './summary.service.ts';

// Six parcels close on 20 October 2026 (China time); three were declared at Nanchang customs
// (4006), three at another office (5100). The seller summarises October in November: each office
// gets its own declaration, numbered by it, and each office's officers read only their own.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
const OTHER = '5100';

async function api<T>(
  user: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return {
    status: res.statusCode,
    body: String(res.headers['content-type'] ?? '').includes('json') ? (res.json() as T) : (res.body as T),
  };
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  const parcels: Parcel[] = Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'O'));
  await closeParcels(tp, tokens, parcels, 1, 'O');
  // Three of them were declared at the other office (申报海关 of the inventory).
  const moved = await sql`
    update clr_document d set customs_code = ${OTHER}, head = jsonb_set(d.head, '{customsCode}', to_jsonb(${OTHER}::text))
    from clr_inventory i where i.document_id = d.id and i.logistics_no like 'O%'
      and i.invt_no in (select invt_no from clr_inventory where logistics_no like 'O%' order by invt_no limit 3)`.execute(
    tp.platform.database.db,
  );
  assert.equal(Number(moved.numAffectedRows), 3);
  // the summary's copy is taken when they close: taken again from clearance (as if they had closed now)
  await sql`delete from sum_source_line`.execute(tp.platform.database.db);
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'customs', 'admin']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('inventories of two customs offices form one declaration per office, each numbered by its own office', async () => {
  const preview = await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', { period: '2026-10' });
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  assert.equal(preview.body.keys.head[0], 'customsCode');
  assert.deepEqual(
    preview.body.declarations.map((d) => [d.customsCode, d.key.customsCode, d.inventoryCount]),
    [
      ['4006', '4006', 3],
      [OTHER, OTHER, 3],
    ],
  );
  const res = await api<SummaryApplicationView>('seller', 'POST', '/api/v1/summary/applications', {
    period: '2026-10',
    resultHash: preview.body.resultHash,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const a = res.body;
  assert.equal(a.customsCode, '4006', 'the application is lodged at the smallest office of its declarations');
  assert.deepEqual(
    a.declarations.map((d) => [d.customsCode, d.entryId, d.declSeqNo]),
    [
      ['4006', '400620260000000001', '40062026S000000001'],
      [OTHER, `${OTHER}20260000000001`, `${OTHER}2026S000000001`],
    ],
  );
  const stored = await sql<{ entry_id: string; customs_code: string }>`
    select entry_id, customs_code from sum_declaration order by entry_id`.execute(tp.platform.database.db);
  assert.deepEqual(
    stored.rows.map((r) => [r.customs_code, r.entry_id.slice(0, 4)]),
    [
      ['4006', '4006'],
      [OTHER, OTHER],
    ],
  );
  // the CEB792 of the other office's declaration names that office
  const x792 = await api<string>(
    'seller',
    'GET',
    `/api/v1/summary/applications/${a.id}/declarations/${a.declarations[1]!.id}/ceb792`,
  );
  assert.equal(x792.status, 200);
  assert.match(x792.body, new RegExp(`<ceb:customsCode>${OTHER}</ceb:customsCode>`));
});

test("officers read the declarations lodged at their office only; the other office's are not found", async () => {
  const mine = (await api<SummaryApplicationView[]>('seller', 'GET', '/api/v1/summary/applications')).body[0]!;
  const other = mine.declarations.find((d) => d.customsCode === OTHER)!;
  const own = mine.declarations.find((d) => d.customsCode === '4006')!;
  // Nanchang customs (jurisdiction 4000): the 4006 declaration
  const got = await api<SummaryApplicationView>('customs', 'GET', `/api/v1/summary/applications/${mine.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(
    got.body.declarations.map((d) => d.customsCode),
    ['4006'],
  );
  const list = await api<SummaryApplicationView[]>('customs', 'GET', '/api/v1/summary/applications');
  assert.deepEqual(
    list.body.flatMap((x) => x.declarations.map((d) => d.entryId)),
    [own.entryId],
  );
  assert.equal(
    (await api('customs', 'GET', `/api/v1/summary/applications/${mine.id}/declarations/${other.id}/lineage`)).status,
    404,
  );
  assert.equal(
    (await api('customs', 'GET', `/api/v1/summary/applications/${mine.id}/declarations/${own.id}/lineage`)).status,
    200,
  );
  // the administrator reads both
  const admin = await api<SummaryApplicationView>('admin', 'GET', `/api/v1/summary/applications/${mine.id}`);
  assert.equal(admin.body.declarations.length, 2);
  // the lookup tax and forex desks use filters by the declaration's office, not the application's
  const lookup = summaryLookup(tp.platform.database.db);
  assert.deepEqual(
    (await lookup.declarations({ customsPrefix: '40', limit: 100 })).map((d) => [d.entryId, d.customsCode]),
    [[own.entryId, '4006']],
  );
  assert.deepEqual(
    (await lookup.declarations({ customsPrefix: '51', limit: 100 })).map((d) => [d.entryId, d.customsCode]),
    [[other.entryId, OTHER]],
  );
});
