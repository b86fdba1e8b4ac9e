/**
 * Browser test of product traceability (issue 8 audit): the seller makes a trace code with a name
 * in the buyer's language, records links of its chain by naming parcels (the supervision centre's
 * receipt, customs' departure) and prints the batch's label sheet; a customs officer records a
 * failed inspection on the trace-inspection screen; the buyer's page shows it failed, in French.
 *
 *   npm run build:web && node --import tsx --test test/e2e/trace.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { closeParcels } from '../support/clearance.ts';
import { makeParcel, PARTIES } from '../support/parcels.ts';
import { login as apiLogin } from '../support/platform.ts';
import { chooseOption, expectContains, loginAs, RESULTS, withBrowser } from '../support/browser.ts';

const WAIT_MS = 15_000;
const product = DEMO_PRODUCTS.find((p) => p.ebcCode === PARTIES.seller.code)!;

/** Picks an option of the form's first select (Ant Design renders the options in a pop-up). */
async function choose(page: Page, formTestId: string, option: string): Promise<void> {
  await chooseOption(page, page.getByTestId(formTestId).locator('.ant-select').first(), option);
}

test('the seller records the chain and prints labels in the UI; customs records a failed inspection; the buyer sees it failed', async (t) => {
  await withBrowser(t, async (page, tp) => {
    // a parcel of this product that customs closed (899), received at the supervision centre
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await apiLogin(tp.platform, u);
    const parcel = makeParcel(1, 'ETR');
    await closeParcels(tp, tokens, [parcel], 1, 'ETR');
    const received = await fetch(`${tp.baseUrl}/api/v1/warehouse/receive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.warehouse}`, 'content-type': 'application/json' },
      body: JSON.stringify({ logisticsNo: parcel.logisticsNo }),
    });
    assert.equal(received.status, 200, await received.text());

    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-trace').click();
    await page.getByTestId('trace-title').waitFor({ timeout: WAIT_MS });
    // no trusted proxy in the test set-up: the page says scans' countries are unknown
    await page.getByTestId('trace-geo-unknown').waitFor({ timeout: WAIT_MS });

    // a unit code with its French name
    await page.getByTestId('trace-item-no').fill(product.itemNo);
    await page.getByTestId('trace-batch-no').fill('E2E-TRACE-1');
    await page.getByTestId('trace-producer').fill('景德镇市 浮梁县 青花窑');
    await page.getByTestId('trace-name-add').click();
    await chooseOption(page, page.getByTestId('trace-name-lang-0'), 'Français');
    await page.getByTestId('trace-name-0').fill('Bol en porcelaine bleu et blanc');
    await page.getByTestId('trace-create').click();
    const row = page.getByTestId('trace-codes').locator('tbody tr').filter({ hasText: 'E2E-TRACE-1' }).first();
    await row.waitFor({ timeout: WAIT_MS });
    await expectContains(row, 'fr: Bol en porcelaine bleu et blanc', 'the row shows the French name');
    const code = ((await row.locator('td').first().textContent()) ?? '').trim();
    assert.match(code, /^T[0-9A-Z]{15}$/);

    // links through the drawer's form: the centre's receipt, then customs' departure, by waybill number
    await page.getByTestId(`trace-open-${code}`).click();
    await page.getByTestId('trace-event-form').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('trace-event-logistics-no').fill(parcel.logisticsNo);
    await page.getByTestId('trace-event-submit').click();
    const chain = page.getByTestId('trace-chain-table');
    await expectContains(chain, '监管中心入库', 'the receipt is on the chain');
    await expectContains(chain, PARTIES.warehouse.name, "the centre's name, from its record");
    await choose(page, 'trace-event-form', '离境');
    await page.getByTestId('trace-event-logistics-no').fill(parcel.logisticsNo);
    await page.getByTestId('trace-event-submit').click();
    await expectContains(chain, '离境', 'the departure is on the chain');
    await expectContains(chain, '海关', 'taken from customs');
    await page.screenshot({ path: join(RESULTS, 'trace-seller-chain.png'), fullPage: true });

    // the batch's label sheet prints every code of the batch as a QR label
    const sheet = await page.request.get(`${tp.baseUrl}/api/v1/trace/labels?batchNo=E2E-TRACE-1&itemNo=${product.itemNo}`);
    assert.equal(sheet.status(), 200);
    await page.goto(`${tp.baseUrl}/api/v1/trace/labels?batchNo=E2E-TRACE-1&itemNo=${product.itemNo}`);
    await page.getByTestId('trace-label-sheet').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('trace-label').count(), 1);
    assert.equal(await page.locator('[data-testid="trace-label"] svg').count(), 1);
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(RESULTS, 'trace-labels-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // customs records a failed inspection on its own screen
    await loginAs(page, tp.baseUrl, 'customs');
    await page.getByTestId('menu-trace-inspection').click();
    await page.getByTestId('trace-inspection-title').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('trace-inspection-code').locator('input').fill(code);
    await page.getByTestId('trace-inspection-code').locator('input').press('Enter');
    await page.getByTestId('trace-inspection-detail').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('trace-inspection-result').getByText('不合格').click();
    await page.getByTestId('trace-inspection-note').fill('釉面铅溶出量超标');
    await page.getByTestId('trace-inspection-submit').click();
    await expectContains(page.getByTestId('trace-inspection-state'), '不合格', 'the code is marked failed');
    await expectContains(page.getByTestId('trace-chain-table'), '釉面铅溶出量超标', 'the finding is on the chain');

    // the buyer's page, in French: the name, and the inspection failed
    await page.context().clearCookies();
    await page.goto(`${tp.baseUrl}/t/${code}?lang=fr`);
    await page.getByTestId('trace-chain').waitFor({ timeout: WAIT_MS });
    assert.equal(
      (await page.getByTestId('trace-product').locator('span').first().textContent())?.trim(),
      'Bol en porcelaine bleu et blanc',
    );
    assert.equal((await page.getByTestId('trace-inspected').textContent())?.trim(), 'Inspecté: ✘ non conforme');
    const links = (await page.getByTestId('trace-chain').textContent()) ?? '';
    for (const step of [
      'Reçu en entrepôt',
      'A quitté la Chine',
      'Résultat de l’inspection',
      '✘ non conforme',
      '釉面铅溶出量超标',
    ])
      assert.ok(links.includes(step), `chain shows "${step}": ${links}`);
    await page.screenshot({ path: join(RESULTS, 'trace-buyer-failed.png'), fullPage: true });
  });
});
