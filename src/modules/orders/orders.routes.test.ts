import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import { decodeCeb, encodeCeb, type CebMessage } from '../../ceb/index.ts';
import { fixedClock } from '../../kernel/clock.ts';
import type { Database } from '../../kernel/db.ts';
import {
  createDraftsService,
  type DeclarePort,
  type DeclaredEntity,
  type InventoryDraft,
  type ImportResult,
  type SalesOrder,
} from './index.ts';

// The real platform (orders wired to clearance's intake), with the identity and filing demos.
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(path.join(here, 'fixtures', name));
const PLATFORM = '3601960001';
const BROKER = '3601980099';
const CARRIER = '3601980012';
const SELLER = '3601260888';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let tp: TestPlatform;
let app: FastifyInstance;
let conn: Database;
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  app = tp.platform.app;
  conn = tp.platform.database;
});
after(async () => {
  await tp?.stop();
});

let ip = 0;
const tokens = new Map<string, string>();
async function tokenOf(username: string): Promise<string> {
  const known = tokens.get(username);
  if (known) return known;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: 'cbec-demo' },
    remoteAddress: `10.89.0.${(ip++ % 250) + 1}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  const token = (res.json() as { token: string }).token;
  tokens.set(username, token);
  return token;
}
async function call(username: string, opts: InjectOptions) {
  return app.inject({ ...opts, headers: { ...opts.headers, authorization: `Bearer ${await tokenOf(username)}` } });
}
const upload = (username: string, body: Buffer, query: string, type = 'text/csv') =>
  call(username, { method: 'POST', url: `/api/v1/orders/import?${query}`, payload: body, headers: { 'content-type': type } });
type RowErr = { row: number; column: string; rule: string; message: { zh: string; en: string }; value?: string };
const count = async (table: string) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(conn.db)).rows[0]!.n);

const ids: Record<string, string> = {};

test('AliExpress CSV: imported in one go; the same file again is refused as duplicates', async () => {
  const res = await upload('seller', fixture('aliexpress.csv'), `platformCode=${PLATFORM}`);
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as ImportResult;
  assert.equal(body.imported, 2);
  assert.equal(body.layout, 'aliexpress');
  for (const o of body.orders) ids[o.orderNo] = o.id;
  assert.deepEqual(Object.keys(ids).sort(), ['8123456789001', '8123456789002']);

  const again = await upload('seller', fixture('aliexpress.csv'), `platformCode=${PLATFORM}`);
  assert.equal(again.statusCode, 400);
  const errs = (again.json() as { errors: RowErr[] }).errors;
  assert.deepEqual(
    errs.map((e) => `${e.row}:${e.rule}`),
    ['2:duplicate', '4:duplicate'],
  );
});

test('generic CSV: all or nothing by default; partial=1 stores the good orders and reports the bad rows', async () => {
  const before = await count('sales_order');
  const res = await upload('seller', fixture('generic.csv'), `platformCode=${PLATFORM}`);
  assert.equal(res.statusCode, 400);
  const problem = res.json() as { code: string; imported: number; rejected: number; errors: RowErr[] };
  assert.equal(problem.code, 'orders.validation');
  assert.equal(problem.imported, 0);
  assert.deepEqual(
    problem.errors.map((e) => `${e.row}|${e.column}|${e.rule}`),
    ['4|数量/Qty|number', '5|币制/Currency|codeTable', '5|买家国家/Buyer Country|codeTable'],
  );
  assert.equal(await count('sales_order'), before, 'nothing stored');

  const partial = await upload('seller', fixture('generic.csv'), `platformCode=${PLATFORM}&partial=1`);
  assert.equal(partial.statusCode, 201, partial.body);
  const body = partial.json() as ImportResult;
  assert.equal(body.imported, 2);
  assert.equal(body.rejected, 2);
  assert.equal(body.errors.length, 3);
  for (const o of body.orders) ids[o.orderNo] = o.id;
});

/** Stored orders of these numbers: the spreadsheet row each came from, and its lines. */
async function storedOrders(orderNos: string[]) {
  const r = await sql<{ order_no: string; source_row: number; marketplace: string; lines: unknown[]; buyer_address: string }>`
    select order_no, source_row, marketplace, lines, buyer_address from sales_order where order_no = any(${orderNos}::text[])
    order by order_no`.execute(conn.db);
  return r.rows;
}

test('eBay report with bad rows: each error names the spreadsheet row, the report’s column and the rule', async () => {
  const orderNos = ['12-34567-90001', '12-34567-90002', '12-34567-90003', '12-34567-90004', '12-34567-90005'];
  const before = await count('sales_order');
  const res = await upload('seller', fixture('ebay-bad.csv'), `platformCode=${PLATFORM}`);
  assert.equal(res.statusCode, 400, res.body);
  const problem = res.json() as { layout: string; errors: RowErr[] };
  assert.equal(problem.layout, 'ebay');
  // Row 1 is the report's blank line, row 2 its header; row 6 holds a two-line address in one cell.
  assert.deepEqual(
    problem.errors.map((e) => `${e.row}|${e.column}|${e.rule}`),
    ['5|Custom Label|required', '7|Quantity|number', '8|Ship To Country|codeTable', '9|Custom Label|productNotFiled'],
  );
  assert.equal(await count('sales_order'), before, 'nothing stored');

  const partial = await upload('seller', fixture('ebay-bad.csv'), `platformCode=${PLATFORM}&partial=1`);
  assert.equal(partial.statusCode, 201, partial.body);
  const body = partial.json() as ImportResult;
  assert.equal(body.imported, 1);
  assert.equal(body.rejected, 4);
  const stored = await storedOrders(orderNos);
  assert.deepEqual(
    stored.map((o) => `${o.order_no}@${o.source_row}:${o.marketplace}:${o.lines.length}`),
    ['12-34567-90002@6:ebay:1'],
  );
  assert.match(stored[0]!.buyer_address, /Flat 2\nRose Court/);
});

test('AliExpress export with bad rows: each error names the row, the export’s column and the rule', async () => {
  const orderNos = ['8123456790001', '8123456790002', '8123456790003', '8123456790004', '8123456790005'];
  const res = await upload('seller', fixture('aliexpress-bad.csv'), `platformCode=${PLATFORM}`);
  assert.equal(res.statusCode, 400, res.body);
  const problem = res.json() as { layout: string; errors: RowErr[] };
  assert.equal(problem.layout, 'aliexpress');
  assert.deepEqual(
    problem.errors.map((e) => `${e.row}|${e.column}|${e.rule}|${e.value ?? ''}`),
    [
      '3|商品总金额|arithmetic|900.00',
      '4|数量|positive|-1',
      '5|币种|codeTable|XYZ',
      '7|币种|orderConsistency|502',
      '9|订单号|required|',
    ],
  );
  assert.deepEqual(await storedOrders(orderNos), [], 'nothing stored');

  const partial = await upload('seller', fixture('aliexpress-bad.csv'), `platformCode=${PLATFORM}&partial=1`);
  assert.equal(partial.statusCode, 201, partial.body);
  assert.equal((partial.json() as ImportResult).imported, 1);
  assert.deepEqual(
    (await storedOrders(orderNos)).map((o) => `${o.order_no}@${o.source_row}:${o.marketplace}`),
    ['8123456790005@8:aliexpress'],
  );
  // The same file again: the stored order is a duplicate, named by the export's own column.
  const again = await upload('seller', fixture('aliexpress-bad.csv'), `platformCode=${PLATFORM}&partial=1`);
  const dup = (again.json() as { errors: RowErr[] }).errors.find((e) => e.rule === 'duplicate');
  assert.deepEqual(dup && `${dup.row}|${dup.column}|${dup.value}`, '8|订单号|8123456790005');
});

test('an unfiled SKU is a per-row error; XLSX is read as well; a bad platform code is refused', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Orders');
  ws.addRow(['Order ID', 'Product SKU', 'Quantity', 'Unit Price', 'Currency', 'Buyer Country', 'Buyer Name']);
  ws.addRow(['X-1', 'QHC-BOWL-01', 1, 150, 'CNY', 'USA', 'A']);
  ws.addRow(['X-2', 'GZ-ORANGE-5KG', 1, 68, 'CNY', 'USA', 'B']); // seller2's product, not this seller's
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const res = await upload('seller', buf, `platformCode=${PLATFORM}&partial=1`, XLSX);
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as ImportResult;
  assert.equal(body.imported, 1);
  for (const o of body.orders) ids[o.orderNo] = o.id;
  assert.deepEqual(
    body.errors.map((e) => `${e.row}:${e.rule}:${e.value}`),
    ['3:productNotFiled:GZ-ORANGE-5KG'],
  );

  const bad = await upload('seller', fixture('aliexpress.csv'), 'platformCode=9999999999');
  assert.equal(bad.statusCode, 400);
  const wrongType = await call('seller', {
    method: 'POST',
    url: `/api/v1/orders/import?platformCode=${PLATFORM}`,
    payload: { a: 1 },
  });
  assert.equal(wrongType.statusCode, 415);
  // a broker is no seller; an officer has no orders
  assert.equal((await upload('broker', fixture('aliexpress.csv'), `platformCode=${PLATFORM}`)).statusCode, 403);
});

test('templates download; orders are the seller’s own (seller2 gets 404)', async () => {
  const x = await call('seller', { method: 'GET', url: '/api/v1/orders/import/template.xlsx' });
  assert.equal(x.statusCode, 200);
  assert.equal(x.headers['content-type'], XLSX);
  const c = await call('seller', { method: 'GET', url: '/api/v1/orders/import/template.csv' });
  assert.match(c.body, /订单号\/Order No/);

  const list = await call('seller', { method: 'GET', url: '/api/v1/sales-orders?limit=2' });
  assert.equal(list.statusCode, 200);
  const page = list.json() as { items: SalesOrder[]; nextCursor: string | null };
  assert.equal(page.items.length, 2);
  assert.ok(page.nextCursor);
  const one = await call('seller', { method: 'GET', url: `/api/v1/sales-orders/${ids['G-0001']}` });
  assert.equal((one.json() as SalesOrder).goodsValue, '300');
  assert.equal((await call('seller2', { method: 'GET', url: `/api/v1/sales-orders/${ids['G-0001']}` })).statusCode, 404);
  assert.equal(
    ((await call('seller2', { method: 'GET', url: '/api/v1/sales-orders' })).json() as { items: unknown[] }).items.length,
    0,
  );
});

let drafts: InventoryDraft[] = [];
const draftOf = (orderNo: string) => drafts.find((d) => d.orderNo === orderNo)!;

test('build: drafts from orders + filed products; missing weights/waybill listed; the broker sees only its drafts', async () => {
  const res = await call('seller', {
    method: 'POST',
    url: '/api/v1/orders/build-inventories',
    payload: {
      orderIds: [ids['8123456789001'], ids['8123456789002'], ids['G-0001'], ids['G-0002']],
      agentCode: BROKER,
      logisticsCode: CARRIER,
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { built: number; complete: number; drafts: InventoryDraft[] };
  drafts = body.drafts;
  assert.equal(body.built, 4);
  assert.equal(body.complete, 2);
  const g1 = draftOf('G-0001');
  assert.equal(g1.status, 'complete');
  assert.equal(g1.head.customsCode, '4006');
  assert.equal(g1.head.tradeMode, '9610');
  assert.equal(g1.head.agentCode, BROKER);
  assert.equal(g1.head.country, '502');
  assert.equal(g1.lines[0]!.gcode, '6911101900');
  const a2 = draftOf('8123456789002');
  assert.equal(a2.status, 'draft');
  assert.deepEqual(
    a2.problems.map((p) => p.field),
    ['logisticsNo', 'grossWeight', 'netWeight'],
  );

  // the seller builds one more for itself as its own agent: the broker must not see it
  const own = await call('seller', {
    method: 'POST',
    url: '/api/v1/orders/build-inventories',
    payload: { orderIds: [ids['X-1']] },
  });
  assert.equal(own.statusCode, 200, own.body);
  const ownDraft = (own.json() as { drafts: InventoryDraft[] }).drafts[0]!;
  const seen = (await call('broker', { method: 'GET', url: '/api/v1/inventory-drafts' })).json() as { items: InventoryDraft[] };
  assert.deepEqual(seen.items.map((d) => d.orderNo).sort(), ['8123456789001', '8123456789002', 'G-0001', 'G-0002']);
  assert.equal((await call('broker', { method: 'GET', url: `/api/v1/inventory-drafts/${ownDraft.id}` })).statusCode, 404);
  assert.equal((await call('seller2', { method: 'GET', url: `/api/v1/inventory-drafts/${g1.id}` })).statusCode, 404);
  assert.equal(
    (await call('seller2', { method: 'PATCH', url: `/api/v1/inventory-drafts/${g1.id}`, payload: { grossWeight: '1' } }))
      .statusCode,
    404,
  );
  // an agent that is not one
  const notAgent = await call('seller', {
    method: 'POST',
    url: '/api/v1/orders/build-inventories',
    payload: { agentCode: CARRIER },
  });
  assert.equal(notAgent.statusCode, 400);
});

test('patch: the agent fills in what was missing; the draft becomes complete', async () => {
  const a2 = draftOf('8123456789002');
  const half = await call('broker', {
    method: 'PATCH',
    url: `/api/v1/inventory-drafts/${a2.id}`,
    payload: { grossWeight: '0.9', netWeight: '1.2' },
  });
  assert.equal(half.statusCode, 200, half.body);
  assert.deepEqual(
    (half.json() as InventoryDraft).problems.map((p) => `${p.field}:${p.rule}`),
    ['logisticsNo:required', 'netWeight:netWeight'],
  );
  const done = await call('broker', {
    method: 'PATCH',
    url: `/api/v1/inventory-drafts/${a2.id}`,
    payload: { netWeight: '0.8', logisticsNo: 'EA300000002CN' },
  });
  const d = done.json() as InventoryDraft;
  assert.equal(d.status, 'complete');
  assert.deepEqual(d.problems, []);
});

test('patch is a write: it needs orders.declare; a read-only caller may read the draft but not change it', async () => {
  const route = app.routeList.find((x) => x.method === 'PATCH' && x.url === '/api/v1/inventory-drafts/:id');
  assert.equal(route?.permission, 'orders.declare');
  const a1 = draftOf('8123456789001');
  const storedDraft = async () =>
    (
      await sql<{ head: Record<string, string>; status: string; updated_at: Date }>`
        select head, status, updated_at from inventory_draft where id = ${a1.id}`.execute(conn.db)
    ).rows[0]!;
  const edits = async () =>
    Number(
      (
        await sql<{ n: number }>`
          select (select count(*) from audit_log where action = 'inventory_draft.edit' and entity_id = ${a1.id})
            + (select count(*) from audit_pending where action = 'inventory_draft.edit' and entity_id = ${a1.id}) as n`.execute(
          conn.db,
        )
      ).rows[0]!.n,
    );
  const before = await storedDraft();
  const editsBefore = await edits();

  // An officer has no orders permission at all.
  assert.equal(
    (await call('customs', { method: 'PATCH', url: `/api/v1/inventory-drafts/${a1.id}`, payload: { grossWeight: '5' } }))
      .statusCode,
    403,
  );
  // A caller that may read orders but not declare them (the broker's session, narrowed to orders.read):
  // reading works, the edit is refused before anything is read or written.
  const token = await tokenOf('broker');
  const narrow = async () => {
    const p = await tp.platform.auth.authenticate(token);
    const perms = p!.permissions as Set<string>;
    perms.delete('orders.declare');
    return perms;
  };
  let perms = await narrow();
  try {
    assert.ok(perms.has('orders.read'));
    assert.equal((await call('broker', { method: 'GET', url: `/api/v1/inventory-drafts/${a1.id}` })).statusCode, 200);
    await narrow();
    const refused = await call('broker', {
      method: 'PATCH',
      url: `/api/v1/inventory-drafts/${a1.id}`,
      payload: { grossWeight: '5', logisticsNo: 'EA999999999CN' },
    });
    assert.equal(refused.statusCode, 403, refused.body);
  } finally {
    perms = (await tp.platform.auth.authenticate(token))!.permissions as Set<string>;
    perms.add('orders.declare');
  }
  const after = await storedDraft();
  assert.deepEqual(after, before, 'the draft is unchanged');
  assert.equal(await edits(), editsBefore, 'no edit audited');
  // Another seller's draft stays hidden (404) from a caller who may write drafts.
  assert.equal(
    (await call('seller2', { method: 'PATCH', url: `/api/v1/inventory-drafts/${a1.id}`, payload: { grossWeight: '5' } }))
      .statusCode,
    404,
  );
});

test('declare: refused for incomplete drafts and for anyone but the named agent', async () => {
  const a1 = draftOf('8123456789001');
  const incomplete = await call('broker', { method: 'POST', url: '/api/v1/inventory-drafts/declare', payload: { ids: [a1.id] } });
  assert.equal(incomplete.statusCode, 409);
  const bySeller = await call('seller', {
    method: 'POST',
    url: '/api/v1/inventory-drafts/declare',
    payload: { ids: [draftOf('G-0001').id] },
  });
  assert.equal(bySeller.statusCode, 403);
  const bySeller2 = await call('seller2', {
    method: 'POST',
    url: '/api/v1/inventory-drafts/declare',
    payload: { ids: [draftOf('G-0001').id] },
  });
  assert.equal(bySeller2.statusCode, 404);
});

test('declare (real clearance intake): the platform declared the order, the broker declares the inventory', async () => {
  // The platform pushes its CEB303 for G-0001 itself, through the JSON resource.
  const placedRes = await call('platform', {
    method: 'POST',
    url: '/api/v1/orders',
    payload: {
      guid: 'B0000000-0000-4000-8000-000000000303',
      items: [
        {
          guid: 'B0000000-0000-4000-8000-000000000001',
          appTime: '20261126100000',
          orderType: 'E',
          orderNo: 'G-0001',
          ebpCode: PLATFORM,
          ebpName: '赣品出海跨境平台有限公司',
          ebcCode: '3601260888',
          ebcName: '景德镇青花瓷业进出口有限公司',
          goodsValue: '300',
          freight: '35',
          currency: '142',
          lines: [
            {
              gnum: '1',
              itemNo: 'QHC-BOWL-01',
              itemName: '青花瓷碗',
              unit: '011',
              currency: '142',
              qty: '2',
              price: '150',
              totalPrice: '300',
            },
          ],
        },
      ],
    },
  });
  assert.equal(placedRes.statusCode, 200, placedRes.body);
  const placed = placedRes.json() as { accepted: number };
  assert.equal(placed.accepted, 1, JSON.stringify(placed));

  const res = await call('broker', {
    method: 'POST',
    url: '/api/v1/inventory-drafts/declare',
    payload: { ids: [draftOf('G-0001').id] },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as {
    declared: number;
    messages: { messageType: string }[];
    items: { status: string; invtNo: string | null; documentId: string | null }[];
  };
  assert.deepEqual(
    body.messages.map((m) => m.messageType),
    ['CEB603'],
  );
  assert.equal(body.declared, 1);
  assert.match(body.items[0]!.invtNo ?? '', /^4006\d{4}E\d{9}$/);
  const stored = (
    await call('seller', { method: 'GET', url: `/api/v1/inventory-drafts/${draftOf('G-0001').id}` })
  ).json() as InventoryDraft;
  assert.equal(stored.status, 'declared');
  assert.ok(stored.documentId);
  const order = (await call('seller', { method: 'GET', url: `/api/v1/sales-orders/${ids['G-0001']}` })).json() as SalesOrder;
  assert.equal(order.status, 'declared');
  // declared: no more edits, no second declaration
  assert.equal(
    (await call('broker', { method: 'PATCH', url: `/api/v1/inventory-drafts/${stored.id}`, payload: { grossWeight: '2' } }))
      .statusCode,
    409,
  );
  assert.equal(
    (await call('broker', { method: 'POST', url: '/api/v1/inventory-drafts/declare', payload: { ids: [stored.id] } })).statusCode,
    409,
  );
});

test('declare (real clearance intake): an order no platform declared goes as CEB303 from the seller, then CEB603 from the broker', async () => {
  const ids2 = [draftOf('G-0002').id, draftOf('8123456789002').id];
  const res = await call('broker', { method: 'POST', url: '/api/v1/inventory-drafts/declare', payload: { ids: ids2 } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { declared: number; messages: { messageType: string; accepted: number }[] };
  assert.deepEqual(
    body.messages.map((m) => `${m.messageType}:${m.accepted}`),
    ['CEB303:2', 'CEB603:2'],
  );
  assert.equal(body.declared, 2);
});

test('orders pushed by API pass the same checks as a file, with per-row errors', async () => {
  const order = (orderNo: string, itemNo: string) => ({
    orderNo,
    currency: 'USD',
    buyerCountry: 'USA',
    buyerName: 'Jane Doe',
    lines: [{ itemNo, itemName: '青花瓷碗', qty: 2, price: '21.5' }],
  });
  const bad = await call('seller', {
    method: 'POST',
    url: '/api/v1/sales-orders',
    payload: { platformCode: PLATFORM, orders: [order('API-0001', 'QHC-BOWL-01'), order('API-0002', 'NOT-FILED')] },
  });
  assert.equal(bad.statusCode, 400, bad.body);
  const errors = (bad.json() as { errors: { row: number; column: string; rule: string }[] }).errors;
  assert.deepEqual(
    errors.map((e) => `${e.row}:${e.column}:${e.rule}`),
    ['3:itemNo:productNotFiled'],
  );
  const before = await count('sales_order');
  const ok = await call('seller', {
    method: 'POST',
    url: '/api/v1/sales-orders',
    payload: { platformCode: PLATFORM, orders: [order('API-0001', 'QHC-BOWL-01')] },
  });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(await count('sales_order'), before + 1);
  const stored = await sql<{ marketplace: string }>`select marketplace from sales_order where order_no = 'API-0001'`.execute(
    conn.db,
  );
  assert.equal(stored.rows[0]!.marketplace, 'api');
});

/** Complete orders pushed by the seller (waybill and weights given), built into drafts for `agentCode` (the seller itself when absent). */
async function completeDrafts(orderNos: string[], agentCode?: string): Promise<InventoryDraft[]> {
  const pushed = await call('seller', {
    method: 'POST',
    url: '/api/v1/sales-orders',
    payload: {
      platformCode: PLATFORM,
      orders: orderNos.map((orderNo, i) => ({
        orderNo,
        currency: 'CNY',
        buyerCountry: 'USA',
        buyerName: 'Jane Doe',
        trackingNo: `EA7${String(i + 1).padStart(8, '0')}${orderNo.slice(0, 1)}N`,
        grossWeight: '1.2',
        netWeight: '1',
        lines: [{ itemNo: 'QHC-BOWL-01', itemName: '青花瓷碗', qty: 2, price: '150' }],
      })),
    },
  });
  assert.equal(pushed.statusCode, 201, pushed.body);
  const built = await call('seller', {
    method: 'POST',
    url: '/api/v1/orders/build-inventories',
    payload: {
      orderIds: (pushed.json() as ImportResult).orders.map((o) => o.id),
      logisticsCode: CARRIER,
      ...(agentCode ? { agentCode } : {}),
    },
  });
  assert.equal(built.statusCode, 200, built.body);
  const body = built.json() as { complete: number; drafts: InventoryDraft[] };
  assert.equal(body.complete, orderNos.length, JSON.stringify(body.drafts.map((d) => d.problems)));
  return body.drafts;
}

test('declare (real clearance intake): a seller declares its own drafts in bulk, as its own agent, and the inventories are accepted', async () => {
  const own = await completeDrafts(['S-0001', 'S-0002']);
  const seller = await sql<{ id: string }>`select id from organisation where customs_code = ${SELLER}`.execute(conn.db);
  const sellerId = seller.rows[0]!.id;
  for (const d of own) {
    assert.equal(d.agentOrgId, sellerId, 'the seller is the declaring agent');
    assert.equal(d.head.agentCode, SELLER);
  }
  const res = await call('seller', {
    method: 'POST',
    url: '/api/v1/inventory-drafts/declare',
    payload: { ids: own.map((d) => d.id) },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as {
    declared: number;
    messages: { messageType: string; accepted: number; rejected: number }[];
    items: { id: string; status: string; documentId: string | null; invtNo: string | null; returnStatus: string | null }[];
  };
  assert.deepEqual(
    body.messages.map((m) => `${m.messageType}:${m.accepted}:${m.rejected}`),
    ['CEB303:2:0', 'CEB603:2:0'],
  );
  assert.equal(body.declared, 2);
  for (const i of body.items) {
    assert.equal(i.status, 'declared');
    assert.equal(i.returnStatus, '2');
    assert.match(i.invtNo ?? '', /^4006\d{4}E\d{9}$/);
  }
  // Stored by clearance as the seller's: its CEB303 orders and CEB603 inventories, the seller the
  // sender and the declaring agent, each inventory accepted (2) with its CEB604 to the seller.
  const docs = await sql<{
    kind: string;
    order_no: string;
    status: string;
    live: boolean;
    sender: string;
    agent: string | null;
    inventory_agent: string | null;
    invt_no: string | null;
  }>`
    select d.kind, d.head->>'orderNo' as order_no, d.status, d.live, o.customs_code as sender,
      d.head->>'agentCode' as agent, i.agent_code as inventory_agent, i.invt_no
    from clr_document d join organisation o on o.id = d.sender_org_id left join clr_inventory i on i.document_id = d.id
    where d.head->>'orderNo' in ('S-0001', 'S-0002') order by d.kind, order_no`.execute(conn.db);
  const invtNos = new Map(body.items.map((i) => [own.find((d) => d.id === i.id)!.orderNo, i.invtNo]));
  assert.deepEqual(docs.rows, [
    ...['S-0001', 'S-0002'].map((n) => ({
      kind: 'inventory',
      order_no: n,
      status: '2',
      live: true,
      sender: SELLER,
      agent: SELLER,
      inventory_agent: SELLER,
      invt_no: invtNos.get(n),
    })),
    ...['S-0001', 'S-0002'].map((n) => ({
      kind: 'order',
      order_no: n,
      status: '2',
      live: true,
      sender: SELLER,
      agent: null,
      inventory_agent: null,
      invt_no: null,
    })),
  ]);
  const receipts = await sql<{ recipient: string; return_status: string }>`
    select o.customs_code as recipient, r.return_status from clr_receipt r join organisation o on o.id = r.recipient_org_id
    where r.message_type = 'CEB604' and r.document_id = any(${body.items.map((i) => i.documentId)}::uuid[])`.execute(conn.db);
  assert.deepEqual(
    receipts.rows.map((r) => `${r.recipient}:${r.return_status}`),
    [`${SELLER}:2`, `${SELLER}:2`],
  );
  const stored = await sql<{ status: string; document_id: string | null }>`
    select status, document_id from inventory_draft where id = any(${own.map((d) => d.id)}::uuid[]) order by order_no`.execute(
    conn.db,
  );
  assert.deepEqual(
    stored.rows,
    ['S-0001', 'S-0002'].map((n) => ({
      status: 'declared',
      document_id: body.items.find((i) => own.find((d) => d.id === i.id)!.orderNo === n)!.documentId,
    })),
  );
});

test('the CEB303 and CEB603 bulk declare builds from drafts validate against the official XSD', async (ctx) => {
  const drafts = await completeDrafts(['V-0001', 'V-0002'], BROKER);
  // The same declare service, its messages taken on their way to clearance: each goes on as CEB
  // XML to the real intake under its sender's log-in, so what is checked is what was accepted.
  const userOf: Record<string, string> = { [SELLER]: 'seller', [BROKER]: 'broker' };
  const principalOf = async (code: string) => (await tp.platform.auth.authenticate(await tokenOf(userOf[code]!)))!;
  const sent: CebMessage[] = [];
  const port: DeclarePort = {
    async submit(p, message) {
      sent.push(message);
      const res = await call(userOf[p.organisation!.code!]!, {
        method: 'POST',
        url: '/api/v1/ceb',
        headers: { 'content-type': 'application/xml' },
        payload: encodeCeb(message),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { accepted: number; rejected: number; entities: DeclaredEntity[] };
    },
    async asOrganisation(orgId) {
      const o = await sql<{ code: string }>`select customs_code as code from organisation where id = ${orgId}`.execute(conn.db);
      return principalOf(o.rows[0]!.code);
    },
    requireUnsignedAllowed: async () => undefined,
    async declaredOrders(keys) {
      const r = await sql<{ key: string }>`
        select business_key as key from clr_document where kind = 'order' and live and business_key = any(${keys}::text[])`.execute(
        conn.db,
      );
      return new Set(r.rows.map((x) => x.key));
    },
  };
  const service = createDraftsService({ db: conn.db, clock, audit: tp.platform.audit, declare: port });
  const result = await service.declare(
    await principalOf(BROKER),
    drafts.map((d) => d.id),
  );
  assert.deepEqual(
    result.messages.map((m) => `${m.messageType}:${m.accepted}:${m.rejected}`),
    ['CEB303:2:0', 'CEB603:2:0'],
  );
  assert.deepEqual(
    sent.map((m) => `${m.messageType}:${m.baseTransfer?.copCode}:${m.entities.length}`),
    [`CEB303:${SELLER}:2`, `CEB603:${BROKER}:2`],
  );
  const xml = sent.map((m) => ({ name: `bulk-declare-${m.messageType}`, xml: encodeCeb(m) }));
  // what the encoder wrote decodes to the message the service built
  for (const [i, m] of sent.entries()) assert.deepEqual(decodeCeb(xml[i]!.xml).message.entities, m.entities, m.messageType);
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid(xml);
});
