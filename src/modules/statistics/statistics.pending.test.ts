import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { allCodes } from '../../codes/index.ts';
import { TOPIC_CLOSED } from '../clearance/index.ts';
import { rebuildStatistics } from './statistics.rebuild.ts';

/**
 * A currency without an exchange rate (issue 8 point 1, audit): the inventories in it wait in
 * stat_fold_pending — the rest of their batch is folded, the event is not failed and retried —
 * and are folded when the commerce department sets the rate.
 */
let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-20T02:00:00Z'));
const tokens: Record<string, string> = {};
const TWD = '143';
const TWD_RATE = '0.22';
const USD_RATE = 7.1; // the seeded USD rate (migration 001), the only one on this platform
const CNY_PARCELS = 3;
const TWD_PARCELS = 4;
let parcels: Parcel[] = [];
const db = () => tp.platform.database.db;

/** A parcel declared in New Taiwan dollars throughout: order, its lines, payment, inventory lines. */
function inTwd(p: Parcel): Parcel {
  p.order.head.currency = TWD;
  for (const l of p.order.lists.OrderList!) l.currency = TWD;
  p.payment.head.currency = TWD;
  for (const l of p.inventory.lists.InventoryList!) l.currency = TWD;
  return p;
}

async function api(user: string, method: 'GET' | 'PUT', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T>() => res.json() as T };
}

async function totals(): Promise<{ inventories: number; valueCny: string; valueUsd: string }> {
  const r = await api('commerce', 'GET', '/api/v1/statistics?by=mode&from=2026-11-01&to=2026-11-30');
  assert.equal(r.status, 200, r.body);
  const t = r.json<{ totals: { inventories: number; valueCny: string; valueUsd: string } }>().totals;
  return { inventories: t.inventories, valueCny: t.valueCny, valueUsd: t.valueUsd };
}

/**
 * The same figures recounted from the clearance tables with the rates written out: each line in
 * CNY rounded to the fen (TWD at `twdRate`; TWD inventories left out without one), each
 * inventory's CNY sum in USD rounded to the cent.
 */
async function recount(twdRate: string | null): Promise<{ inventories: number; valueCny: string; valueUsd: string }> {
  const r = await sql<{ n: number; cny: string; usd: string }>`
    with inv as (
      select d.id, bool_or(l->>'currency' = ${TWD}) as twd,
        sum(round((l->>'totalPrice')::numeric * case when l->>'currency' = ${TWD} then ${twdRate ?? '0'}::numeric else 1 end, 2)) as cny
      from clr_document d, jsonb_array_elements(d.lines) l
      where d.kind = 'inventory' and d.status = '899' group by d.id)
    select count(*)::int as n, coalesce(sum(cny), 0)::numeric(20, 2)::text as cny,
      coalesce(sum(round(cny / ${USD_RATE}, 2)), 0)::numeric(20, 2)::text as usd
    from inv where ${twdRate === null ? sql`not twd` : sql`true`}`.execute(db());
  const x = r.rows[0]!;
  return { inventories: x.n, valueCny: x.cny, valueUsd: x.usd };
}

const pendingRows = async () =>
  (
    await sql<{ inventory_id: string; day: string; missing: string[] }>`
      select inventory_id::text, to_char(day, 'YYYY-MM-DD') as day, missing from stat_fold_pending order by 1`.execute(db())
  ).rows;

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'commerce']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('every currency of the customs currency table has a rate (CNY needs none)', async () => {
  const seeded = new Set(
    (await sql<{ currency: string }>`select distinct currency from stat_fx_rate`.execute(db())).rows.map((r) => r.currency),
  );
  const codes = allCodes('currency').map((c) => c.code);
  assert.equal(codes.length, 22);
  assert.deepEqual(
    codes.filter((c) => c !== '142' && !seeded.has(c)),
    [],
    'currencies without a rate',
  );
  // each seeded rate is a plain positive figure with its source named
  const r = await sql<{ n: number }>`
    select count(*)::int as n from stat_fx_rate where currency = ${TWD} and cny_per_unit > 0 and source like 'seed:%'`.execute(
    db(),
  );
  assert.equal(r.rows[0]!.n, 1);
});

test('an inventory in a currency without a rate waits, the rest of its batch is folded, and setting the rate folds it', async () => {
  // a currency whose rate is not (yet) in the table
  await sql`delete from stat_fx_rate where currency = ${TWD}`.execute(db());
  parcels = Array.from({ length: CNY_PARCELS + TWD_PARCELS }, (_, i) => {
    const p = makeParcel(i + 1, 'P');
    return i < TWD_PARCELS ? inTwd(p) : p;
  });
  await closeParcels(tp, tokens, parcels, 1, 'P');
  const closed = await sql<{ n: number }>`
    select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`.execute(db());
  assert.equal(closed.rows[0]!.n, CNY_PARCELS + TWD_PARCELS, 'the pipeline closed every parcel');

  // the handler neither failed nor left its events to retry
  const deliveries = await sql<{ n: number }>`
    select count(*)::int as n from outbox_delivery where handler = 'statistics.fold'`.execute(db());
  assert.equal(deliveries.rows[0]!.n, 0, 'no statistics.fold delivery failed or waits');
  const folded = await sql<{ n: number }>`select count(*)::int as n from stat_folded`.execute(db());
  assert.equal(folded.rows[0]!.n, CNY_PARCELS + TWD_PARCELS, 'every inventory claimed once');
  const waiting = await pendingRows();
  assert.equal(waiting.length, TWD_PARCELS);
  assert.ok(waiting.every((w) => w.day === '2026-11-20' && w.missing.join() === TWD));
  // the CNY parcels are counted, the TWD ones not (not wrongly either)
  assert.deepEqual(await totals(), await recount(null));
  assert.equal((await totals()).inventories, CNY_PARCELS);
  const listed = await api('commerce', 'GET', '/api/v1/statistics/fx-rates');
  assert.equal(listed.status, 200, listed.body);
  assert.deepEqual(listed.json<{ pending: unknown }>().pending, [
    { currency: TWD, inventories: TWD_PARCELS, firstDay: '2026-11-20', lastDay: '2026-11-20' },
  ]);

  // a rate from a later day does not value them: they keep waiting
  const later = await api('commerce', 'PUT', '/api/v1/statistics/fx-rates', {
    currency: TWD,
    validFrom: '2026-11-21',
    cnyPerUnit: '0.30',
  });
  assert.equal(later.status, 200, later.body);
  assert.equal(later.json<{ pendingFolded: number }>().pendingFolded, 0);
  assert.equal((await pendingRows()).length, TWD_PARCELS);
  assert.equal((await totals()).inventories, CNY_PARCELS);

  // the rate in force on their closing day folds them, in the transaction that sets it
  const set = await api('commerce', 'PUT', '/api/v1/statistics/fx-rates', {
    currency: TWD,
    validFrom: '2026-11-01',
    cnyPerUnit: TWD_RATE,
  });
  assert.equal(set.status, 200, set.body);
  assert.deepEqual(
    { folded: set.json<{ pendingFolded: number }>().pendingFolded, pending: set.json<{ pending: unknown[] }>().pending },
    { folded: TWD_PARCELS, pending: [] },
  );
  assert.deepEqual(await pendingRows(), []);
  assert.deepEqual(await totals(), await recount(TWD_RATE));
  assert.equal((await totals()).inventories, CNY_PARCELS + TWD_PARCELS);
  const audit = await sql<{ n: number }>`
    select count(*)::int as n from (
      select action, after from audit_log union all select action, after from audit_pending) a
    where action = 'statistics.rate_set' and (after->>'pendingFolded')::int = ${TWD_PARCELS}`.execute(db());
  assert.equal(audit.rows[0]!.n, 1, 'the rate and what it folded are audited');

  // a replayed event adds nothing, and a rebuild gives the same cubes
  const snapshot = async () => ({
    inv: (await sql`select * from stat_inventory_cube order by 1, 2, 3, 4, 5, 6, 7`.execute(db())).rows,
    goods: (await sql`select * from stat_goods_cube order by 1, 2, 3, 4, 5, 6, 7, 8`.execute(db())).rows,
  });
  const ids = (
    await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and status = '899'`.execute(db())
  ).rows.map((r) => r.id);
  const incremental = await snapshot();
  await db()
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids } }]));
  await tp.platform.settle();
  assert.deepEqual(await snapshot(), incremental, 'a replay folds nothing twice');
  await rebuildStatistics(db());
  assert.deepEqual(await snapshot(), incremental, 'the rebuild equals the fold of the parked inventories');
});

test('a rate for another currency leaves the waiting inventories waiting', async () => {
  // park one inventory by hand-removing its rate again, then set an unrelated rate
  await sql`delete from stat_fx_rate where currency = ${TWD}`.execute(db());
  await sql`truncate stat_folded, stat_fold_pending, stat_inventory_cube, stat_goods_cube`.execute(db());
  const ids = (
    await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and status = '899'`.execute(db())
  ).rows.map((r) => r.id);
  await db()
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids } }]));
  await tp.platform.settle();
  assert.equal((await pendingRows()).length, TWD_PARCELS);
  const eur = await api('commerce', 'PUT', '/api/v1/statistics/fx-rates', {
    currency: '300',
    validFrom: '2026-11-01',
    cnyPerUnit: '7.70',
  });
  assert.equal(eur.status, 200, eur.body);
  assert.equal(eur.json<{ pendingFolded: number }>().pendingFolded, 0);
  assert.equal((await pendingRows()).length, TWD_PARCELS);
  assert.deepEqual(await totals(), await recount(null));
});
