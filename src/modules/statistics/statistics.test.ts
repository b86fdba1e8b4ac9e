import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, parcelDocuments, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { TOPIC_CLOSED } from '../clearance/index.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';
import { DIMENSIONS } from './rules/dimensions.rules.ts';

let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-26T02:00:00Z'));
const tokens: Record<string, string> = {};
const COUNTRIES = ['502', '303', '116'];
// China Standard Time days on which each batch closes: two months, three ISO weeks
const DAYS = ['2026-10-30T03:00:00Z', '2026-10-31T20:00:00Z', '2026-11-02T01:00:00Z'];
// Two parcels per batch declared by the demo seller under its USCC (91360100…, registered in
// 南昌市 360100) instead of its customs code: 6 of the 105 inventories.
const USCC_PER_BATCH = 2;
// Three parcels per batch declared in US dollars (order, payment and inventory lines): valued in
// CNY at the rate of the closing day (7.1, then 7.25 from 31 October), 9 of the 105.
const USD_PER_BATCH = 3;
const INVENTORIES = DAYS.length * (30 + USCC_PER_BATCH + USD_PER_BATCH);
let sellerUscc = '';

/** A parcel declared in US dollars throughout: order, its lines, payment, inventory lines. */
function inUsd(p: Parcel): Parcel {
  p.order.head.currency = '502';
  for (const l of p.order.lists.OrderList!) l.currency = '502';
  p.payment.head.currency = '502';
  for (const l of p.inventory.lists.InventoryList!) l.currency = '502';
  return p;
}

/** Parcel n declared by the demo seller under its USCC. */
function usccParcel(n: number): Parcel {
  const products = DEMO_PRODUCTS.filter((p) => p.ebcCode === PARTIES.seller.code);
  return parcelDocuments(n, 'S', {
    platform: PARTIES.platform,
    seller: { code: sellerUscc, name: PARTIES.seller.name },
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: [{ p: products[n % products.length]!, qty: 1 }],
    country: '303',
    goodsInfo: '青花瓷器 porcelain',
  });
}

async function closeBatch(batch: number, parcels: Parcel[], at: string): Promise<void> {
  clock.set(new Date(at));
  await closeParcels(tp, tokens, parcels, batch, 'S');
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'seller2', 'customs', 'commerce', 'tax'])
    tokens[u] = await login(tp.platform, u);
  // A dearer dollar from 31 October on: USD figures must follow the rate table, not a constant.
  const put = await api('commerce', 'PUT', '/api/v1/statistics/fx-rates', {
    currency: '502',
    validFrom: '2026-10-31',
    cnyPerUnit: '7.25',
  });
  assert.equal(put.status, 200, put.body);
  sellerUscc = (
    await sql<{ uscc: string }>`select uscc from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.uscc;
  assert.match(sellerUscc, /^91360100/);
  // customs knows the seller under its USCC too (the demo seeds the customs code): not a first-time exporter
  const level = await api('customs', 'PUT', `/api/v1/risk/credit/${sellerUscc}`, { level: 'AA' });
  assert.equal(level.status, 200, level.body);
  let n = 0;
  for (const [b, at] of DAYS.entries()) {
    const parcels = Array.from({ length: 30 }, () => {
      n++;
      const p = makeParcel(n, 'S');
      p.inventory.head.country = COUNTRIES[n % 3]!;
      return p;
    });
    for (let i = 0; i < USCC_PER_BATCH; i++) parcels.push(usccParcel(++n));
    for (let i = 0; i < USD_PER_BATCH; i++) {
      const p = inUsd(makeParcel(++n, 'S'));
      p.inventory.head.country = COUNTRIES[n % 3]!;
      parcels.push(p);
    }
    await closeBatch(b + 1, parcels, at);
  }
  const closed = await sql<{
    n: number;
  }>`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`.execute(tp.platform.database.db);
  assert.equal(closed.rows[0]!.n, INVENTORIES, 'the pipeline closed every parcel');
  clock.set(new Date('2026-11-26T02:00:00Z'));
});
after(async () => {
  await tp.stop();
});

async function api(user: string, method: 'GET' | 'PUT', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: () => res.json() as Record<string, unknown>, raw: res.rawPayload };
}

interface Row {
  key: string;
  inventories: number;
  valueCny: string;
  valueUsd: string;
  grossWeightKg: string;
}

async function table(user: string, by: string, extra = ''): Promise<{ rows: Row[]; totals: Row; scope: string }> {
  const r = await api(user, 'GET', `/api/v1/statistics?by=${by}&from=2026-10-01&to=2026-11-30${extra}`);
  assert.equal(r.status, 200, r.body);
  return r.json() as unknown as { rows: Row[]; totals: Row; scope: string };
}

/**
 * The same figures counted straight from the clearance tables. The region: a customs code's first
 * five characters; the one USCC here names 360100 南昌市, which the customs region table has as
 * 36019 南昌其他 (city 3601) — written out, not derived by the code under test.
 */
const RECOUNT_EXPR: Record<string, string> = {
  mode: 'trade_mode',
  country: 'country',
  enterprise: 'ebc_code',
  county: `case when length(ebc_code) = 18 then '36019' else left(ebc_code, 5) end`,
  city: `case when length(ebc_code) = 18 then '3601' else left(ebc_code, 4) end`,
  customs: 'customs_code',
  carrier: 'carrier',
  month: `to_char(day, 'YYYY-MM')`,
  week: `to_char(day, 'IYYY-"W"IW')`,
  day: `to_char(day, 'YYYY-MM-DD')`,
};

/**
 * A line's value in CNY, rounded to the fen: in CNY as declared (no currency: CNY), in any other
 * currency at the rate in force on the inventory's closing day `day`.
 */
const LINE_CNY = `round((l->>'totalPrice')::numeric * case when coalesce(l->>'currency', '142') = '142' then 1 else
  (select cny_per_unit from stat_fx_rate r where r.currency = l->>'currency' and r.valid_from <= day
    order by r.valid_from desc limit 1) end, 2)`;

async function recount(by: string, where = 'true'): Promise<Map<string, Row>> {
  const r = await sql<{ key: string; n: number; cny: string; usd: string; kg: string }>`
    with dated as (
      select i.trade_mode, d.head->>'country' as country, i.ebc_code, d.customs_code, d.head->>'logisticsCode' as carrier,
        (i.closed_at at time zone 'Asia/Shanghai')::date as day, d.lines,
        (d.head->>'grossWeight')::numeric as kg
      from clr_document d join clr_inventory i on i.document_id = d.id where d.kind = 'inventory' and d.status = '899'),
    inv as (
      select dated.*, (select sum(${sql.raw(LINE_CNY)}) from jsonb_array_elements(dated.lines) l) as cny from dated),
    valued as (
      select inv.*, round(cny / (select cny_per_unit from stat_fx_rate r where r.currency = '502' and r.valid_from <= inv.day
        order by valid_from desc limit 1), 2) as usd from inv)
    select ${sql.raw(RECOUNT_EXPR[by]!)} as key, count(*)::int as n, sum(cny)::numeric(20,2)::text as cny,
      sum(usd)::numeric(20,2)::text as usd, sum(kg)::numeric(20,3)::text as kg
    from valued where ${sql.raw(where)} group by 1`.execute(tp.platform.database.db);
  return new Map(
    r.rows.map((x) => [x.key, { key: x.key, inventories: x.n, valueCny: x.cny, valueUsd: x.usd, grossWeightKg: x.kg }]),
  );
}

const strip = (r: Row): Row => ({
  key: r.key,
  inventories: r.inventories,
  valueCny: r.valueCny,
  valueUsd: r.valueUsd,
  grossWeightKg: r.grossWeightKg,
});

test('every non-HS table equals a direct SQL recount over the clearance tables', async () => {
  for (const by of Object.keys(RECOUNT_EXPR)) {
    const t = await table('commerce', by);
    const want = await recount(by);
    assert.deepEqual(new Map(t.rows.map((r) => [r.key, strip(r)])), want, by);
  }
  const total = await table('commerce', 'mode');
  assert.equal(total.totals.inventories, INVENTORIES);
  // every parcel here is declared at a Nanchang office (4006): commerce's jurisdiction (district 4000)
  assert.equal(total.scope, 'jurisdiction:40');
});

test('a seller declaring under its USCC is counted in its region, not under the USCC prefix', async () => {
  const uscc = DAYS.length * USCC_PER_BATCH;
  const county = await table('commerce', 'county');
  assert.ok(!county.rows.some((r) => r.key.startsWith('91')), JSON.stringify(county.rows.map((r) => r.key)));
  const nanchang = county.rows.find((r) => r.key === '36019') as (Row & { label: string }) | undefined;
  assert.equal(nanchang?.inventories, uscc);
  assert.equal(nanchang?.label, '南昌其他');
  const city = await table('commerce', 'city', '&county=3601');
  assert.deepEqual(
    city.rows.map((r) => [r.key, r.inventories]),
    [['3601', INVENTORIES]],
  );
  // stored: every cube row of the USCC seller carries the region, in both cubes
  const stored = await sql<{ region: string; n: number }>`
    select region, sum(inventories)::int as n from stat_inventory_cube where ebc_code = ${sellerUscc} group by 1
    union all select 'goods:' || region, count(*)::int from stat_goods_cube where ebc_code = ${sellerUscc} group by 1`.execute(
    tp.platform.database.db,
  );
  assert.deepEqual(
    stored.rows.map((r) => r.region),
    ['36019', 'goods:36019'],
  );
  assert.equal(stored.rows[0]!.n, uscc);
});

test('the rebuild derives the region as the fold does (stat_region_of = regionOf)', async () => {
  const { regionOf } = await import('./rules/fold.rules.ts');
  const codes = [
    sellerUscc,
    PARTIES.seller.code,
    '91360203MA38ABCD1X',
    '91110105MA01ABCD2Y',
    '91310115MA1HABCD3Q',
    '91500101MA5UABCD5P',
    '91360000MA35ABCD4R',
    '91110000MA01ABCD6T',
    '',
    '3601',
    'ZZ360100MA38ABCD1X',
    'abcdefghij',
  ];
  const r = await sql<{ code: string; region: string }>`
    select x as code, stat_region_of(x) as region from unnest(${codes}::text[]) as x`.execute(tp.platform.database.db);
  assert.deepEqual(
    r.rows.map((x) => [x.code, x.region]),
    codes.map((c) => [c, regionOf(c)]),
  );
});

test('the parcels in US dollars are recounted at the rate of their closing day', async () => {
  const usd = await sql<{ day: string; rate: string; n: number }>`
    select to_char((i.closed_at at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD') as day,
      (select cny_per_unit from stat_fx_rate r where r.currency = '502'
        and r.valid_from <= (i.closed_at at time zone 'Asia/Shanghai')::date order by valid_from desc limit 1)::text as rate,
      count(*)::int as n
    from clr_document d join clr_inventory i on i.document_id = d.id, jsonb_array_elements(d.lines) l
    where d.kind = 'inventory' and d.status = '899' and l->>'currency' = '502' group by 1, 2 order by 1`.execute(
    tp.platform.database.db,
  );
  // every batch has its dollar parcels, closed under both rates
  assert.deepEqual(
    usd.rows.map((r) => [r.day, Number(r.rate)]),
    [
      ['2026-10-30', 7.1],
      ['2026-11-01', 7.25],
      ['2026-11-02', 7.25],
    ],
  );
  // their CNY is not their declared amount: a recount taking every line as CNY would be wrong
  const asDeclared = await sql<{ cny: string }>`
    select sum(round((l->>'totalPrice')::numeric, 2))::numeric(20,2)::text as cny
    from clr_document d, jsonb_array_elements(d.lines) l where d.kind = 'inventory' and d.status = '899'`.execute(
    tp.platform.database.db,
  );
  const t = await table('commerce', 'mode');
  assert.equal(t.totals.valueCny, [...(await recount('mode')).values()][0]!.valueCny);
  assert.notEqual(t.totals.valueCny, asDeclared.rows[0]!.cny);
});

test('random filter samples (country × month, county × day) equal the recount', async () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const months = ['2026-10', '2026-11'];
  for (let i = 0; i < 6; i++) {
    const country = COUNTRIES[rnd(3)]!;
    const month = months[rnd(2)]!;
    const to = month === '2026-10' ? '2026-10-31' : '2026-11-30';
    const r = await api('commerce', 'GET', `/api/v1/statistics?by=day&from=${month}-01&to=${to}&country=${country}`);
    assert.equal(r.status, 200, r.body);
    const got = r.json() as unknown as { rows: Row[] };
    const want = await recount('day', `country = '${country}' and to_char(day, 'YYYY-MM') = '${month}'`);
    assert.deepEqual(new Map(got.rows.map((x) => [x.key, strip(x)])), want, `${country} ${month}`);
  }
  // a region (county, or a city by its first four digits) on one closing day, by country; the
  // last day is one on which nothing closed
  const counties = ['36012', '36019', '3601'];
  const days = ['2026-10-30', '2026-11-01', '2026-11-02', '2026-10-31'];
  let sampled = 0;
  for (let i = 0; i < 8; i++) {
    const county = counties[rnd(counties.length)]!;
    const day = i < days.length ? days[i]! : days[rnd(days.length)]!;
    const r = await api('commerce', 'GET', `/api/v1/statistics?by=country&from=${day}&to=${day}&county=${county}`);
    assert.equal(r.status, 200, r.body);
    const got = r.json() as unknown as { rows: Row[] };
    const want = await recount('country', `(${RECOUNT_EXPR.county}) like '${county}%' and to_char(day, 'YYYY-MM-DD') = '${day}'`);
    assert.deepEqual(new Map(got.rows.map((x) => [x.key, strip(x)])), want, `${county} ${day}`);
    sampled += want.size;
  }
  assert.ok(sampled > 0, 'the county × day samples found inventories');
});

test('HS tables: inventories and values per heading and chapter equal a recount of the lines', async () => {
  const r = await sql<{ key: string; n: number; cny: string }>`
    select left(l->>'gcode', 4) as key, count(distinct d.id)::int as n, sum(${sql.raw(LINE_CNY)})::numeric(20,2)::text as cny
    from clr_document d join clr_inventory i on i.document_id = d.id,
      lateral (select (i.closed_at at time zone 'Asia/Shanghai')::date as day) c, jsonb_array_elements(d.lines) l
    where d.kind = 'inventory' and d.status = '899' group by 1`.execute(tp.platform.database.db);
  const t = await table('commerce', 'hs_heading');
  assert.deepEqual(
    new Map(t.rows.map((x) => [x.key, [x.inventories, x.valueCny]])),
    new Map(r.rows.map((x) => [x.key, [x.n, x.cny]])),
  );
  const weight = await recount('mode');
  const chapters = await table('commerce', 'hs_chapter');
  // weight is shared among headings by value: the shares add up to the whole
  assert.equal(chapters.totals.grossWeightKg, [...weight.values()][0]!.grossWeightKg);
});

test('a replayed closed event folds nothing twice', async () => {
  const before = await table('commerce', 'mode');
  const ids = (
    await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and status = '899' limit 10`.execute(
      tp.platform.database.db,
    )
  ).rows.map((r) => r.id);
  await tp.platform.database.db
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids } }]));
  await tp.platform.settle();
  assert.deepEqual((await table('commerce', 'mode')).totals, before.totals);
});

test('scope: commerce and customs their jurisdiction, a seller only itself, others refused', async () => {
  const all = await table('commerce', 'enterprise');
  const customs = await table('customs', 'enterprise');
  assert.equal(all.scope, 'jurisdiction:40');
  assert.equal(customs.scope, 'jurisdiction:40');
  assert.deepEqual(customs.totals, all.totals);
  const seller = await table('seller', 'enterprise');
  assert.equal(seller.scope, `enterprise:${PARTIES.seller.code}`);
  // its rows under its customs code and under its USCC
  assert.equal(seller.totals.inventories, INVENTORIES);
  const other = await table('seller2', 'enterprise', `&enterprise=${PARTIES.seller.code}`);
  assert.equal(other.totals.inventories, 0);
  assert.deepEqual(other.rows, []);
  assert.equal((await api('tax', 'GET', '/api/v1/statistics?by=mode')).status, 403);
  const bad = await api('commerce', 'GET', '/api/v1/statistics?by=mode&from=2026-12-01&to=2026-01-01');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /from/);
});

test('every table exports to Excel, one sheet per dimension, with the same totals', async () => {
  const r = await api('commerce', 'GET', '/api/v1/statistics/export.xlsx?from=2026-10-01&to=2026-11-30&country=303');
  assert.equal(r.status, 200, r.body.slice(0, 300));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    [...DIMENSIONS],
  );
  const t = await table('commerce', 'month', '&country=303');
  const ws = wb.getWorksheet('month')!;
  const last = ws.getRow(ws.rowCount);
  assert.equal(last.getCell(1).value, 'total');
  assert.equal(last.getCell(3).value, t.totals.inventories);
  assert.equal(last.getCell(4).value, Number(t.totals.valueCny));
  assert.equal((await api('commerce', 'GET', '/api/v1/statistics/export.xlsx?by=country,nope')).status, 400);
});

test('rebuild (set-based SQL) equals the incremental fold, is idempotent, and backfills a lost read model', async () => {
  const { rebuildStatistics, queryStatistics } = await import('./index.ts');
  const db = tp.platform.database.db;
  const snapshot = async () => ({
    inv: (await sql`select * from stat_inventory_cube order by 1, 2, 3, 4, 5, 6, 7`.execute(db)).rows,
    goods: (await sql`select * from stat_goods_cube order by 1, 2, 3, 4, 5, 6, 7, 8`.execute(db)).rows,
    folded: (await sql`select inventory_id from stat_folded order by 1`.execute(db)).rows,
  });
  const incremental = await snapshot();
  assert.ok(incremental.inv.length > 0 && incremental.goods.length > 0);
  const steps: number[] = [];
  const r = await rebuildStatistics(db, { onProgress: (s) => steps.push(s) });
  assert.equal(r.inventories, INVENTORIES);
  assert.deepEqual(steps, [1, 2, 3, 4, 5]);
  assert.deepEqual(await snapshot(), incremental);
  await rebuildStatistics(db);
  assert.deepEqual(await snapshot(), incremental, 'a second rebuild changes nothing');
  // inventories closed before the fold existed: nothing in the cubes until a rebuild
  await sql`truncate stat_folded, stat_inventory_cube, stat_goods_cube`.execute(db);
  assert.equal((await table('commerce', 'mode')).totals.inventories, 0);
  await rebuildStatistics(db);
  assert.deepEqual(await snapshot(), incremental);
  const q = await queryStatistics(db, { by: 'country', from: '2026-10-01', to: '2026-11-30' });
  const t = await table('commerce', 'country');
  assert.equal(Number(q.totals.inventories), t.totals.inventories);
  assert.deepEqual(
    q.rows.map((x) => x.key),
    t.rows.map((x) => x.key),
  );
});

test('rebuild refuses, changing nothing, when a currency has no rate on a closing day', async () => {
  const { rebuildStatistics } = await import('./index.ts');
  const db = tp.platform.database.db;
  const before = (await sql`select count(*)::int as n from stat_folded`.execute(db)).rows;
  await sql`delete from stat_fx_rate where currency = '502'`.execute(db);
  try {
    await assert.rejects(rebuildStatistics(db), /statistics_rate_missing|汇率/);
    assert.deepEqual((await sql`select count(*)::int as n from stat_folded`.execute(db)).rows, before);
  } finally {
    await sql`insert into stat_fx_rate (currency, valid_from, cny_per_unit) values ('502', '2000-01-01', 7.1), ('502', '2026-10-31', 7.25)`.execute(
      db,
    );
  }
});
