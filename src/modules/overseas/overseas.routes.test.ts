import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';
import { fixedClock } from '../../kernel/clock.ts';

const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
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

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  const w = await call('overseas', {
    method: 'PUT',
    url: '/api/v1/overseas/warehouses',
    payload: { code: 'LAX1', name: 'Los Angeles 1', country: 'US', city: 'Los Angeles' },
  });
  assert.equal(w.statusCode, 200, w.body);
  warehouseId = json<{ id: string }>(w).id;
  for (const [no, at, qty] of [
    ['400620251000000001', '2025-10-01T00:00:00Z', 3],
    ['400620261000000002', '2026-10-01T00:00:00Z', 4],
  ] as const) {
    const c = await call('overseas', {
      method: 'POST',
      url: '/api/v1/overseas/consignments',
      payload: {
        warehouseId,
        sellerCode: PARTIES.seller.code,
        declarationNo: no,
        tradeMode: '9810',
        releasedAt: at,
        lines: [{ sku: 'VASE-01', qty }],
      },
    });
    assert.equal(c.statusCode, 201, c.body);
  }
});
after(async () => {
  await tp?.stop();
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
  assert.deepEqual(decl, [...Array(3).fill('400620251000000001'), ...Array(4).fill('400620261000000002')]);
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
  const recent = sales.filter((s) => s.lines[0]!.declarationNo === '400620261000000002');
  const old = sales.filter((s) => s.lines[0]!.declarationNo === '400620251000000001');

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
