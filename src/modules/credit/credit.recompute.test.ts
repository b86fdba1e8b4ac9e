import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { apiCall, closeParcels, declareParcels } from '../../../test/support/clearance.ts';
import { creditLevelOf } from './index.ts';

// Ratings moved only with cases: a seller whose inventories customs began to reject kept the
// level the risk engine samples by. The workers' daily run rates every rated or active seller again.

let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-26T02:00:00Z'));
const tokens: Record<string, string> = {};
let sellerId = '';
let g = 0;
const nextGuid = (): string => guidOf(81, ++g);
let n = 0;
const HOUR = 3_600_000;

async function logIn(): Promise<void> {
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'customs']) tokens[u] = await login(tp.platform, u);
}

/** Moves the platform's clock on; sessions end after an idle hour, so everyone logs in again. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await logIn();
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  await logIn();
  sellerId = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Record<string, unknown>>(tp, tokens[user]!, method, url, payload);

/** Declares parcels (order, waybill, inventory) of the demo seller, one message per kind, and runs the pipeline. */
async function declare(parcels: ReturnType<typeof makeParcel>[]): Promise<string[]> {
  const inv = await declareParcels(tp, tokens, parcels, nextGuid);
  assert.equal(inv.rejected, 0);
  return inv.entities.map((e) => e.documentId!);
}

/** The rules that hit the next ordinary parcel of the seller: the engine's credit sampling shows the level it read. */
async function hitsOfNextParcel(): Promise<string[]> {
  const [id] = await declare([makeParcel(++n, 'RQ')]);
  const d = await api('customs', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  return (d.body.hits as { rule: string }[]).map((h) => h.rule).sort();
}

async function current(orgId: string) {
  const r = await sql<{ level: string; score: number; factors: { factor: string; value: string; points: number }[]; n: number }>`
    select level, score, factors, (select count(*)::int from cr_rating where org_id = ${orgId}) as n
    from cr_rating where org_id = ${orgId} order by id desc limit 1`.execute(tp.platform.database.db);
  return r.rows[0];
}

test('the daily recompute moves a seller whose inventories are rejected from AA to A, and the risk engine samples by it', async () => {
  const db = tp.platform.database.db;
  // a track record: 50 closed inventories (AA needs 50)
  await closeParcels(
    tp,
    tokens,
    Array.from({ length: 50 }, () => makeParcel(++n, 'RQ')),
    1,
    'RQ',
  );
  // The demo gives its sellers a customs override (AA), which wins over the credit system: remove
  // it, and sample every level but AA, so a parcel's hits show the level the engine read.
  await sql`delete from rsk_credit where enterprise_code = ${PARTIES.seller.code}`.execute(db);
  const rule = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-CREDIT-SAMPLE',
    kind: 'credit_sampling',
    lane: 'inspect',
    effectiveFrom: '2020-01-01',
    params: { seed: '2026', ratesPct: { AA: 0, A: 100, B: 100, C: 100 } },
    explainZh: '按信用等级抽查',
    explainEn: 'sample by credit level',
    enabled: true,
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  assert.equal(await current(sellerId), undefined, 'never rated: no case was ever published');

  const job = tp.platform.creditRecompute;
  const first = await job.runIfDue();
  assert.equal(first.ran, true);
  assert.ok(first.enterprises >= 1 && first.changed >= 1, JSON.stringify(first));
  const rated = await current(sellerId);
  assert.deepEqual([rated?.level, rated?.score], ['AA', 100]);
  assert.deepEqual(await creditLevelOf(db, [sellerId]), new Map([[sellerId, { level: 'AA', blacklisted: false }]]));
  assert.deepEqual(await hitsOfNextParcel(), [], 'AA is not sampled');

  // Twelve inventories whose gross weight is twice the waybill's: the pipeline rejects them (100).
  const heavy = Array.from({ length: 12 }, () => {
    const p = makeParcel(++n, 'RQ');
    p.inventory.head.grossWeight = String(Number(p.inventory.head.grossWeight) * 2);
    return p;
  });
  const ids = await declare(heavy);
  const statuses = await sql<{ status: string }>`select distinct status from clr_document where id = any(${ids}::uuid[])`.execute(
    db,
  );
  assert.deepEqual(
    statuses.rows.map((r) => r.status),
    ['100'],
  );

  // a run is not due again within the day: the stale level stays what the engine reads
  await advance(2 * HOUR);
  assert.equal((await job.runIfDue()).ran, false);
  assert.equal((await creditLevelOf(db, [sellerId])).get(sellerId)?.level, 'AA');

  await advance(23 * HOUR);
  const second = await job.runIfDue();
  assert.equal(second.ran, true);
  const moved = await current(sellerId);
  assert.equal(moved?.level, 'A');
  assert.equal(moved?.score, 75);
  // 50 closed + 1 sampled parcel + 12 rejected = 63 declared, 12 of them rejected
  assert.deepEqual(
    moved?.factors.find((f) => f.factor === 'rejection_rate'),
    {
      factor: 'rejection_rate',
      value: '12/63 (19.0%)',
      points: -25,
      explanation: { zh: '清单退单率高于 15.0%', en: 'inventory rejection rate above 15.0%' },
    },
  );
  assert.deepEqual(await creditLevelOf(db, [sellerId]), new Map([[sellerId, { level: 'A', blacklisted: false }]]));

  // a day on with nothing new: the run is recorded, the history gains no copy of the same rating
  await advance(25 * HOUR);
  const third = await job.runIfDue();
  assert.equal(third.ran, true);
  assert.equal((await current(sellerId))?.n, moved?.n);
  const runs = await sql<{ kind: string; finished: boolean; enterprises: number; changed: number }>`
    select kind, finished_at is not null as finished, enterprises, changed from cr_recompute_run order by id`.execute(db);
  assert.deepEqual(
    runs.rows.map((r) => [r.kind, r.finished]),
    [
      ['schedule', true],
      ['schedule', true],
      ['schedule', true],
    ],
  );
  assert.equal(runs.rows[2]!.changed, 0);
  assert.equal(runs.rows[2]!.enterprises, third.enterprises);

  assert.deepEqual(await hitsOfNextParcel(), ['R-CREDIT-SAMPLE'], 'the engine reads A now and samples the parcel');
});

test('cbec credit recompute runs the same recomputation at once and records it', async () => {
  const db = tp.platform.database.db;
  const before = (await sql<{ n: number }>`select count(*)::int as n from cr_recompute_run`.execute(db)).rows[0]!.n;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', 'credit', 'recompute'], {
    env: { ...process.env, DATABASE_URL: tp.database.url, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ratings recomputed: \d+ enterprises, \d+ changed/);
  const runs = await sql<{ kind: string; finished: boolean; enterprises: number }>`
    select kind, finished_at is not null as finished, enterprises from cr_recompute_run order by id`.execute(db);
  assert.equal(runs.rows.length, before + 1);
  const last = runs.rows.at(-1)!;
  assert.deepEqual([last.kind, last.finished], ['cli', true]);
  assert.ok(last.enterprises >= 1);
});
