/**
 * Browser test of the supervision-centre floor (issue 7, "Done when"): three declared parcels are
 * scanned in, packed into one bag and dispatched; the arrival (CEB507) goes to customs, and the
 * arrivals page shows it accepted (399) to the warehouse and to the customs officer. Then the
 * inspection station (issue 7 audit): a parcel with an open inspection task is held when scanned,
 * its task shows on the floor, and packing it is refused in both languages. Locations: the
 * operator registers locations and retires one on the floor's locations tab, then a parcel is put
 * away at a registered one (put-away and sorting are separate tabs, one action each).
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/warehouse.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../support/parcels.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { apiCall, declareParcel, submitOk } from '../support/clearance.ts';
import { sql } from 'kysely';
import { RESULTS, withBrowser, eventually, expectContains, firstText, loginAs } from '../support/browser.ts';

const WAIT_MS = 15_000;
const BILL_NO = 'E2E-784-00000007';

async function declare(tp: TestPlatform, parcels: Parcel[]): Promise<void> {
  const send = async (
    type: 'CEB303' | 'CEB403' | 'CEB505' | 'CEB603',
    user: keyof typeof PARTIES,
    pick: (p: Parcel) => Parcel['order'],
  ) =>
    submitOk(
      tp,
      await apiLogin(tp.platform, user),
      message(type, guidOf(Number(type.slice(3)) * 100 + 77, 77), PARTIES[user], parcels.map(pick)),
    );
  await send('CEB303', 'platform', (p) => p.order);
  await send('CEB403', 'payer', (p) => p.payment);
  await send('CEB505', 'carrier', (p) => p.waybill);
  await send('CEB603', 'broker', (p) => p.inventory);
  await tp.platform.settle();
}

/** Picks a location in a searchable select: types the code, clicks the option (again if the click was lost). */
async function pickLocation(page: Page, testId: string, code: string): Promise<void> {
  const select = page.getByTestId(testId);
  await eventually(`location ${code} picked in ${testId}`, async () => {
    if ((await firstText(select)).includes(code)) return true;
    await select.click({ timeout: 5_000 }).catch(() => undefined);
    await select
      .locator('input')
      .fill(code, { timeout: 5_000 })
      .catch(() => undefined);
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: code })
      .first()
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    return (await firstText(select)).includes(code);
  });
}

async function scan(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  await field.fill(value);
  await field.press('Enter');
}

test('warehouse floor: scan three parcels in, pack them into a bag, dispatch, customs records the arrival', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const parcels = [1, 2, 3].map((n) => makeParcel(n, 'E'));
    await declare(tp, parcels);

    await page.goto(`${tp.baseUrl}/login`);
    await page.getByTestId('login-username').fill('warehouse');
    await page.getByTestId('login-password').fill('cbec-demo');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('dashboard-title').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('menu-warehouse-floor').click();
    await page.getByTestId('floor-title').waitFor({ timeout: WAIT_MS });

    // receive: the scan field has the focus; each scan ends with Enter
    for (const p of parcels) {
      await scan(page, 'receive-scan', p.logisticsNo);
      await expectContains(page.getByTestId('scan-result'), p.logisticsNo, `receive ${p.logisticsNo}`);
    }
    await expectContains(page.getByTestId('scan-result'), '已入库', 'received');

    // pack into one bag, scan-first: the first scan opens the bag for the parcel's carrier (the
    // parcels are not sorted: the route is typed)
    await page.getByTestId('tab-pack').click();
    await page.getByTestId('bag-route').fill('US');
    for (const [i, p] of parcels.entries()) {
      await scan(page, 'pack-scan', p.logisticsNo);
      await expectContains(page.getByTestId('bag-count'), String(i + 1), `bag holds ${i + 1}`);
    }
    const bagNo = /BG\d+/.exec((await page.getByTestId('current-bag').textContent()) ?? '')?.[0];
    assert.ok(bagNo, 'the bag number is shown');
    await page.getByTestId('close-bag').click();
    await page.getByTestId('open-bag').waitFor({ timeout: WAIT_MS });

    // dispatch: the arrival goes to customs
    await page.getByTestId('tab-dispatch').click();
    const row = page.getByTestId('dispatch-bags').locator('tbody tr.ant-table-row');
    await row.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await row.count(), 1);
    await row.first().locator('input[type="checkbox"]').check();
    await page.getByTestId('dispatch-plate').fill('赣A12345');
    await page.getByTestId('dispatch-bill').fill(BILL_NO);
    await page.getByTestId('dispatch-now').click();
    // the dispatch's row (by its bag) carries intake's return status on its tag
    const dispatched = page.getByTestId('dispatch-list').locator('tbody tr.ant-table-row').filter({ hasText: bagNo });
    await dispatched.first().waitFor({ timeout: WAIT_MS });
    const statusTag = dispatched.first().locator('[data-testid^="dispatch-status-"]');
    await eventually(
      'intake accepted the arrival (return status 2)',
      async () => (await statusTag.count()) === 1 && (await statusTag.getAttribute('data-status')) === '2',
    );
    const stored = await sql<{ return_status: string; parcel_count: number }>`
      select d.return_status, d.parcel_count from whs_dispatch d join whs_bag b on b.dispatch_id = d.id
      where b.bag_no = ${bagNo}`.execute(tp.platform.database.db);
    assert.deepEqual(stored.rows, [{ return_status: '2', parcel_count: 3 }]);
    await page.screenshot({ path: join(RESULTS, 'warehouse-floor-dispatched.png'), fullPage: true });

    // stock count: an open count survives a tab change (resumed from the server), then its
    // discrepancy list is shown and stored
    await page.getByTestId('tab-count').click();
    await page.getByTestId('count-start').click();
    await page.getByTestId('count-open').waitFor({ timeout: WAIT_MS });
    await scan(page, 'count-scan', parcels[0]!.logisticsNo);
    await expectContains(page.getByTestId('count-scanned'), '1', 'one scan counted');
    await page.getByTestId('tab-receive').click();
    await page.getByTestId('receive-scan').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('tab-count').click();
    await expectContains(page.getByTestId('count-scanned'), '1', 'the open count is resumed');
    await page.getByTestId('count-close').click();
    const unexpected = page.getByTestId(`discrepancy-${parcels[0]!.logisticsNo}`);
    await unexpected.waitFor({ timeout: WAIT_MS });
    assert.equal(await unexpected.getAttribute('data-kind'), 'unexpected', 'a dispatched parcel is no longer in stock');
    const countId = await page.getByTestId('count-discrepancies').getAttribute('data-count-id');
    const count = await sql<{ status: string; discrepancies: { logisticsNo: string; kind: string }[] }>`
      select status, discrepancies from whs_count where id = ${countId}`.execute(tp.platform.database.db);
    assert.equal(count.rows[0]!.status, 'closed');
    assert.ok(
      count.rows[0]!.discrepancies.some((d) => d.logisticsNo === parcels[0]!.logisticsNo && d.kind === 'unexpected'),
      JSON.stringify(count.rows[0]!.discrepancies),
    );

    // customs: the pipeline accepts the arrival (399); the warehouse sees it on the arrivals page
    await tp.platform.settle();
    await page.getByTestId('menu-arrivals').click();
    await page.getByTestId('arrivals-title').waitFor({ timeout: WAIT_MS });
    const status = page.getByTestId(`arrivals-status-${BILL_NO}`);
    await status.waitFor({ timeout: WAIT_MS });
    assert.equal(await status.getAttribute('data-status'), '399');
    await page.screenshot({ path: join(RESULTS, 'warehouse-arrival-399.png'), fullPage: true });

    // the customs officer sees the same arrival, accepted (399), on the arrivals page of the jurisdiction
    await loginAs(page, tp.baseUrl, 'customs');
    await page.getByTestId('menu-arrivals').click();
    await page.getByTestId('arrivals-title').waitFor({ timeout: WAIT_MS });
    const seenByCustoms = page.getByTestId(`arrivals-status-${BILL_NO}`);
    await seenByCustoms.waitFor({ timeout: WAIT_MS });
    assert.equal(await seenByCustoms.getAttribute('data-status'), '399', 'customs records the arrival');
    await page.screenshot({ path: join(RESULTS, 'warehouse-arrival-399-customs.png'), fullPage: true });

    // the broker files the total-sub bill (CEB607) from the dispatch: by bill number, with bags
    await loginAs(page, tp.baseUrl, 'broker');
    await page.getByTestId('menu-consolidations').click();
    await page.getByTestId('consolidation-filing').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('consolidation-billNo').fill(BILL_NO);
    await page.getByTestId('consolidation-load-dispatch').click();
    await expectContains(page.getByTestId('consolidation-parcels-count'), '共 3 票', 'the dispatch’s parcels loaded');
    assert.equal(await page.getByTestId('consolidation-logisticsCode').inputValue(), PARTIES.carrier.code, 'carrier filled in');
    await page.getByTestId('consolidation-trafName').fill('CA1234');
    await page.getByTestId('consolidation-voyageNo').fill('CA1234');
    await page.getByTestId('consolidation-grossWeight').fill('3.6');
    await page.getByTestId('consolidation-logisticsName').fill(PARTIES.carrier.name);
    await page.getByTestId('consolidation-submit').click();
    await page.getByTestId('consolidation-accepted').waitFor({ timeout: WAIT_MS });
    await tp.platform.settle();
    const bill = await sql<{ bag: string; invt: string | null }>`
      select l->>'totalPackageNo' as bag, l->>'invtNo' as invt
      from clr_document d cross join jsonb_array_elements(d.lines) l
      where d.kind = 'consolidation' and d.head->>'billNo' = ${BILL_NO}`.execute(tp.platform.database.db);
    assert.equal(bill.rows.length, 3, 'one bill line per dispatched parcel');
    assert.ok(
      bill.rows.every((r) => /^\S+$/.test(r.bag) && r.invt),
      `each line carries its bag and inventory number: ${JSON.stringify(bill.rows)}`,
    );
  });
});

test('inspection station: a parcel with an open inspection task is held on scan, and packing it is refused in both languages', async (t) => {
  await withBrowser(t, async (page, tp) => {
    // customs selects porcelain vases (HS 6913) for inspection; parcel 1 has one
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'carrier', 'broker', 'customs']) tokens[u] = await apiLogin(tp.platform, u);
    const rule = await apiCall(tp, tokens.customs!, 'POST', '/api/v1/risk/rules', {
      id: 'R-E2E-VASE',
      kind: 'hs_list',
      lane: 'inspect',
      params: { hsPrefixes: ['6913'], agency: 'customs' },
      effectiveFrom: '2020-01-01',
      explainZh: '瓷瓶查验',
      explainEn: 'vases inspected',
      enabled: true,
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const vase = makeParcel(1, 'EI');
    let n = 0;
    await declareParcel(tp, tokens, vase, () => guidOf(7799, ++n));
    const task = await apiCall(tp, tokens.customs!, 'GET', `/api/v1/inspection/tasks/by-waybill/${vase.logisticsNo}`);
    assert.equal(task.status, 200, JSON.stringify(task.body));
    assert.equal(task.body.status, 'open');

    await loginAs(page, tp.baseUrl, 'warehouse');
    await page.getByTestId('menu-warehouse-floor').click();
    await page.getByTestId('floor-title').waitFor({ timeout: WAIT_MS });

    // the scan at the station opens the task on the screen and holds the parcel there
    await scan(page, 'receive-scan', vase.logisticsNo);
    await expectContains(page.getByTestId('scan-result'), vase.logisticsNo, 'scanned');
    const held = page.getByTestId('scan-held');
    await expectContains(held, '包裹已扣留在查验台', 'held, in Chinese');
    await expectContains(held, 'Held at the inspection station', 'held, in English');
    assert.equal(await page.getByTestId('inspection-task').getAttribute('data-task-id'), task.body.id, 'the parcel’s task');
    // where to bring it and which task, read-only: the task page needs inspection.read, which the floor has not
    const card = page.getByTestId('scan-inspection');
    await expectContains(card.getByTestId('inspection-bring-to'), '查验台', 'where to bring it, in Chinese');
    await expectContains(card.getByTestId('inspection-bring-to'), 'inspection station', 'where to bring it, in English');
    assert.equal(
      (await card.getByTestId('inspection-task-no').textContent())?.trim(),
      (task.body.id as string).slice(-8).toUpperCase(),
      'the task number',
    );
    assert.equal(await card.locator('a').count(), 0, 'no link to a page the floor may not open');
    await page.screenshot({ path: join(RESULTS, 'warehouse-inspection-held.png'), fullPage: true });

    // packing it is refused: the waybill number and the reason, Chinese first, then English
    // scan-first: the scan opens a bag for the parcel's carrier, and packing it is refused
    await page.getByTestId('tab-pack').click();
    await page.getByTestId('bag-route').fill('US');
    await scan(page, 'pack-scan', vase.logisticsNo);
    await page.getByTestId('current-bag').waitFor({ timeout: WAIT_MS });
    const refusal = page.getByTestId('scan-result');
    await expectContains(refusal, `包裹 ${vase.logisticsNo}`, 'the refusal names the waybill number');
    await expectContains(refusal, '有未完成的查验任务，须留在查验台', 'the reason in Chinese');
    await expectContains(refusal, 'has an open inspection task: it stays at the inspection station', 'the reason in English');
    const text = (await refusal.textContent()) ?? '';
    assert.ok(text.indexOf('查验任务') < text.indexOf('inspection task'), 'Chinese first');
    assert.equal((await page.getByTestId('bag-count').textContent())?.trim(), '0', 'the bag stays empty');
    await page.screenshot({ path: join(RESULTS, 'warehouse-pack-refused-inspection.png'), fullPage: true });

    const row = await sql<{ status: string; bag_id: string | null; held_task_id: string | null }>`
      select status, bag_id, held_task_id from whs_parcel where logistics_no = ${vase.logisticsNo}`.execute(
      tp.platform.database.db,
    );
    assert.deepEqual(row.rows, [{ status: 'received', bag_id: null, held_task_id: task.body.id }]);
  });
});

test('locations: registered and retired on the floor, a parcel put away at one, the stored state read back from the API', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const parcel = makeParcel(4, 'L');
    await declare(tp, [parcel]);
    const token = await apiLogin(tp.platform, 'warehouse');

    await loginAs(page, tp.baseUrl, 'warehouse');
    await page.getByTestId('menu-warehouse-floor').click();
    await page.getByTestId('floor-title').waitFor({ timeout: WAIT_MS });
    await scan(page, 'receive-scan', parcel.logisticsNo);
    await expectContains(page.getByTestId('scan-result'), '已入库', 'received');

    // register two locations at once, in zone E (typed in lower case: the field upper-cases)
    await page.getByTestId('tab-locations').click();
    await page.getByTestId('location-codes').fill('e2e-01 e2e-02');
    await page.getByTestId('location-zone').fill('E');
    await page.getByTestId('location-save').click();
    await page.getByTestId('location-row-E2E-02').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('location-status-E2E-01').getAttribute('data-active'), 'true');

    // retire E2E-02: no longer a put-away choice
    await page.getByTestId('location-retire-E2E-02').click();
    await eventually(
      'E2E-02 shows retired',
      async () => (await page.getByTestId('location-status-E2E-02').getAttribute('data-active')) === 'false',
    );
    const registered = await apiCall<{ code: string; zone: string; parcels: number; active: boolean }[]>(
      tp,
      token,
      'GET',
      '/api/v1/warehouse/locations?all=true',
    );
    assert.deepEqual(
      registered.body.filter((l) => l.code.startsWith('E2E-')),
      [
        { code: 'E2E-01', zone: 'E', parcels: 0, active: true },
        { code: 'E2E-02', zone: 'E', parcels: 0, active: false },
      ],
    );

    // put-away is its own tab: choose the location once, then scan
    await page.getByTestId('tab-putAway').click();
    await page.getByTestId('putaway-location').click();
    await page.getByTestId('putaway-location').locator('input').fill('E2E');
    const offered = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await offered.filter({ hasText: 'E2E-01' }).first().waitFor({ timeout: WAIT_MS });
    assert.equal(await offered.filter({ hasText: 'E2E-02' }).count(), 0, 'a retired location is not offered');
    await page.keyboard.press('Escape');
    await pickLocation(page, 'putaway-location', 'E2E-01');
    await scan(page, 'putaway-scan', parcel.logisticsNo);
    await expectContains(page.getByTestId('scan-result'), `${parcel.logisticsNo} · 已上架至 E2E-01`, 'put away, in Chinese');
    await expectContains(page.getByTestId('scan-result'), 'put away at E2E-01', 'put away, in English');
    await page.screenshot({ path: join(RESULTS, 'warehouse-put-away.png'), fullPage: true });

    // the stored state, from the API: the parcel at E2E-01, still received (put-away is not sorting)
    const parcels = await apiCall<{ logisticsNo: string; status: string; location: string | null; route: string | null }[]>(
      tp,
      token,
      'GET',
      '/api/v1/warehouse/parcels',
    );
    assert.deepEqual(
      parcels.body
        .filter((p) => p.logisticsNo === parcel.logisticsNo)
        .map((p) => ({ status: p.status, location: p.location, route: p.route })),
      [{ status: 'received', location: 'E2E-01', route: null }],
    );
    const stock = await apiCall<{ code: string; parcels: number }[]>(tp, token, 'GET', '/api/v1/warehouse/locations');
    assert.equal(stock.body.find((l) => l.code === 'E2E-01')?.parcels, 1);

    // a location holding stock is not retired: the button says why and stays disabled
    await page.getByTestId('tab-locations').click();
    await expectContains(page.getByTestId('location-parcels-E2E-01'), '1', 'one parcel in stock at E2E-01');
    assert.ok(await page.getByTestId('location-retire-E2E-01').isDisabled(), 'retiring E2E-01 is not offered');
    await page.screenshot({ path: join(RESULTS, 'warehouse-locations.png'), fullPage: true });

    // sorting is the other tab: one request, the route only
    await page.getByTestId('tab-sort').click();
    await page.getByTestId('sort-route').fill('US');
    await scan(page, 'sort-scan', parcel.logisticsNo);
    await expectContains(page.getByTestId('scan-result'), 'sorted to route US', 'sorted');
    const row = await sql<{ status: string; route: string | null; location: string | null }>`
      select status, route, location from whs_parcel where logistics_no = ${parcel.logisticsNo}`.execute(tp.platform.database.db);
    assert.deepEqual(row.rows, [{ status: 'sorted', route: 'US', location: 'E2E-01' }]);
  });
});
