import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, declareParcels, receiptStatuses } from '../../../test/support/clearance.ts';

// The officer's review queue and bulk decisions: what is stored, not only what is answered.

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(81, ++g);

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'customs']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const db = () => tp.platform.database.db;

/** Parcels the demo risk rules hold for an officer's review (a vague description): their inventory ids. */
async function held(first: number, n: number): Promise<{ ps: Parcel[]; ids: string[] }> {
  const ps = Array.from({ length: n }, (_, i) => {
    const p = makeParcel(first + i, 'RV');
    p.inventory.lists.InventoryList![0]!.gname = '礼品';
    return p;
  });
  const out = await declareParcels(tp, t, ps, nextGuid);
  const ids = out.entities.map((e) => e.documentId!);
  const rows = await stored(ids);
  assert.deepEqual(
    rows.map((r) => `${r.status}:${r.lane}:${r.held}`),
    ids.map(() => '300:review:true'),
  );
  return { ps, ids };
}

interface Stored {
  id: string;
  status: string;
  live: boolean;
  return_info: string | null;
  updated_at: Date;
  lane: string | null;
  review_reason: string | null;
  decided: boolean;
  held: boolean;
}

async function stored(ids: string[]): Promise<Stored[]> {
  const r = await sql<Stored>`
    select d.id, d.status, d.live, d.return_info, d.updated_at, i.lane, i.review_reason,
      i.decided_at is not null as decided, i.held_at is not null as held
    from clr_document d join clr_inventory i on i.document_id = d.id
    where d.id = any(${ids}::uuid[])`.execute(db());
  return ids.map((id) => r.rows.find((x) => x.id === id)!);
}

async function eventsSince(topic: string, after: number): Promise<{ key: string | null; ids: string[] }[]> {
  const r = await sql<{ key: string | null; payload: { ids: string[] } }>`
    select key, payload from outbox_event where topic = ${topic} and id > ${after} order by id`.execute(db());
  return r.rows.map((x) => ({ key: x.key, ids: x.payload.ids }));
}

async function lastEvent(): Promise<number> {
  const r = await sql<{ n: string | null }>`select max(id) as n from outbox_event`.execute(db());
  return Number(r.rows[0]!.n ?? 0);
}

async function audited(action: string, ids: string[]): Promise<string[]> {
  await tp.platform.settle();
  const r = await sql<{ entity_id: string }>`
    select entity_id from audit_log where action = ${action} and entity_id = any(${ids}::text[]) order by entity_id`.execute(
    db(),
  );
  return r.rows.map((x) => x.entity_id);
}

test('the review queue shows each held inventory with its lane and the officer’s reason', async () => {
  const { ids } = await held(1, 2);
  const r = await apiCall<{ items: { inventory: { id: string; invtNo: string }; review: { lane: string; reason: string } }[] }>(
    tp,
    t.customs!,
    'GET',
    '/api/v1/customs/reviews',
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const mine = r.body.items.filter((i) => ids.includes(i.inventory.id));
  assert.equal(mine.length, 2);
  const rows = await stored(ids);
  for (const item of mine) {
    const row = rows.find((x) => x.id === item.inventory.id)!;
    assert.equal(item.review.lane, 'review');
    assert.equal(item.review.reason, row.review_reason);
    assert.match(item.inventory.invtNo, /^\d{4}\d{4}E\d{9}$/);
  }
});

test('bulk approval: one transaction decides what can be decided, reports the rest, and stores each decision', async () => {
  const { ps, ids } = await held(10, 5);
  const [a, b, c, d, e] = ids as [string, string, string, string, string];
  // b is decided already; c is selected for inspection; d is held by a rule (approved only by the risk engine).
  assert.equal((await apiCall(tp, t.customs!, 'POST', `/api/v1/customs/reviews/${b}/approve`, {})).status, 200);
  await sql`update clr_inventory set lane = 'inspect' where document_id = ${c}`.execute(db());
  await sql`update clr_inventory set lane = 'hold', review_reason = '[R-TEST] 缺少检验检疫备案 / no inspection filing'
            where document_id = ${d}`.execute(db());
  await tp.platform.settle();
  const bBefore = (await stored([b]))[0]!;
  const mark = await lastEvent();

  const r = await apiCall<{
    items: { id: string; ok: boolean; status: string | null; code: string | null; en: string | null }[];
  }>(tp, t.customs!, 'POST', '/api/v1/customs/reviews/bulk', { ids: [e, b, c, a, d, a], action: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.items.map((i) => [i.id, i.ok, i.status, i.code]),
    [
      [e, true, '399', null],
      [b, false, null, 'clearance.invalid_state'],
      [c, false, null, 'clearance.invalid_state'],
      [a, true, '399', null],
      [d, false, null, 'clearance.invalid_state'],
    ],
    'each id once, in the order asked',
  );
  assert.match(r.body.items[1]!.en!, /status 399, not under manual review/);
  assert.match(r.body.items[2]!.en!, /selected for inspection/);
  assert.match(r.body.items[4]!.en!, /held by risk rule R-TEST/);

  // One event announces both approvals; the decided rows were written by one statement (one time).
  assert.deepEqual(
    (await eventsSince('clearance.reviewed', mark)).map((x) => x.ids),
    [[e, a]],
  );
  const [sa, sb, sc, sd, se] = await stored([a, b, c, d, e]);
  for (const s of [sa!, se!]) {
    assert.equal(s.status, '399');
    assert.equal(s.lane, 'reviewed');
    assert.equal(s.decided, true);
    assert.equal(s.held, false);
    assert.match(s.review_reason ?? '', /.+/, 'the reason it was held is kept');
  }
  assert.equal(sa!.updated_at.getTime(), se!.updated_at.getTime());
  assert.deepEqual(sb, bBefore, 'the one decided before is untouched');
  assert.deepEqual([sc!.status, sc!.lane, sc!.held], ['300', 'inspect', true]);
  assert.deepEqual([sd!.status, sd!.lane, sd!.held], ['300', 'hold', true]);
  // Receipts: 399 "approved on review" for the two decided here, nothing new for the others.
  for (const [i, want] of [
    [0, ['2', '120', '300', '399']],
    [2, ['2', '120', '300']],
    [3, ['2', '120', '300']],
    [4, ['2', '120', '300', '399']],
  ] as const) {
    assert.deepEqual(await receiptStatuses(tp, 'CEB604', ps[i]!.inventory.head.guid!), want, `parcel ${i}`);
  }
  const detail = await sql<{ id: string; n: number }>`
    select document_id as id, count(*)::int as n from clr_receipt
    where document_id = any(${[a, e]}::uuid[]) and return_status = '399' and return_info like '%approved on review%'
    group by document_id`.execute(db());
  assert.equal(detail.rows.length, 2);
  assert.deepEqual((await audited('inventory.review.approve', [a, b, c, d, e])).sort(), [a, b, e].sort());
});

test('bulk rejection: every one withdrawn with the reason, one event, each audited; a foreign id refuses all', async () => {
  const { ps, ids } = await held(30, 3);
  const [a, b, c] = ids as [string, string, string];
  // An id that names nothing: the whole request is refused, nothing decided.
  const unknown = await apiCall(tp, t.customs!, 'POST', '/api/v1/customs/reviews/bulk', {
    ids: [a, randomUUID()],
    action: 'reject',
    reason: '品名不实',
  });
  assert.equal(unknown.status, 404);
  assert.deepEqual(
    (await stored([a])).map((s) => s.status),
    ['300'],
  );

  const mark = await lastEvent();
  const r = await apiCall<{ items: { id: string; ok: boolean; status: string }[] }>(
    tp,
    t.customs!,
    'POST',
    '/api/v1/customs/reviews/bulk',
    { ids: [a, b], action: 'reject', reason: '品名不实 / vague description' },
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.items.map((i) => [i.id, i.ok, i.status]),
    [
      [a, true, '100'],
      [b, true, '100'],
    ],
  );
  assert.deepEqual(
    (await eventsSince('clearance.withdrawn', mark)).map((x) => x.ids),
    [[a, b]],
  );
  for (const s of await stored([a, b])) {
    assert.deepEqual([s.status, s.live, s.return_info, s.held], ['100', false, '品名不实 / vague description', false]);
  }
  assert.deepEqual(
    (await stored([c])).map((s) => `${s.status}:${s.held}`),
    ['300:true'],
  );
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', ps[0]!.inventory.head.guid!), ['2', '120', '300', '100']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', ps[2]!.inventory.head.guid!), ['2', '120', '300']);
  assert.deepEqual((await audited('inventory.review.reject', ids)).sort(), [a, b].sort());

  // A single decision still stores the same way, keyed by its inventory.
  const mark2 = await lastEvent();
  assert.equal((await apiCall(tp, t.customs!, 'POST', `/api/v1/customs/reviews/${c}/approve`, {})).status, 200);
  assert.deepEqual(await eventsSince('clearance.reviewed', mark2), [{ key: c, ids: [c] }]);
  assert.deepEqual(
    (await stored([c])).map((s) => `${s.status}:${s.lane}:${s.decided}:${s.held}`),
    ['399:reviewed:true:false'],
  );
});
