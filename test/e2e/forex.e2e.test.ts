/**
 * Issue 6 entry screens: the payment institution imports receipt records as CSV and sees every
 * refused row with its field and rule, and the row over the payment institutions' cap flagged; it records an RMB settlement without evidence, which the
 * central bank's desk then lists.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { RESULTS, withBrowser, loginAs } from '../support/browser.ts';

const WAIT_MS = 20_000;

/** The ECharts chart inside the element with this test id is drawn: a canvas with a size. */
async function assertChartDrawn(page: Page, testId: string): Promise<void> {
  const canvas = page.getByTestId(testId).getByTestId('stats-chart').locator('canvas').first();
  await canvas.waitFor({ timeout: WAIT_MS });
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `${testId}: chart canvas drawn: ${JSON.stringify(box)}`);
}

test('forex CSV import shows per-row errors; an RMB settlement without evidence reaches the PBoC desk', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await loginAs(page, tp.baseUrl, 'payer');
    await page.getByTestId('menu-forex-submit').click();
    await page.getByTestId('forex-import').waitFor({ timeout: WAIT_MS });
    const csv = [
      'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName',
      'E2E-1,payment,3101960003,3601260888,E2E-ORD-1,502,12.50,2026-11-05,Ok',
      'E2E-2,payment,3101960003,3601260888,E2E-ORD-2,502,12.50,2026/11/05,Bad date',
      'E2E-3,payment,3101960003,3601260888,E2E-ORD-3,502,90000,2026-11-05,Over the cap',
    ].join('\n');
    await page.getByTestId('forex-import-csv').fill(csv);
    await page.getByTestId('forex-import-run').click();
    await page.getByTestId('forex-import-errors').waitFor({ timeout: WAIT_MS });
    const table = (await page.getByTestId('forex-import-errors').textContent()) ?? '';
    assert.match(table, /rows\[3\]\.receivedOn/);
    assert.doesNotMatch(table, /rows\[2\]/, 'the good row is not listed');
    // over the payment institutions' USD 50,000 cap: stored and flagged for SAFE, not refused
    assert.doesNotMatch(table, /rows\[4\]/);
    assert.match((await page.getByTestId('forex-import-flagged').textContent()) ?? '', /E2E-3/);
    assert.match((await page.getByTestId('forex-import-result').textContent()) ?? '', /2/);
    await page.screenshot({ path: join(RESULTS, 'forex-import.png'), fullPage: true });

    const s = page.getByTestId('rmb-settlement');
    await s.getByLabel(/流水|Reference/).fill('E2E-RMB-1');
    await s.getByLabel(/电商企业|企业|Enterprise/).fill('3601260888');
    await s.getByLabel(/金额|Amount/).fill('4321');
    await s.getByLabel(/结算日|Settled on/).fill('2026-11-06');
    await s.getByRole('button').last().click();

    await loginAs(page, tp.baseUrl, 'pboc');
    await page.getByTestId('menu-pboc-desk').click();
    await page.getByTestId('pboc-title').waitFor({ timeout: WAIT_MS });
    await page.getByText('E2E-RMB-1').waitFor({ timeout: WAIT_MS });
    await assertChartDrawn(page, 'pboc-desk-chart');
    // The chart counts the new settlement: its month is on the axis (ECharts' aria description).
    const pbocChart = page.getByTestId('pboc-desk-chart').getByTestId('stats-chart');
    assert.match((await pbocChart.getAttribute('aria-label')) ?? '', /2026-11/);
    await page.waitForTimeout(1100); // ECharts' 1 s entry animation, so the shot shows the bars grown
    await page.screenshot({ path: join(RESULTS, 'pboc-desk.png'), fullPage: true });

    // The forex officer's desk charts declared vs received per period and enterprises per status.
    await loginAs(page, tp.baseUrl, 'forex');
    await page.getByTestId('menu-forex-desk').click();
    await page.getByTestId('forex-desk-title').waitFor({ timeout: WAIT_MS });
    await assertChartDrawn(page, 'forex-desk-chart-periods');
    await assertChartDrawn(page, 'forex-desk-chart-status');
    await page.waitForTimeout(1100);
    await page.screenshot({ path: join(RESULTS, 'forex-desk.png'), fullPage: true });
  });
});

test('the tax officer records a seller’s tax status on the refund desk', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await loginAs(page, tp.baseUrl, 'tax');
    await page.getByTestId('menu-tax-desk').click();
    const card = page.getByTestId('tax-profile');
    await card.waitFor({ timeout: WAIT_MS });
    await card.getByRole('combobox').click();
    await card.getByRole('combobox').fill('赣州脐橙');
    await page.keyboard.press('Enter');
    await card.getByLabel(/综试区|Pilot zone/).fill('3601');
    await card.getByRole('button').last().click();
    const deadline = Date.now() + WAIT_MS;
    let row: { pilot_zone: string | null; updated_by: string | null } | undefined;
    while (Date.now() < deadline) {
      row = (
        await sql<{ pilot_zone: string | null; updated_by: string | null }>`
          select p.pilot_zone, p.updated_by from tax_profile p join organisation o on o.id = p.org_id
          where o.customs_code = '3601260999'`.execute(tp.platform.database.db)
      ).rows[0];
      if (row?.updated_by) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(row?.pilot_zone, '3601');
    assert.ok(row?.updated_by, 'recorded by the officer, not the seed');
    await page.screenshot({ path: join(RESULTS, 'tax-profile.png'), fullPage: true });

    // The desk lists the rule versions (the seeded ones, the current marked) and imports refund
    // rates by CSV: a bad row is named with its field and rule and nothing is stored; then it goes in.
    await page.getByTestId('tax-enterprises').waitFor({ timeout: WAIT_MS });
    const rules = page.getByTestId('tax-rules-table');
    await rules.getByText('2020-01-01').waitFor({ timeout: WAIT_MS });
    assert.match((await rules.textContent()) ?? '', /3607:4000/);
    const rates = page.getByTestId('tax-rates');
    await rates
      .getByLabel(/版本|Version/)
      .first()
      .fill('2099-01');
    await rates.getByLabel(/生效日期|Effective from/).fill('2099-01-01');
    await rates.getByLabel(/来源文件|Source/).fill('E2E 退税率文库');
    await page.getByTestId('tax-rates-csv').fill('hs,rate,excluded\n6911,0.13,\n6913,13,\n');
    await page.getByTestId('tax-rates-import').click();
    await page.getByTestId('tax-rates-errors').waitFor({ timeout: WAIT_MS });
    assert.match((await page.getByTestId('tax-rates-errors').textContent()) ?? '', /rows\[3\]\.rate/);
    const stored = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from tax_rate_version where version = '2099-01'`.execute(
          tp.platform.database.db,
        )
      ).rows[0]!.n;
    assert.equal(await stored(), 0, 'a file with a bad row stores nothing');
    await page.getByTestId('tax-rates-csv').fill('hs,rate,excluded\n6911,0.13,\n6913,0.13,\n2710,,1\n');
    await page.getByTestId('tax-rates-import').click();
    await page.getByTestId('tax-rates-result').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('tax-rates-table').getByText('2099-01').first().waitFor({ timeout: WAIT_MS });
    assert.equal(await stored(), 1);
    await page.screenshot({ path: join(RESULTS, 'tax-rules-rates.png'), fullPage: true });
  });
});
