/**
 * Browser test of issue 8 ("Done when"): the commerce officer opens the statistics dashboard,
 * filters by destination country and month, then by a day range and by customs office, carrier,
 * seller, seller's region and HS heading, and exports Excel with those filters; a buyer abroad
 * scans a trace code on a phone of their own (a fresh browser: no cookies, no log-in, its language
 * English) and sees the product's chain in English, without asking for it (no ?lang).
 *
 *   npm run build:web && node --import tsx --test test/e2e/statistics.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { chromium, type Page } from 'playwright-core';
import { fillInvtNos } from '../../src/ceb/index.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages } from '../support/parcels.ts';
import { SENDER_USER, submitOk } from '../support/clearance.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { CHROMIUM, RESULTS, withBrowser, loginAs } from '../support/browser.ts';

const WAIT_MS = 15_000;

/** Ten parcels to the USA and five to the UK, through the real pipeline to 899. */
async function closeParcels(tp: TestPlatform): Promise<void> {
  const tokens: Record<string, string> = {};
  for (const u of new Set(Object.values(SENDER_USER))) tokens[u] = await apiLogin(tp.platform, u);
  const parcels = Array.from({ length: 15 }, (_, i) => {
    const p = makeParcel(i + 1, 'E');
    if (i >= 10) p.inventory.head.country = '303';
    return p;
  });
  const site = siteMessages(1, parcels, 'E');
  const messages = [
    message(
      'CEB303',
      guidOf(3030, 1),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4030, 1),
      PARTIES.payer,
      parcels.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5050, 1),
      PARTIES.carrier,
      parcels.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6030, 1),
      PARTIES.broker,
      parcels.map((p) => p.inventory),
    ),
    site.arrival,
    site.consolidation,
    site.departure,
  ];
  for (const m of messages) {
    const out = await submitOk(tp, tokens[SENDER_USER[m.messageType]!]!, m);
    // the broker's total-sub bill names each inventory by the number intake gave it
    if (m.messageType === 'CEB603') fillInvtNos(messages, m, out);
  }
  await tp.platform.settle();
}

async function waitForText(page: Page, testId: string, expected: string): Promise<void> {
  const loc = page.getByTestId(testId);
  const deadline = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    last = ((await loc.count()) > 0 ? await loc.first().textContent() : '') ?? '';
    if (last.trim() === expected) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`${testId}: expected "${expected}", got "${last}"`);
}

test('commerce filters the statistics by country and month and exports Excel; a buyer verifies a trace code in English', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await closeParcels(tp);
    const month = new Date().toISOString().slice(0, 7);

    await loginAs(page, tp.baseUrl, 'commerce');
    await page.getByTestId('menu-stats').click();
    await page.getByTestId('stats-title').waitFor({ timeout: WAIT_MS });
    await waitForText(page, 'stats-total-inventories', '15');
    // The chart's aria description (ECharts aria) names what it draws.
    const chartSays = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + WAIT_MS;
      let last = '';
      while (Date.now() < deadline) {
        last = (await page.getByTestId('stats-chart').getAttribute('aria-label')) ?? '';
        if (re.test(last)) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.fail(`stats-chart: expected ${re}, described as "${last}"`);
    };
    await chartSays(/美国.*英国|英国.*美国/);
    await page.getByTestId('stats-month').fill(month);
    await page.getByTestId('stats-country').fill('502');
    await waitForText(page, 'stats-total-inventories', '10');
    await page.getByTestId('stats-table').getByText('美国').first().waitFor({ timeout: WAIT_MS });
    // The ECharts chart is drawn (a canvas with a size) and shows the filtered data: its aria
    // description names the one country left.
    const chart = page.getByTestId('stats-chart');
    const box = await chart.locator('canvas').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `chart canvas drawn: ${JSON.stringify(box)}`);
    await chartSays(/^(?![\s\S]*英国)[\s\S]*美国/);

    // any range of closing days (here the day before to the day after), and the other filters
    const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const [from, to] = [dayOf(Date.now() - 86_400_000), dayOf(Date.now() + 86_400_000)];
    await page.getByTestId('stats-from').fill(from);
    await page.getByTestId('stats-to').fill(to);
    assert.equal(await page.getByTestId('stats-month').inputValue(), '', 'a range of days replaces the month');
    await waitForText(page, 'stats-total-inventories', '10');
    await page.getByTestId('stats-carrier').fill(PARTIES.broker.code);
    await waitForText(page, 'stats-total-inventories', '0');
    await page.getByTestId('stats-carrier').fill(PARTIES.carrier.code);
    await waitForText(page, 'stats-total-inventories', '10');
    await page.getByTestId('stats-customs').fill('4006');
    await page.getByTestId('stats-enterprise').fill(PARTIES.seller.code);
    await page.getByTestId('stats-county').fill(PARTIES.seller.code.slice(0, 5));
    await waitForText(page, 'stats-total-inventories', '10');
    // an HS chapter none of the goods is under; a malformed one is refused before any request
    await page.getByTestId('stats-hs').fill('9');
    await page.getByTestId('stats-invalid').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('stats-export').getAttribute('href'), null, 'no export of a refused filter');
    await page.getByTestId('stats-hs').fill('01');
    await waitForText(page, 'stats-total-inventories', '0');
    await page.getByTestId('stats-hs').fill('');
    await waitForText(page, 'stats-total-inventories', '10');
    const href = (await page.getByTestId('stats-export').getAttribute('href')) ?? '';
    for (const part of [`from=${from}`, `to=${to}`, 'country=502', `carrier=${PARTIES.carrier.code}`, 'customs=4006'])
      assert.ok(href.includes(part), `the export carries ${part}: ${href}`);
    await page.screenshot({ path: join(RESULTS, 'statistics-commerce.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('stats-export').click(),
    ]);
    const file = join(RESULTS, 'statistics-export.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('country')!;
    const total = ws.getRow(ws.rowCount);
    assert.equal(total.getCell(1).value, 'total');
    assert.equal(total.getCell(3).value, 10, 'the export carries the filters');
    assert.ok(String(ws.getRow(1).getCell(1).value).includes(`${from} ~ ${to}`), 'the range is named');
    assert.ok(wb.getWorksheet('month') && wb.getWorksheet('hs_heading'), 'every table is a sheet');

    // The other issue-8 pages open for the commerce officer without errors.
    for (const key of ['credit', 'parks']) {
      await page.getByTestId(`menu-${key}`).click();
      await page.getByTestId(`${key}-title`).waitFor({ timeout: WAIT_MS });
    }

    // Parks: the demo park is listed; the officer registers a park and schedules a course through the forms.
    await page.getByTestId('parks-table').getByText('南昌跨境电商综合试验区产业园').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('park-name').fill('赣州跨境电商产业园 E2E');
    await page.getByTestId('park-region').fill('36070');
    await page.getByTestId('park-create').click();
    await page.getByTestId('parks-table').getByText('赣州跨境电商产业园 E2E').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('offering-title').fill('跨境电商运营实务 E2E');
    await page.getByTestId('offering-starts').fill('2027-03-01T09:00');
    await page.getByTestId('offering-ends').fill('2027-03-01T17:00');
    await page.getByTestId('offering-place').fill('南昌');
    await page.getByTestId('offering-create').click();
    await page.getByTestId('offerings-table').getByText('跨境电商运营实务 E2E').waitFor({ timeout: WAIT_MS });
    // entered and shown in China Standard Time
    await page.getByTestId('offerings-table').getByText('2027-03-01 09:00').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('programme-name').fill('培训补贴 E2E');
    await page.getByTestId('programme-opens').fill('2027-01-01');
    await page.getByTestId('programme-closes').fill('2027-12-31');
    await page.getByTestId('programme-create').click();
    await page.getByTestId('programmes-table').getByText('培训补贴 E2E').waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(RESULTS, 'parks-commerce.png'), fullPage: true });

    // The seller makes a trace code; the buyer abroad scans its label.
    const seller = await apiLogin(tp.platform, 'seller');
    const product = DEMO_PRODUCTS.find((p) => p.ebcCode === PARTIES.seller.code)!;
    const made = await fetch(`${tp.baseUrl}/api/v1/trace/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${seller}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'unit', itemNo: product.itemNo, batchNo: 'E2E-1', quantity: 1, producer: 'Jingdezhen kiln' }),
    });
    assert.equal(made.status, 201);
    const code = ((await made.json()) as { items: { code: string }[] }).items[0]!.code;
    const departed = await fetch(`${tp.baseUrl}/api/v1/trace/codes/${code}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${seller}`, 'content-type': 'application/json' },
      // a parcel of this seller that customs closed above: the departure is taken from customs
      body: JSON.stringify({ kind: 'departure', logisticsNo: makeParcel(1, 'E').logisticsNo }),
    });
    assert.equal(departed.status, 201, await departed.text());
    // The buyer's own phone: another browser, never logged in, its language English (en-US), and
    // the label's address as printed (no ?lang): the page speaks the browser's language.
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const scan = async (locale: string) => {
        const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
        const buyer = await context.newPage();
        const errors: string[] = [];
        buyer.on('pageerror', (err) => errors.push(err.message));
        assert.deepEqual(await context.cookies(), [], 'a fresh browser: no cookies');
        const res = await buyer.goto(`${tp.baseUrl}/t/${code}`);
        assert.equal(res?.status(), 200);
        assert.ok(
          (await res!.request().allHeaders())['accept-language']?.startsWith(locale),
          `the browser asks for ${locale}: ${JSON.stringify(await res!.request().allHeaders())}`,
        );
        await buyer.getByTestId('trace-chain').waitFor({ timeout: WAIT_MS });
        assert.deepEqual(await context.cookies(), [], 'the page sets no cookie: still no session');
        assert.deepEqual(errors, [], 'no uncaught errors on the buyer page');
        return { buyer, context };
      };
      const { buyer, context } = await scan('en-US');
      assert.equal(new URL(buyer.url()).search, '', 'no ?lang');
      assert.equal(await buyer.locator('html').getAttribute('lang'), 'en');
      const chain = (await buyer.getByTestId('trace-chain').textContent()) ?? '';
      for (const step of ['Product filed with customs', 'Produced', 'Left China'])
        assert.ok(chain.includes(step), `chain shows "${step}": ${chain}`);
      assert.equal((await buyer.getByTestId('trace-code').textContent())?.trim(), code);
      await buyer.screenshot({ path: join(RESULTS, 'trace-verification.png'), fullPage: true });
      await context.close();
      // The browser's language decides, not the parcel's destination (the USA, English too): a
      // browser in Chinese reads the same label in Chinese.
      const zh = await scan('zh-CN');
      assert.equal(await zh.buyer.locator('html').getAttribute('lang'), 'zh');
      const zhChain = (await zh.buyer.getByTestId('trace-chain').textContent()) ?? '';
      for (const step of ['商品备案', '生产', '离境']) assert.ok(zhChain.includes(step), `chain shows "${step}": ${zhChain}`);
      assert.ok(!zhChain.includes('Left China'), `the Chinese chain: ${zhChain}`);
      await zh.context.close();
    } finally {
      await browser.close();
    }

    // Without any log-in (a buyer's phone): the page and its report form, in Chinese too.
    await page.context().clearCookies();
    await page.goto(`${tp.baseUrl}/t/${code}?lang=zh`);
    await page.getByTestId('trace-chain').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('form[action^="/t/"] textarea[name="summary"]').count(), 1, 'the report form is there');
    await page.locator('textarea[name="summary"]').fill('底部商标模糊，疑似假冒');
    await page.locator('form[action^="/t/"] button[type="submit"]').click();
    await page.getByTestId('trace-reported').waitFor({ timeout: WAIT_MS });
  });
});
