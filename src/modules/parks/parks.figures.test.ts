import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { closeParcels } from '../../../test/support/clearance.ts';
import { makeParcel, parcelDocuments, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';

/**
 * The platform figures an application carries (exports in CNY and USD, parcels: statistics'
 * `enterpriseFigures`, over the last twelve months) are those of the seller's closed inventories:
 * declared under its customs code or under its USCC, in CNY or in US dollars (converted at the
 * rate of the closing day), and none closed before the twelve months. Checked against a recount
 * straight from the clearance tables, on the answer and on the stored application.
 */
let tp: TestPlatform;
const clock = fixedClock(new Date('2027-05-10T02:00:00Z'));
const tokens: Record<string, string> = {};
const APPLY_AT = '2027-05-10T02:00:00Z';
// Closing times: one batch more than twelve months before the application (left out), two within
// it on either side of a new USD rate (7.1 seeded, 7.3 from 2027-01-01).
const BATCHES = [
  { at: '2026-04-20T03:00:00Z', inWindow: false },
  { at: '2026-11-20T03:00:00Z', inWindow: true },
  { at: '2027-03-01T03:00:00Z', inWindow: true },
];
let sellerUscc = '';
const db = () => tp.platform.database.db;

/** A parcel declared in US dollars throughout: order, its lines, payment, inventory lines. */
function inUsd(p: Parcel): Parcel {
  p.order.head.currency = '502';
  for (const l of p.order.lists.OrderList!) l.currency = '502';
  p.payment.head.currency = '502';
  for (const l of p.inventory.lists.InventoryList!) l.currency = '502';
  return p;
}

/** Parcel n declared by the demo seller under its USCC instead of its customs code. */
function usccParcel(n: number): Parcel {
  const products = DEMO_PRODUCTS.filter((p) => p.ebcCode === PARTIES.seller.code);
  return parcelDocuments(n, 'F', {
    platform: PARTIES.platform,
    seller: { code: sellerUscc, name: PARTIES.seller.name },
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: [{ p: products[n % products.length]!, qty: 1 + (n % 2) }],
    country: '303',
    goodsInfo: '青花瓷器 porcelain',
  });
}

async function api(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T>() => res.json() as T };
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'seller2', 'customs', 'commerce'])
    tokens[u] = await login(tp.platform, u);
  const rate = await api('commerce', 'PUT', '/api/v1/statistics/fx-rates', {
    currency: '502',
    validFrom: '2027-01-01',
    cnyPerUnit: '7.3',
  });
  assert.equal(rate.status, 200, rate.body);
  sellerUscc = (
    await sql<{ uscc: string }>`select uscc from organisation where customs_code = ${PARTIES.seller.code}`.execute(db())
  ).rows[0]!.uscc;
  // customs knows the seller under its USCC too: its parcels under it are not a first-time exporter's
  const level = await api('customs', 'PUT', `/api/v1/risk/credit/${sellerUscc}`, { level: 'AA' });
  assert.equal(level.status, 200, level.body);
  let n = 0;
  for (const [b, { at }] of BATCHES.entries()) {
    const parcels = [
      ...Array.from({ length: 6 }, () => makeParcel(++n, 'F')),
      ...Array.from({ length: 3 }, () => inUsd(makeParcel(++n, 'F'))),
      ...Array.from({ length: 2 }, () => usccParcel(++n)),
      inUsd(usccParcel(++n)),
    ];
    clock.set(new Date(at));
    await closeParcels(tp, tokens, parcels, b + 1, 'F');
  }
  clock.set(new Date(APPLY_AT));
  const closed = await sql<{ n: number }>`
    select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`.execute(db());
  assert.equal(closed.rows[0]!.n, n, 'the pipeline closed every parcel');
});
after(async () => {
  await tp.stop();
});

/**
 * The seller's closed inventories counted from the clearance tables: under either of its codes,
 * closed (China Standard Time) within [from, to]; each line in CNY at its currency's rate of the
 * closing day rounded to the fen, each inventory's CNY in USD at that day's rate rounded to the cent.
 */
async function recount(codes: string[], from: string, to: string) {
  const r = await sql<{ parcels: number; cny: string; usd: string; usd_lines: number; usd_rates: number; codes: string[] }>`
    with inv as (
      select d.id, i.ebc_code, (i.closed_at at time zone 'Asia/Shanghai')::date as day, d.lines
        from clr_document d join clr_inventory i on i.document_id = d.id
       where d.kind = 'inventory' and d.status = '899' and i.ebc_code = any(${codes}::text[])),
    dated as (
      select inv.*, (select cny_per_unit from stat_fx_rate where currency = '502' and valid_from <= inv.day
        order by valid_from desc limit 1) as usd_rate
      from inv where inv.day between ${from}::date and ${to}::date),
    priced as (
      select dated.*,
        (select sum(round((l->>'totalPrice')::numeric * case when coalesce(l->>'currency', '142') = '142' then 1
           when l->>'currency' = '502' then dated.usd_rate end, 2)) from jsonb_array_elements(dated.lines) l) as cny,
        (select count(*) from jsonb_array_elements(dated.lines) l where l->>'currency' = '502')::int as usd_lines
      from dated)
    select count(*)::int as parcels, coalesce(sum(cny), 0)::numeric(20, 2)::text as cny,
      coalesce(sum(round(cny / usd_rate, 2)), 0)::numeric(20, 2)::text as usd,
      coalesce(sum(usd_lines), 0)::int as usd_lines, count(distinct usd_rate)::int as usd_rates,
      coalesce(array_agg(distinct ebc_code) filter (where ebc_code is not null), '{}') as codes
    from priced`.execute(db());
  return r.rows[0]!;
}

test('an application carries the exports and parcels of the seller’s closed inventories (both codes, CNY and USD, twelve months)', async () => {
  const prog = await api('commerce', 'POST', '/api/v1/programmes', {
    name: '出口规模奖励',
    category: 'new_model',
    rules: [{ metric: 'parcels', op: '>=', value: 1 }],
    opensOn: '2027-01-01',
    closesOn: '2027-12-31',
  });
  assert.equal(prog.status, 201, prog.body);
  const programme = prog.json<{ id: string }>().id;
  // the window as the platform takes it: the last 365 days up to today
  const now = clock.now();
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  const want = await recount([PARTIES.seller.code, sellerUscc], from, to);
  // the recount is not trivial: both codes, US dollar lines, and parcels left out as too old
  assert.deepEqual([...want.codes].sort(), [PARTIES.seller.code, sellerUscc].sort());
  assert.ok(want.usd_lines > 0, 'US dollar lines counted');
  assert.equal(want.usd_rates, 2, 'closed on days of two different USD rates');
  const everything = await recount([PARTIES.seller.code, sellerUscc], '2000-01-01', '2999-12-31');
  assert.equal(everything.parcels - want.parcels, 12, 'the batch closed before the twelve months is left out');
  assert.equal(want.parcels, 24);

  const preview = await api('seller', 'GET', `/api/v1/programmes/${programme}/apply-preview`);
  assert.equal(preview.status, 200, preview.body);
  const applied = await api('seller', 'POST', `/api/v1/programmes/${programme}/apply`, { statement: '年度出口规模申报' });
  assert.equal(applied.status, 201, applied.body);
  const app = applied.json<{ id: string; figures: Record<string, number> }>();
  const expected = { exportsCny: Number(want.cny), exportsUsd: Number(want.usd), parcels: want.parcels };
  const pick = (f: Record<string, number>) => ({ exportsCny: f.exportsCny, exportsUsd: f.exportsUsd, parcels: f.parcels });
  assert.deepEqual(pick(app.figures), expected, 'the answer');
  assert.deepEqual(pick(preview.json<{ figures: Record<string, number> }>().figures), expected, 'the preview');
  const [stored] = (
    await sql<{ figures: Record<string, number>; org_code: string }>`
      select figures, org_code from pk_application where id = ${app.id}`.execute(db())
  ).rows;
  assert.equal(stored!.org_code, PARTIES.seller.code);
  assert.deepEqual(pick(stored!.figures), expected, 'the stored application');

  // another enterprise with no parcels of its own: none of the seller's
  const other = await api('seller2', 'POST', `/api/v1/programmes/${programme}/apply`, { statement: '申请' });
  assert.equal(other.status, 422, other.body);
  const none = await recount(['3601260999'], from, to);
  assert.equal(none.parcels, 0);
  assert.deepEqual(pick(other.json<{ figures: Record<string, number> }>().figures), {
    exportsCny: 0,
    exportsUsd: 0,
    parcels: 0,
  });
});
