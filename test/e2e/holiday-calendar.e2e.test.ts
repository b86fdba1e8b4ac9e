/**
 * The holiday calendar of the summary deadlines: customs enters the 2027 Spring Festival from the
 * State Council notice (an example arrangement), the year is no longer provisional (暂定) and the
 * February 2027 deadline moves; a seller reads the same calendar without the entry form.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { expectContains, loginAs, RESULTS, withBrowser } from '../support/browser.ts';

const WAIT_MS = 20_000;

test('customs enters a year’s holiday arrangement; the deadlines follow and are no longer provisional', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await loginAs(page, tp.baseUrl, 'customs');
    await page.getByTestId('menu-holiday-calendar').click();
    await page.getByTestId('holiday-title').waitFor({ timeout: WAIT_MS });
    const year = page.getByTestId('holiday-year');
    await year.fill('2027');
    await year.press('Enter');
    await page.getByTestId('holiday-deadline-provisional-2027-01').waitFor({ timeout: WAIT_MS });

    await page.getByTestId('holiday-from').fill('2027-02-06');
    await page.getByTestId('holiday-to').fill('2027-02-15');
    await page.getByTestId('holiday-name').fill('春节');
    await page.getByTestId('holiday-notice').fill('国务院办公厅关于2027年部分节假日安排的通知（示例）');
    await page.getByTestId('holiday-submit').click();
    await page.getByTestId('holiday-remove-2027-02-15').waitFor({ timeout: WAIT_MS });
    await expectContains(page.getByTestId('holiday-source'), '已录入', 'the year is entered');
    assert.equal(await page.getByTestId('holiday-deadline-provisional-2027-01').count(), 0, 'no longer 暂定');
    assert.match((await page.getByTestId('holiday-deadlines').textContent()) ?? '', /2027-02-16/);
    const n = await sql<{ n: number }>`select count(*)::int as n from sum_holiday_day where year = 2027`.execute(
      tp.platform.database.db,
    );
    assert.equal(n.rows[0]!.n, 10);
    await page.screenshot({ path: join(RESULTS, 'holiday-calendar.png'), fullPage: true });

    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-holiday-calendar').click();
    const y = page.getByTestId('holiday-year');
    await y.waitFor({ timeout: WAIT_MS });
    await y.fill('2027');
    await y.press('Enter');
    await page.getByTestId('holiday-entries').getByText('2027-02-06').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('holiday-add').count(), 0, 'read only for the seller');
  });
});
