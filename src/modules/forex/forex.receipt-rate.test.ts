import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, closeParcels } from '../../../test/support/clearance.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import { forexReceiptRates, forexReceiptTotals } from './forex.lookup.ts';
import { toUsd } from './rules/receipts.rules.ts';

// The credit factor's receipt rate counts what a seller received per order, as the forex
// reconciliation does: the same payment seen by CEB403 and by the bank counts once, and an order
// paid over its value does not make up for an unpaid one.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
const SINCE = new Date('2026-10-01T00:00:00Z');
const EXIT_DAY = '2026-10-31';
const CODE = PARTIES.seller.code;
let tp: TestPlatform;
const tokens: Record<string, string> = {};
// a and b paid through CEB403; c declared without a payment collection (paid, if at all, by bank)
let a: Parcel;
let b: Parcel;
let c: Parcel;
let refs = 0;

const charge = (p: Parcel): string => String(p.payment.head.charge);
/** USD cents of CNY `amount` on the exit day, as the rate converts them. */
const usd = (amount: string): bigint => toScaled(toUsd(amount, '142', EXIT_DAY)!);
const sum = (...v: bigint[]): bigint => v.reduce((x, y) => x + y, 0n);

/** One receipt record as a bank reports it through the forex batch, stored. */
async function bankReceipt(orderNo: string, amount: string, over: Record<string, string> = {}): Promise<void> {
  const row = {
    refNo: `RR-${++refs}`,
    institutionKind: 'bank',
    institutionCode: PARTIES.payer.code,
    ebcCode: CODE,
    orderNo,
    currency: '142',
    amount,
    receivedOn: '2026-11-05',
    payerName: 'Buyer',
    ...over,
  };
  const res = await apiCall<{ imported: number; errors: unknown[] }>(tp, tokens.payer!, 'POST', '/api/v1/forex/receipts/batch', {
    rows: [row],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.imported, res.body.errors], [1, []], JSON.stringify(res.body));
  const stored = await sql<{ n: number }>`
    select count(*)::int as n from fx_receipt where ref_no = ${row.refNo} and order_no = ${orderNo}`.execute(
    tp.platform.database.db,
  );
  assert.equal(stored.rows[0]!.n, 1);
}

/** The seller's totals as exact USD (scaled), and its rate. */
async function totals(): Promise<{ declared: bigint; received: bigint; rate: number | undefined }> {
  const db = tp.platform.database.db;
  const t = (await forexReceiptTotals(db, [CODE], SINCE)).get(CODE);
  assert.ok(t, 'the seller has totals');
  return {
    declared: toScaled(String(t.declaredUsd)),
    received: toScaled(String(t.receivedUsd)),
    rate: (await forexReceiptRates(db, [CODE], SINCE)).get(CODE),
  };
}

let declaredUsd = 0n;

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  // The demo's receipts and settlements would blur the sums asserted here.
  await sql`delete from fx_receipt`.execute(tp.platform.database.db);
  await sql`delete from fx_rmb_settlement`.execute(tp.platform.database.db);
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  [a, b, c] = [makeParcel(1, 'RR'), makeParcel(2, 'RR'), makeParcel(3, 'RR')];
  await closeParcels(tp, tokens, [a, b], 1, 'RR');
  await closeParcels(tp, tokens, [c], 2, 'RR', { without: ['CEB403'] });
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'payer']) tokens[u] = await login(tp.platform, u);
  const s = await apiCall(tp, tokens.seller!, 'POST', '/api/v1/summary/applications', { period: '2026-10' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  // The declared USD value as the rate counts it: each declaration line at the exit day's rate.
  const lines = await sql<{ currency: string; total: string }>`
    select l.currency, trim_scale(l.total_price)::text as total
    from sum_declaration_line l join sum_declaration d on d.id = l.declaration_id join sum_application a on a.id = d.application_id
    where a.ebc_code = ${CODE} and a.period = '2026-10' and a.status <> 'cancelled'`.execute(tp.platform.database.db);
  assert.ok(lines.rows.length > 0);
  assert.ok(lines.rows.every((l) => l.currency === '142'));
  declaredUsd = sum(...lines.rows.map((l) => usd(l.total)));
});
after(async () => {
  await tp.stop();
});

test('CEB403 alone: the paid orders over the declared value', async () => {
  const t = await totals();
  assert.equal(fromScaled(t.declared), fromScaled(declaredUsd));
  assert.equal(fromScaled(t.received), fromScaled(sum(usd(charge(a)), usd(charge(b)))));
  assert.ok(t.rate! > 0.3 && t.rate! < 1, String(t.rate));
});

test('an order recorded by CEB403 and again by the bank counts once: the same rate as CEB403 alone', async () => {
  const before = await totals();
  await bankReceipt(a.orderNo, charge(a));
  // in USD as well (the bank remitting the buyer's dollars): still the same payment of the same order
  await bankReceipt(b.orderNo, toUsd(charge(b), '142', EXIT_DAY)!, { currency: '502' });
  assert.deepEqual(await totals(), before);
});

test('an order paid over its value does not raise the rate for an unpaid one', async () => {
  const before = await totals();
  // order a paid a second time, by as much as the unpaid order c is worth
  await bankReceipt(a.orderNo, charge(c));
  assert.deepEqual(await totals(), before);
  // the reconciliation keeps the surplus visible: received over the declared value, yet short
  const r = await apiCall<{ periods: { period: string; currency: string; received: string; uncovered: string }[] }>(
    tp,
    tokens.seller!,
    'GET',
    '/api/v1/forex/reconciliation',
  );
  const oct = r.body.periods.find((p) => p.period === '2026-10' && p.currency === '142')!;
  assert.equal(toScaled(oct.uncovered), toScaled(charge(c)));
});

test('the unpaid order paid by bank: covered, the rate reaches 1; a receipt naming no order counts on its own', async () => {
  await bankReceipt(c.orderNo, toUsd(charge(c), '142', EXIT_DAY)!, { currency: '502' });
  const paid = await totals();
  assert.equal(fromScaled(paid.received), fromScaled(sum(usd(charge(a)), usd(charge(b)), usd(charge(c)))));
  assert.ok(Math.abs(paid.rate! - 1) < 1e-4, String(paid.rate));
  // a receipt of the window naming no order: its stored USD value, in full
  await bankReceipt('', '71');
  assert.equal(fromScaled((await totals()).received), fromScaled(paid.received + toScaled('10')));
  // one before the window: not counted
  await bankReceipt('', '71', { receivedOn: '2026-09-30' });
  assert.equal(fromScaled((await totals()).received), fromScaled(paid.received + toScaled('10')));
});
