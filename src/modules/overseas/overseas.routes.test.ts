import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels, submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';

const NOW = new Date('2026-11-26T09:00:00Z');
const clock = fixedClock(NOW);
let tp: TestPlatform;
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });
const json = <T>(r: { json(): unknown }) => r.json() as T;
type Balance = { sku: string; in: number; reserved: number; out: number; returned: number; available: number };
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

const parcel9810 = (n: number, run: string): Parcel => {
  const p = makeParcel(n, run);
  p.inventory.head.tradeMode = '9810';
  return p;
};

const receive = (body: Record<string, unknown>, user = 'overseas') =>
  call(user, {
    method: 'POST',
    url: '/api/v1/overseas/consignments',
    payload: { warehouseId, sellerCode: PARTIES.seller.code, tradeMode: '9810', lines: [{ sku: 'CUP-01', qty: 1 }], ...body },
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
  const a = parcel9810(1, 'OV');
  const b = parcel9810(2, 'OV');
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
    const c = await receive({ declarationNo: no, ...(typed ? { releasedAt: typed } : {}), lines: [{ sku: 'VASE-01', qty }] });
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
});

test('a summary export declaration of the seller is verified too; its inventories are never put into stock twice', async () => {
  const p = parcel9810(5, 'OVS');
  await closeAt('2026-09-10T02:00:00Z', [p], 4, 'OVS');
  const res = await call('seller', { method: 'POST', url: '/api/v1/summary/applications', payload: { period: '2026-09' } });
  assert.equal(res.statusCode, 201, res.body);
  const entryId = json<{ declarations: { entryId: string }[] }>(res).declarations[0]!.entryId;
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
  assert.deepEqual(await balance('VASE-01'), { ...(await balance('VASE-01')), in: 7, reserved: 0, available: 7 });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call('seller', {
        method: 'POST',
        url: '/api/v1/overseas/sales',
        payload: { warehouseId, orderNo: `AMZ-${i}`, lines: [{ sku: 'VASE-01', qty: 1 }] },
      }),
    ),
  );
  const ok = results.filter((r) => r.statusCode === 201);
  assert.equal(ok.length, 7, results.map((r) => r.statusCode).join());
  assert.ok(results.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 409));
  const b = await balance('VASE-01');
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
  const b = await balance('VASE-01');
  assert.deepEqual([b.reserved, b.out, b.available], [0, 7, 0]);
  const recent = sales.filter((s) => s.lines[0]!.declarationNo === RECENT);
  const old = sales.filter((s) => s.lines[0]!.declarationNo === OLD);

  const restock = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: {
      items: [
        { saleId: recent[0]!.id, sku: 'VASE-01', qty: 1 },
        { saleId: recent[1]!.id, sku: 'VASE-01', qty: 1 },
      ],
      disposition: 'restock',
    },
  });
  assert.equal(restock.statusCode, 200, restock.body);
  assert.equal((await balance('VASE-01')).available, 2);
  const noRecord = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: recent[2]!.id, sku: 'VASE-01', qty: 1 }], disposition: 'to_china' },
  });
  assert.equal(noRecord.statusCode, 400);
  const toChina = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: {
      items: [{ saleId: recent[2]!.id, sku: 'VASE-01', qty: 1 }],
      disposition: 'to_china',
      customsRecordNo: '400620264000000009',
    },
  });
  assert.equal(toChina.statusCode, 200, toChina.body);
  assert.equal((await balance('VASE-01')).available, 2, 'goods back to China do not return to the ledger');
  const twice = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: recent[0]!.id, sku: 'VASE-01', qty: 1 }], disposition: 'restock' },
  });
  assert.equal(twice.statusCode, 422, 'a unit is returned once');
  // the 2025 declaration was released more than a year ago
  const late = await call('overseas', {
    method: 'POST',
    url: '/api/v1/overseas/returns',
    payload: { items: [{ saleId: old[0]!.id, sku: 'VASE-01', qty: 1 }], disposition: 'restock' },
  });
  assert.equal(late.statusCode, 422, late.body);
  assert.equal((await balance('VASE-01')).available, 2);
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
