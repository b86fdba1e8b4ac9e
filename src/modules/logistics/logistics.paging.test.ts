// Issue 7 audit: each parcel's latest event (lgx_parcel_last) kept by the statement that stores
// the events; the problem list read from it by window and cursor (customs holds included); the
// export a page at a time; events sent with an API key; the retention job. State is read back
// from the tables, not only from the answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { declareParcels } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createLogisticsRetentionJob, RETENTION_BATCH } from './logistics-retention.job.ts';

const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
let carrierOrg = '';
const tokens: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(73, ++g);
const db = () => tp.platform.database.db;
const call = (token: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${token}` } });
type Ev = { logisticsNo: string; code: string; at: string; country?: string };
const send = async (events: Ev[], token = tokens.carrier!) => {
  const res = await call(token, { method: 'POST', url: '/api/v1/logistics/events', payload: { events } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { stored: number; duplicates: number; rejected: number };
};

interface Problem {
  logisticsNo: string;
  reason: string;
  lastCode: string;
}
const problems = async (query: string) => {
  const res = await call(tokens.carrier!, { method: 'GET', url: `/api/v1/logistics/problems?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { items: Problem[]; next: string | null };
};

/** The parcels' stored latest events, as `number:code@time`. */
async function lastOf(nos: string[]): Promise<string[]> {
  const r = await sql<{ logistics_no: string; code: string; last_at: Date }>`
    select logistics_no, code, last_at from lgx_parcel_last
     where carrier_org_id = ${carrierOrg} and logistics_no = any(${nos}::text[]) order by logistics_no`.execute(db());
  return r.rows.map((x) => `${x.logistics_no}:${x.code}@${x.last_at.toISOString()}`);
}

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'seller']) tokens[u] = await login(tp.platform, u);
  carrierOrg = (await organisationDirectory(db()).idsByCodes([PARTIES.carrier.code])).get(PARTIES.carrier.code)!;
});
after(async () => {
  await tp?.stop();
});

test("each parcel's latest event is kept with the events: later event time wins, in any arrival order", async () => {
  assert.equal(
    (
      await send([
        { logisticsNo: 'PLA0001', code: 'accepted', at: '2026-11-20T10:00:00Z' },
        { logisticsNo: 'PLA0001', code: 'in_transit', at: '2026-11-21T10:00:00Z' },
        { logisticsNo: 'PLA0002', code: 'accepted', at: '2026-11-22T10:00:00Z' },
      ])
    ).stored,
    3,
  );
  assert.deepEqual(await lastOf(['PLA0001', 'PLA0002']), [
    'PLA0001:in_transit@2026-11-21T10:00:00.000Z',
    'PLA0002:accepted@2026-11-22T10:00:00.000Z',
  ]);
  // an earlier scan sent late is stored, but the parcel's latest stays the later one
  assert.equal((await send([{ logisticsNo: 'PLA0001', code: 'in_warehouse', at: '2026-11-20T12:00:00Z' }])).stored, 1);
  assert.deepEqual(await lastOf(['PLA0001']), ['PLA0001:in_transit@2026-11-21T10:00:00.000Z']);
  // two scans at one time: the later stage wins, whichever comes first in the batch
  await send([
    { logisticsNo: 'PLA0001', code: 'delivered', at: '2026-11-23T10:00:00Z' },
    { logisticsNo: 'PLA0001', code: 'out_for_delivery', at: '2026-11-23T10:00:00Z' },
  ]);
  assert.deepEqual(await lastOf(['PLA0001']), ['PLA0001:delivered@2026-11-23T10:00:00.000Z']);
  // a duplicate changes nothing
  assert.equal((await send([{ logisticsNo: 'PLA0002', code: 'accepted', at: '2026-11-22T10:00:00Z' }])).duplicates, 1);
  const r = await sql<{ ok: boolean; n: number }>`
    select bool_and(l.event_id = e.id) as ok, count(*)::int as n from lgx_parcel_last l
      join lgx_event e on e.carrier_org_id = l.carrier_org_id and e.logistics_no = l.logistics_no and e.code = l.code and e.at = l.last_at
     where l.logistics_no in ('PLA0001', 'PLA0002')`.execute(db());
  assert.deepEqual(r.rows[0], { ok: true, n: 2 }, 'each row names its event');
  const events = await sql<{ n: number }>`select count(*)::int as n from lgx_event where logistics_no = 'PLA0001'`.execute(db());
  assert.equal(events.rows[0]!.n, 5, 'every scan is kept for the timeline');
});

test('problem parcels: within the look-back window, oldest scan first, a page at a time, each once', async () => {
  const stale = Array.from({ length: 7 }, (_, i) => `PST000${i + 1}`);
  await send([
    ...stale.map((no, i) => ({ logisticsNo: no, code: 'in_transit', at: `2026-11-10T0${i}:00:00Z` })),
    { logisticsNo: 'PRET0001', code: 'returned', at: '2026-11-25T01:00:00Z' },
    { logisticsNo: 'PHLD0001', code: 'held', at: '2026-11-25T02:00:00Z' },
    { logisticsNo: 'PFRESH01', code: 'in_transit', at: '2026-11-25T03:00:00Z' },
    // scanned long ago: outside the default 90 days
    { logisticsNo: 'POLD0001', code: 'in_transit', at: '2026-07-01T00:00:00Z' },
  ]);
  assert.deepEqual(await lastOf(['POLD0001', 'PRET0001']), [
    'POLD0001:in_transit@2026-07-01T00:00:00.000Z',
    'PRET0001:returned@2026-11-25T01:00:00.000Z',
  ]);
  const seen: string[] = [];
  const sizes: number[] = [];
  let after: string | null = null;
  do {
    const page = await problems(`days=5&limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    sizes.push(page.items.length);
    seen.push(...page.items.map((p) => `${p.logisticsNo}:${p.reason}`));
    after = page.next;
  } while (after && sizes.length < 10);
  // PLA0002 (accepted 11-22, four days ago) is no problem yet; PLA0001 is delivered
  const expected = [...stale.map((no) => `${no}:no_scan`), 'PRET0001:returned', 'PHLD0001:held'];
  assert.deepEqual(seen, expected);
  // the third page ends at the last problem, but parcels follow it (PFRESH01): a fourth, empty page says so
  assert.deepEqual(sizes, [3, 3, 3, 0]);
  assert.equal(new Set(seen).size, seen.length, 'each parcel once');

  const wide = await problems('days=5&window=365');
  assert.equal(wide.items[0]!.logisticsNo, 'POLD0001', 'a longer look-back finds the old parcel');
  assert.equal(wide.next, null);
  const threeDays = await problems('days=3&window=30');
  assert.ok(threeDays.items.some((p) => p.logisticsNo === 'PLA0002' && p.reason === 'no_scan'));

  const bad = await call(tokens.carrier!, { method: 'GET', url: '/api/v1/logistics/problems?days=10&window=5' });
  assert.equal(bad.statusCode, 400);
  assert.equal((bad.json() as { errors: { field: string }[] }).errors[0]!.field, 'window');
  const badCursor = await call(tokens.carrier!, { method: 'GET', url: '/api/v1/logistics/problems?after=bm9wZQ' });
  assert.equal(badCursor.statusCode, 400);
  assert.equal((badCursor.json() as { errors: { field: string }[] }).errors[0]!.field, 'after');
});

test('held by customs: an inventory under review (300) or inspection (500) makes a recently scanned parcel a problem', async () => {
  const review = makeParcel(1, 'Q');
  review.inventory.lists.InventoryList![0]!.gname = '礼品'; // the demo risk rules hold a vague description for review
  const inspected = makeParcel(2, 'Q');
  const cleared = makeParcel(3, 'Q');
  const out = await declareParcels(tp, tokens, [review, inspected, cleared], nextGuid);
  assert.ok(
    out.entities.every((e) => e.accepted),
    JSON.stringify(out.entities),
  );
  // the pipeline keeps an inventory selected for inspection at 300 (500 goes out as a receipt); a
  // stored 500 counts as held all the same
  await sql`update clr_document set status = '500' where id = ${out.entities[1]!.documentId!}`.execute(db());
  const status = await sql<{ id: string; status: string }>`
    select id, status from clr_document where id = any(${out.entities.map((e) => e.documentId!)}::uuid[])`.execute(db());
  assert.deepEqual(
    out.entities.map((e) => status.rows.find((r) => r.id === e.documentId)!.status),
    ['300', '500', '399'],
  );
  const nos = [review, inspected, cleared].map((p) => p.logisticsNo);
  await send(nos.map((no) => ({ logisticsNo: no, code: 'accepted', at: '2026-11-26T08:00:00Z' })));
  assert.deepEqual(
    await lastOf(nos),
    nos.map((no) => `${no}:accepted@2026-11-26T08:00:00.000Z`),
  );
  const list = await problems('days=5');
  const ours = list.items.filter((p) => nos.includes(p.logisticsNo)).map((p) => `${p.logisticsNo}:${p.reason}:${p.lastCode}`);
  assert.deepEqual(ours, [`${review.logisticsNo}:held:accepted`, `${inspected.logisticsNo}:held:accepted`]);
  // a one-day look-back: only these three are candidates; the page ends with them, no next
  const recent = await problems('days=1&window=1&limit=2');
  assert.deepEqual(
    recent.items.map((p) => p.logisticsNo),
    nos.slice(0, 2),
  );
  assert.notEqual(recent.next, null, 'the third candidate is still to be looked at');
  const rest = await problems(`days=1&window=1&limit=2&after=${encodeURIComponent(recent.next!)}`);
  assert.deepEqual(rest, { items: [], next: null });
});

test('export a page at a time: every parcel of the period exactly once, with all its events', async () => {
  const from = '2026-11-01T00:00:00Z';
  const to = '2026-12-01T00:00:00Z';
  const seen: string[] = [];
  const events = new Map<string, number>();
  let after: string | null = null;
  let pages = 0;
  do {
    const res = await call(tokens.carrier!, {
      method: 'GET',
      url: `/api/v1/logistics/export?from=${from}&to=${to}&limit=4${after ? `&after=${after}` : ''}`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const x = res.json() as { next: string | null; parcels: { logisticsNo: string; events: unknown[] }[] };
    assert.ok(x.parcels.length <= 4);
    if (x.next !== null) assert.equal(x.next, x.parcels.at(-1)!.logisticsNo, 'next is the last number of the page');
    for (const p of x.parcels) {
      seen.push(p.logisticsNo);
      events.set(p.logisticsNo, p.events.length);
    }
    after = x.next;
    pages++;
  } while (after && pages < 20);
  const stored = await sql<{ logistics_no: string; n: number }>`
    select logistics_no, count(*)::int as n from lgx_event where carrier_org_id = ${carrierOrg}
       and logistics_no in (select logistics_no from lgx_event where carrier_org_id = ${carrierOrg} and at >= ${from} and at < ${to})
     group by logistics_no order by logistics_no`.execute(db());
  assert.ok(stored.rows.length > 8, 'several pages');
  assert.equal(pages, Math.ceil(stored.rows.length / 4));
  assert.equal(new Set(seen).size, seen.length, 'no parcel twice');
  assert.deepEqual([...seen].sort(), stored.rows.map((r) => r.logistics_no).sort(), 'every parcel of the period');
  for (const r of stored.rows) assert.equal(events.get(r.logistics_no), r.n, `all events of ${r.logistics_no}`);
  const beyond = await call(tokens.carrier!, {
    method: 'GET',
    url: `/api/v1/logistics/export?from=${from}&to=${to}&after=${seen.at(-1)!}`,
  });
  assert.deepEqual((beyond.json() as { parcels: unknown[]; next: unknown }).parcels, []);
});

test('tracking events sent with an API key are stored as the carrier’s; a key of a non-carrier stores nothing', async () => {
  const created = await call(tokens.carrier!, { method: 'POST', url: '/api/v1/api-keys', payload: { name: '轨迹对接' } });
  assert.equal(created.statusCode, 201, created.body);
  const key = (created.json() as { key: string }).key;
  const res = await send([{ logisticsNo: 'PKEY0001', code: 'accepted', at: '2026-11-26T07:00:00Z', country: 'CN' }], key);
  assert.deepEqual(res, { received: 1, stored: 1, duplicates: 0, rejected: 0, errors: [] });
  const row = await sql<{ carrier_org_id: string; carrier_code: string; source: string; country: string }>`
    select carrier_org_id, carrier_code, source, country from lgx_event where logistics_no = 'PKEY0001'`.execute(db());
  assert.deepEqual(row.rows, [{ carrier_org_id: carrierOrg, carrier_code: PARTIES.carrier.code, source: 'api', country: 'CN' }]);
  assert.deepEqual(await lastOf(['PKEY0001']), ['PKEY0001:accepted@2026-11-26T07:00:00.000Z']);
  await tp.platform.settle();
  const audit = await sql<{ actor_org_id: string }>`
    select actor_org_id from audit_log where action = 'logistics.events_received' and after->'logisticsNos' ? 'PKEY0001'`.execute(
    db(),
  );
  assert.deepEqual(
    audit.rows.map((r) => r.actor_org_id),
    [carrierOrg],
  );

  const sellerKey = (
    (await call(tokens.seller!, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'ERP' } })).json() as { key: string }
  ).key;
  const refused = await call(sellerKey, {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: { events: [{ logisticsNo: 'PKEY0002', code: 'accepted', at: '2026-11-26T07:00:00Z' }] },
  });
  assert.equal(refused.statusCode, 403);
  const none = await sql<{ n: number }>`select count(*)::int as n from lgx_event where logistics_no = 'PKEY0002'`.execute(db());
  assert.equal(none.rows[0]!.n, 0);
});

test('retention: feed entries and finished webhook batches older than the window go, in batches; newer and waiting ones stay', async () => {
  // the feed entries of the events stored above carry their storing time (the clock's)
  await tp.platform.settle();
  const times = await sql<{ t: Date }>`select distinct created_at as t from lgx_feed_entry`.execute(db());
  assert.deepEqual(
    times.rows.map((r) => r.t.toISOString()),
    ['2026-11-26T09:00:00.000Z'],
  );
  const old = new Date('2026-08-01T00:00:00Z');
  const recent = new Date('2026-11-20T00:00:00Z');
  const feedOld = RETENTION_BATCH + 3;
  await sql`
    insert into lgx_feed_entry (recipient_org_id, seq, event_id, created_at)
    select ${carrierOrg}::uuid, 900000000 + n, gen_random_uuid(), ${old}::timestamptz from generate_series(1, ${feedOld}) n`.execute(
    db(),
  );
  await sql`
    insert into lgx_feed_entry (recipient_org_id, seq, event_id, created_at)
    values (${carrierOrg}::uuid, 910000000, gen_random_uuid(), ${recent}::timestamptz)`.execute(db());
  const hook = newId();
  await sql`insert into lgx_hook (id, organisation_id, url, secret, created_at)
            values (${hook}, ${carrierOrg}, 'https://example.com/h', 'whsec_x', ${old})`.execute(db());
  const delivery = (label: string, created: Date, state: 'delivered' | 'failed' | 'waiting') =>
    sql`
    insert into lgx_hook_delivery (id, hook_id, items, attempts, next_attempt_at, delivered_at, failed_at, last_error, created_at)
    values (${newId()}, ${hook}, ${JSON.stringify([{ id: label }])}::jsonb, 1, ${created},
            ${state === 'delivered' ? created : null}, ${state === 'failed' ? created : null}, ${label}, ${created})`.execute(
      db(),
    );
  await delivery('old-delivered', old, 'delivered');
  await delivery('old-failed', old, 'failed');
  await delivery('old-waiting', old, 'waiting');
  await delivery('new-delivered', recent, 'delivered');

  const job = createLogisticsRetentionJob({ db: db(), clock, log: tp.platform.log, days: 90 });
  assert.deepEqual(await job.runOnce(), { feedEntries: feedOld, deliveries: 2 });
  const left = await sql<{ n: number; oldest: Date }>`
    select count(*)::int as n, min(created_at) as oldest from lgx_feed_entry where recipient_org_id = ${carrierOrg}`.execute(
    db(),
  );
  assert.equal(left.rows[0]!.oldest.toISOString(), recent.toISOString(), 'nothing older than 90 days is left');
  const kept = await sql<{ n: number }>`
    select count(*)::int as n from lgx_feed_entry where created_at >= ${recent}`.execute(db());
  assert.ok(kept.rows[0]!.n > 1, 'the recent entries and those of the stored events stay');
  const deliveries = await sql<{ last_error: string }>`
    select last_error from lgx_hook_delivery where hook_id = ${hook} order by last_error`.execute(db());
  assert.deepEqual(
    deliveries.rows.map((r) => r.last_error),
    ['new-delivered', 'old-waiting'],
  );
  assert.deepEqual(await job.runOnce(), { feedEntries: 0, deliveries: 0 }, 'a second run finds nothing');
  // days 0 keeps everything
  const off = createLogisticsRetentionJob({
    db: db(),
    clock: fixedClock(new Date('2030-01-01T00:00:00Z')),
    log: tp.platform.log,
    days: 0,
  });
  assert.deepEqual(await off.runOnce(), { feedEntries: 0, deliveries: 0 });
});
