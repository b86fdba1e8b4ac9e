/**
 * Browser test of the inspection authority's desk (issue 5 audit follow-ups): the seller declares a
 * batch, the inspection officer accepts it on the ledger page, a held orange parcel draws on it
 * and is released, then cancelled: the ledger shows reserved, released, returned and balance as
 * they stand. The officer sets centralised declaration per total-sub bill and suspends a filing.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/inspection.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { asOrange, declareAsDemo, ORANGE_SELLER } from '../support/inspection.ts';
import { cancellationEntity, guidOf, makeParcel, message, PARTIES, type Parcel } from '../support/parcels.ts';
import { apiCall, inventoryStatuses, submitOk } from '../support/clearance.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { RESULTS, withBrowser, loginAs, expectContains, eventually } from '../support/browser.ts';

const WAIT_MS = 15_000;
let g = 0;
const nextGuid = (): string => guidOf(94, ++g);

async function openMenu(page: Page, key: string, titleTestId: string): Promise<void> {
  await page.getByTestId(`menu-${key}`).click();
  await page.getByTestId(titleTestId).waitFor({ timeout: WAIT_MS });
}

const declare = (tp: TestPlatform, parcels: Parcel[]) => declareAsDemo(tp, parcels, nextGuid);
const statusNow = inventoryStatuses;

/** The ledger row's quantities as the page shows them. */
async function ledgerRow(page: Page, batchNo: string): Promise<string[]> {
  const cell = async (k: string) => ((await page.getByTestId(`batch-${k}-${batchNo}`).textContent()) ?? '').trim();
  return [await cell('reserved'), await cell('released'), await cell('returned'), await cell('balance')];
}

async function expectLedger(page: Page, batchNo: string, expected: string[], what: string): Promise<void> {
  let seen: string[] = [];
  await eventually(
    `${what}: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`,
    async () => {
      await page.getByTestId('inspection-batches-title').waitFor({ timeout: WAIT_MS });
      if ((await page.getByTestId(`batch-balance-${batchNo}`).count()) !== 1) return false;
      seen = await ledgerRow(page, batchNo);
      return JSON.stringify(seen) === JSON.stringify(expected);
    },
    WAIT_MS,
  );
}

void test(
  'inspection desk: accept a batch, the ledger tracks reserved, released, returned; grouping per bill; a filing suspended',
  { timeout: 300_000 },
  async (t) => {
    await withBrowser(t, async (page, tp) => {
      const { baseUrl } = tp;
      const officer = await apiLogin(tp.platform, 'inspection');
      // Only the test's batch is drawn on: the authority closes the demo season's batch.
      const batches = (await apiCall(tp, officer, 'GET', '/api/v1/inspection/batches')).body.items!;
      for (const b of batches.filter((x) => x.status === 'accepted'))
        assert.equal((await apiCall(tp, officer, 'POST', `/api/v1/inspection/batches/${b.id as string}/close`, {})).status, 200);

      // 1. The seller declares a batch of two: awaiting the authority's acceptance.
      await loginAs(page, baseUrl, 'seller2');
      await openMenu(page, 'inspection-batches', 'inspection-batches-title');
      await page.getByTestId('batch-no').fill('E2E-B-01');
      await page.getByTestId('batch-item').fill('GZ-ORANGE-5KG');
      await page.getByTestId('batch-qty').fill('2');
      await page.getByTestId('batch-declare').click();
      await expectContains(page.getByTestId('batch-status-E2E-B-01'), '待受理', 'declared, awaiting acceptance');
      await expectLedger(page, 'E2E-B-01', ['0', '0', '0', '2'], 'nothing drawn yet');

      // An orange parcel finds nothing accepted to draw on: held.
      const orange = makeParcel(1, 'IE');
      asOrange(orange);
      await declare(tp, [orange]);
      assert.deepEqual(await statusNow(tp, orange), ['300']);

      // 2. The inspection officer accepts the batch: the held parcel is decided again and released.
      await loginAs(page, baseUrl, 'inspection');
      await openMenu(page, 'inspection-batches', 'inspection-batches-title');
      await page.getByTestId('batch-accept-E2E-B-01').click();
      await expectContains(page.getByTestId('batch-status-E2E-B-01'), '已受理', 'accepted');
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, orange), ['399']);
      await page.reload();
      await expectLedger(page, 'E2E-B-01', ['0', '1', '0', '1'], 'released at 399');

      // 3. The parcel is cancelled before it departs: its released unit goes back.
      const cancel = cancellationEntity(orange.invtNo!, nextGuid(), 'K-IE-1');
      await submitOk(
        tp,
        await apiLogin(tp.platform, 'broker'),
        message('CEB605', nextGuid(), PARTIES.broker, [
          { ...cancel, head: { ...cancel.head, ebcCode: ORANGE_SELLER.code, ebcName: ORANGE_SELLER.name } },
        ]),
      );
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, orange), ['cancelled']);
      await page.reload();
      await expectLedger(page, 'E2E-B-01', ['0', '0', '1', '2'], 'given back');
      await page.screenshot({ path: join(RESULTS, 'inspection-batch-ledger.png'), fullPage: true, animations: 'disabled' });

      // 4. Centralised declaration per total-sub bill, set by the authority.
      await openMenu(page, 'inspection-declarations', 'inspection-declarations-title');
      await page.getByTestId('declaration-grouping-setting').click();
      await page.locator('.ant-select-dropdown .ant-select-item-option[title="每企业每总分单"]').click();
      await eventually('the setting is stored', async () => {
        const r = await sql<{ g: string }>`select declaration_grouping as g from insp_setting`.execute(tp.platform.database.db);
        return r.rows.length === 1 && r.rows[0]!.g === 'bill';
      });
      const billed = makeParcel(2, 'IE');
      asOrange(billed);
      billed.inventory.head.billNo = 'IE-784-00000001';
      await declare(tp, [billed]);
      await page.reload();
      await expectContains(
        page.getByTestId(`declaration-grouping-JZB-IE-784-00000001-${ORANGE_SELLER.code}-4006`),
        'IE-784-00000001',
        'the parcel is declared on its bill',
      );

      // 5. The desk suspends the orange filing, with a reason.
      await openMenu(page, 'inspection-filings', 'inspection-filings-title');
      await page.getByTestId('insp-filing-suspend-GZ-ORANGE-5KG').click();
      await page.getByTestId('insp-filing-act-reason').fill('果园检出有害生物');
      await page.getByTestId('insp-filing-act-ok').click();
      await expectContains(page.getByTestId('insp-filing-status-GZ-ORANGE-5KG'), '已暂停', 'suspended');
      const stored = await sql<{ status: string; reason: string }>`
      select status, reason from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(tp.platform.database.db);
      assert.deepEqual(stored.rows, [{ status: 'suspended', reason: '果园检出有害生物' }]);
    });
  },
);
