/**
 * Browser test of the seller's overseas desk and the overseas service points (issue 7): the seller
 * sees its overseas stock, places a retail order from it, sees the order in its sales list and the
 * stock reserved, then out once the provider ships; it cancels a second order and reads the SKU's
 * movements. An SME sends a service request and follows its status. The provider registers, edits
 * and retires a service point on its desk.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/overseas-seller.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { closeParcels } from '../support/clearance.ts';
import { parcelDocuments, PARTIES } from '../support/parcels.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { chooseOption, eventually, firstText, loginAs, RESULTS, withBrowser } from '../support/browser.ts';

const VASE = 'QHC-VASE-02';
const text = firstText;

/** A released 9810 export of five vases received into the demo overseas warehouse (LAX-DEMO), by API. */
async function vasesAbroad(tp: TestPlatform): Promise<{ invtNo: string }> {
  const p = parcelDocuments(1, 'OVSE2E', {
    platform: PARTIES.platform,
    seller: PARTIES.seller,
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: [{ p: DEMO_PRODUCTS.find((x) => x.itemNo === VASE)!, qty: 5 }],
    country: '502',
    goodsInfo: '青花瓷器 porcelain',
  });
  p.inventory.head.tradeMode = '9810';
  const senders: Record<string, string> = {};
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) senders[u] = await apiLogin(tp.platform, u);
  await closeParcels(tp, senders, [p], 1, 'OVSE2E');
  const invtNo = (
    await sql<{
      invt_no: string;
    }>`select invt_no from clr_inventory where order_key = ${`${PARTIES.platform.code}|${p.orderNo}`}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.invt_no;
  const token = await apiLogin(tp.platform, 'overseas');
  const auth = { authorization: `Bearer ${token}` };
  const warehouses = await tp.platform.app.inject({ method: 'GET', url: '/api/v1/overseas/warehouses', headers: auth });
  const warehouseId = (warehouses.json() as { id: string; code: string }[]).find((w) => w.code === 'LAX-DEMO')!.id;
  const c = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/overseas/consignments',
    headers: auth,
    payload: {
      warehouseId,
      sellerCode: PARTIES.seller.code,
      declarationNo: invtNo,
      tradeMode: '9810',
      lines: [{ sku: VASE, qty: 5 }],
    },
  });
  assert.equal(c.statusCode, 201, c.body);
  return { invtNo };
}

/** The ledger row of a SKU as the page shows it: [in, reserved, out, returned, toChina, available]. */
async function ledgerRow(page: Page, sku: string): Promise<number[]> {
  const row = page.getByTestId('overseas-stock').locator('tbody tr', { hasText: sku });
  if ((await row.count()) !== 1) return [];
  const cells = await row.locator('td').allTextContents();
  return cells.slice(2, 8).map(Number);
}

const stored = async (tp: TestPlatform) =>
  (
    await sql<{
      qty_in: number;
      qty_reserved: number;
      qty_out: number;
    }>`select qty_in, qty_reserved, qty_out from ovs_stock where sku = ${VASE}`.execute(tp.platform.database.db)
  ).rows[0];
const saleStatus = async (tp: TestPlatform, orderNo: string) =>
  (
    await sql<{ status: string }>`select status from ovs_sale where order_no = ${orderNo}`.execute(tp.platform.database.db)
  ).rows.map((r) => r.status);

/** Places a retail order through the form: warehouse, order number, one SKU line. */
async function placeOrder(page: Page, orderNo: string, qty: number): Promise<void> {
  await chooseOption(page, page.getByTestId('sale-warehouse'), 'LAX-DEMO');
  await page.getByTestId('sale-order-no').fill(orderNo);
  await chooseOption(page, page.getByTestId('sale-sku-0'), VASE);
  await page.getByTestId('sale-qty-0').fill(String(qty));
  await page.getByTestId('sale-submit').click();
}

test('seller: overseas stock, a retail order reserved then shipped, another cancelled; SME service request status', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const { invtNo } = await vasesAbroad(tp);

    await loginAs(page, tp.baseUrl, 'seller');
    await page.goto(`${tp.baseUrl}/overseas/stock`);
    await eventually('the seller sees its five vases abroad', async () => {
      const r = await ledgerRow(page, VASE);
      return r.join() === [5, 0, 0, 0, 0, 5].join();
    });

    // a retail order of two: reserved against the stock, listed with its export declaration
    await placeOrder(page, 'E2E-RETAIL-1', 2);
    const sales = page.getByTestId('seller-sales');
    await eventually('the order is listed, reserved, with its declaration', async () => {
      const s = await text(sales);
      return s.includes('E2E-RETAIL-1') && s.includes(invtNo) && s.includes('已锁定');
    });
    await eventually('the ledger shows two reserved', async () => (await ledgerRow(page, VASE)).join() === '5,2,0,0,0,3');
    assert.deepEqual(await stored(tp), { qty_in: 5, qty_reserved: 2, qty_out: 0 });
    assert.deepEqual(await saleStatus(tp, 'E2E-RETAIL-1'), ['reserved']);

    // the provider ships it (API): the seller sees it shipped and the units out
    const token = await apiLogin(tp.platform, 'overseas');
    const id = (
      await sql<{ id: string }>`select id from ovs_sale where order_no = 'E2E-RETAIL-1'`.execute(tp.platform.database.db)
    ).rows[0]!.id;
    const ship = await tp.platform.app.inject({
      method: 'POST',
      url: `/api/v1/overseas/sales/${id}/ship`,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ship.statusCode, 200, ship.body);
    await page.reload();
    await eventually('shipped: two out', async () => (await ledgerRow(page, VASE)).join() === '5,0,2,0,0,3');
    await eventually('listed as shipped', async () =>
      (await text(page.getByTestId('sale-status-E2E-RETAIL-1'))).includes('已发货'),
    );

    // a second order, cancelled from the list: its unit is free again
    await placeOrder(page, 'E2E-RETAIL-2', 1);
    await eventually('second order reserved', async () => (await ledgerRow(page, VASE)).join() === '5,1,2,0,0,2');
    await eventually('cancelled from the list', async () => {
      if ((await saleStatus(tp, 'E2E-RETAIL-2'))[0] === 'cancelled') return true;
      await page
        .getByTestId('seller-cancel-E2E-RETAIL-2')
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await page
        .locator('.ant-popconfirm:visible .ant-btn-primary')
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      return (await saleStatus(tp, 'E2E-RETAIL-2'))[0] === 'cancelled';
    });
    await eventually('the ledger frees it', async () => (await ledgerRow(page, VASE)).join() === '5,0,2,0,0,3');
    assert.deepEqual(await stored(tp), { qty_in: 5, qty_reserved: 0, qty_out: 2 });
    await eventually('listed as cancelled', async () =>
      (await text(page.getByTestId('sale-status-E2E-RETAIL-2'))).includes('已取消'),
    );

    // the SKU's movements: in, reserve, out, reserve, release — each with its declaration
    await page.getByTestId(`history-LAX-DEMO-${VASE}`).click();
    const movements = page.getByTestId('movements-table');
    await eventually('movement history', async () => {
      const m = await text(movements);
      return ['出口入仓', '订单锁定', '发货出库', '取消释放', 'E2E-RETAIL-1', 'E2E-RETAIL-2', invtNo].every((x) => m.includes(x));
    });
    assert.equal(await movements.locator('tbody tr.ant-table-row').count(), 5);
    await page.screenshot({ path: join(RESULTS, 'overseas-seller-movements.png') });
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(RESULTS, 'overseas-seller.png'), fullPage: true });

    // an SME asks the demo service point for customer service and follows the request
    await page.goto(`${tp.baseUrl}/overseas/service-points`);
    const pointId = (
      await sql<{ id: string }>`select id from ovs_point where name like '%Ganshang LA%'`.execute(tp.platform.database.db)
    ).rows[0]!.id;
    const service = page.getByTestId(`ask-service-${pointId}`);
    await service.waitFor({ timeout: 15_000 });
    await chooseOption(page, service, '客服');
    await page.getByTestId(`ask-${pointId}`).fill('美国站退货客服外包 returns desk for our US shop');
    await page.getByTestId(`ask-send-${pointId}`).click();
    const requests = page.getByTestId('requests-table');
    await eventually('the request is listed, open', async () => {
      const r = await text(requests);
      return r.includes('returns desk for our US shop') && r.includes('待处理');
    });
    const req = (
      await sql<{ id: string; service: string; status: string }>`select id, service, status from ovs_request`.execute(
        tp.platform.database.db,
      )
    ).rows;
    assert.deepEqual(
      req.map((r) => [r.service, r.status]),
      [['customer_service', 'open']],
    );
    const accepted = await tp.platform.app.inject({
      method: 'POST',
      url: `/api/v1/service-requests/${req[0]!.id}/answer`,
      headers: { authorization: `Bearer ${token}` },
      payload: { action: 'accept', reply: '明天联系您 we will call tomorrow' },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    await page.reload();
    await eventually('the SME sees it accepted, with the reply', async () => {
      const r = await text(requests);
      return r.includes('已受理') && r.includes('we will call tomorrow');
    });
  });
});

test('provider: registers, edits and retires a service point; the public directory follows', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const points = async () =>
      (
        await sql<{
          id: string;
          name: string;
          city: string;
          services: string[];
          active: boolean;
        }>`select id, name, city, services, active from ovs_point where name like 'E2E%' order by created_at`.execute(
          tp.platform.database.db,
        )
      ).rows;
    await loginAs(page, tp.baseUrl, 'overseas');
    await page.goto(`${tp.baseUrl}/overseas/provider`);
    await page.getByRole('tab', { name: '我的服务网点' }).click();
    await page.getByTestId('point-name').fill('E2E 多伦多服务站 Toronto point');
    await page.getByTestId('point-country').fill('ca');
    await page.getByTestId('point-city').fill('Toronto');
    await chooseOption(page, page.getByTestId('point-services'), '法律咨询');
    await page.getByTestId('point-contact').fill('to@example.com');
    await page.getByTestId('point-save').click();
    await eventually('registered', async () => (await points()).length === 1);
    const [p] = await points();
    assert.deepEqual([p!.city, p!.services, p!.active], ['Toronto', ['legal_consulting'], true]);
    await eventually('listed on the desk', async () => (await text(page.getByTestId('my-points'))).includes('Toronto'));

    await page.getByTestId(`point-edit-${p!.id}`).click();
    await eventually('the form holds the point', async () => (await page.getByTestId('point-city').inputValue()) === 'Toronto');
    await page.getByTestId('point-city').fill('Mississauga');
    await page.getByTestId('point-save').click();
    await eventually('edited', async () => (await points())[0]!.city === 'Mississauga');
    const directory = async () =>
      (
        (await tp.platform.app
          .inject({ method: 'GET', url: '/api/v1/public/service-points?country=CA' })
          .then((r) => r.json())) as {
          city: string;
        }[]
      ).map((x) => x.city);
    assert.deepEqual(await directory(), ['Mississauga']);

    await eventually('retired', async () => {
      if (!(await points())[0]!.active) return true;
      await page
        .getByTestId(`point-retire-${p!.id}`)
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await page
        .locator('.ant-popconfirm:visible .ant-btn-primary')
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      return !(await points())[0]!.active;
    });
    await eventually('shown retired', async () => (await text(page.getByTestId('my-points'))).includes('已停用'));
    await page.screenshot({ path: join(RESULTS, 'overseas-provider-points.png'), fullPage: true });
    await page.getByRole('tab', { name: '零售订单与退货' }).click();
    await page.getByTestId('return-add-row').click();
    await eventually('two return rows', async () => (await page.getByTestId('return-qty-1').count()) === 1);
    await page.screenshot({ path: join(RESULTS, 'overseas-provider-returns.png'), fullPage: true });
    assert.deepEqual(await directory(), [], 'out of the public directory');
  });
});
