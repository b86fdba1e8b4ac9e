import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, declareParcel, inventoryStatuses, receiptStatuses } from '../../../test/support/clearance.ts';

// Audit follow-ups of issue 5: the risk-hit queue pages over every held parcel, oldest first,
// however many newer decisions there are; the officer decides several at once with the outcome of
// each; a blacklisted seller is inspected whatever level customs set by hand.

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(80, ++g);

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'customs', 'commerce']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const db = () => tp.platform.database.db;
const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Record<string, unknown> & { items?: Record<string, unknown>[] }>(tp, t[user]!, method, url, payload);

async function declare(n: number, mutate?: (p: Parcel) => void): Promise<{ p: Parcel; id: string }> {
  const p = makeParcel(n, 'QU');
  mutate?.(p);
  return { p, id: (await declareParcel(tp, t, p, nextGuid)).documentId! };
}

type Page = { items: { inventoryId: string }[]; total: number; nextCursor: string | null };

async function page(limit: number, cursor?: string): Promise<Page> {
  const r = await api('customs', 'GET', `/api/v1/risk/hits?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as unknown as Page;
}

async function heldFlag(id: string): Promise<boolean> {
  const r = await sql<{ held: boolean }>`select held from rsk_decision where inventory_id = ${id}`.execute(db());
  return r.rows[0]!.held;
}

test('the risk-hit queue pages over every held parcel, older ones included, under many newer decisions', async () => {
  // Five parcels held for review (a vague description), oldest first.
  const held: string[] = [];
  for (let n = 1; n <= 5; n++) {
    const { p, id } = await declare(n, (x) => {
      x.inventory.lists.InventoryList![0]!.gname = '礼品';
    });
    assert.deepEqual(await inventoryStatuses(tp, p), ['300']);
    held.push(id);
  }
  await sql`update rsk_decision set decided_at = now() - make_interval(hours => 10 - ord::int)
            from unnest(${held}::uuid[]) with ordinality as h(id, ord) where inventory_id = h.id`.execute(db());
  const office = (
    await sql<{ c: string }>`select customs_code as c from rsk_decision where inventory_id = ${held[0]!}`.execute(db())
  ).rows[0]!.c;
  // Under load: 1,100 newer decisions outside the green lane whose parcels were decided since
  // (the old queue read the newest 1,000 of these and found nothing held), and one older mark
  // whose parcel clearance no longer holds (as the migration leaves earlier decisions).
  await sql`
    insert into rsk_decision (inventory_id, guid, ebc_code, customs_code, split_key, total, lane, hits, decided_at, held)
    select gen_random_uuid(), 'load-' || i, ${PARTIES.seller.code}, ${office}, 'k', 1, 'review', '[]'::jsonb,
           now() - make_interval(mins => i), false
    from generate_series(1, 1100) i`.execute(db());
  const stale = randomUUID();
  await sql`
    insert into rsk_decision (inventory_id, guid, ebc_code, customs_code, split_key, total, lane, hits, decided_at, held)
    values (${stale}, 'stale', ${PARTIES.seller.code}, ${office}, 'k', 1, 'review', '[]'::jsonb, now() - interval '11 hours', true)`.execute(
    db(),
  );

  const first = await page(2);
  assert.equal(first.total, 5, 'the stale mark is not counted once met');
  assert.equal(await heldFlag(stale), false, 'and it is cleared');
  const seen = first.items.map((i) => i.inventoryId);
  let cursor = first.nextCursor;
  let pages = 1;
  while (cursor) {
    const next = await page(2, cursor);
    seen.push(...next.items.map((i) => i.inventoryId));
    cursor = next.nextCursor;
    pages += 1;
  }
  assert.deepEqual(seen, held, 'every held parcel once, oldest first (officers work the queue first in, first out)');
  assert.equal(pages, 3);

  // Decided on review or rejected, a parcel leaves the queue (outbox: clearance.reviewed / withdrawn).
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${held[4]!}/approve`, {})).status, 200);
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${held[0]!}/reject`, { reason: '品名不实' })).status, 200);
  await tp.platform.settle();
  assert.equal(await heldFlag(held[4]!), false);
  assert.equal(await heldFlag(held[0]!), false);
  const rest = await page(10);
  assert.equal(rest.total, 3);
  assert.deepEqual(
    rest.items.map((i) => i.inventoryId),
    [held[1], held[2], held[3]],
  );
  assert.equal(rest.nextCursor, null);

  const bad = await api('customs', 'GET', '/api/v1/risk/hits?cursor=bm9wZQ');
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /cursor/);
});

test('bulk review: each inventory decided on its own, the outcome of each returned; a failure stops none of the others', async () => {
  const vague = (x: Parcel) => {
    x.inventory.lists.InventoryList![0]!.gname = '礼品';
  };
  const a = await declare(20, vague);
  const b = await declare(21, vague);
  const c = await declare(22, vague);
  for (const x of [a, b, c]) assert.deepEqual(await inventoryStatuses(tp, x.p), ['300']);
  // b was decided already; `nobody` names no inventory.
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${b.id}/approve`, {})).status, 200);
  const nobody = randomUUID();

  // Refused whole, nothing changed: a rejection without a reason, a caller without the permission.
  const noReason = await api('customs', 'POST', '/api/v1/customs/reviews/bulk', { ids: [a.id, c.id], action: 'reject' });
  assert.equal(noReason.status, 400);
  assert.match(JSON.stringify(noReason.body), /退单必须说明理由.*a rejection needs a reason|reason/);
  assert.equal((await api('platform', 'POST', '/api/v1/customs/reviews/bulk', { ids: [a.id], action: 'approve' })).status, 403);
  assert.deepEqual(await inventoryStatuses(tp, a.p), ['300']);
  assert.deepEqual(await inventoryStatuses(tp, c.p), ['300']);

  // An id that names no inventory in the officer's jurisdiction refuses the whole request (404), nothing decided.
  const unknown = await api('customs', 'POST', '/api/v1/customs/reviews/bulk', { ids: [a.id, nobody, c.id], action: 'approve' });
  assert.equal(unknown.status, 404);
  assert.match(JSON.stringify(unknown.body), new RegExp(nobody));
  assert.deepEqual(await inventoryStatuses(tp, a.p), ['300']);
  assert.deepEqual(await inventoryStatuses(tp, c.p), ['300']);

  const r = await api('customs', 'POST', '/api/v1/customs/reviews/bulk', { ids: [a.id, b.id, c.id], action: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const items = r.body.items as {
    id: string;
    ok: boolean;
    status: string | null;
    code: string | null;
    zh: string | null;
    en: string | null;
  }[];
  assert.deepEqual(
    items.map((i) => [i.id, i.ok, i.status, i.code]),
    [
      [a.id, true, '399', null],
      [b.id, false, null, 'clearance.invalid_state'],
      [c.id, true, '399', null],
    ],
  );
  assert.match(items[1]!.zh!, /清单状态为 399/);
  assert.match(items[1]!.en!, /status 399, not under manual review/);
  await tp.platform.settle();
  assert.deepEqual(await inventoryStatuses(tp, a.p), ['399']);
  assert.deepEqual(await inventoryStatuses(tp, c.p), ['399']);
  assert.equal(await heldFlag(a.id), false, 'approved in bulk, it leaves the risk-hit queue');
  const audit = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where action = 'inventory.review.approve' and entity_id = any(${[a.id, c.id]}::text[])`.execute(
    db(),
  );
  assert.equal(audit.rows[0]!.n, 2, 'each decision audited as a single review is');

  // Rejected in bulk with one reason.
  const d = await declare(23, vague);
  const rej = await api('customs', 'POST', '/api/v1/customs/reviews/bulk', { ids: [d.id], action: 'reject', reason: '品名不实' });
  assert.deepEqual(
    (rej.body.items as { ok: boolean; status: string }[]).map((i) => [i.ok, i.status]),
    [[true, '100']],
  );
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', d.p.inventory.head.guid!), ['2', '120', '300', '100']);
});

test('a blacklisted seller is inspected whatever level customs set by hand, and the officer is told why', async () => {
  // Customs graded the seller AA by hand (the demo does): its parcels go green.
  assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'AA' })).status, 200);
  const before = await declare(10);
  assert.deepEqual(await inventoryStatuses(tp, before.p), ['399']);

  // The credit system blacklists it: a major case, decided and published.
  const opened = await api('commerce', 'POST', '/api/v1/credit/cases', {
    kind: 'counterfeit',
    subjectCode: PARTIES.seller.code,
    summary: '仿冒商标 / counterfeit trademark',
  });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const caseId = opened.body.id as string;
  for (const body of [
    { event: 'investigate' },
    { event: 'decide', severity: 'major', decision: '列入失信名单 / blacklisted', blacklist: true },
    { event: 'publish' },
  ]) {
    const r = await api('commerce', 'POST', `/api/v1/credit/cases/${caseId}/transition`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  const { p, id } = await declare(11);
  assert.deepEqual(await inventoryStatuses(tp, p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);
  const d = await sql<{ lane: string; hits: { rule: string; lane: string; detailZh: string; detailEn: string }[] }>`
    select lane, hits from rsk_decision where inventory_id = ${id}`.execute(db());
  assert.equal(d.rows[0]!.lane, 'inspect');
  const hit = d.rows[0]!.hits.find((h) => h.rule === 'R-CREDIT-SAMPLE')!;
  assert.equal(hit.lane, 'inspect');
  assert.match(hit.detailZh, /失信名单/);
  assert.match(hit.detailEn, /on the credit blacklist \(level C\): every parcel is inspected/);
  const inv = await sql<{ lane: string; reason: string }>`
    select lane, review_reason as reason from clr_inventory where document_id = ${id}`.execute(db());
  assert.equal(inv.rows[0]!.lane, 'inspect');
  assert.match(inv.rows[0]!.reason, /credit blacklist/);
  const task = await sql<{ n: number }>`select count(*)::int as n from insp_task where inventory_id = ${id}`.execute(db());
  assert.equal(task.rows[0]!.n, 1, 'an inspection task is opened');
});
