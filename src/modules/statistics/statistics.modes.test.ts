import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { TOPIC_CLOSED } from '../clearance/index.ts';

/**
 * Statistics by business mode (issue 8: 9610, 9710, 9810, 1210). Every mode enters the platform
 * the same way, as a CEB603 inventory whose tradeMode names it (9810: the export to an overseas
 * warehouse; 1210: the bonded export, naming its zone enterprise), cleared and closed (899); the
 * fold counts each closed inventory once under its mode. An overseas consignment that names a
 * 9810 inventory is the same export and adds nothing.
 */
let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-20T02:00:00Z'));
const tokens: Record<string, string> = {};
const PLAN = [
  { mode: '9610', parcels: 3 },
  { mode: '9710', parcels: 2 },
  { mode: '9810', parcels: 4 },
  { mode: '1210', parcels: 1 },
] as const;
const byMode = new Map<string, Parcel[]>();

interface Row {
  key: string;
  label: string;
  inventories: number;
  valueCny: string;
  valueUsd: string;
  grossWeightKg: string;
}

async function modeTable(): Promise<{ rows: Row[]; totals: Row }> {
  const r = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/statistics?by=mode&from=2026-11-01&to=2026-11-30',
    headers: { authorization: `Bearer ${tokens.commerce}` },
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'commerce', 'overseas'])
    tokens[u] = await login(tp.platform, u);
  let n = 0;
  const parcels: Parcel[] = [];
  for (const { mode, parcels: count } of PLAN) {
    const mine = Array.from({ length: count }, () => {
      const p = makeParcel(++n, 'M');
      p.inventory.head.tradeMode = mode;
      if (mode === '1210') {
        // the bonded export leaves a special customs zone: the zone enterprise is named
        p.inventory.head.iacCode = PARTIES.warehouse.code;
        p.inventory.head.iacName = PARTIES.warehouse.name;
      }
      return p;
    });
    byMode.set(mode, mine);
    parcels.push(...mine);
  }
  await closeParcels(tp, tokens, parcels, 1, 'M');
});
after(async () => {
  await tp.stop();
});

test('statistics by mode: 9610, 9710, 9810 and 1210, each with its own count and value', async () => {
  const t = await modeTable();
  const want = await sql<{ mode: string; n: number; cny: string; kg: string }>`
    select i.trade_mode as mode, count(*)::int as n,
      sum((select sum(round((l->>'totalPrice')::numeric, 2)) from jsonb_array_elements(d.lines) l))::numeric(20, 2)::text as cny,
      sum((d.head->>'grossWeight')::numeric)::numeric(20, 3)::text as kg
    from clr_document d join clr_inventory i on i.document_id = d.id
    where d.kind = 'inventory' and d.status = '899' group by 1`.execute(tp.platform.database.db);
  assert.deepEqual(
    new Map(t.rows.map((r) => [r.key, [r.inventories, r.valueCny, r.grossWeightKg]])),
    new Map(want.rows.map((r) => [r.mode, [r.n, r.cny, r.kg]])),
  );
  assert.deepEqual(t.rows.map((r) => r.key).sort(), ['1210', '9610', '9710', '9810'], 'all four modes');
  for (const { mode, parcels } of PLAN) {
    const row = t.rows.find((r) => r.key === mode)!;
    assert.equal(row.inventories, parcels, mode);
    // the value is the sum of the mode's own parcels (CNY lines), nothing borrowed from another mode
    const value = byMode
      .get(mode)!
      .flatMap((p) => p.inventory.lists.InventoryList!.map((l) => Number(l.totalPrice)))
      .reduce((a, b) => a + b, 0);
    assert.equal(row.valueCny, value.toFixed(2), mode);
  }
  assert.equal(t.totals.inventories, 10);
  const labels = new Map(t.rows.map((r) => [r.key, r.label]));
  assert.equal(labels.get('9810'), '跨境电商出口海外仓');
  assert.equal(labels.get('1210'), '保税电商');
});

test('each flow lands once: replayed events and an overseas consignment of a 9810 inventory add nothing', async () => {
  const before = await modeTable();
  const ids = (
    await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and status = '899'`.execute(
      tp.platform.database.db,
    )
  ).rows.map((r) => r.id);
  await tp.platform.database.db
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids } }]));
  // the 9810 goods go into an overseas warehouse under their inventory: stock, not a second export
  const w = await tp.platform.app.inject({
    method: 'PUT',
    url: '/api/v1/overseas/warehouses',
    payload: { code: 'LAX-M', name: 'LA', country: 'US', city: 'Los Angeles' },
    headers: { authorization: `Bearer ${tokens.overseas}` },
  });
  const p = byMode.get('9810')![0]!;
  const invtNo = (
    await sql<{
      invt_no: string;
    }>`select invt_no from clr_inventory where order_key = ${`${PARTIES.platform.code}|${p.orderNo}`}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.invt_no;
  const c = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/overseas/consignments',
    payload: {
      warehouseId: (w.json() as { id: string }).id,
      sellerCode: PARTIES.seller.code,
      declarationNo: invtNo,
      tradeMode: '9810',
      lines: [{ sku: 'QHC-BOWL-01', qty: 1 }],
    },
    headers: { authorization: `Bearer ${tokens.overseas}` },
  });
  assert.equal(c.statusCode, 201, c.body);
  await tp.platform.settle();
  assert.deepEqual(await modeTable(), before);
  const folded = await sql<{ n: number }>`select count(*)::int as n from stat_folded`.execute(tp.platform.database.db);
  assert.equal(folded.rows[0]!.n, 10);
});

test('a rebuild gives the same four modes as the incremental fold', async () => {
  const { rebuildStatistics } = await import('./index.ts');
  const before = await modeTable();
  await rebuildStatistics(tp.platform.database.db);
  assert.deepEqual(await modeTable(), before);
});
