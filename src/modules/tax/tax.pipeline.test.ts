import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fillInvtNos, type CebMessage } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';
import { taxLookup } from './tax.lookup.ts';
import type { RefundView } from './tax.service.ts';

// From parcels to a summary declaration to the tax office's refund view.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let sellerOrg = '';

async function api<T>(
  user: string,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.json() as T };
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  // The demo seed records the demo sellers' tax status; these tests start from an unknown exporter.
  await sql`delete from tax_profile`.execute(tp.platform.database.db);
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  const ps: Parcel[] = Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'X'));
  const ms: CebMessage[] = [
    message(
      'CEB303',
      guidOf(3032, 1),
      PARTIES.platform,
      ps.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4032, 1),
      PARTIES.payer,
      ps.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5052, 1),
      PARTIES.carrier,
      ps.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6032, 1),
      PARTIES.broker,
      ps.map((p) => p.inventory),
    ),
  ];
  const site = siteMessages(1, ps, 'X');
  ms.push(site.arrival, site.consolidation, site.departure);
  for (const m of ms) {
    const out = await submitOk(tp, tokens[SENDER_USER[m.messageType]!]!, m);
    assert.equal(out.rejected, 0);
    // the broker's total-sub bill names each inventory by the number intake gave it
    if (m.messageType === 'CEB603') fillInvtNos(ms, m, out);
    await tp.platform.outbox.drain();
  }
  await tp.platform.settle();
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'seller2', 'tax', 'customs']) tokens[u] = await login(tp.platform, u);
  const s = await api<{ declarations: unknown[] }>('seller', 'POST', '/api/v1/summary/applications', { period: '2026-10' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  sellerOrg = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

const unmet = (v: RefundView): string[] => [...v.verdict.refund, ...v.verdict.exemption].filter((c) => !c.met).map((c) => c.id);

test('unknown exporter: no refund, no exemption, each reason named; proceeds come from the CEB403 collections', async () => {
  const mine = await api<RefundView[]>('seller', 'GET', '/api/v1/tax/my-refunds');
  assert.equal(mine.status, 200);
  assert.equal(mine.body.length, 1);
  const v = mine.body[0]!;
  assert.equal(v.profileKnown, false);
  assert.equal(v.verdict.outcome, 'taxable');
  assert.deepEqual(unmet(v), ['taxpayer_qualified', 'purchase_invoices', 'tax_registered', 'purchase_vouchers']);
  assert.deepEqual(v.received, v.declaredValue, 'every order was collected in full');
  assert.equal(v.verdict.deadline, '2027-04-30');
});

test('the tax officer records the exporter; purchase invoices make it a refund with an estimate', async () => {
  const profile = { generalTaxpayer: true, refundQualified: true, taxRegistered: true, tradingCompany: true, pilotZone: null };
  assert.equal((await api('seller', 'PUT', `/api/v1/tax/profiles/${sellerOrg}`, profile)).status, 403);
  const set = await api('tax', 'PUT', `/api/v1/tax/profiles/${sellerOrg}`, profile);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  let v = (await api<RefundView[]>('seller', 'GET', '/api/v1/tax/my-refunds')).body[0]!;
  assert.equal(v.verdict.outcome, 'taxable');
  assert.deepEqual(unmet(v), ['purchase_invoices', 'purchase_vouchers']);

  const bad = await api<{ code: string; errors?: { field: string }[] }>(
    'seller',
    'PUT',
    `/api/v1/tax/declarations/${v.declarationId}/purchases`,
    {
      items: [{ lineNo: 99, invoiceNo: 'F1', kind: 'vat_special', amountExclVat: '-1' }],
    },
  );
  assert.equal(bad.status, 400);
  const items = v.verdict.lines.map((l) => ({
    lineNo: l.lineNo,
    invoiceNo: `FP-${l.lineNo}`,
    kind: 'vat_special',
    amountExclVat: '1000',
  }));
  const put = await api<RefundView>('seller', 'PUT', `/api/v1/tax/declarations/${v.declarationId}/purchases`, { items });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  v = put.body;
  assert.equal(v.verdict.outcome, 'refund');
  assert.deepEqual(unmet(v), []);
  // 1000 per line × 13 %
  assert.equal(v.verdict.estimate, String(130 * items.length));
  // what other modules read (support applications' refundsCny): by the declaration's exit day 2026-10-31
  const lookup = taxLookup(tp.platform.database.db);
  assert.deepEqual(await lookup.refundTotals(sellerOrg, '2026-10-01', '2026-10-31'), {
    refundsCny: 130 * items.length,
    declarations: 1,
  });
  assert.deepEqual(await lookup.refundTotals(sellerOrg, '2026-11-01', '2027-10-31'), { refundsCny: 0, declarations: 0 });

  const desk = await api<RefundView[]>('tax', 'GET', '/api/v1/tax/declarations');
  assert.equal(desk.status, 200);
  assert.equal(desk.body.find((d) => d.declarationId === v.declarationId)?.verdict.outcome, 'refund');
  assert.equal((await api('seller2', 'GET', `/api/v1/tax/declarations/${v.declarationId}`)).status, 404);
  assert.deepEqual((await api<RefundView[]>('seller2', 'GET', '/api/v1/tax/my-refunds')).body, []);
  assert.equal((await api('customs', 'GET', '/api/v1/tax/declarations')).status, 403);
});

test('无票免税: a small seller in the Nanchang pilot zone without vouchers is exempt', async () => {
  const v0 = (await api<RefundView[]>('seller', 'GET', '/api/v1/tax/my-refunds')).body[0]!;
  await api('seller', 'PUT', `/api/v1/tax/declarations/${v0.declarationId}/purchases`, { items: [] });
  const profile = {
    generalTaxpayer: false,
    refundQualified: false,
    taxRegistered: true,
    tradingCompany: true,
    pilotZone: '3601',
  };
  assert.equal((await api('tax', 'PUT', `/api/v1/tax/profiles/${sellerOrg}`, profile)).status, 200);
  const v = (await api<RefundView>('tax', 'GET', `/api/v1/tax/declarations/${v0.declarationId}`)).body;
  assert.equal(v.verdict.outcome, 'exemption');
  assert.deepEqual(unmet(v), ['taxpayer_qualified', 'purchase_invoices']);
  // an exemption is no refund
  assert.deepEqual(await taxLookup(tp.platform.database.db).refundTotals(sellerOrg, '2026-10-01', '2026-10-31'), {
    refundsCny: 0,
    declarations: 0,
  });
});
