/**
 * Browser test of the carrier's and the overseas provider's desks (issue 7): the carrier adds a
 * service with its destination countries; the provider receives a consignment and ships the
 * retail order the seller reserved from that stock.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/issue7-desks.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { sql } from 'kysely';
import { closeParcels } from '../support/clearance.ts';
import { makeParcel, PARTIES } from '../support/parcels.ts';
import { login as apiLogin } from '../support/platform.ts';
import { withBrowser, eventually, firstText } from '../support/browser.ts';

const text = firstText;

async function logIn(page: Page, baseUrl: string, user: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('cbec-demo');
  await page.getByTestId('login-submit').click();
  await eventually(`${user} logged in`, async () => !page.url().includes('/login'));
}

async function pick(page: Page, within: Locator, option: RegExp | string): Promise<void> {
  await within.locator('.ant-select').first().click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

test("carrier services page; overseas provider: consignment in, the seller's retail order shipped", async (t) => {
  await withBrowser(t, async (page, tp) => {
    await logIn(page, tp.baseUrl, 'carrier');
    await page.goto(`${tp.baseUrl}/logistics/services`);
    await eventually('carrier page', async () => (await text(page.getByTestId('carrier-title'))).length > 0);
    await page.getByTestId('carrier-code').fill('E2E-RA');
    await page.getByTestId('carrier-name').fill('E2E 航空挂号');
    await page.getByTestId('carrier-countries').fill('us, gb');
    await page.getByTestId('carrier-save').click();
    const services = page.getByTestId('carrier-services');
    await eventually('the service is listed with its routes', async () => {
      const s = await text(services);
      return s.includes('E2E-RA') && s.includes('US') && s.includes('GB');
    });

    // The export to the overseas warehouse is a 9810 inventory customs released: the provider names
    // it, and the platform checks it and takes the release time from customs.
    const exported = makeParcel(1, 'OVE2E');
    exported.inventory.head.tradeMode = '9810';
    const senders: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) senders[u] = await apiLogin(tp.platform, u);
    await closeParcels(tp, senders, [exported], 1, 'OVE2E');
    const invtNo = (
      await sql<{
        invt_no: string;
      }>`select invt_no from clr_inventory where order_key = ${`${PARTIES.platform.code}|${exported.orderNo}`}`.execute(
        tp.platform.database.db,
      )
    ).rows[0]!.invt_no;

    await logIn(page, tp.baseUrl, 'overseas');
    await page.goto(`${tp.baseUrl}/overseas/provider`);
    const form = page.getByTestId('consignment-form');
    await eventually('provider page', async () => (await form.count()) === 1);
    await pick(page, form, /·/);
    await page.getByTestId('consignment-seller').fill(PARTIES.seller.code);
    await page.getByTestId('consignment-declaration').fill(invtNo);
    await page.getByTestId('consignment-lines').fill('QHC-VASE-02 3');
    await page.getByTestId('consignment-submit').click();
    await eventually('consignment received', async () => (await page.getByTestId('consignment-lines').inputValue()) === '');

    // the seller's shop abroad sells three: the seller reserves them against its stock (API)
    const token = await apiLogin(tp.platform, 'seller');
    const stock = await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/overseas/stock',
      headers: { authorization: `Bearer ${token}` },
    });
    const warehouseId = (stock.json() as { warehouseId: string; sku: string }[]).find(
      (b) => b.sku === 'QHC-VASE-02',
    )!.warehouseId;
    const sale = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/overseas/sales',
      headers: { authorization: `Bearer ${token}` },
      payload: { warehouseId, orderNo: 'E2E-ORDER-1', lines: [{ sku: 'QHC-VASE-02', qty: 3 }] },
    });
    assert.equal(sale.statusCode, 201, sale.body);
    await page.getByRole('tab').nth(1).click();
    const sales = page.getByTestId('sales-table');
    await eventually('the order is reserved against the declaration', async () => {
      const s = await text(sales);
      return s.includes('E2E-ORDER-1') && s.includes(invtNo) && s.includes('reserved');
    });
    await page.getByTestId('ship-E2E-ORDER-1').click();
    await eventually('shipped', async () => (await text(sales)).includes('shipped'));
  });
});
