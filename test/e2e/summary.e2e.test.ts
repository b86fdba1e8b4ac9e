/**
 * Browser test of issue 6 ("Done when"): the seller previews and submits the month's summary
 * (a submit whose result no longer matches the preview is refused), opens the inventory lines
 * behind a declaration line, the tax officer sees the declaration with its refund eligibility, the
 * seller downloads the evidence pack. Then, as a qualified trading company, the seller enters the purchase invoices in
 * 我的退税 and the declaration turns to a refund with its estimate.
 *
 *   npm run build:web && node --import tsx --test test/e2e/summary.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { fillInvtNos } from '../../src/ceb/index.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages } from '../support/parcels.ts';
import { SENDER_USER, submitOk } from '../support/clearance.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { RESULTS, withBrowser, loginAs } from '../support/browser.ts';
import { verifyPack } from '../../src/modules/evidence/index.ts';

const WAIT_MS = 20_000;

interface Reasoned {
  met: boolean;
  reason: { zh: string; en: string } | null;
}

/** Six parcels through the real pipeline to 899, then dated back into last month. */
async function closeParcelsLastMonth(tp: TestPlatform): Promise<string> {
  const tokens: Record<string, string> = {};
  for (const u of new Set(Object.values(SENDER_USER))) tokens[u] = await apiLogin(tp.platform, u);
  const parcels = Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'M'));
  const site = siteMessages(1, parcels, 'M');
  const messages = [
    message(
      'CEB303',
      guidOf(3035, 1),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4035, 1),
      PARTIES.payer,
      parcels.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5055, 1),
      PARTIES.carrier,
      parcels.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6035, 1),
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
    await tp.platform.outbox.drain();
  }
  await tp.platform.settle();
  // The platform runs on the real clock here: the month is summarised after it ends, so the
  // parcels are dated back to the middle of last month (China time) as if they had closed then.
  const now = new Date();
  const mid = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 4));
  const r = await sql`update clr_inventory set closed_at = ${mid} where logistics_no like 'M%' and closed_at is not null`.execute(
    tp.platform.database.db,
  );
  assert.equal(Number(r.numAffectedRows), 6, 'all six closed (899)');
  // The summary keeps its own copy of closed lines, taken when they closed: dated back with them.
  await sql`update sum_source_line s set closed_at = i.closed_at from clr_inventory i
    where i.document_id = s.inventory_id and i.logistics_no like 'M%'`.execute(tp.platform.database.db);
  return mid.toISOString().slice(0, 7);
}

test('the seller previews and submits the summary; the tax officer sees refund eligibility; the seller downloads the evidence pack', async (t) => {
  await withBrowser(t, async (page, tp) => {
    // The demo seed records the demo sellers' tax status; this walk starts from an unknown exporter.
    await sql`delete from tax_profile`.execute(tp.platform.database.db);
    const period = await closeParcelsLastMonth(tp);

    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-summary').click();
    await page.getByTestId('summary-title').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('summary-period').fill(period);
    await page.getByTestId('summary-preview').click();
    await page.getByTestId('summary-preview-result').waitFor({ timeout: WAIT_MS });
    const preview = (await page.getByTestId('summary-preview-result').textContent()) ?? '';
    assert.match(preview, /194/, 'the rule set in force is named');
    assert.match(preview, /按收发货人\+生产销售单位/, 'the grouping used is named');
    await page.screenshot({ path: join(RESULTS, 'summary-preview.png'), fullPage: true });

    // A due reminder (or an overdue month) of the deadlines shows above them, as the server says.
    const db = tp.platform.database.db;
    const sellerToken = await apiLogin(tp.platform, 'seller');
    const months = (await (
      await fetch(`${tp.baseUrl}/api/v1/summary/deadlines`, { headers: { authorization: `Bearer ${sellerToken}` } })
    ).json()) as { period: string; overdue: boolean; reminders: { due: boolean }[] }[];
    const month = months.find((m) => m.period === period)!;
    const reminder = page.getByTestId(`summary-reminder-${period}`);
    if (month.overdue || month.reminders.some((r) => r.due)) {
      assert.match((await reminder.textContent({ timeout: WAIT_MS })) ?? '', new RegExp(`${period}汇总申报.*6票`));
    } else assert.equal(await reminder.count(), 0);

    // The month changes after the preview (here: a source line's legal quantity): the submit of
    // the previewed result is refused with the reason, and nothing is stored.
    const line = sql`invt_no = (select min(invt_no) from sum_source_line where logistics_no like 'M%') and gnum = 1`;
    await sql`update sum_source_line set qty1 = qty1 + 1 where ${line}`.execute(db);
    await page.getByTestId('summary-submit').click();
    await page
      .locator('.ant-message')
      .getByText(/汇总结果与预览不一致/)
      .waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(RESULTS, 'summary-stale-preview.png'), fullPage: true });
    const stored = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(db);
    assert.equal(stored.rows[0]!.n, 0, 'nothing submitted');
    // back as previewed: the same submit goes through
    await sql`update sum_source_line set qty1 = qty1 - 1 where ${line}`.execute(db);
    await page.getByTestId('summary-submit').click();
    await page.getByTestId(`summary-app-${period}`).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(RESULTS, 'summary-submitted.png'), fullPage: true });

    // The inventory lines behind the first line of the first declaration, as the lineage route gives them.
    const app = (
      (await (
        await fetch(`${tp.baseUrl}/api/v1/summary/applications`, { headers: { authorization: `Bearer ${sellerToken}` } })
      ).json()) as { id: string; declarations: { id: string; entryId: string; lines: { sourceCount: number }[] }[] }[]
    )[0]!;
    const fed = (await (
      await fetch(
        `${tp.baseUrl}/api/v1/summary/applications/${app.id}/declarations/${app.declarations[0]!.id}/lineage?lineNo=1`,
        {
          headers: { authorization: `Bearer ${sellerToken}` },
        },
      )
    ).json()) as { invtNo: string; gnum: number }[];
    assert.equal(fed.length, app.declarations[0]!.lines[0]!.sourceCount);
    await page.getByTestId(`summary-app-${period}`).locator('.ant-table-row-expand-icon').first().click();
    await page.getByTestId('summary-lineage-1-1').click();
    const drawer = page.getByTestId('summary-lineage-table');
    await drawer.getByText(fed[0]!.invtNo).first().waitFor({ timeout: WAIT_MS });
    const shown = await drawer.locator('tbody tr.ant-table-row').allTextContents();
    assert.equal(shown.length, fed.length, 'one row per inventory line that fed it');
    for (const f of fed)
      assert.ok(
        shown.some((r) => r.startsWith(`${f.invtNo}${f.gnum}`)),
        `${f.invtNo}#${f.gnum} shown`,
      );
    await page.screenshot({ path: join(RESULTS, 'summary-lineage.png'), fullPage: true });
    await page.keyboard.press('Escape');

    // the seller downloads the evidence pack of the first declaration; every hash checks
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('evidence-json-1').click(),
    ]);
    const file = join(RESULTS, 'evidence-pack.json');
    await download.saveAs(file);
    const pack = JSON.parse(await readFile(file, 'utf8')) as { parts: { name: string }[] };
    assert.deepEqual(verifyPack(pack), { ok: true, problems: [] });
    assert.ok(pack.parts.some((p) => p.name === 'payments'));

    // ... and the pack of one order, from the parcel's detail: order to proceeds, every hash checks
    const inv = await sql<{ id: string; order_no: string }>`
      select document_id as id, substr(order_key, strpos(order_key, '|') + 1) as order_no
      from clr_inventory where ebc_code = ${PARTIES.seller.code} order by invt_no limit 1`.execute(tp.platform.database.db);
    await page.goto(`${tp.baseUrl}/parcels?doc=${inv.rows[0]!.id}`);
    const [orderDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT_MS }),
      page.getByTestId('order-evidence-json').click({ timeout: WAIT_MS }),
    ]);
    const orderFile = join(RESULTS, 'evidence-pack-order.json');
    await orderDownload.saveAs(orderFile);
    const orderPack = JSON.parse(await readFile(orderFile, 'utf8')) as {
      subject: { orderNo: string };
      parts: { name: string; data: unknown }[];
    };
    assert.deepEqual(verifyPack(orderPack), { ok: true, problems: [] });
    assert.equal(orderPack.subject.orderNo, inv.rows[0]!.order_no);
    assert.equal(
      (orderPack.parts.find((p) => p.name === 'declarations')!.data as unknown[]).length,
      1,
      'summarised into one declaration',
    );

    await loginAs(page, tp.baseUrl, 'tax');
    await page.getByTestId('menu-tax-desk').click();
    await page.getByTestId('tax-desk').waitFor({ timeout: WAIT_MS });
    const table = page.getByTestId('tax-desk-table');
    // No tax profile recorded yet: each declaration just submitted is taxed, its own row naming
    // the reasons the server gives (other sellers' declarations may be listed too).
    const desk = (await (
      await fetch(`${tp.baseUrl}/api/v1/tax/declarations`, {
        headers: { authorization: `Bearer ${await apiLogin(tp.platform, 'tax')}` },
      })
    ).json()) as {
      entryId: string;
      verdict: { outcome: string; refund: Reasoned[]; exemption: Reasoned[] };
    }[];
    assert.ok(app.declarations.length > 0);
    for (const d of app.declarations) {
      const verdict = desk.find((x) => x.entryId === d.entryId)?.verdict;
      assert.ok(verdict, `${d.entryId} on the tax desk`);
      assert.equal(verdict.outcome, 'taxable');
      // `has` is matched inside each row: the outcome's locator from the page, not from the table
      const outcome = page.getByTestId(`refund-outcome-${d.entryId}`);
      assert.equal((await outcome.textContent({ timeout: WAIT_MS }))?.trim(), '征税');
      const row = table.locator('tr', { has: outcome });
      assert.equal(await row.count(), 1, `one row for ${d.entryId}`);
      const rowText = (await row.textContent()) ?? '';
      assert.ok(rowText.includes(d.entryId) && rowText.includes(PARTIES.seller.name), `${d.entryId}: its own row`);
      const reasons = ((await row.getByTestId(`refund-reasons-${d.entryId}`).textContent()) ?? '').trim();
      const expected = [...verdict.refund, ...verdict.exemption]
        .filter((c) => !c.met && c.reason)
        .map((c) => c.reason!.zh)
        .filter((v, i, a) => a.indexOf(v) === i);
      assert.equal(reasons, expected.join('；'), `${d.entryId}: the reasons the server gives`);
      assert.match(reasons, /企业不是增值税一般纳税人/);
      assert.match(reasons, /企业未办理税务登记/);
    }
    await page.screenshot({ path: join(RESULTS, 'tax-desk.png'), fullPage: true });

    // The officer records the seller as a qualified trading company (the profile form has its own
    // browser test); a trading company's refund then waits only for its purchase invoices.
    const org = await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    );
    const profile = { generalTaxpayer: true, refundQualified: true, taxRegistered: true, tradingCompany: true, pilotZone: null };
    const put = await fetch(`${tp.baseUrl}/api/v1/tax/profiles/${org.rows[0]!.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await apiLogin(tp.platform, 'tax')}`, 'content-type': 'application/json' },
      body: JSON.stringify(profile),
    });
    assert.equal(put.status, 200, await put.text());
    const mine = (await (
      await fetch(`${tp.baseUrl}/api/v1/tax/my-refunds`, {
        headers: { authorization: `Bearer ${await apiLogin(tp.platform, 'seller')}` },
      })
    ).json()) as { entryId: string; verdict: { lines: { lineNo: number }[] } }[];
    const decl = mine[0]!;

    // The seller enters one invoice per declaration line in the dialog of 我的退税: refund, with an estimate.
    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-tax-refunds').click();
    const outcome = page.getByTestId(`refund-outcome-${decl.entryId}`);
    assert.equal((await outcome.textContent({ timeout: WAIT_MS }))?.trim(), '征税');
    await page.getByTestId(`purchases-${decl.entryId}`).click();
    const dialog = page.locator('.ant-modal');
    for (const [i, l] of decl.verdict.lines.entries()) {
      if (i > 0) await dialog.getByRole('button', { name: '添加发票' }).click();
      assert.equal(await dialog.getByPlaceholder('项号').nth(i).inputValue(), String(l.lineNo));
      await dialog.getByPlaceholder('发票号').nth(i).fill(`FP-E2E-${l.lineNo}`);
      await dialog.getByPlaceholder('不含税金额（元）').nth(i).fill('1000');
    }
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByPlaceholder('发票号').first().waitFor({ state: 'detached', timeout: WAIT_MS });
    for (const deadline = Date.now() + WAIT_MS; (await outcome.textContent())?.trim() !== '退税';) {
      assert.ok(Date.now() < deadline, `the outcome turns to 退税, still "${await outcome.textContent()}"`);
      await new Promise((r) => setTimeout(r, 150));
    }
    // 1000 yuan per line × the 13 % refund rate of porcelain
    const row = page.getByTestId('tax-refunds-table').locator('tr', { has: outcome });
    // the estimate column follows the outcome
    const estimate = row.locator('td', { has: outcome }).locator('xpath=following-sibling::td[1]');
    assert.equal((await estimate.textContent())?.trim(), String(130 * decl.verdict.lines.length));
    await page.screenshot({ path: join(RESULTS, 'tax-my-refunds.png'), fullPage: true });
  });
});
