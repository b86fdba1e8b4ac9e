import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { Principal } from '../identity/index.ts';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { createRiskDryRun, DRY_RUN_CHUNK } from './risk-dry-run.service.ts';
import type { RiskPorts } from './risk.ports.ts';

// Audit follow-up of issue 5: the dry run read the newest 20,000 decisions of the month and
// replayed only those. It now replays every decision of the period in chunks, carrying split
// windows and first-time exporters from chunk to chunk: the answer does not depend on the chunk size.

let tp: TestPlatform;
before(async () => {
  tp = await startTestPlatform({ listen: false, demo: false });
});
after(async () => {
  await tp.stop();
});

const NOW = new Date('2026-11-26T10:00:00Z');
const HOUR = 3_600_000;
const admin = {
  via: 'session',
  userId: null,
  apiKeyId: null,
  username: 'test-admin',
  roles: ['admin'],
  permissions: new Set(['risk.manage']),
  organisation: {
    id: '00000000-0000-0000-0000-000000000001',
    kind: 'operator',
    name: 'op',
    roles: [],
    jurisdiction: null,
    code: null,
  },
} as unknown as Principal;

type Doc = { head: Record<string, string>; lines: Record<string, string>[] };
const docs = new Map<string, Doc>();

/** Sellers nobody rated: graded from (empty) history, so the first-time rule applies. */
const ports: RiskPorts = {
  products: async () => new Map(),
  inspectionFiled: async () => new Set(),
  inspectionOutcomes: async () => new Map(),
  credit: async (_exec, codes) =>
    new Map(codes.map((c) => [c, { rated: null, blacklisted: false, history: { filedAt: null, declared: 0, rejected: 0 } }])),
  buyers: async () => new Map(),
  drawOnBatches: async () => new Set(),
};
const clearance = {
  inventories: async (ids: string[]) => new Map(ids.flatMap((id) => (docs.has(id) ? [[id, docs.get(id)!] as const] : []))),
};

/** Stores decisions (what the replay reads) and their inventories (what the port answers). */
async function decided(rows: { seller: string; hoursAgo: number; total?: number; n: number }[]): Promise<string[]> {
  const ids = rows.map((r) => `00000000-0000-4000-8000-${String(r.n).padStart(12, '0')}`);
  rows.forEach((r, i) =>
    docs.set(ids[i]!, {
      head: { ebcCode: r.seller, country: '502', POD: 'LAX', logisticsNo: `WB${r.n}`, customsCode: '5141' },
      lines: [
        {
          gnum: '1',
          itemNo: 'X',
          gname: 'bowl',
          gcode: '6911101900',
          currency: '142',
          qty: '1',
          price: String(r.total ?? 10),
          totalPrice: String(r.total ?? 10),
        },
      ],
    }),
  );
  await sql`
    insert into rsk_decision (inventory_id, guid, ebc_code, customs_code, split_key, total, lane, hits, decided_at, held)
    select t.id, 'g-' || t.id, t.seller, '5141', t.seller, t.total, 'green', '[]'::jsonb, ${NOW}::timestamptz - make_interval(hours => t.h), false
    from unnest(${ids}::uuid[], ${rows.map((r) => r.seller)}::text[], ${rows.map((r) => r.total ?? 10)}::numeric[],
                ${rows.map((r) => r.hoursAgo)}::int[]) as t(id, seller, total, h)`.execute(tp.platform.database.db);
  return ids;
}

const draft = (kind: string, params: Record<string, unknown>) => ({
  id: 'R-DRY-CHUNK',
  effectiveFrom: '2020-01-01',
  kind,
  lane: 'review',
  params,
  explainZh: '试运行',
  explainEn: 'dry run',
  enabled: true,
});

const run = (chunk: number, kind: string, params: Record<string, unknown>) =>
  createRiskDryRun({ db: tp.platform.database.db, clock: { now: () => NOW } as never, ports, clearance }, chunk)(
    admin,
    draft(kind, params),
  );

test('split windows and first-time exporters carry across chunks: every chunk size gives the same answer', async () => {
  await sql`delete from rsk_decision`.execute(tp.platform.database.db);
  // Seller A: five low-value parcels an hour apart (a split from the third on, minCount 3), then one
  // two days later (alone in its window). Seller B: one parcel a day. Seller C decided before the
  // period too (not first-time in it). One decision is outside the period and one inventory is gone.
  await decided([
    { seller: 'A000000001', hoursAgo: 100, n: 1 },
    { seller: 'A000000001', hoursAgo: 99, n: 2 },
    { seller: 'A000000001', hoursAgo: 98, n: 3 },
    { seller: 'A000000001', hoursAgo: 97, n: 4 },
    { seller: 'A000000001', hoursAgo: 96, n: 5 },
    { seller: 'A000000001', hoursAgo: 40, n: 6 },
    { seller: 'A000000001', hoursAgo: 39, total: 9000, n: 7 },
    { seller: 'B000000001', hoursAgo: 72, n: 8 },
    { seller: 'B000000001', hoursAgo: 48, n: 9 },
    { seller: 'B000000001', hoursAgo: 24, n: 10 },
    { seller: 'C000000001', hoursAgo: 24 * 40, n: 11 },
    { seller: 'C000000001', hoursAgo: 10, n: 12 },
  ]);
  const [gone] = await decided([{ seller: 'B000000001', hoursAgo: 5, n: 13 }]);
  docs.delete(gone!);

  const split = { keyFields: ['ebcCode'], windowHours: 24, minCount: 3, maxValue: 5000 };
  const splitAnswers = await Promise.all([1, 2, 3, 5, 1000].map((c) => run(c, 'split_shipment', split)));
  for (const r of splitAnswers) {
    assert.equal(r.inventories, 11, 'every decision of the period with an inventory, the older one left out');
    assert.deepEqual(
      r.examples.map((e) => e.logisticsNo),
      ['WB5', 'WB4', 'WB3'],
      'the third to fifth of the hour-apart parcels, newest first',
    );
    assert.equal(r.hits, 3);
    assert.equal(r.days, 30);
    assert.equal(r.to, NOW.toISOString());
    assert.equal(r.from, new Date(NOW.getTime() - 30 * 24 * HOUR).toISOString());
  }

  const firstAnswers = await Promise.all([1, 4, 1000].map((c) => run(c, 'first_time_exporter', {})));
  for (const r of firstAnswers) {
    assert.deepEqual(
      r.examples.map((e) => e.logisticsNo),
      ['WB8', 'WB1'],
      'each seller’s first parcel of the period; C had decisions before it',
    );
  }
});

test('the whole month is replayed, however many decisions it holds (no 20,000 cap)', async () => {
  await sql`delete from rsk_decision`.execute(tp.platform.database.db);
  docs.clear();
  const N = 20_000 + DRY_RUN_CHUNK + 7;
  // One seller per parcel: every one is a first-time exporter in the replay.
  await decided(
    Array.from({ length: N }, (_, i) => ({ seller: `S${String(i).padStart(9, '0')}`, hoursAgo: 1 + (i % 600), n: i + 1 })),
  );
  const r = await run(DRY_RUN_CHUNK, 'first_time_exporter', {});
  assert.equal(r.inventories, N);
  assert.equal(r.hits, N);
  assert.equal(r.examples.length, 20);
});
