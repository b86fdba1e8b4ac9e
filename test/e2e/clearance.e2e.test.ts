/**
 * Browser test of the clearance journey (issue 3, "Done when"): the seller imports an order
 * file and builds inventories naming its broker; the broker declares both in bulk; the carrier's
 * waybills arrive by API; the customs officer approves the parcel held for manual review with
 * order and waybill side by side; the broker's consolidation releases both parcels and the
 * carrier's departure closes them — the seller watches 放行 then 结关 on the parcel timeline.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/clearance.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CebEntity } from '../../src/ceb/index.ts';
import { makeParcel, PARTIES, siteMessages, type Parcel } from '../support/parcels.ts';
import { recordDeclaredInvtNos } from '../support/clearance.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { RESULTS, withBrowser, loginAs, expectContains } from '../support/browser.ts';

const WAIT_MS = 15_000;

const BOWL_ORDER = 'E2E-SO-0001';
const VASE_ORDER = 'E2E-SO-0002';
const BOWL_WAYBILL = 'EA100000001CN';
const VASE_WAYBILL = 'EA100000002CN';

/** The generic template's header and two orders: 2 bowls, and 70 vases (56,000 CNY: held for review). */
const ORDER_CSV = [
  '订单号/Order No,商品货号/SKU,商品名称/Item Name,数量/Qty,单价/Unit Price,总价/Line Total,币制/Currency,运费/Freight,保费/Insurance,买家姓名/Buyer Name,买家国家/Buyer Country,收货地址/Shipping Address,买家电话/Buyer Phone,物流单号/Tracking No,毛重(千克)/Gross Weight (kg),净重(千克)/Net Weight (kg)',
  `${BOWL_ORDER},QHC-BOWL-01,青花瓷碗 Blue-and-white bowl,2,150,300,CNY,35,0,Jane Doe,USA,"1 Main St, Springfield, IL 62701",+1-217-5550100,${BOWL_WAYBILL},1.6,1.4`,
  `${VASE_ORDER},QHC-VASE-02,青花瓷瓶 Blue-and-white vase,70,800,56000,CNY,35,0,John Roe,USA,"2 Oak Ave, Portland, OR 97201",+1-503-5550101,${VASE_WAYBILL},105,98`,
].join('\n');

async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT_MS });
}

async function openMenu(page: Page, key: string, titleTestId: string): Promise<void> {
  await page.getByTestId(`menu-${key}`).click();
  await page.getByTestId(titleTestId).waitFor({ timeout: WAIT_MS });
}

/** A JSON submission resource as the given user; asserts every entity was accepted. */
async function submitJson(tp: TestPlatform, username: string, resource: string, items: Record<string, unknown>[]): Promise<void> {
  const token = await apiLogin(tp.platform, username);
  const res = await fetch(`${tp.baseUrl}/api/v1/${resource}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  const body = (await res.json()) as { accepted?: number; rejected?: number };
  assert.equal(res.status, 200, `POST /api/v1/${resource}: ${JSON.stringify(body).slice(0, 800)}`);
  assert.equal(body.rejected, 0, `POST /api/v1/${resource}: ${JSON.stringify(body).slice(0, 800)}`);
}

/** A CEB entity in the JSON form: head fields, the list under "lines". */
const asItem = (e: CebEntity): Record<string, unknown> => ({ ...e.head, lines: Object.values(e.lists)[0] ?? [] });

/** Runs the clearance pipeline (outbox) until nothing is left. */
async function drain(tp: TestPlatform): Promise<void> {
  for (let i = 0; i < 20; i++) if ((await tp.platform.outbox.drain()) === 0) return;
}

void test('clearance journey: import, declare, review, release, closure', { timeout: 300_000 }, async (t) => {
  await withBrowser(t, async (page, tp) => {
    const { baseUrl } = tp;

    // 1. The seller imports the order file (generic layout) for the demo platform.
    await loginAs(page, baseUrl, 'seller');
    await openMenu(page, 'order-import', 'order-import-title');
    await page.getByTestId('import-platform').fill(PARTIES.platform.code);
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(ORDER_CSV, 'utf8') });
    await page.getByTestId('import-submit').click();
    const importError = page.getByTestId('import-error');
    await Promise.race([
      page.getByTestId('import-result').waitFor({ timeout: WAIT_MS }),
      importError.waitFor({ timeout: WAIT_MS }),
    ]);
    if (await importError.count()) {
      const rows = await page
        .getByTestId('import-errors')
        .textContent()
        .catch(() => '');
      assert.fail(`order import refused: ${await importError.textContent()} ${rows ?? ''}`);
    }
    await expectContains(page.getByTestId('import-result'), '导入 2 个订单', 'import result');
    await page.getByTestId(`sales-order-${VASE_ORDER}`).waitFor({ timeout: WAIT_MS });

    // 2. … and builds the inventories, naming the broker as declaring agent and the carrier.
    await page.getByTestId('build-agent').fill(PARTIES.broker.code);
    await page.getByTestId('build-logistics').fill(PARTIES.carrier.code);
    await page.getByTestId('build-submit').click();
    await expectContains(page.getByTestId('build-result'), '已生成 2 份清单草稿', 'build result');

    // Whatever the order file could not say is filled in on the drafts page.
    await page.getByTestId('build-to-drafts').click();
    await page.getByTestId('drafts-title').waitFor({ timeout: WAIT_MS });
    for (const orderNo of [BOWL_ORDER, VASE_ORDER]) {
      await page.getByTestId(`draft-order-${orderNo}`).waitFor({ timeout: WAIT_MS });
      if ((await page.getByTestId(`draft-problems-${orderNo}`).count()) === 0) continue;
      await page.getByTestId(`draft-edit-${orderNo}`).click();
      const qty = orderNo === BOWL_ORDER ? '2' : '70';
      const qty1 = page.getByTestId('draft-line-0-qty1');
      if (!(await qty1.inputValue())) await qty1.fill(qty);
      await page.getByTestId('draft-edit-save').click();
      await page.getByTestId('draft-edit-save').waitFor({ state: 'hidden', timeout: WAIT_MS });
      await page.getByTestId(`draft-problems-${orderNo}`).waitFor({ state: 'detached', timeout: WAIT_MS });
    }
    for (const orderNo of [BOWL_ORDER, VASE_ORDER]) {
      await expectContains(page.getByTestId(`draft-status-${orderNo}`), '待申报', `seller: draft ${orderNo} ready`);
    }
    await logout(page);

    // 3. The broker declares both drafts in bulk.
    await loginAs(page, baseUrl, 'broker');
    await openMenu(page, 'to-declare', 'drafts-title');
    await page.getByTestId(`draft-order-${VASE_ORDER}`).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('drafts-select-ready').click();
    await expectContains(page.getByTestId('drafts-declare'), '（2）', 'two drafts selected');
    await page.getByTestId('drafts-declare').click();
    await expectContains(page.getByTestId('drafts-declare-result'), '2 份成功', 'declare result');
    await logout(page);

    // 4. The carrier's waybills arrive by API; the pipeline matches and decides.
    const parcels: { n: number; orderNo: string; logisticsNo: string; weight: string; invtNo?: string }[] = [
      { n: 1, orderNo: BOWL_ORDER, logisticsNo: BOWL_WAYBILL, weight: '1.6' },
      { n: 2, orderNo: VASE_ORDER, logisticsNo: VASE_WAYBILL, weight: '105' },
    ];
    await submitJson(
      tp,
      'carrier',
      'waybills',
      parcels.map((p) => {
        const { guid: _guid, ...head } = makeParcel(p.n, 'E2E').waybill.head;
        return { ...head, logisticsNo: p.logisticsNo, grossWeight: p.weight };
      }),
    );
    await drain(tp);

    // 5. The customs officer finds the vase parcel held, order and waybill side by side, and approves it.
    await loginAs(page, baseUrl, 'customs');
    await openMenu(page, 'reviews', 'review-title');
    const card = page.getByTestId(`review-${VASE_ORDER}`);
    await card.waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId(`review-${BOWL_ORDER}`).count(), 0, 'the bowl parcel is not held');
    await expectContains(page.getByTestId(`review-reason-${VASE_ORDER}`), '50000', 'review reason names the threshold');
    await expectContains(page.getByTestId(`review-order-${VASE_ORDER}`), VASE_ORDER, 'order shown beside the inventory');
    await expectContains(page.getByTestId(`review-waybill-${VASE_ORDER}`), VASE_WAYBILL, 'waybill shown beside the inventory');
    await page.screenshot({ path: join(RESULTS, 'clearance-review-queue.png'), fullPage: true });
    await page.getByTestId(`review-approve-${VASE_ORDER}`).click();
    await page.getByTestId('review-empty').waitFor({ timeout: WAIT_MS });
    await logout(page);
    await drain(tp);

    // 6. The broker's consolidation (CEB607) releases both parcels.
    // the broker names each parcel's inventory by the number its CEB604 gave it
    await recordDeclaredInvtNos(tp, parcels);
    const site = siteMessages(1, parcels as unknown as Parcel[], 'E2E');
    await submitJson(tp, 'broker', 'consolidations', site.consolidation.entities.map(asItem));
    await drain(tp);

    await loginAs(page, baseUrl, 'seller');
    await openMenu(page, 'parcels', 'parcels-title');
    for (const p of parcels) {
      await expectContains(page.getByTestId(`parcels-status-${p.orderNo}`), '800 放行', `seller: ${p.orderNo} released`);
    }

    // 7. The carrier's departure (CEB509) closes them.
    await submitJson(tp, 'carrier', 'departures', site.departure.entities.map(asItem));
    await drain(tp);
    await page.reload();
    for (const p of parcels) {
      await expectContains(page.getByTestId(`parcels-status-${p.orderNo}`), '899 结关', `seller: ${p.orderNo} closed`);
    }

    // The held parcel's timeline: declared, stored, manual review, decided, released, closed.
    await page.getByTestId(`parcels-open-${VASE_ORDER}`).click();
    await page.getByTestId('parcel-timeline').waitFor({ timeout: WAIT_MS });
    for (const step of ['2', '120', '300', '399', '800', '899']) {
      const el = page.getByTestId(`timeline-step-${step}`);
      await el.waitFor({ timeout: WAIT_MS });
      assert.equal(await el.getAttribute('data-reached'), 'yes', `timeline step ${step} reached`);
    }
    await expectContains(page.getByTestId('document-status'), '899 结关', 'parcel detail status');
    await expectContains(page.getByTestId('linked-order'), VASE_ORDER, 'linked order in the parcel detail');
    await expectContains(page.getByTestId('linked-waybill'), VASE_WAYBILL, 'linked waybill in the parcel detail');
    // Let the drawer finish sliding in, so the screenshot shows it whole.
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(RESULTS, 'clearance-seller-timeline.png'), fullPage: true });
  });
});
