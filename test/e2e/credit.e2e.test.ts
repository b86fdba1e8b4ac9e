/**
 * Browser test of the export credit system (issue 8 point 2): the commerce officer looks up an
 * enterprise's rating and recomputes it, opens a case from the page, investigates, decides and
 * publishes it, and exports the cases to Excel; the enterprise sees its score over time and appeals
 * with its own written reason; anyone, without logging in, finds the published notice through the
 * public parks page.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/credit.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { PARTIES } from '../support/parcels.ts';
import { RESULTS, chooseOption, eventually, firstText, loginAs, withBrowser } from '../support/browser.ts';

const WAIT_MS = 15_000;
const SUMMARY = '网店销售仿冒景德镇青花瓷 E2E / counterfeit porcelain sold online';
const REASON = '涉案商品系第三方冒用本企业名义销售，附平台订单记录 / sold by a third party under our name';

async function openCredit(page: Page): Promise<void> {
  await page.getByTestId('menu-credit').click();
  await page.getByTestId('credit-title').waitFor({ timeout: WAIT_MS });
}

/** The row of the case opened here in the cases table. */
const caseRow = (page: Page) => page.getByTestId('credit-cases').locator('tr', { hasText: SUMMARY });

async function closeDrawer(page: Page): Promise<void> {
  await page.getByTestId('credit-case-drawer').locator('.ant-drawer-close').click();
  await page.getByTestId('credit-case-drawer').waitFor({ state: 'hidden', timeout: WAIT_MS });
}

test('officer opens a case from the page, enterprise appeals with its own reason, the public sees the notice without logging in', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const db = tp.platform.database.db;

    // --- the commerce officer: the seller's rating, recomputed
    await loginAs(page, tp.baseUrl, 'commerce');
    await openCredit(page);
    await page.getByTestId('credit-find-code').locator('input').fill(PARTIES.seller.code);
    await page.getByTestId('credit-find-code').locator('input').press('Enter');
    await page.getByTestId(`credit-view-${PARTIES.seller.code}`).click();
    const rating = page.getByTestId('credit-rating');
    await eventually('the rating card names the enterprise', async () => (await firstText(rating)).includes(PARTIES.seller.name));
    await page.getByTestId('credit-recompute').click();
    await eventually('recomputed: 100 points, factors explained', async () => {
      return (
        (await firstText(page.getByTestId('credit-score'))).trim() === '100' &&
        (await firstText(page.getByTestId('credit-factors'))).includes('企业备案完整')
      );
    });

    // --- opens a case through the form
    await page.getByTestId('credit-open-case').click();
    await chooseOption(page, page.locator('.ant-modal:visible .ant-select').first(), '质量问题');
    await page.getByTestId('credit-open-code').fill(PARTIES.seller.code);
    await page.getByTestId('credit-open-summary').fill(SUMMARY);
    await page.getByTestId('credit-open-submit').click();
    // the new case opens in the drawer with its first event
    await page.getByTestId('credit-case-timeline').getByTestId('credit-case-event-report').waitFor({ timeout: WAIT_MS });
    const stored = await sql<{ id: string; kind: string; status: string; source: string; subject_code: string }>`
      select id, kind, status, source, subject_code from cr_case where summary = ${SUMMARY}`.execute(db);
    assert.equal(stored.rows.length, 1, 'one case stored');
    const c = stored.rows[0]!;
    assert.deepEqual([c.kind, c.status, c.source, c.subject_code], ['quality', 'reported', 'officer', PARTIES.seller.code]);
    await closeDrawer(page);

    // --- moves it on: investigate, decide (minor), publish
    await caseRow(page).getByTestId('case-investigate').click();
    await caseRow(page).getByTestId('case-decide').waitFor({ timeout: WAIT_MS });
    await caseRow(page).getByTestId('case-decide').click();
    await page.getByTestId('credit-decision').fill('责令整改并警告 / warning');
    await page.getByTestId('credit-decide-submit').click();
    await caseRow(page).getByTestId('case-publish').waitFor({ timeout: WAIT_MS });
    await caseRow(page).getByTestId('case-publish').click();
    await eventually('published', async () => (await firstText(caseRow(page))).includes('已公示'));
    // publishing re-rated the seller: the card shows 90 now
    await eventually(
      'the rating follows the published case',
      async () => (await firstText(page.getByTestId('credit-score'))).trim() === '90',
    );
    // the drawer shows the whole way
    await caseRow(page).getByTestId('case-view').click();
    for (const e of ['report', 'investigate', 'decide', 'publish'])
      await page.getByTestId('credit-case-timeline').getByTestId(`credit-case-event-${e}`).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(RESULTS, 'credit-officer.png'), fullPage: true });
    await closeDrawer(page);

    // --- exports the cases to Excel
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('credit-export-cases').click(),
    ]);
    const file = join(RESULTS, 'credit-cases.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    const exported: unknown[] = [];
    wb.getWorksheet('cases')!.eachRow((r) => exported.push((r.values as unknown[])[1]));
    assert.ok(exported.includes(c.id), 'the case is in the export');

    // --- the enterprise: its score over time, and an appeal in its own words
    await loginAs(page, tp.baseUrl, 'seller');
    await openCredit(page);
    const chart = page.getByTestId('credit-history-chart');
    await chart.waitFor({ timeout: WAIT_MS });
    assert.equal(await chart.getAttribute('data-points'), '2', 'two ratings: 100, then 90 after the case');
    await eventually('the chart is drawn', async () => {
      const box = await chart.locator('canvas').first().boundingBox();
      return !!box && box.width > 100 && box.height > 100;
    });
    await caseRow(page).getByTestId('case-appeal').click();
    // an empty reason is refused in the form: nothing is sent
    await page.getByTestId('credit-appeal-submit').click();
    await page.locator('.ant-form-item-explain-error').first().waitFor({ timeout: WAIT_MS });
    assert.equal(
      (await sql<{ status: string }>`select status from cr_case where id = ${c.id}`.execute(db)).rows[0]!.status,
      'published',
    );
    await page.getByTestId('credit-appeal-reason').fill(REASON);
    await page.getByTestId('credit-appeal-submit').click();
    await eventually('under appeal', async () => (await firstText(caseRow(page))).includes('申诉中'));
    const appealed = await sql<{ status: string; appeal_reason: string; note: string }>`
      select c.status, c.appeal_reason, e.note from cr_case c join cr_case_event e on e.case_id = c.id and e.event = 'appeal'
      where c.id = ${c.id}`.execute(db);
    assert.deepEqual(appealed.rows, [{ status: 'appealed', appeal_reason: REASON, note: REASON }], 'the reason typed is stored');
    await caseRow(page).getByTestId('case-view').click();
    await eventually('the drawer shows the reason', async () =>
      (await firstText(page.getByTestId('credit-case-appeal-reason'))).includes(REASON),
    );
    await page.screenshot({ path: join(RESULTS, 'credit-enterprise.png'), fullPage: true });

    // --- anyone, without logging in: from the public parks page to the credit notices
    await page.context().clearCookies();
    const apiCalls: string[] = [];
    const unauthorised: string[] = [];
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(url.pathname);
      if (res.status() === 401) unauthorised.push(res.url());
    });
    await page.goto(`${tp.baseUrl}/public/parks`);
    await page.getByTestId('public-parks-credit-link').click();
    await page.getByTestId('public-credit-title').waitFor({ timeout: WAIT_MS });
    assert.ok(!page.url().includes('/login'), page.url());
    const notices = page.getByTestId('credit-notices-cases');
    await eventually('the published case is there, marked under appeal', async () => {
      const s = await firstText(notices);
      return s.includes(PARTIES.seller.name) && s.includes('责令整改并警告') && s.includes('申诉中') && s.includes('质量问题');
    });
    await page.getByTestId('lang-en').click();
    await eventually('in English', async () => {
      const s = await firstText(notices);
      return (
        (await firstText(page.getByTestId('public-credit-title'))).includes('Public credit notices') && s.includes('Under appeal')
      );
    });
    await page.screenshot({ path: join(RESULTS, 'credit-public.png'), fullPage: true });
    assert.deepEqual(unauthorised, [], 'no call needing a session');
    assert.deepEqual(
      apiCalls.filter((p) => !p.startsWith('/api/v1/public/')),
      [],
      'only public APIs are called',
    );
    assert.ok(apiCalls.includes('/api/v1/public/credit/notices'));
  });
});
