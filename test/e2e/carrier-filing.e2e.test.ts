/**
 * Browser test of the site documents filed from the web (issue 3, point 9: "carrier/warehouse —
 * arrivals, bills, departures"): three of the seller's parcels are declared and decided (399); the
 * warehouse operator files the arrival (CEB507) on the arrivals page — first with a customs office
 * that does not exist, which the server's problem+json marks at the field; the broker files the
 * total-sub bill (CEB607) from the inventories waiting for release — a bad scan line is marked at
 * its row; the carrier files the departure (CEB509) from that bill; the seller sees both parcels
 * closed (899) and cancels (CEB605) the third, not departed, and sees the cancellation receipt.
 *
 *   npm run build:web && node --import tsx --test test/e2e/carrier-filing.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { declareParcel, inventoryStatuses } from '../support/clearance.ts';
import { guidOf, makeParcel, PARTIES } from '../support/parcels.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { loginAs, RESULTS, withBrowser, expectContains, eventually } from '../support/browser.ts';

const WAIT_MS = 15_000;
const RUN = 'CF';
const BILL_NO = 'CF-784-00000001';

/** Waits until the element's data-status is one of `expected`. */
async function expectStatus(locator: Locator, expected: string[], what: string, ms = WAIT_MS): Promise<string> {
  const deadline = Date.now() + ms;
  let actual: string | null = null;
  while (Date.now() < deadline) {
    actual = (await locator.count()) === 1 ? await locator.getAttribute('data-status') : null;
    if (actual !== null && expected.includes(actual)) return actual;
    await new Promise((r) => setTimeout(r, 150));
  }
  return assert.fail(`${what}: expected status ${expected.join(' or ')}, got ${actual ?? 'no single element'}`);
}

/** The error text under the form item holding the input with this test id. */
function fieldError(page: Page, inputTestId: string): Locator {
  return page.locator('.ant-form-item', { has: page.getByTestId(inputTestId) }).locator('.ant-form-item-explain');
}

async function openMenu(page: Page, key: string, titleTestId: string): Promise<void> {
  await page.getByTestId(`menu-${key}`).click();
  await page.getByTestId(titleTestId).waitFor({ timeout: WAIT_MS });
}

/** Runs the pipeline (outbox) and the receipt sequencer until nothing is left. */
async function settle(tp: TestPlatform): Promise<void> {
  for (let i = 0; i < 5; i++) await tp.platform.settle();
}

void test(
  'site filing from the web: arrival, total-sub bill, departure close a parcel; the seller cancels another',
  { timeout: 300_000 },
  async (t) => {
    await withBrowser(t, async (page, tp) => {
      const { baseUrl } = tp;

      // The seller's three parcels: order (platform), waybill (carrier), inventory (broker); decided.
      const tokens: Record<string, string> = {};
      for (const u of ['platform', 'carrier', 'broker']) tokens[u] = await apiLogin(tp.platform, u);
      const [p1, p2, p3] = [makeParcel(1, RUN), makeParcel(2, RUN), makeParcel(3, RUN)];
      let g = 0;
      const nextGuid = () => guidOf(9900, ++g);
      const invtNo: Record<string, string> = {};
      for (const p of [p1, p2, p3]) {
        const out = await declareParcel(tp, tokens, p, nextGuid);
        invtNo[p.orderNo] = out.invtNo ?? '';
      }
      await settle(tp);
      for (const p of [p1, p2, p3]) assert.deepEqual(await inventoryStatuses(tp, p), ['399'], `${p.orderNo} decided`);
      const shipped = [p1, p2];

      // 1. The warehouse operator files the arrival on the arrivals page; a wrong office first.
      await loginAs(page, baseUrl, 'warehouse');
      await openMenu(page, 'arrivals', 'arrivals-title');
      await page.getByTestId('arrival-filing').waitFor({ timeout: WAIT_MS });
      assert.equal(
        await page.getByTestId('arrival-customsCode').inputValue(),
        '4006',
        'customs office defaults to the jurisdiction',
      );
      await page.getByTestId('arrival-customsCode').fill('9999');
      await page.getByTestId('arrival-domesticTrafNo').fill('赣A12345');
      await page.getByTestId('arrival-billNo').fill(BILL_NO);
      await page.getByTestId('arrival-logisticsCode').fill(PARTIES.carrier.code);
      await page.getByTestId('arrival-logisticsName').fill(PARTIES.carrier.name);
      // scans end with Enter, one per line
      const scanBox = page.getByTestId('arrival-parcels');
      for (const p of shipped) {
        await scanBox.pressSequentially(p.logisticsNo);
        await scanBox.press('Enter');
      }
      await expectContains(page.getByTestId('arrival-parcels-count'), '共 2 票', 'two scans counted');
      await page.getByTestId('arrival-submit').click();
      await page.getByTestId('arrival-error').waitFor({ timeout: WAIT_MS });
      await expectContains(
        fieldError(page, 'arrival-customsCode'),
        '不是有效的关区代码',
        'server problem shown at the customs office field',
      );
      await page.screenshot({ path: join(RESULTS, 'carrier-filing-arrival-field-error.png'), fullPage: true });
      assert.equal(await page.getByTestId('arrival-accepted').count(), 0, 'nothing accepted');

      await page.getByTestId('arrival-customsCode').fill('4006');
      await page.getByTestId('arrival-submit').click();
      await page.getByTestId('arrival-accepted').waitFor({ timeout: WAIT_MS });
      // The explanation leaves with antd's motion: gone once the animation ends.
      await eventually('field error cleared', async () => (await fieldError(page, 'arrival-customsCode').count()) === 0);
      await settle(tp);
      await expectStatus(page.getByTestId('arrival-status'), ['399'], 'arrival accepted by customs');
      await expectContains(page.getByTestId('arrival-receipts'), 'CEB508', 'arrival receipts shown');
      await expectStatus(page.getByTestId(`arrivals-status-${BILL_NO}`), ['399'], 'arrivals list refreshed');
      await page.screenshot({ path: join(RESULTS, 'carrier-filing-arrival.png'), fullPage: true });

      // 2. The broker files the total-sub bill from the inventories waiting for release; a bad scan line first.
      await loginAs(page, baseUrl, 'broker');
      await openMenu(page, 'consolidations', 'consolidations-title');
      await page.getByTestId('consolidation-filing').waitFor({ timeout: WAIT_MS });
      await page.getByTestId('consolidation-pick').click();
      for (const p of shipped) {
        const option = page.locator('.ant-select-item-option', { hasText: p.orderNo });
        await option.waitFor({ timeout: WAIT_MS });
        await option.click();
      }
      await page.keyboard.press('Escape');
      await expectContains(page.getByTestId('consolidation-parcels-count'), '共 2 票', 'picked parcels filled in');
      assert.equal(await page.getByTestId('consolidation-logisticsCode').inputValue(), PARTIES.carrier.code, 'carrier filled in');
      assert.ok(Number(await page.getByTestId('consolidation-grossWeight').inputValue()) > 0, 'gross weight filled in');
      await page.getByTestId('consolidation-billNo').fill(BILL_NO);
      await page.getByTestId('consolidation-trafName').fill('CA1234');
      await page.getByTestId('consolidation-voyageNo').fill('CA1234');
      const tooLong = `X${'9'.repeat(90)}`;
      await page.getByTestId('consolidation-parcels').fill([...shipped.map((p) => p.logisticsNo), tooLong].join('\n'));
      await page.getByTestId('consolidation-submit').click();
      await expectContains(fieldError(page, 'consolidation-parcels'), '第 3 行', 'server problem shown at the scan line');
      await page.screenshot({ path: join(RESULTS, 'carrier-filing-bill-row-error.png'), fullPage: true });
      await page.getByTestId('consolidation-parcels').fill(shipped.map((p) => p.logisticsNo).join('\n'));
      await page.getByTestId('consolidation-submit').click();
      await page.getByTestId('consolidation-accepted').waitFor({ timeout: WAIT_MS });
      await settle(tp);
      await expectStatus(page.getByTestId('consolidation-status'), ['399', '800'], 'bill accepted by customs');
      await expectContains(page.getByTestId('consolidation-receipts'), 'CEB608', 'bill receipts shown');
      for (const p of shipped) assert.deepEqual(await inventoryStatuses(tp, p), ['800'], `${p.orderNo} released`);
      await page.getByTestId(`consolidations-status-${BILL_NO}`).waitFor({ timeout: WAIT_MS });

      // 3. The carrier files the departure from that bill.
      await loginAs(page, baseUrl, 'carrier');
      await openMenu(page, 'departures', 'departures-title');
      await page.getByTestId('departure-filing').waitFor({ timeout: WAIT_MS });
      await page.getByTestId('departure-pick').click();
      const bill = page.locator('.ant-select-item-option', { hasText: BILL_NO });
      await bill.waitFor({ timeout: WAIT_MS });
      await bill.click();
      await expectContains(page.getByTestId('departure-parcels-count'), '共 2 票', 'bill parcels filled in');
      assert.equal(await page.getByTestId('departure-billNo').inputValue(), BILL_NO);
      assert.equal(await page.getByTestId('departure-voyageNo').inputValue(), 'CA1234');
      assert.match(await page.getByTestId('departure-leaveTime').inputValue(), /^\d{14}$/);
      await page.getByTestId('departure-submit').click();
      await page.getByTestId('departure-accepted').waitFor({ timeout: WAIT_MS });
      await settle(tp);
      await expectStatus(page.getByTestId('departure-status'), ['399'], 'departure accepted by customs');
      await expectContains(page.getByTestId('departure-receipts'), 'CEB510', 'departure receipts shown');
      // the list follows the receipts without a reload
      await expectStatus(page.getByTestId(`departures-status-${BILL_NO}`), ['399'], 'departures list refreshed');
      await page.screenshot({ path: join(RESULTS, 'carrier-filing-departure.png'), fullPage: true });

      // 4. The seller sees both parcels closed, and cancels the third (not departed).
      await loginAs(page, baseUrl, 'seller');
      await openMenu(page, 'parcels', 'parcels-title');
      for (const p of shipped) {
        await expectContains(page.getByTestId(`parcels-status-${p.orderNo}`), '899 结关', `seller: ${p.orderNo} closed`);
        assert.equal(await page.getByTestId(`parcels-cancel-${p.orderNo}`).count(), 0, 'a departed parcel offers no cancel');
      }
      await page.getByTestId(`parcels-cancel-${p3.orderNo}`).click();
      await page.getByTestId('cancel-reason').waitFor({ timeout: WAIT_MS });
      await expectContains(page.locator('.ant-modal-title'), invtNo[p3.orderNo]!, 'dialog names the inventory');
      await page.getByTestId('cancel-submit').click();
      await expectContains(fieldError(page, 'cancel-reason'), '', 'reason required');
      await page.getByTestId('cancel-reason').fill('买家取消订单');
      await page.getByTestId('cancel-submit').click();
      await page.getByTestId('cancel-accepted').waitFor({ timeout: WAIT_MS });
      await settle(tp);
      await expectStatus(page.getByTestId('cancel-status'), ['399'], 'cancellation accepted by customs');
      await expectContains(page.getByTestId('cancel-receipts'), '已撤销', 'cancellation receipt shown');
      await expectContains(page.getByTestId('cancel-receipts'), 'CEB606', 'cancellation receipt is a CEB606');
      await page.screenshot({ path: join(RESULTS, 'carrier-filing-cancelled.png'), fullPage: true });
      await page.getByTestId('cancel-close').click();
      await expectStatus(page.getByTestId(`parcels-status-${p3.orderNo}`), ['cancelled'], 'seller: parcel cancelled', 20_000);
      assert.deepEqual(await inventoryStatuses(tp, p3), ['cancelled']);
      for (const p of shipped) assert.deepEqual(await inventoryStatuses(tp, p), ['899'], `${p.orderNo} closed`);
    });
  },
);
