/**
 * Browser test of risk and joint inspection (issue 5, "Done when"): the customs officer creates a
 * rule (a bad parameter first refused with the server's reason), reads its version history, edits a
 * rule and dry-runs it against last month's inventories, saves it; a parcel hits it (and an
 * inspection rule too: one joint task); the customs officer and the inspection officer each
 * record their finding on the same task, scanned by waybill number, the task card showing the rules
 * that selected it and its decision history; the parcel is released. The seller files its enterprise
 * with the inspection authority on the web and the inspection officer approves it.
 * Second journey: parcels with a vague description wait in the risk-hit queue; the officer approves
 * two in bulk (one decided meanwhile by someone else: its failure is shown, the other still
 * approved) and rejects one, then reads the risk measures on the customs dashboard.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/risk.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { guidOf, makeParcel, PARTIES, siteMessages, type Parcel } from '../support/parcels.ts';
import { apiCall, inventoryStatuses, receiptStatuses, submitOk } from '../support/clearance.ts';
import { declareAsDemo } from '../support/inspection.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { RESULTS, withBrowser, loginAs, expectContains, chooseOption } from '../support/browser.ts';

const WAIT_MS = 15_000;
let g = 0;
const nextGuid = (): string => guidOf(95, ++g);

async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT_MS });
}

/**
 * Exactly one side-menu item is selected (antd's `ant-menu-item-selected`), and it is `key`. Polled:
 * antd applies the class on the render after the route changes.
 */
async function expectSelectedMenu(page: Page, key: string): Promise<void> {
  const selected = page.getByTestId('side-menu').locator('li.ant-menu-item-selected');
  const deadline = Date.now() + WAIT_MS;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await selected.allTextContents()).map((s) => s.trim());
    if (seen.length === 1 && (await selected.getByTestId(`menu-${key}`).count()) === 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`side menu: expected only menu-${key} selected, got [${seen.join(', ')}]`);
}

async function openMenu(page: Page, key: string, titleTestId: string): Promise<void> {
  await page.getByTestId(`menu-${key}`).click();
  await page.getByTestId(titleTestId).waitFor({ timeout: WAIT_MS });
  await expectSelectedMenu(page, key);
}

const declare = (tp: TestPlatform, parcels: Parcel[]) => declareAsDemo(tp, parcels, nextGuid);
const statusNow = inventoryStatuses;

/** Waits until no element carries the test id (a row that left a table). */
async function expectGone(page: Page, testId: string, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if ((await page.getByTestId(testId).count()) === 0) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`${what}: ${testId} is still shown`);
}

/** Waits until an input's or textarea's value contains `expected`. */
async function expectValue(locator: Locator, expected: string, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let value = '';
  while (Date.now() < deadline) {
    value = await locator.inputValue();
    if (value.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: expected the value to contain ${expected}, got ${value}`);
}

/** Ticks the risk-hit queue's row checkbox for the parcel with this waybill. */
async function selectHit(page: Page, p: Parcel): Promise<void> {
  const row = page.locator('tr', { has: page.getByTestId(`risk-hit-${p.logisticsNo}`) });
  await row.locator('input.ant-checkbox-input').check();
}

/** A 1×1 PNG: what the officer's phone camera would send, small. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Records the logged-in officer's finding on the task opened by scanning the waybill, with a photo if given. */
async function recordFinding(page: Page, waybill: string, codes: string, notes: string, photo?: Buffer): Promise<void> {
  await openMenu(page, 'inspection-tasks', 'inspection-tasks-title');
  await page.getByTestId('inspection-scan').fill(waybill);
  await page.getByTestId('inspection-scan-open').click();
  await page.getByTestId(`task-${waybill}`).waitFor({ timeout: WAIT_MS });
  if (photo) {
    await page.getByTestId('photo-files').setInputFiles({ name: 'opened-box.png', mimeType: 'image/png', buffer: photo });
    // The uploaded photo shows as a thumbnail, ticked to go with this finding.
    await page.locator('[data-testid="task-photos"] img').first().waitFor({ timeout: WAIT_MS });
    await page
      .locator('[data-testid="task-photos"] input[type="checkbox"]:checked')
      .first()
      .waitFor({ state: 'attached', timeout: WAIT_MS });
  }
  await page.getByTestId('finding-codes').fill(codes);
  await page.getByTestId('finding-notes').fill(notes);
  await page.getByTestId('finding-submit').click();
  await page.getByTestId('finding-submit').waitFor({ state: 'detached', timeout: WAIT_MS });
}

void test(
  'risk journey: edit a rule, dry-run it, a parcel hits it, one joint inspection, release',
  { timeout: 300_000 },
  async (t) => {
    await withBrowser(t, async (page, tp) => {
      const { baseUrl } = tp;
      // Last month's traffic: one ordinary bowl parcel to the USA (502), released straight through.
      const earlier = makeParcel(2, 'R');
      await declare(tp, [earlier]);
      assert.deepEqual(await statusNow(tp, earlier), ['399']);
      // Inspection selects porcelain bowls (HS 6911) for a check: a rule of the inspection agency.
      const customsToken = await apiLogin(tp.platform, 'customs');

      // 0. The seller files its enterprise with the inspection authority (a product filing counts
      // only while the enterprise filing is in force too): nothing filed yet, then under review.
      await loginAs(page, baseUrl, 'seller');
      await openMenu(page, 'inspection-filings', 'inspection-filings-title');
      await expectContains(page.getByTestId('insp-enterprise-filing-state'), '未备案', 'the seller has no enterprise filing');
      await page.getByTestId('insp-enterprise-producer').fill('景德镇青花瓷业 生产厂');
      await page.getByTestId('insp-enterprise-cert-type').fill('出口食品接触产品生产企业备案');
      await page.getByTestId('insp-enterprise-cert-no').fill('3600CZ0042');
      await page.getByTestId('insp-enterprise-cert-valid-until').fill('2029-06-30');
      await page.getByTestId('insp-enterprise-submit').click();
      await expectContains(page.getByTestId('insp-enterprise-filing-state'), '待审核', 'filed, awaiting review');
      await expectContains(
        page.getByTestId(`insp-filing-status-${PARTIES.seller.code}`),
        '待审核',
        'listed with the seller’s filings',
      );
      await page.getByTestId('insp-enterprise-submit').waitFor({ state: 'detached', timeout: WAIT_MS });
      const enterpriseFiling = async () =>
        (
          await sql<{
            kind: string;
            item_no: string | null;
            producer: string;
            certificates: unknown;
            status: string;
            reviewed: boolean;
          }>`
            select kind, item_no, producer, certificates, status, reviewed_at is not null as reviewed
            from insp_filing where enterprise_code = ${PARTIES.seller.code}`.execute(tp.platform.database.db)
        ).rows;
      assert.deepEqual(await enterpriseFiling(), [
        {
          kind: 'enterprise',
          item_no: null,
          producer: '景德镇青花瓷业 生产厂',
          certificates: [{ type: '出口食品接触产品生产企业备案', number: '3600CZ0042', validUntil: '2029-06-30' }],
          status: 'submitted',
          reviewed: false,
        },
      ]);
      await logout(page);
      const ciq = await fetch(`${baseUrl}/api/v1/risk/rules`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'R-CIQ-PORCELAIN',
          effectiveFrom: '2020-01-01',
          kind: 'hs_list',
          lane: 'inspect',
          params: { hsPrefixes: ['6911'], agency: 'inspection' },
          explainZh: '瓷器抽样检验',
          explainEn: 'porcelain sampled for inspection',
          enabled: true,
        }),
      });
      assert.equal(ciq.status, 201, await ciq.text());

      // 1. The customs officer makes the USA a destination for inspection, dry-runs, saves.
      await loginAs(page, baseUrl, 'customs');
      // The customs workbench shows the risk measures.
      await page.getByTestId('risk-measures').waitFor({ timeout: WAIT_MS });
      await openMenu(page, 'risk-rules', 'risk-rules-title');

      // A new rule: inspection samples fresh fruit. A sampling rate over 100 % is refused by the
      // server with its reason, nothing saved; corrected, version 1 is saved and in force.
      await page.getByTestId('rule-new').click();
      await page.getByTestId('rule-id').fill('R-E2E-FRUIT');
      await chooseOption(page, page.getByTestId('rule-kind'), 'quarantine_sampling');
      await expectValue(page.getByTestId('rule-params'), '"samplePercent"', 'the kind’s sample parameters are filled in');
      await page.getByTestId('rule-params').fill('{"categories": ["fresh_fruit"], "samplePercent": 500, "seed": "e2e"}');
      await page.getByTestId('rule-explain-zh').fill('鲜果按比例抽样查验');
      await page.getByTestId('rule-explain-en').fill('fresh fruit sampled for inspection');
      await page.getByTestId('rule-save').click();
      await expectContains(page.getByTestId('rule-error'), 'samplePercent', 'the server names the bad parameter');
      await expectContains(page.getByTestId('rule-error'), '0–100', 'and why');
      const none = await sql<{ n: number }>`select count(*)::int as n from rsk_rule where id = 'R-E2E-FRUIT'`.execute(
        tp.platform.database.db,
      );
      assert.equal(none.rows[0]!.n, 0, 'nothing saved');
      await page.getByTestId('rule-params').fill('{"categories": ["fresh_fruit"], "samplePercent": 5, "seed": "e2e"}');
      await page.getByTestId('rule-save').click();
      await page.getByTestId('rule-save').waitFor({ state: 'hidden', timeout: WAIT_MS });
      await expectContains(page.getByTestId('rule-lane-R-E2E-FRUIT'), '人工审核', 'the new rule is listed, in force');
      const created = await sql<{ kind: string; version: number; params: unknown; effective: string }>`
        select kind, version, params, to_char(effective_from, 'YYYY-MM-DD') as effective from rsk_rule where id = 'R-E2E-FRUIT'`.execute(
        tp.platform.database.db,
      );
      assert.deepEqual(created.rows, [
        {
          kind: 'quarantine_sampling',
          version: 1,
          params: { categories: ['fresh_fruit'], samplePercent: 5, seed: 'e2e' },
          // the form's default: today in Beijing
          effective: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
        },
      ]);
      await page.getByTestId('rule-history-R-E2E-FRUIT').click();
      await page.getByTestId('rule-version-R-E2E-FRUIT-1').waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Escape');
      await page.getByTestId('rule-history-table').waitFor({ state: 'hidden', timeout: WAIT_MS });

      await page.getByTestId('rule-edit-R-DESTINATION').click();
      await page.getByTestId('rule-params').fill('{"countries": ["502"]}');
      await page.getByTestId('rule-lane').click();
      await page.locator('.ant-select-dropdown .ant-select-item-option[title="查验"]').click();
      await page.getByTestId('rule-explain-zh').fill('运往该国的包裹布控查验');
      await page.getByTestId('rule-dry-run').click();
      await expectContains(page.getByTestId('rule-dry-run-result'), '将命中 1 份', 'dry run counts last month’s hits');
      await expectContains(page.getByTestId('rule-dry-run-result'), earlier.logisticsNo, 'dry run names the parcel');
      await page.getByTestId('rule-dry-run-period').waitFor({ timeout: WAIT_MS });
      await page.screenshot({ path: join(RESULTS, 'risk-rule-dry-run.png'), fullPage: true, animations: 'disabled' });
      await page.getByTestId('rule-save').click();
      await page.getByTestId('rule-save').waitFor({ state: 'hidden', timeout: WAIT_MS });
      await expectContains(page.getByTestId('rule-lane-R-DESTINATION'), '查验', 'the new version is in force');
      // Its history: the seeded version and the officer's, the new one in force.
      await page.getByTestId('rule-history-R-DESTINATION').click();
      await expectContains(page.getByTestId('rule-version-R-DESTINATION-2'), '现行', 'version 2 in force');
      await expectContains(page.getByTestId('rule-version-R-DESTINATION-2'), '502', 'with its parameters');
      await expectContains(page.getByTestId('rule-version-R-DESTINATION-1'), '2018-06-30', 'version 1 kept');
      await page.keyboard.press('Escape');
      await page.getByTestId('rule-history-table').waitFor({ state: 'hidden', timeout: WAIT_MS });

      // 2. A parcel hits both rules: one joint task (receipt 500), held until both agencies clear it.
      const parcel = makeParcel(4, 'R');
      await declare(tp, [parcel]);
      assert.deepEqual(await statusNow(tp, parcel), ['300']);
      await openMenu(page, 'risk-hits', 'risk-hits-title');
      await expectContains(
        page.getByTestId(`risk-hit-${parcel.logisticsNo}`),
        'R-DESTINATION',
        'the officer sees which rule hit',
      );
      await expectContains(page.getByTestId(`risk-hit-${parcel.logisticsNo}`), 'R-CIQ-PORCELAIN', 'and the inspection rule');
      // Its decision history, from the queue: decided once, both rules with why.
      await page.getByTestId(`risk-history-${parcel.logisticsNo}`).click();
      await expectContains(page.getByTestId('risk-decision-current'), 'R-DESTINATION', 'the decision in force, from the queue');
      await expectContains(page.getByTestId('risk-decision-current'), '瓷器抽样检验', 'with the inspection rule explained');
      assert.equal(await page.getByTestId('risk-decision-earlier-0').count(), 0, 'decided once');
      await page.keyboard.press('Escape');
      await page.getByTestId('risk-decision-current').waitFor({ state: 'hidden', timeout: WAIT_MS });
      await page.screenshot({ path: join(RESULTS, 'risk-hits.png'), fullPage: true, animations: 'disabled' });
      // The manual-review queue shows the parcel but offers no approval: the inspection releases it.
      await openMenu(page, 'reviews', 'review-title');
      await page.getByTestId(`review-inspect-${parcel.orderNo}`).waitFor({ timeout: WAIT_MS });
      assert.equal(await page.getByTestId(`review-approve-${parcel.orderNo}`).count(), 0);

      // 3. Customs records its finding on the scanned task; inspection is still pending.
      await recordFinding(page, parcel.logisticsNo, 'C01', '开箱查验，货证相符', PHOTO);
      await expectContains(page.getByTestId('task-pending'), '检验检疫', 'inspection still to record');
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, parcel), ['300'], 'one agency alone does not release');
      const photos = await sql<{ n: number; bytes: number }>`
        select cardinality(f.photos)::int as n, (select sum(octet_length(p.bytes))::int from insp_photo p where p.task_id = f.task_id) as bytes
        from insp_finding f where f.agency = 'customs'`.execute(tp.platform.database.db);
      assert.deepEqual(photos.rows, [{ n: 1, bytes: PHOTO.length }], 'the customs finding names the uploaded photo, stored once');
      await logout(page);

      // 4. The inspection officer records on the same task: released once. The card shows why the
      // parcel was selected: each rule, its explanation and lane; the decision history opens from it.
      await loginAs(page, baseUrl, 'inspection');
      await recordFinding(page, parcel.logisticsNo, 'Q00', '未见有害生物');
      const why = page.getByTestId('task-hits-R-CIQ-PORCELAIN');
      await expectContains(why, '瓷器抽样检验', 'the inspection officer sees the inspection rule’s explanation');
      await expectContains(why, '查验', 'and its lane');
      await expectContains(why, '6911', 'and what in the parcel hit it');
      await expectContains(page.getByTestId('task-hits-R-DESTINATION'), '运往该国的包裹布控查验', 'and the customs rule');
      await page.getByTestId('task-decision-history').click();
      await expectContains(
        page.getByTestId('risk-decision-current'),
        'R-CIQ-PORCELAIN',
        'the decision history from the task card',
      );
      await page.keyboard.press('Escape');
      await page.getByTestId('risk-decision-current').waitFor({ state: 'hidden', timeout: WAIT_MS });
      await expectContains(page.getByTestId('task-status'), '通过', 'task passed');
      await page.screenshot({ path: join(RESULTS, 'inspection-task.png'), fullPage: true, animations: 'disabled' });
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, parcel), ['399']);
      // The inspection desk's other screens: the demo orange filing and its batch ledger.
      await openMenu(page, 'inspection-filings', 'inspection-filings-title');
      await expectContains(page.getByTestId('insp-filing-status-GZ-ORANGE-5KG'), '已备案', 'demo orange filed with inspection');
      // The seller's enterprise filing awaits the desk: approved.
      await expectContains(
        page.getByTestId(`insp-filing-status-${PARTIES.seller.code}`),
        '待审核',
        'the seller’s filing awaits review',
      );
      await page.getByTestId(`insp-filing-approve-${PARTIES.seller.code}`).click();
      await expectContains(page.getByTestId(`insp-filing-status-${PARTIES.seller.code}`), '已备案', 'approved');
      const approved = await enterpriseFiling();
      assert.deepEqual(
        approved.map((f) => [f.kind, f.status, f.reviewed]),
        [['enterprise', 'approved', true]],
      );
      await openMenu(page, 'inspection-batches', 'inspection-batches-title');
      await expectContains(page.getByTestId('batch-balance-GZ-2026-NAVEL-01'), '100000', 'demo batch balance');
      await openMenu(page, 'inspection-declarations', 'inspection-declarations-title');

      // 5. The broker's consolidation binds the parcel: released (800).
      const site = siteMessages(1, [parcel], 'R');
      await submitOk(tp, await apiLogin(tp.platform, 'broker'), site.consolidation);
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, parcel), ['800']);
    });
  },
);

void test(
  'risk-hit queue: vague parcels approved and rejected in bulk; the dashboard measures count them',
  { timeout: 300_000 },
  async (t) => {
    await withBrowser(t, async (page, tp) => {
      const { baseUrl } = tp;
      // One ordinary parcel released straight through, three described only as "礼品" (gifts).
      const plain = makeParcel(1, 'V');
      const vague = [2, 3, 4].map((n) => {
        const p = makeParcel(n, 'V');
        p.inventory.lists.InventoryList![0]!.gname = '礼品';
        return p;
      });
      await declare(tp, [plain, ...vague]);
      assert.deepEqual(await statusNow(tp, plain), ['399']);
      for (const p of vague) assert.deepEqual(await statusNow(tp, p), ['300'], `${p.logisticsNo} waits for review`);
      const [a, b, c] = vague as [Parcel, Parcel, Parcel];

      // The inventories' ids, for the seller's view below.
      const customs = await apiLogin(tp.platform, 'customs');
      const queue = (
        await apiCall<{ items: { inventoryId: string; logisticsNo: string | null; lane: string }[] }>(
          tp,
          customs,
          'GET',
          '/api/v1/risk/hits',
        )
      ).body.items;
      const idOf = (p: Parcel): string => {
        const hit = queue.find((h) => h.logisticsNo === p.logisticsNo);
        assert.ok(hit, `${p.logisticsNo} is in the risk-hit queue`);
        assert.equal(hit.lane, 'review');
        return hit.inventoryId;
      };
      const ids = new Map(vague.map((p) => [p.logisticsNo, idOf(p)]));

      // 1. The customs officer sees the three parcels and why they were held.
      await loginAs(page, baseUrl, 'customs');
      await openMenu(page, 'risk-hits', 'risk-hits-title');
      for (const p of vague) {
        await expectContains(page.getByTestId(`risk-hit-${p.logisticsNo}`), 'R-VAGUE', 'the officer sees the rule');
        await expectContains(page.getByTestId(`risk-hit-${p.logisticsNo}`), '礼品', 'and the words that hit it');
      }
      assert.equal(await page.getByTestId(`risk-hit-${plain.logisticsNo}`).count(), 0, 'a green parcel is not queued');

      // 2. Two selected for one bulk approval; another officer approves b meanwhile. a is approved,
      // b's failure is shown with the reason, both leave the queue, the third stays.
      await selectHit(page, a);
      await selectHit(page, b);
      const other = await apiCall(tp, customs, 'POST', `/api/v1/customs/reviews/${ids.get(b.logisticsNo)!}/approve`, {});
      assert.equal(other.status, 200);
      await page.getByTestId('risk-bulk-approve').click();
      await expectContains(page.getByTestId(`risk-bulk-failure-${b.logisticsNo}`), '399', 'b’s failure is shown, with why');
      await expectGone(page, `risk-hit-${a.logisticsNo}`, 'approved parcel leaves the queue');
      await expectGone(page, `risk-hit-${b.logisticsNo}`, 'approved parcel leaves the queue');
      assert.equal(await page.getByTestId(`risk-bulk-failure-${a.logisticsNo}`).count(), 0, 'a was approved');
      await page.getByTestId(`risk-hit-${c.logisticsNo}`).waitFor({ timeout: WAIT_MS });
      await page.screenshot({ path: join(RESULTS, 'risk-hits-bulk-approved.png'), fullPage: true, animations: 'disabled' });

      // 3. The third rejected with a reason of the officer's own.
      await selectHit(page, c);
      await page.getByTestId('risk-bulk-reject').click();
      await page.getByTestId('risk-reject-reason').fill('申报品名不实，请按实际商品重新申报');
      await page.getByTestId('risk-reject-confirm').click();
      await expectGone(page, `risk-hit-${c.logisticsNo}`, 'rejected parcel leaves the queue');

      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, a), ['399']);
      assert.deepEqual(await statusNow(tp, b), ['399']);
      assert.deepEqual(await statusNow(tp, c), ['100']);
      assert.deepEqual(await receiptStatuses(tp, 'CEB604', a.inventory.head.guid!), ['2', '120', '300', '399']);
      assert.deepEqual(await receiptStatuses(tp, 'CEB604', c.inventory.head.guid!), ['2', '120', '300', '100']);

      // The seller sees outcomes and the officer's reason, never the rule nor what it matched.
      const seller = await apiLogin(tp.platform, 'seller');
      for (const p of vague) {
        const doc = await apiCall<{ review: unknown; receipts: { returnStatus: string; returnInfo: string; xml: string }[] }>(
          tp,
          seller,
          'GET',
          `/api/v1/clearance/documents/${ids.get(p.logisticsNo)!}`,
        );
        assert.equal(doc.status, 200);
        assert.equal(doc.body.review, null, 'no review lane or reason for the seller');
        assert.ok(doc.body.receipts.length >= 4, `${p.logisticsNo}: the seller has its receipts`);
        for (const r of doc.body.receipts)
          assert.doesNotMatch(
            `${r.returnInfo}\n${r.xml}`,
            /R-VAGUE|礼品|vague|笼统/,
            `${p.logisticsNo} receipt ${r.returnStatus}`,
          );
      }
      const rejected = await apiCall<{ receipts: { returnStatus: string; returnInfo: string }[] }>(
        tp,
        seller,
        'GET',
        `/api/v1/clearance/documents/${ids.get(c.logisticsNo)!}`,
      );
      assert.match(rejected.body.receipts.find((r) => r.returnStatus === '100')?.returnInfo ?? '', /申报品名不实/);
      assert.equal(
        (await apiCall(tp, seller, 'GET', `/api/v1/risk/decisions/${ids.get(a.logisticsNo)!}`)).status,
        403,
        'the seller cannot read the risk decision',
      );

      // 4. Release proceeds as for any 399 parcel: the broker's consolidation binds the approved two.
      const site = siteMessages(1, [a, b], 'V');
      await submitOk(tp, await apiLogin(tp.platform, 'broker'), site.consolidation);
      await tp.platform.settle();
      assert.deepEqual(await statusNow(tp, a), ['800']);
      assert.deepEqual(await statusNow(tp, b), ['800']);

      // 5. The customs dashboard's measures agree with what happened: four decisions, one green.
      const m = (
        await apiCall<{ total: number; green: number; autoReleasedShare: number | null }>(
          tp,
          customs,
          'GET',
          '/api/v1/risk/measures',
        )
      ).body;
      assert.ok(m.total >= 4, `decisions ${m.total}`);
      assert.ok(m.green >= 1 && m.green <= m.total - vague.length, `green ${m.green} of ${m.total}`);
      // From the risk-hit page: only 工作台 is selected in the menu, not 风险命中 as well.
      await openMenu(page, 'dashboard', 'risk-measures');
      await expectContains(page.getByTestId('risk-decisions'), String(m.total), 'decisions counted');
      const share = ((m.green / m.total) * 100).toFixed(1);
      await expectContains(page.getByTestId('risk-auto-released'), `${share}%`, 'auto-released share');
      const shown = Number(/([\d.]+)%/.exec((await page.getByTestId('risk-auto-released').textContent()) ?? '')?.[1]);
      assert.ok(shown > 0 && shown < 100, `auto-released share ${shown}% lies strictly between 0 and 100`);
      const vagueHits = page.getByTestId('risk-rule-hits-R-VAGUE-review');
      await expectContains(vagueHits, 'R-VAGUE:', 'the vague rule is counted');
      const n = Number(/R-VAGUE:\s*(\d+)/.exec((await vagueHits.textContent()) ?? '')?.[1]);
      assert.ok(n >= vague.length, `R-VAGUE hits ${n} ≥ ${vague.length}`);
      // animations 'disabled': taken right after the menu click, the shot otherwise catches antd's
      // 0.2 s background fade with both the old and the new menu item half-highlighted.
      await page.screenshot({ path: join(RESULTS, 'risk-measures-dashboard.png'), fullPage: true, animations: 'disabled' });
    });
  },
);
