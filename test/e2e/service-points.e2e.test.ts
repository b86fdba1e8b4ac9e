/**
 * Browser test of the public overseas service-point directory (issue 7): anyone, without logging
 * in, finds the demo service point, narrows it by country, city and service, in Chinese and English.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/service-points.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBrowser, eventually, firstText } from '../support/browser.ts';

const text = firstText;

test('public service-point directory: no log-in, filters by country, city and service, zh/en', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await page.goto(`${tp.baseUrl}/public/service-points`);
    const title = page.getByTestId('public-points-title');
    const table = page.getByTestId('public-points-table');
    await eventually('the page opens without a session, in Chinese', async () =>
      (await text(title)).includes('境外服务网点目录'),
    );
    assert.ok(!page.url().includes('/login'), page.url());
    await eventually('the demo point is listed', async () => (await text(table)).includes('Los Angeles'));

    await page.getByTestId('public-points-country').fill('DE');
    await eventually('no point in DE', async () => !(await text(table)).includes('Los Angeles'));
    await page.getByTestId('public-points-country').fill('us');
    await page.getByTestId('public-points-city').fill('Los Angeles');
    await eventually('US, Los Angeles', async () => (await text(table)).includes('Ganshang'));
    // Under load the dropdown may still be opening when the option is clicked: pick it until the
    // select shows it, then judge the table.
    const service = page.getByTestId('public-points-service');
    await eventually('legal consulting chosen', async () => {
      if ((await text(service)).includes('法律咨询')) return true;
      await service.click();
      await page
        .locator('.ant-select-item-option')
        .filter({ hasText: '法律咨询' })
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      return (await text(service)).includes('法律咨询');
    });
    await eventually('no legal consulting there', async () => !(await text(table)).includes('Ganshang'));

    await page.getByTestId('lang-en').click();
    await eventually('in English', async () => (await text(title)).includes('Overseas service-point directory'));
  });
});
