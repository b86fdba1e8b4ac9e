/**
 * Browser test of the seller's logistics pages (issue 7, point 5): the demo seller books two
 * declared parcels into the demo supervision centre with the demo carrier (both picked from the
 * searchable directory lists), sees the booking listed, opens a parcel's label (a PDF naming the
 * waybill number); the carrier then sends tracking events for that parcel by API, out of order,
 * and the seller's tracking page shows them in time order with their Chinese labels, joined with
 * the customs states of the declaration.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/seller-logistics.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { apiCall, declareParcels } from '../support/clearance.ts';
import { guidOf, makeParcel, PARTIES } from '../support/parcels.ts';
import { pdfText } from '../support/pdf-text.ts';
import { login as apiLogin } from '../support/platform.ts';
import { eventually, expectContains, firstText, loginAs, RESULTS, withBrowser } from '../support/browser.ts';

const WAIT_MS = 15_000;
// three letters, then nine digits: not a UPU S10 number, so no check digit applies
const RUN = 'SLG';

/**
 * Picks a party in one of the booking form's directory selects: types `search` (the server
 * searches names and codes) and clicks the option showing `label`, until the select shows it.
 */
async function pickParty(page: Page, testId: string, search: string, label: string): Promise<void> {
  const select = page.getByTestId(testId);
  await eventually(
    `"${label}" picked in ${testId}`,
    async () => {
      if ((await firstText(select)).includes(label)) return true;
      await select.click({ timeout: 5_000 }).catch(() => undefined);
      await select
        .locator('input')
        .fill(search, { timeout: 5_000 })
        .catch(() => undefined);
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option')
        .filter({ hasText: label })
        .first()
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      return (await firstText(select)).includes(label);
    },
    30_000,
  );
}

interface Entry {
  source: string;
  code: string;
  at: string;
  text: string;
}

test('seller: books parcels into the supervision centre, opens a label, follows the carrier’s tracking', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const db = tp.platform.database.db;
    // the parcels are declared (order, waybill, inventory): the seller is a party to them, so it
    // may read their tracking, and the label names the inventory
    const parcels = [1, 2].map((n) => makeParcel(n, RUN));
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'carrier', 'broker']) tokens[u] = await apiLogin(tp.platform, u);
    let n = 0;
    const declared = await declareParcels(tp, tokens, parcels, () => guidOf(7705, ++n));
    assert.ok(
      declared.entities.every((e) => e.accepted),
      JSON.stringify(declared.entities),
    );
    const [first, second] = parcels.map((p) => p.logisticsNo) as [string, string];

    // the booking: centre and carrier from the directory, a date, two waybill numbers
    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-warehouse-bookings').click();
    await page.getByTestId('bookings-title').waitFor({ timeout: WAIT_MS });
    await pickParty(page, 'booking-warehouse', '快件监管', `${PARTIES.warehouse.name} · ${PARTIES.warehouse.code}`);
    await pickParty(page, 'booking-carrier', PARTIES.carrier.code, `${PARTIES.carrier.name} · ${PARTIES.carrier.code}`);
    const expectedAt = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const date = page.getByTestId('booking-expected-at');
    await eventually(`expected date ${expectedAt} entered`, async () => {
      if ((await date.inputValue()) === expectedAt) return true;
      await date.click({ timeout: 5_000 }).catch(() => undefined);
      await date.fill(expectedAt, { timeout: 5_000 }).catch(() => undefined);
      await date.press('Enter', { timeout: 5_000 }).catch(() => undefined);
      return (await date.inputValue()) === expectedAt;
    });
    await page.getByTestId('booking-numbers').fill(`${first}\n${second.toLowerCase()}`);
    await page.getByTestId('booking-submit').click();

    // stored: one booking of the seller at the centre, with the carrier, its two parcels expected
    type BookingRow = {
      id: string;
      booking_no: string;
      logistics_code: string;
      expected_at: string;
      seller: string;
      centre: string;
    };
    let booking: BookingRow | undefined;
    await eventually('the booking is stored', async () => {
      booking = (
        await sql<BookingRow>`
          select b.id, b.booking_no, b.logistics_code, b.expected_at::text as expected_at,
                 s.customs_code as seller, w.customs_code as centre
          from whs_booking b join organisation s on s.id = b.seller_org_id join organisation w on w.id = b.warehouse_org_id`.execute(
          db,
        )
      ).rows[0];
      return booking !== undefined;
    });
    assert.deepEqual(
      { ...booking!, id: undefined, booking_no: undefined },
      {
        id: undefined,
        booking_no: undefined,
        logistics_code: PARTIES.carrier.code,
        expected_at: expectedAt,
        seller: PARTIES.seller.code,
        centre: PARTIES.warehouse.code,
      },
    );
    const stored = await sql<{ logistics_no: string; logistics_code: string; status: string }>`
      select logistics_no, logistics_code, status from whs_parcel where booking_id = ${booking!.id} order by logistics_no`.execute(
      db,
    );
    assert.deepEqual(stored.rows, [
      { logistics_no: first, logistics_code: PARTIES.carrier.code, status: 'expected' },
      { logistics_no: second, logistics_code: PARTIES.carrier.code, status: 'expected' },
    ]);

    // listed: the booking number, both parcels awaiting receipt (待入库)
    const row = page.getByTestId('bookings-table').locator('tbody tr.ant-table-row').filter({ hasText: booking!.booking_no });
    await row.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('bookings-table').locator('tbody tr.ant-table-row').count(), 1);
    for (const no of [first, second]) {
      const tag = row.getByTestId(`booking-parcel-${no}`);
      await expectContains(tag, '待入库', `${no} awaits receipt`);
      assert.equal(await tag.getAttribute('data-status'), 'expected');
    }
    await page.screenshot({ path: join(RESULTS, 'seller-bookings.png'), fullPage: true });

    // the label opens in a new tab as a PDF; it prints the waybill number, the centre and the seller
    const link = page.getByTestId(`booking-label-${first}`);
    const opened = page
      .context()
      .waitForEvent('response', { predicate: (r) => r.url().includes('/label.pdf'), timeout: WAIT_MS });
    const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: WAIT_MS }), link.click()]);
    const response = await opened;
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'] ?? '', /^application\/pdf/);
    await popup.close();
    const href = (await link.getAttribute('href')) ?? '';
    assert.ok(href.endsWith(`/warehouse/parcels/${first}/label.pdf`), href);
    const pdf = await page.context().request.get(new URL(href, tp.baseUrl).toString());
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
    const body = await pdf.body();
    assert.equal(body.subarray(0, 5).toString(), '%PDF-');
    const printed = pdfText(body);
    for (const line of [first, PARTIES.warehouse.name, PARTIES.seller.name, parcels[0]!.invtNo!])
      assert.ok(printed.includes(line), `the label prints "${line}": ${JSON.stringify(printed)}`);

    // the carrier sends three scans for the first parcel by API, not in time order
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const sent = await apiCall(tp, tokens.carrier!, 'POST', '/api/v1/logistics/events', {
      events: [
        {
          logisticsNo: first,
          code: 'departed_origin',
          at: at(1),
          location: '南昌昌北国际机场',
          country: 'CN',
          description: 'CA1234',
        },
        { logisticsNo: first, code: 'accepted', at: at(3), location: '景德镇', country: 'CN' },
        { logisticsNo: first, code: 'in_warehouse', at: at(2), location: '南昌国际快件监管中心', country: 'CN' },
      ],
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.deepEqual(sent.body, { received: 3, stored: 3, duplicates: 0, rejected: 0, errors: [] });
    const events = await sql<{ code: string; carrier_code: string; source: string; location: string | null }>`
      select code, carrier_code, source, location from lgx_event where logistics_no = ${first} order by at`.execute(db);
    assert.deepEqual(events.rows, [
      { code: 'accepted', carrier_code: PARTIES.carrier.code, source: 'api', location: '景德镇' },
      { code: 'in_warehouse', carrier_code: PARTIES.carrier.code, source: 'api', location: '南昌国际快件监管中心' },
      { code: 'departed_origin', carrier_code: PARTIES.carrier.code, source: 'api', location: '南昌昌北国际机场' },
    ]);

    // the seller's tracking page: the carrier's scans in time order, with their Chinese labels,
    // joined with the customs states of the declaration
    await page.getByTestId('menu-tracking').click();
    await page.getByTestId('tracking-title').waitFor({ timeout: WAIT_MS });
    const search = page.getByTestId('tracking-search').locator('input');
    await search.fill(first);
    await search.press('Enter');
    const entries = page.getByTestId('tracking-timeline').getByTestId('tracking-entry');
    let seen: Entry[] = [];
    await eventually(
      'the timeline shows the three scans',
      async () => {
        seen = await entries.evaluateAll((els) =>
          els.map((e) => ({
            source: e.getAttribute('data-source') ?? '',
            code: e.getAttribute('data-code') ?? '',
            at: e.getAttribute('data-at') ?? '',
            text: e.textContent ?? '',
          })),
        );
        return seen.filter((e) => e.source === 'carrier').length === 3;
      },
      WAIT_MS,
    );
    const carrier = seen.filter((e) => e.source === 'carrier');
    assert.deepEqual(
      carrier.map((e) => e.code),
      ['accepted', 'in_warehouse', 'departed_origin'],
    );
    for (const [i, [label, place]] of [
      ['已揽收', '景德镇'],
      ['进入监管仓', '南昌国际快件监管中心'],
      ['已离境', '南昌昌北国际机场'],
    ].entries()) {
      assert.ok(carrier[i]!.text.includes(label!), `entry ${i + 1} reads "${label}": ${carrier[i]!.text}`);
      assert.ok(carrier[i]!.text.includes(place!), `entry ${i + 1} names "${place}": ${carrier[i]!.text}`);
    }
    assert.ok(carrier[2]!.text.includes('CA1234'), 'the departure shows its flight');
    assert.ok(
      seen.some((e) => e.source === 'customs'),
      `the customs states are joined: ${JSON.stringify(seen)}`,
    );
    const times = seen.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'the whole timeline is in time order',
    );
    await expectContains(page.getByTestId('tracking-timeline'), parcels[0]!.invtNo!, 'the inventory number is shown');

    // live: the page listens to the seller's tracking stream; a scan the carrier sends now appears
    // on the open timeline without another search
    await page.getByTestId('tracking-live').waitFor({ timeout: WAIT_MS });
    const later = await apiCall(tp, tokens.carrier!, 'POST', '/api/v1/logistics/events', {
      events: [
        { logisticsNo: first, code: 'arrived_destination', at: new Date().toISOString(), location: 'Los Angeles', country: 'US' },
      ],
    });
    assert.equal(later.status, 200, JSON.stringify(later.body));
    await eventually(
      'the new scan appears on the open timeline',
      async () =>
        (await entries.evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))).includes('arrived_destination'),
      WAIT_MS,
    );
    const last = entries.last();
    assert.equal(await last.getAttribute('data-code'), 'arrived_destination', 'the newest scan is last');
    assert.ok(((await last.textContent()) ?? '').includes('到达目的国'), 'with its Chinese label');
    await page.screenshot({ path: join(RESULTS, 'seller-tracking.png'), fullPage: true });
  });
});
