import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, message, parcelDocuments, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels, submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';

const NOW = new Date('2026-11-26T09:00:00Z');
const clock = fixedClock(NOW);
let tp: TestPlatform;
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });
const json = <T>(r: { json(): unknown }) => r.json() as T;
type Balance = {
  sku: string;
  in: number;
  reserved: number;
  out: number;
  returned: number;
  toChina: number;
  available: number;
};
const balance = async (sku: string) =>
  json<Balance[]>(await call('seller', { method: 'GET', url: '/api/v1/overseas/stock' })).find((b) => b.sku === sku)!;

let warehouseId = '';
/** Customs records the platform holds: 9810 inventories by parcel, with their release times. */
const customs = new Map<string, { invtNo: string; releasedAt: string }>();
/** 2025-10 (more than a year ago) and 2026-10: the two declarations the ledger tests sell from. */
let OLD = '';
let RECENT = '';

async function closeAt(at: string, parcels: Parcel[], block: number, run: string): Promise<void> {
  clock.set(new Date(at));
  const t: Record<string, string> = {};
  // sessions of that day: a session lives hours, and the clock jumps months
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) t[u] = await login(tp.platform, u);
  await closeParcels(tp, t, parcels, block, run);
  const r = await sql<{ order_no: string; invt_no: string; released_at: Date | null }>`
    select substr(order_key, strpos(order_key, '|') + 1) as order_no, invt_no, released_at from clr_inventory
    where order_key = any(${parcels.map((p) => `${PARTIES.platform.code}|${p.orderNo}`)}::text[])`.execute(
    tp.platform.database.db,
  );
  for (const x of r.rows) customs.set(x.order_no, { invtNo: x.invt_no, releasedAt: x.released_at?.toISOString() ?? '' });
  clock.set(NOW);
}

/** The seller's filed products: a SKU is the inventory line's itemNo. */
const BOWL = 'QHC-BOWL-01';
const VASE = 'QHC-VASE-02';

/** A 9810 parcel carrying exactly these goods (SKU, quantity). */
const parcel9810 = (n: number, run: string, goods: [string, number][] = [[BOWL, 1]]): Parcel => {
  const p = parcelDocuments(n, run, {
    platform: PARTIES.platform,
    seller: PARTIES.seller,
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: goods.map(([sku, qty]) => ({ p: DEMO_PRODUCTS.find((x) => x.itemNo === sku)!, qty })),
    country: '502',
    goodsInfo: '青花瓷器 porcelain',
  });
  p.inventory.head.tradeMode = '9810';
  return p;
};

const receive = (body: Record<string, unknown>, user = 'overseas') =>
  call(user, {
    method: 'POST',
    url: '/api/v1/overseas/consignments',
    payload: { warehouseId, sellerCode: PARTIES.seller.code, tradeMode: '9810', lines: [{ sku: BOWL, qty: 1 }], ...body },
  });

type Refusal = {
  detailZh: string;
  detailEn: string;
  errors: { field: string; rule: string; message: { zh: string; en: string } }[];
};
/** A refusal's problems as [field, rule]; each must say it in Chinese and English. */
const problemsOf = (r: { json(): unknown }) => {
  const errors = json<Refusal>(r).errors;
  for (const e of errors) assert.ok(e.message.zh && e.message.en && e.message.zh !== e.message.en, JSON.stringify(e));
  return errors.map((e) => [e.field, e.rule]);
};

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
/** The stored lot (consignment line) of a declaration: what a sale can still draw from it. */
const lot = async (declarationNo: string, sku = VASE) =>
  (
    await q<{ qty: number; allocated: number; to_china: number }>(sql`
      select l.qty, l.allocated, l.to_china from ovs_consignment_line l join ovs_consignment c on c.id = l.consignment_id
      where c.declaration_no = ${declarationNo} and l.sku = ${sku}`)
  )[0];
const sell = (orderNo: string, qty: number, sku = VASE) =>
  call('seller', {
    method: 'POST',
    url: '/api/v1/overseas/sales',
    payload: { warehouseId, orderNo, lines: [{ sku, qty }] },
  });

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  const w = await call('overseas', {
    method: 'PUT',
    url: '/api/v1/overseas/warehouses',
    payload: { code: 'LAX1', name: 'Los Angeles 1', country: 'US', city: 'Los Angeles' },
  });
  assert.equal(w.statusCode, 200, w.body);
  warehouseId = json<{ id: string }>(w).id;
  // Export to the overseas warehouse under 9810, through clearance to release and departure.
  const a = parcel9810(1, 'OV', [[VASE, 3]]);
  const b = parcel9810(2, 'OV', [[VASE, 4]]);
  await closeAt('2025-10-01T02:00:00Z', [a], 1, 'OVA');
  await closeAt('2026-10-01T02:00:00Z', [b], 2, 'OVB');
  OLD = customs.get(a.orderNo)!.invtNo;
  RECENT = customs.get(b.orderNo)!.invtNo;
  assert.equal(customs.get(a.orderNo)!.releasedAt, '2025-10-01T02:00:00.000Z', 'customs released it then');
  for (const [no, typed, qty] of [
    [OLD, undefined, 3],
    // a typed release time that differs from customs': customs wins
    [RECENT, '2026-10-20T00:00:00Z', 4],
  ] as const) {
    const c = await receive({ declarationNo: no, ...(typed ? { releasedAt: typed } : {}), lines: [{ sku: VASE, qty }] });
    assert.equal(c.statusCode, 201, c.body);
  }
});
after(async () => {
  await tp?.stop();
});

type ConsignmentView = {
  declarationNo: string;
  tradeMode: string;
  declarationSource: string;
  declarationVerified: boolean;
  releasedAt: string;
  releasedAtTyped: string | null;
};

test('a 9810 consignment takes its release time from customs, not from what was typed', async () => {
  const list = json<ConsignmentView[]>(await call('seller', { method: 'GET', url: '/api/v1/overseas/consignments' }));
  const recent = list.find((c) => c.declarationNo === RECENT)!;
  assert.deepEqual(
    [recent.declarationSource, recent.declarationVerified, recent.releasedAt, recent.releasedAtTyped],
    ['inventory', true, '2026-10-01T02:00:00.000Z', '2026-10-20T00:00:00.000Z'],
  );
  const old = list.find((c) => c.declarationNo === OLD)!;
  assert.deepEqual([old.declarationVerified, old.releasedAt, old.releasedAtTyped], [true, '2025-10-01T02:00:00.000Z', null]);
  // the provider sees the same consignments; another seller none of them
  assert.equal(json<unknown[]>(await call('overseas', { method: 'GET', url: '/api/v1/overseas/consignments' })).length, 2);
  assert.deepEqual(json<unknown[]>(await call('seller2', { method: 'GET', url: '/api/v1/overseas/consignments' })), []);
});

test('consignment declarations are checked against the customs records the platform holds', async () => {
  // a 9810 inventory customs decided (399) but has not released: no consolidation binds it yet
  const held = parcel9810(3, 'OVH');
  let g = 0;
  const next = () => guidOf(9100, ++g);
  await submitOk(tp, await tokenOf('platform'), message('CEB303', next(), PARTIES.platform, [held.order]));
  await submitOk(tp, await tokenOf('carrier'), message('CEB505', next(), PARTIES.carrier, [held.waybill]));
  const inv = await submitOk(tp, await tokenOf('broker'), message('CEB603', next(), PARTIES.broker, [held.inventory]));
  await tp.platform.settle();
  const unreleased = inv.entities[0]!.invtNo!;
  // a 9810 parcel to declare under 0110 below; and a fresh released one for the happy path
  const fresh = parcel9810(4, 'OVF');
  await closeAt('2026-11-20T02:00:00Z', [fresh], 3, 'OVF');
  const freshNo = customs.get(fresh.orderNo)!.invtNo;

  const cases: {
    name: string;
    body: Record<string, unknown>;
    status: number;
    field?: string;
    rule?: string;
    source?: string;
    releasedAt?: string;
  }[] = [
    {
      name: 'unknown number',
      body: { declarationNo: '400620269999999999' },
      status: 422,
      field: 'declarationNo',
      rule: 'heldForSeller',
    },
    {
      name: "another seller's number (the goods are not this seller's)",
      body: { declarationNo: freshNo, sellerCode: '3601260999' },
      status: 422,
      field: 'declarationNo',
      rule: 'heldForSeller',
    },
    { name: 'not yet released', body: { declarationNo: unreleased }, status: 422, field: 'declarationNo', rule: 'released' },
    {
      name: 'declared under another trade mode',
      body: { declarationNo: freshNo, tradeMode: '9610' },
      status: 422,
      field: 'tradeMode',
      rule: 'declaredMode',
    },
    {
      name: '0110 without a release time',
      body: { declarationNo: 'EXT-0110-0001', tradeMode: '0110' },
      status: 400,
      field: 'releasedAt',
      rule: 'required',
    },
    {
      name: 'a SKU the declaration does not carry',
      body: {
        declarationNo: freshNo,
        lines: [
          { sku: BOWL, qty: 1 },
          { sku: 'CUP-01', qty: 1 },
        ],
      },
      status: 422,
      field: 'lines[1].sku',
      rule: 'declared',
    },
    {
      name: 'more units than declared',
      body: { declarationNo: freshNo, lines: [{ sku: BOWL, qty: 2 }] },
      status: 422,
      field: 'lines[0].qty',
      rule: 'withinDeclared',
    },
    {
      name: 'verified: released 9810 inventory of the seller',
      body: { declarationNo: freshNo },
      status: 201,
      source: 'inventory',
      releasedAt: '2026-11-20T02:00:00.000Z',
    },
    { name: 'the same declaration again (any warehouse)', body: { declarationNo: freshNo }, status: 409 },
    {
      name: 'external: 0110 general trade declared outside the platform, as typed',
      body: { declarationNo: 'EXT-0110-0001', tradeMode: '0110', releasedAt: '2026-11-02T00:00:00Z' },
      status: 201,
      source: 'external',
      releasedAt: '2026-11-02T00:00:00.000Z',
    },
  ];
  for (const c of cases) {
    const r = await receive(c.body);
    assert.equal(r.statusCode, c.status, `${c.name}: ${r.body}`);
    if (c.field) {
      const problem = json<{ errors: { field: string; rule: string; message: { zh: string; en: string } }[] }>(r);
      assert.deepEqual([problem.errors[0]!.field, problem.errors[0]!.rule], [c.field, c.rule], c.name);
      assert.ok(problem.errors[0]!.message.zh && problem.errors[0]!.message.en, c.name);
    }
    if (c.source) {
      const v = json<ConsignmentView>(r);
      assert.deepEqual(
        [v.declarationSource, v.declarationVerified, v.releasedAt],
        [c.source, c.source !== 'external', c.releasedAt],
        c.name,
      );
    }
  }
  const view = json<ConsignmentView[]>(await call('seller', { method: 'GET', url: '/api/v1/overseas/consignments' }));
  const ext = view.find((c) => c.declarationNo === 'EXT-0110-0001')!;
  assert.deepEqual([ext.tradeMode, ext.declarationSource, ext.declarationVerified], ['0110', 'external', false]);
  assert.equal(view.filter((c) => c.declarationNo === freshNo).length, 1);
  // the refused receipts stored nothing: the one consignment holds what was declared, no CUP-01 anywhere
  assert.deepEqual(
    await q(sql`select l.sku, l.qty from ovs_consignment_line l join ovs_consignment c on c.id = l.consignment_id
      where c.declaration_no = ${freshNo}`),
    [{ sku: BOWL, qty: 1 }],
  );
  assert.deepEqual(await q(sql`select sku from ovs_stock where sku = 'CUP-01'`), []);
  assert.deepEqual(await q(sql`select sku from ovs_movement where sku = 'CUP-01'`), []);
});

test('a summary export declaration of the seller is verified too; its inventories are never put into stock twice', async () => {
  const p = parcel9810(5, 'OVS');
  await closeAt('2026-09-10T02:00:00Z', [p], 4, 'OVS');
  const res = await call('seller', { method: 'POST', url: '/api/v1/summary/applications', payload: { period: '2026-09' } });
  assert.equal(res.statusCode, 201, res.body);
  const entryId = json<{ declarations: { entryId: string }[] }>(res).declarations[0]!.entryId;
  // its goods are those of the inventories that fed it: one bowl
  const over = await receive({ declarationNo: entryId, lines: [{ sku: BOWL, qty: 2 }] });
  assert.equal(over.statusCode, 422, over.body);
  assert.deepEqual(
    json<{ errors: { field: string; rule: string }[] }>(over).errors.map((e) => [e.field, e.rule]),
    [['lines[0].qty', 'withinDeclared']],
  );
  assert.deepEqual(await q(sql`select id from ovs_consignment where declaration_no = ${entryId}`), []);
  const ok = await receive({ declarationNo: entryId });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.deepEqual(
    [json<ConsignmentView>(ok).declarationSource, json<ConsignmentView>(ok).releasedAt],
    ['summary', customs.get(p.orderNo)!.releasedAt],
  );
  // the inventory that fed it, named by its own number, is the same export
  const twice = await receive({ declarationNo: customs.get(p.orderNo)!.invtNo });
  assert.equal(twice.statusCode, 409, twice.body);
  // seller2 cannot have it received under its name
  const foreign = await receive({ declarationNo: entryId, sellerCode: '3601260999' });
  assert.equal(foreign.statusCode, 422, foreign.body);
});

test('ledger never goes negative under concurrent retail orders', async () => {
  assert.deepEqual(await balance(VASE), { ...(await balance(VASE)), in: 7, reserved: 0, available: 7 });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call('seller', {
        method: 'POST',
        url: '/api/v1/overseas/sales',
        payload: { warehouseId, orderNo: `AMZ-${i}`, lines: [{ sku: VASE, qty: 1 }] },
      }),
    ),
  );
  const ok = results.filter((r) => r.statusCode === 201);
  assert.equal(ok.length, 7, results.map((r) => r.statusCode).join());
  assert.ok(results.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 409));
  const b = await balance(VASE);
  assert.equal(b.reserved, 7);
  assert.equal(b.available, 0);
  // FIFO: the first three sales came from the 2025 declaration
  const sales = json<{ orderNo: string; lines: { declarationNo: string }[] }[]>(
    await call('seller', { method: 'GET', url: '/api/v1/overseas/sales' }),
  );
  const decl = sales.flatMap((s) => s.lines.map((l) => l.declarationNo)).sort();
  assert.deepEqual(decl, [...Array(3).fill(OLD), ...Array(4).fill(RECENT)].sort());
  assert.ok(
    sales.every((s) => (s as unknown as { lines: { declarationVerified: boolean }[] }).lines.every((l) => l.declarationVerified)),
    'each sale links back to a verified export declaration',
  );
});

test('ship, then returns within one year of release: restock or back to China; later ones refused', async () => {
  const sales = json<{ id: string; lines: { declarationNo: string }[] }[]>(
    await call('seller', { method: 'GET', url: '/api/v1/overseas/sales' }),
  );
  for (const s of sales) {
    const r = await call('overseas', { method: 'POST', url: `/api/v1/overseas/sales/${s.id}/ship` });
    assert.equal(r.statusCode, 200, r.body);
  }
  const b = await balance(VASE);
  assert.deepEqual([b.reserved, b.out, b.available], [0, 7, 0]);
  const recent = sales.filter((s) => s.lines[0]!.declarationNo === RECENT);
  const old = sales.filter((s) => s.lines[0]!.declarationNo === OLD);

  const restock = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: {
      items: [
        { saleId: recent[0]!.id, sku: VASE, qty: 1 },
        { saleId: recent[1]!.id, sku: VASE, qty: 1 },
      ],
      disposition: 'restock',
    },
  });
  assert.equal(restock.statusCode, 200, restock.body);
  assert.equal((await balance(VASE)).available, 2);
  const noRecord = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: recent[2]!.id, sku: VASE, qty: 1 }], disposition: 'to_china' },
  });
  assert.equal(noRecord.statusCode, 400);
  const toChina = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: {
      items: [{ saleId: recent[2]!.id, sku: VASE, qty: 1 }],
      disposition: 'to_china',
      customsRecordNo: '400620264000000009',
    },
  });
  assert.equal(toChina.statusCode, 200, toChina.body);
  assert.equal((await balance(VASE)).available, 2, 'goods back to China do not return to the ledger');
  const twice = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: recent[0]!.id, sku: VASE, qty: 1 }], disposition: 'restock' },
  });
  assert.equal(twice.statusCode, 422, 'a unit is returned once');
  assert.deepEqual(problemsOf(twice), [['items[0].qty', 'returnable']]);
  // the 2025 declaration was released more than a year ago
  const late = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: old[0]!.id, sku: VASE, qty: 1 }], disposition: 'restock' },
  });
  assert.equal(late.statusCode, 422, late.body);
  assert.deepEqual(problemsOf(late), [['items[0].saleId', 'returnWindow']]);
  assert.match(json<Refusal>(late).errors[0]!.message.zh, new RegExp(`${OLD}.*2025-10-01.*超过一年`));
  assert.match(json<Refusal>(late).errors[0]!.message.en, new RegExp(`${OLD} was released 2025-10-01`));
  assert.equal((await balance(VASE)).available, 2);
});

type SaleView = { id: string; orderNo: string; status: string; lines: { sku: string; qty: number; declarationNo: string }[] };
const movementsOf = (saleId: string) =>
  q<{ kind: string; qty: number; declaration_no: string }>(sql`
    select m.kind, m.qty, c.declaration_no from ovs_movement m join ovs_consignment c on c.id = m.consignment_id
    where m.sale_id = ${saleId} order by m.at, m.kind`);

test('a restocked return is sold again, from the lot it was sold from, still traced to that declaration', async () => {
  // the previous test sold the four units of RECENT, restocked two and sent one back to China
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 2, to_china: 0 }, 'the restocked units are back in their lot');
  assert.deepEqual(await lot(OLD), { qty: 3, allocated: 3, to_china: 0 });
  const again = await sell('AMZ-RESOLD', 2);
  assert.equal(again.statusCode, 201, again.body);
  const sale = json<SaleView>(again);
  assert.deepEqual(
    sale.lines.map((l) => [l.sku, l.qty, l.declarationNo]),
    [[VASE, 2, RECENT]],
  );
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 4, to_china: 0 });
  const b = await balance(VASE);
  assert.deepEqual([b.reserved, b.returned, b.available], [2, 2, 0]);
  assert.deepEqual(await movementsOf(sale.id), [{ kind: 'reserve', qty: 2, declaration_no: RECENT }]);
  // and no more than that: the ledger and the lots agree
  assert.equal((await sell('AMZ-NONE', 1)).statusCode, 409);
});

test('a reserved sale is cancelled by its seller or the provider: its units are sellable again', async () => {
  const resold = json<SaleView[]>(await call('seller', { method: 'GET', url: '/api/v1/overseas/sales' })).find(
    (s) => s.orderNo === 'AMZ-RESOLD',
  )!;
  const cancel = (id: string, user: string) => call(user, { method: 'POST', url: `/api/v1/overseas/sales/${id}/cancel` });
  assert.equal((await cancel(resold.id, 'seller2')).statusCode, 404, "another seller's sale is not found");
  const r = await cancel(resold.id, 'seller');
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(json<SaleView>(r).status, 'cancelled');
  assert.deepEqual(await q(sql`select status from ovs_sale where id = ${resold.id}`), [{ status: 'cancelled' }]);
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 2, to_china: 0 });
  const b = await balance(VASE);
  assert.deepEqual([b.reserved, b.out, b.available], [0, 7, 2]);
  assert.deepEqual(await movementsOf(resold.id), [
    { kind: 'release', qty: 2, declaration_no: RECENT },
    { kind: 'reserve', qty: 2, declaration_no: RECENT },
  ]);
  // cancelled is final: neither cancelled again nor shipped
  assert.equal((await cancel(resold.id, 'seller')).statusCode, 409);
  assert.equal((await call('overseas', { method: 'POST', url: `/api/v1/overseas/sales/${resold.id}/ship` })).statusCode, 409);
  // a shipped sale comes back as a return, not a cancellation
  const shipped = json<SaleView[]>(await call('seller', { method: 'GET', url: '/api/v1/overseas/sales' })).find(
    (s) => s.status === 'shipped',
  )!;
  assert.equal((await cancel(shipped.id, 'overseas')).statusCode, 409);
  // the provider of the warehouse may cancel one too
  const byProvider = json<SaleView>(await sell('AMZ-PROV', 1));
  assert.equal((await cancel(byProvider.id, 'overseas')).statusCode, 200);
  assert.equal((await balance(VASE)).available, 2);
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 2, to_china: 0 });
});

test('unsold stock of a consignment goes back to China under the customs record, within one year of release', async () => {
  const list = json<{ id: string; declarationNo: string }[]>(
    await call('overseas', { method: 'GET', url: '/api/v1/overseas/consignments' }),
  );
  const recent = list.find((c) => c.declarationNo === RECENT)!.id;
  const old = list.find((c) => c.declarationNo === OLD)!.id;
  const back = (id: string, body: Record<string, unknown>, user = 'overseas') =>
    call(user, {
      method: 'POST',
      url: `/api/v1/overseas/consignments/${id}/return-to-china`,
      payload: { customsRecordNo: '400620264000000077', lines: [{ sku: VASE, qty: 1 }], ...body },
    });
  const problem = (r: { json(): unknown }) =>
    json<{ errors: { field: string; rule: string }[] }>(r).errors.map((e) => [e.field, e.rule]);

  assert.equal((await back(recent, {}, 'seller')).statusCode, 403, 'the warehouse provider records it');
  assert.equal((await back(recent, { customsRecordNo: '  ' })).statusCode, 400);
  const more = await back(recent, { lines: [{ sku: VASE, qty: 3 }] });
  assert.equal(more.statusCode, 422, more.body);
  assert.deepEqual(problem(more), [['lines[0].qty', 'unsold']]);
  const other = await back(recent, { lines: [{ sku: BOWL, qty: 1 }] });
  assert.equal(other.statusCode, 422, other.body);
  assert.deepEqual(problem(other), [['lines[0].sku', 'inConsignment']]);
  const late = await back(old, {});
  assert.equal(late.statusCode, 422, late.body);
  assert.deepEqual(problem(late), [['consignmentId', 'returnWindow']]);
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 2, to_china: 0 }, 'refusals change nothing');

  const ok = await back(recent, {});
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 2, to_china: 1 });
  const b = await balance(VASE);
  assert.deepEqual([b.in, b.returned, b.out, b.toChina, b.available], [7, 2, 7, 1, 1]);
  assert.deepEqual(
    await q(sql`select m.kind, m.qty, m.sale_id, m.customs_record_no, c.declaration_no from ovs_movement m
      join ovs_consignment c on c.id = m.consignment_id where m.kind = 'unsold_to_china'`),
    [{ kind: 'unsold_to_china', qty: 1, sale_id: null, customs_record_no: '400620264000000077', declaration_no: RECENT }],
  );
  // the one unit left is still sellable, and only that one
  assert.equal((await sell('AMZ-LAST-2', 2)).statusCode, 409);
  const last = await sell('AMZ-LAST', 1);
  assert.equal(last.statusCode, 201, last.body);
  assert.deepEqual(await lot(RECENT), { qty: 4, allocated: 3, to_china: 1 });
  assert.equal((await balance(VASE)).available, 0);
  assert.equal((await back(recent, {})).statusCode, 422, 'nothing unsold is left to send back');
});

test('service points: registration, public directory with filters, SME requests', async () => {
  const reg = await call('overseas', {
    method: 'POST',
    url: '/api/v1/service-points',
    payload: {
      name: '赣商洛杉矶服务站 LA Service Point',
      country: 'us',
      city: 'Los Angeles',
      services: ['warehousing', 'legal_consulting'],
      contact: 'la@example.com',
    },
  });
  assert.equal(reg.statusCode, 201, reg.body);
  const point = json<{ id: string }>(reg);
  const bad = await call('overseas', {
    method: 'POST',
    url: '/api/v1/service-points',
    payload: { name: 'x', country: 'US', city: 'NY', services: ['massage'], contact: 'x' },
  });
  assert.equal(bad.statusCode, 400);
  const sellerTry = await call('seller', {
    method: 'POST',
    url: '/api/v1/service-points',
    payload: { name: 'x', country: 'US', city: 'NY', services: ['warehousing'], contact: 'x' },
  });
  assert.equal(sellerTry.statusCode, 403);

  const pub = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/public/service-points?country=US&service=legal_consulting',
  });
  assert.equal(pub.statusCode, 200, 'no log-in needed');
  assert.equal(json<unknown[]>(pub).length, 1);
  const none = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/public/service-points?country=US&service=data_services',
  });
  assert.deepEqual(none.json(), []);

  const req = await call('seller', {
    method: 'POST',
    url: '/api/v1/service-requests',
    payload: { pointId: point.id, service: 'legal_consulting', message: '商标注册咨询 trademark question' },
  });
  assert.equal(req.statusCode, 201, req.body);
  const notOffered = await call('seller', {
    method: 'POST',
    url: '/api/v1/service-requests',
    payload: { pointId: point.id, service: 'data_services', message: 'x' },
  });
  assert.equal(notOffered.statusCode, 400);
  const id = json<{ id: string }>(req).id;
  const inbox = json<{ id: string }[]>(await call('overseas', { method: 'GET', url: '/api/v1/service-requests' }));
  assert.deepEqual(
    inbox.map((r) => r.id),
    [id],
  );
  const acc = await call('overseas', {
    method: 'POST',
    url: `/api/v1/service-requests/${id}/answer`,
    payload: { action: 'accept', reply: '已安排律师 a lawyer will call' },
  });
  assert.equal(json<{ status: string }>(acc).status, 'accepted');
  const mine = json<{ status: string; reply: string }[]>(
    await call('seller', { method: 'GET', url: '/api/v1/service-requests' }),
  );
  assert.equal(mine[0]!.status, 'accepted');
  assert.equal((await call('seller2', { method: 'GET', url: '/api/v1/service-requests' })).json().length, 0);
  const again = await call('overseas', {
    method: 'POST',
    url: `/api/v1/service-requests/${id}/answer`,
    payload: { action: 'decline' },
  });
  assert.equal(again.statusCode, 409);
});

/** A second overseas provider (its own organisation and user), registered by the operator: its ids are foreign to `overseas`. */
let provider2 = false;
async function secondProvider(): Promise<void> {
  if (provider2) return;
  const admin = async (url: string, payload: Record<string, unknown>) => {
    const r = await call('admin', { method: 'POST', url, payload });
    assert.equal(r.statusCode, 201, `${url}: ${r.body}`);
    return json<{ id: string }>(r).id;
  };
  const orgId = await admin('/api/v1/organisations', {
    kind: 'enterprise',
    name: '第二海外仓（对照）',
    nameEn: 'Second overseas provider (twin)',
    customsCode: '3601990199',
    roles: ['overseas'],
    jurisdiction: '4000',
  });
  const password = 'Twin-Overseas-0199!';
  await admin('/api/v1/users', {
    username: 'overseas2',
    displayName: '第二海外仓 客服',
    password,
    roles: ['enterprise_admin'],
    organisationId: orgId,
  });
  tokens.set('overseas2', await login(tp.platform, 'overseas2', password));
  provider2 = true;
}

const returns = (items: { saleId: string; sku: string; qty: number }[], user = 'overseas') =>
  call(user, { method: 'POST', url: '/api/v1/overseas/returns', payload: { items, disposition: 'restock' } });
const stockRow = async (wh: string, sku: string) =>
  (
    await q<{ qty_returned: number; qty_out: number }>(sql`select qty_returned, qty_out from ovs_stock
      where warehouse_id = ${wh} and sku = ${sku}`)
  )[0]!;

test('batch returns lock their sales in one order: crossing batches both go through, restocked per warehouse and SKU', async () => {
  await secondProvider();
  const w2 = await call('overseas', {
    method: 'PUT',
    url: '/api/v1/overseas/warehouses',
    payload: { code: 'LAX2', name: 'Los Angeles 2', country: 'US', city: 'Long Beach' },
  });
  assert.equal(w2.statusCode, 200, w2.body);
  const lax2 = json<{ id: string }>(w2).id;
  const a = parcel9810(6, 'OVR', [[BOWL, 4]]);
  const b = parcel9810(7, 'OVR', [[BOWL, 2]]);
  await closeAt('2026-11-01T02:00:00Z', [a, b], 5, 'OVR');
  assert.equal(
    (await receive({ declarationNo: customs.get(a.orderNo)!.invtNo, lines: [{ sku: BOWL, qty: 4 }] })).statusCode,
    201,
  );
  const inLax2 = await receive({
    declarationNo: customs.get(b.orderNo)!.invtNo,
    warehouseId: lax2,
    lines: [{ sku: BOWL, qty: 2 }],
  });
  assert.equal(inLax2.statusCode, 201, inLax2.body);

  const sale = async (wh: string, orderNo: string) => {
    const r = await call('seller', {
      method: 'POST',
      url: '/api/v1/overseas/sales',
      payload: { warehouseId: wh, orderNo, lines: [{ sku: BOWL, qty: 2 }] },
    });
    assert.equal(r.statusCode, 201, r.body);
    const id = json<SaleView>(r).id;
    assert.equal((await call('overseas', { method: 'POST', url: `/api/v1/overseas/sales/${id}/ship` })).statusCode, 200);
    return id;
  };
  const [s1, s2, s3] = [await sale(warehouseId, 'RET-1'), await sale(warehouseId, 'RET-2'), await sale(lax2, 'RET-3')];
  const before1 = await stockRow(warehouseId, BOWL);
  const before2 = await stockRow(lax2, BOWL);

  // another provider's warehouse: its sales are not found, and nothing moves
  const foreign = await returns([{ saleId: s1, sku: BOWL, qty: 1 }], 'overseas2');
  assert.equal(foreign.statusCode, 404, foreign.body);

  // two batches over the same three sales, in opposite orders, at once
  const forward = [s1, s2, s3].map((saleId) => ({ saleId, sku: BOWL, qty: 1 }));
  const [x, y] = await Promise.all([returns(forward), returns([...forward].reverse())]);
  assert.deepEqual([x.statusCode, y.statusCode], [200, 200], `${x.body} ${y.body}`);
  assert.deepEqual(
    await q(sql`select s.order_no, sum(l.returned)::int as returned from ovs_sale_line l join ovs_sale s on s.id = l.sale_id
      where s.id = any(${[s1, s2, s3]}::uuid[]) group by 1 order by 1`),
    [
      { order_no: 'RET-1', returned: 2 },
      { order_no: 'RET-2', returned: 2 },
      { order_no: 'RET-3', returned: 2 },
    ],
  );
  // restocked per warehouse: four units back in LAX1, two in LAX2; out unchanged
  assert.deepEqual(await stockRow(warehouseId, BOWL), { qty_returned: before1.qty_returned + 4, qty_out: before1.qty_out });
  assert.deepEqual(await stockRow(lax2, BOWL), { qty_returned: before2.qty_returned + 2, qty_out: before2.qty_out });
  assert.deepEqual(
    await q(sql`select m.warehouse_id, sum(m.qty)::int as qty from ovs_movement m
      where m.kind = 'return' and m.sale_id = any(${[s1, s2, s3]}::uuid[]) group by 1 order by 2`),
    [
      { warehouse_id: lax2, qty: 2 },
      { warehouse_id: warehouseId, qty: 4 },
    ],
  );

  // nothing left to return: refused per item, naming the item, the rule, the order, in Chinese and English
  const more = await returns([
    { saleId: s3, sku: BOWL, qty: 1 },
    { saleId: s1, sku: 'NO-SUCH-SKU', qty: 1 },
  ]);
  assert.equal(more.statusCode, 422, more.body);
  assert.deepEqual(problemsOf(more), [
    ['items[0].qty', 'returnable'],
    ['items[1].qty', 'returnable'],
  ]);
  const refusal = json<Refusal>(more);
  assert.match(refusal.errors[0]!.message.zh, /订单 RET-3 的 QHC-BOWL-01 退货 1，已售未退仅 0/);
  assert.match(refusal.errors[0]!.message.en, /order RET-3, QHC-BOWL-01: 1 to return, only 0 sold and not yet returned/);
  assert.ok(refusal.detailZh.includes('RET-3') && refusal.detailEn.includes('RET-3'));
  assert.deepEqual(await stockRow(lax2, BOWL), { qty_returned: before2.qty_returned + 2, qty_out: before2.qty_out });
});

test('movement history per SKU: the seller its own, the provider its own warehouse, others nothing', async () => {
  const url = (wh: string, sku = BOWL) => `/api/v1/overseas/movements?warehouseId=${wh}&sku=${encodeURIComponent(sku)}`;
  type MovementView = { kind: string; qty: number; at: string; declarationNo: string | null; orderNo: string | null };
  const mine = await call('seller', { method: 'GET', url: url(warehouseId) });
  assert.equal(mine.statusCode, 200, mine.body);
  const list = json<MovementView[]>(mine);
  // RET-1: reserved 2, shipped 2, both returned (one by each crossing batch); one row per lot drawn
  const byKind = (orderNo: string) =>
    Object.fromEntries(
      ['reserve', 'out', 'return'].map((k) => [
        k,
        list.filter((m) => m.orderNo === orderNo && m.kind === k).reduce((a, m) => a + m.qty, 0),
      ]),
    );
  assert.deepEqual(byKind('RET-1'), { reserve: 2, out: 2, return: 2 });
  assert.deepEqual(
    list.map((m) => m.at),
    list.map((m) => m.at).sort((a, b) => b.localeCompare(a)),
    'newest first',
  );
  assert.ok(
    list.some((m) => m.kind === 'in' && m.declarationNo && m.orderNo === null),
    'consignments in, with their declaration',
  );
  assert.ok(
    list.every((m) => m.declarationNo),
    'each movement traces to an export declaration',
  );
  assert.equal(
    list.length,
    (await q(sql`select id from ovs_movement where warehouse_id = ${warehouseId} and sku = ${BOWL}`)).length,
    'the seller owns all BOWL stock in LAX1',
  );
  assert.deepEqual(json<unknown[]>(await call('seller2', { method: 'GET', url: url(warehouseId) })), [], "another seller's none");
  const prov = await call('overseas', { method: 'GET', url: url(warehouseId) });
  assert.equal(json<unknown[]>(prov).length, list.length, 'the provider sees its warehouse');
  assert.equal(
    (await call('overseas2', { method: 'GET', url: url(warehouseId) })).statusCode,
    404,
    "another provider's warehouse",
  );
  assert.equal(
    (await call('seller', { method: 'GET', url: url('00000000-0000-4000-8000-000000000000') })).statusCode,
    404,
    'no such warehouse',
  );
});

test('service points: the provider edits and retires its own; the directory hides retired ones; foreign ids are not found', async () => {
  await secondProvider();
  type PointView = { id: string; name: string; country: string; city: string; services: string[]; active: boolean };
  const stored = async (id: string) =>
    (
      await q<{ name: string; country: string; city: string; services: string[]; contact: string; active: boolean }>(
        sql`select name, country, city, services, contact, active from ovs_point where id = ${id}`,
      )
    )[0]!;
  const mine = json<PointView[]>(await call('overseas', { method: 'GET', url: '/api/v1/service-points/mine' }));
  const point = mine.find((p) => p.name.includes('LA Service Point'))!;
  assert.ok(point?.active, JSON.stringify(mine));
  assert.deepEqual(json<unknown[]>(await call('overseas2', { method: 'GET', url: '/api/v1/service-points/mine' })), []);
  assert.equal((await call('seller', { method: 'GET', url: '/api/v1/service-points/mine' })).statusCode, 403);

  const body = {
    name: '赣商长滩服务站 Long Beach Service Point',
    country: 'us',
    city: 'Long Beach',
    services: ['legal_consulting', 'data_services'],
    contact: 'lb@example.com',
  };
  const edit = (id: string, user: string, payload: Record<string, unknown> = body) =>
    call(user, { method: 'PUT', url: `/api/v1/service-points/${id}`, payload });
  const before = await stored(point.id);
  assert.equal((await edit(point.id, 'overseas2')).statusCode, 404, "another provider's point");
  assert.equal((await edit('00000000-0000-4000-8000-000000000000', 'overseas')).statusCode, 404);
  assert.equal((await edit(point.id, 'seller')).statusCode, 403);
  const bad = await edit(point.id, 'overseas', { ...body, country: 'U1', services: ['massage'] });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(
    json<Refusal>(bad)
      .errors.map((e) => [e.field, e.rule])
      .sort(),
    [
      ['country', 'iso3166'],
      ['services', 'enum'],
    ],
  );
  assert.deepEqual(await stored(point.id), before, 'refused edits change nothing');
  const ok = await edit(point.id, 'overseas');
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(await stored(point.id), {
    name: body.name,
    country: 'US',
    city: 'Long Beach',
    services: ['legal_consulting', 'data_services'],
    contact: 'lb@example.com',
    active: true,
  });
  const directory = async (query: string) =>
    json<{ id: string }[]>(await tp.platform.app.inject({ method: 'GET', url: `/api/v1/public/service-points?${query}` })).map(
      (p) => p.id,
    );
  assert.ok((await directory('service=data_services')).includes(point.id), 'the directory shows the edit');

  const retire = (id: string, user: string) => call(user, { method: 'POST', url: `/api/v1/service-points/${id}/deactivate` });
  assert.equal((await retire(point.id, 'overseas2')).statusCode, 404);
  assert.equal((await stored(point.id)).active, true);
  const retired = await retire(point.id, 'overseas');
  assert.equal(retired.statusCode, 200, retired.body);
  assert.equal((await stored(point.id)).active, false);
  assert.ok(!(await directory('country=US')).includes(point.id), 'retired: out of the public directory');
  const ask = await call('seller', {
    method: 'POST',
    url: '/api/v1/service-requests',
    payload: { pointId: point.id, service: 'legal_consulting', message: '还在吗 still there?' },
  });
  assert.equal(ask.statusCode, 404, 'no new requests to a retired point');
  assert.deepEqual(
    json<PointView[]>(await call('overseas', { method: 'GET', url: '/api/v1/service-points/mine' }))
      .filter((p) => p.id === point.id)
      .map((p) => p.active),
    [false],
    'the provider still sees it, retired',
  );
  assert.equal((await retire(point.id, 'overseas')).statusCode, 409);
  assert.equal((await edit(point.id, 'overseas')).statusCode, 409);
  // its accepted request can still be completed
  const open = json<{ id: string; status: string; pointId: string }[]>(
    await call('overseas', { method: 'GET', url: '/api/v1/service-requests' }),
  ).find((r) => r.pointId === point.id)!;
  const done = await call('overseas', {
    method: 'POST',
    url: `/api/v1/service-requests/${open.id}/answer`,
    payload: { action: 'complete' },
  });
  assert.equal(done.statusCode, 200, done.body);
  assert.deepEqual(await q(sql`select status from ovs_request where id = ${open.id}`), [{ status: 'done' }]);
});
