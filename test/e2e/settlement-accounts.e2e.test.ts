/**
 * FX settlement accounts (issue 6 point 3) in the browser: the seller registers an account (a wrong
 * IBAN is refused in both languages' text), a bank receipt credits it, the seller settles part of it
 * and is refused beyond what was received; the forex officer's desk shows the account and balance.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { RESULTS, withBrowser, loginAs } from '../support/browser.ts';

const WAIT_MS = 20_000;

test('the seller registers an FX settlement account and settles; the forex desk shows the balance', async (t) => {
  await withBrowser(t, async (page, tp) => {
    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-fx-accounts').click();
    await page.getByTestId('fx-accounts-title').waitFor({ timeout: WAIT_MS });

    const register = async (accountNo: string) => {
      await page.getByTestId('fx-account-bank').fill('中国银行江西省分行');
      await page.getByTestId('fx-account-bankcode').fill('BKCHCNBJ550');
      await page.getByTestId('fx-account-no').fill(accountNo);
      await page.getByTestId('fx-account-currency').fill('502');
      await page.getByTestId('fx-account-opened').fill('2026-01-05');
      await page.getByTestId('fx-account-submit').click();
    };
    await register('GB82WEST12345698765433');
    await page
      .getByText(/IBAN校验位错误/)
      .first()
      .waitFor({ timeout: WAIT_MS });
    await register('6217000099990001');
    await page.getByTestId('fx-accounts').getByText('6217000099990001').waitFor({ timeout: WAIT_MS });

    // The bank's receipt record names the account it credited.
    await page.getByTestId('menu-forex-submit').click();
    await page.getByTestId('forex-import').waitFor({ timeout: WAIT_MS });
    await page
      .getByTestId('forex-import-csv')
      .fill(
        [
          'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName,accountNo',
          'E2E-FX-1,bank,3601260888,3601260888,E2E-ORD-1,502,1000,2026-11-02,Buyer,6217000099990001',
        ].join('\n'),
      );
    await page.getByTestId('forex-import-run').click();
    await page.getByTestId('forex-import-result').waitFor({ timeout: WAIT_MS });

    await page.getByTestId('menu-fx-accounts').click();
    await page.getByTestId('fx-accounts').getByText('1000.00').first().waitFor({ timeout: WAIT_MS });
    const settle = async (ref: string, amount: string) => {
      const form = page.getByTestId('fx-settle-form');
      await form.locator('.ant-select').first().click();
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option')
        .filter({ hasText: '6217000099990001' })
        .first()
        .click();
      await page.getByTestId('fx-settle-ref').fill(ref);
      await page.getByTestId('fx-settle-day').fill('2026-11-03');
      await page.getByTestId('fx-settle-amount').fill(amount);
      await page.getByTestId('fx-settle-rate').fill('7.1');
      await page.getByTestId('fx-settle-submit').click();
    };
    await settle('E2E-SET-1', '600');
    await page.getByTestId('fx-settlements').getByText('E2E-SET-1').waitFor({ timeout: WAIT_MS });
    assert.match((await page.getByTestId('fx-settlements').textContent()) ?? '', /4260\.00/, 'CNY = amount × rate');
    await page.screenshot({ path: join(RESULTS, 'fx-settlement-accounts.png'), fullPage: true });

    // Beyond what the account and the receipts naming no account hold on that day.
    await settle('E2E-SET-2', '900000');
    await page
      .getByText(/结汇金额超过该账户已收汇未结汇余额/)
      .first()
      .waitFor({ timeout: WAIT_MS });
    assert.doesNotMatch((await page.getByTestId('fx-settlements').textContent()) ?? '', /E2E-SET-2/);

    await loginAs(page, tp.baseUrl, 'forex');
    await page.getByTestId('menu-forex-desk').click();
    await page.getByTestId('forex-desk-title').waitFor({ timeout: WAIT_MS });
    const row = page.locator('[data-testid^="fx-desk-account-rows-"] tr').filter({ hasText: '6217000099990001' });
    await row.waitFor({ timeout: WAIT_MS });
    const text = (await row.textContent()) ?? '';
    assert.match(text, /1000\.00/);
    assert.match(text, /600\.00/);
    assert.match(text, /400\.00/);
    await page.screenshot({ path: join(RESULTS, 'fx-desk-accounts.png'), fullPage: true });
  });
});
