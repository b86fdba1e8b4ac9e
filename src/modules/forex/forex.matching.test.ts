import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, closeParcels } from '../../../test/support/clearance.ts';

// A seller paid by bank (no CEB403 collections): receipt records as a JSON batch, matched per
// receipt by orderNo to the summary declaration, on the forex desk and in the tax refund verdict.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let ps: Parcel[] = [];
let sellerOrg = '';

const api = <T>(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<T>(tp, tokens[user]!, method, url, payload);

interface Outcome {
  imported: number;
  rejected: number;
  errors: { row: number; problems: { field: string; rule: string; message: { zh: string; en: string } }[] }[];
  flagged: { row: number; refNo: string; usdAmount: string }[];
}
interface Period {
  period: string;
  currency: string;
  declared: string;
  receivedCeb403: string;
  receivedBank: string;
  received: string;
  status: string;
  overdue: boolean;
  matchedReceipts: number;
}
interface Recon {
  orgId: string;
  periods: Period[];
  unmatched: {
    receipts: number;
    totals: { month: string; currency: string; receipts: number; amount: string }[];
    listed: { refNo: string; orderNo: string; reason: string; message: { zh: string; en: string } }[];
  };
  overCap: { receipts: number; months: { month: string; currency: string; receipts: number }[] };
}
interface Refund {
  declarationId: string;
  received: Record<string, string>;
  receivedCeb403: Record<string, string>;
  receivedBank: Record<string, string>;
  declaredValue: Record<string, string>;
  verdict: { outcome: string; refund: { id: string; met: boolean; reason: { zh: string; en: string } | null }[] };
}

const row = (refNo: string, orderNo: string, amount: string, over: Record<string, string> = {}) => ({
  refNo,
  institutionKind: 'payment',
  institutionCode: PARTIES.payer.code,
  ebcCode: PARTIES.seller.code,
  orderNo,
  currency: '142',
  amount,
  receivedOn: '2026-11-05',
  payerName: 'Buyer',
  ...over,
});
const charge = (p: Parcel): string => String(p.payment.head.charge);
const unmetOf = (v: Refund) => v.verdict.refund.filter((c) => !c.met);

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  await sql`delete from fx_receipt`.execute(tp.platform.database.db);
  for (const u of ['platform', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  ps = Array.from({ length: 4 }, (_, i) => makeParcel(i + 1, 'M'));
  // no CEB403: the buyer paid through a bank
  await closeParcels(tp, tokens, ps, 1, 'M', { without: ['CEB403'] });
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'seller2', 'payer', 'forex', 'customs', 'tax']) tokens[u] = await login(tp.platform, u);
  const s = await api('seller', 'POST', '/api/v1/summary/applications', { period: '2026-10' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  sellerOrg = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
  const profile = { generalTaxpayer: true, refundQualified: true, taxRegistered: true, tradingCompany: false, pilotZone: null };
  assert.equal((await api('tax', 'PUT', `/api/v1/tax/profiles/${sellerOrg}`, profile)).status, 200);
});
after(async () => {
  await tp.stop();
});

test('before any receipt: the declaration matches its inventories, proceeds are missing', async () => {
  const [v] = (await api<Refund[]>('seller', 'GET', '/api/v1/tax/my-refunds')).body;
  assert.ok(v);
  assert.deepEqual(
    unmetOf(v).map((c) => c.id),
    ['proceeds_received'],
    'declaration_matches holds: lines equal the closed inventories that fed them',
  );
  assert.deepEqual(v.receivedCeb403, {});
});

test('JSON batch: per-row errors as for CSV, same permission, the body checked as a whole', async () => {
  const rows = [
    row('MB-1', ps[0]!.orderNo, charge(ps[0]!)),
    row('MB-2', ps[1]!.orderNo, charge(ps[1]!), { institutionKind: 'bank' }),
    row('MB-bad', ps[2]!.orderNo, '1.005'),
    // over the payment institutions' cap: stored and flagged, not refused (an order never declared)
    row('MB-cap', 'M-ORD-CAP', '400000'),
    row('MB-1', ps[0]!.orderNo, '1'),
    row('MB-other', 'X', '1', { institutionCode: '3601000001', ebcCode: PARTIES.platform.code }),
    row('MB-3', ps[2]!.orderNo, `  ${charge(ps[2]!)} `),
    row('MB-4', ps[3]!.orderNo, charge(ps[3]!)),
    row('MB-stray', 'M-ORD-99999999', '12.5'),
    row('MB-blank', '', '7'),
  ];
  const res = await api<Outcome>('payer', 'POST', '/api/v1/forex/receipts/batch', { rows });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 7);
  assert.deepEqual(
    res.body.errors.map((e) => `${e.row}:${e.problems.map((p) => `${p.field}/${p.rule}`).join('+')}`),
    ['2:rows[2].amount/decimal', '4:rows[4].refNo/unique', '5:rows[5].institutionCode/own'],
  );
  assert.deepEqual(
    res.body.flagged.map((f) => `${f.row}:${f.refNo}:${f.usdAmount}`),
    ['3:MB-cap:56338.03'],
  );
  for (const e of res.body.errors) for (const p of e.problems) assert.ok(p.message.zh && p.message.en);
  // the same rows as CSV answer the same per-row problems (rows numbered as in a spreadsheet)
  const header = Object.keys(rows[0]!).join(',');
  const csv = [header, ...rows.slice(2, 4).map((r) => Object.values(r).join(','))].join('\n');
  const viaCsv = await api<Outcome>('payer', 'POST', '/api/v1/forex/receipts/import', { csv });
  assert.deepEqual(
    viaCsv.body.errors.map((e) => `${e.row}:${e.problems.map((p) => `${p.field}/${p.rule}`).join('+')}`),
    ['2:rows[2].amount/decimal', '3:rows[3].refNo/unique'],
  );

  assert.equal((await api('customs', 'POST', '/api/v1/forex/receipts/batch', { rows: [rows[0]] })).status, 403);
  assert.equal((await api('forex', 'POST', '/api/v1/forex/receipts/batch', { rows: [rows[0]] })).status, 403);
  const { amount: _a, ...noAmount } = rows[0]!;
  assert.equal((await api('payer', 'POST', '/api/v1/forex/receipts/batch', { rows: [noAmount] })).status, 400);
  assert.equal((await api('payer', 'POST', '/api/v1/forex/receipts/batch', { rows: [{ ...rows[0], x: '1' }] })).status, 400);
  assert.equal((await api('payer', 'POST', '/api/v1/forex/receipts/batch', { csv: '' })).status, 400);
});

test('per-receipt matching: receipts count toward their declaration’s period; the unmatched are listed apart', async () => {
  const r = await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // The four November receipts name October's declared orders: they are October's proceeds.
  assert.deepEqual(
    r.body.periods.map((x) => `${x.period}/${x.currency}`),
    ['2026-10/142'],
    'no period is formed by the month a receipt arrived',
  );
  const oct = r.body.periods[0]!;
  const fen = (v: string) => Math.round(Number(v) * 100);
  assert.equal(oct.matchedReceipts, 4);
  assert.equal(
    fen(oct.receivedBank),
    ps.reduce((a, p) => a + fen(charge(p)), 0),
  );
  assert.equal(oct.receivedCeb403, '0');
  assert.equal(fen(oct.received), fen(oct.declared));
  assert.deepEqual([oct.status, oct.overdue], ['matched', false]);
  // Receipts matched to no declaration are listed apart and never added to a period.
  assert.equal(r.body.unmatched.receipts, 3);
  assert.deepEqual(
    r.body.unmatched.listed.map((u) => `${u.refNo}:${u.reason}`),
    ['MB-blank:no_order_no', 'MB-cap:order_not_declared', 'MB-stray:order_not_declared'],
  );
  assert.match(r.body.unmatched.listed[2]!.message.zh, /M-ORD-99999999/);
  assert.deepEqual(r.body.unmatched.totals, [{ month: '2026-11', currency: '142', receipts: 3, amount: '400019.50' }]);
  assert.equal(r.body.overCap.receipts, 1);
  assert.deepEqual(
    r.body.overCap.months.map((m) => `${m.month}/${m.currency}/${m.receipts}`),
    ['2026-11/142/1'],
  );

  const desk = await api<Recon[]>('forex', 'GET', '/api/v1/forex/desk');
  assert.equal(desk.status, 200);
  const mine = desk.body.find((e) => e.orgId === r.body.orgId)!;
  assert.deepEqual(mine.periods, r.body.periods);
  assert.deepEqual(
    mine.unmatched.listed.map((u) => u.refNo),
    ['MB-blank', 'MB-cap', 'MB-stray'],
  );
  const other = await api<Recon>('seller2', 'GET', '/api/v1/forex/reconciliation');
  assert.deepEqual([other.body.periods, other.body.unmatched.receipts], [[], 0], 'another seller sees none of it');
});

test('tax refund: bank receipts matched to the declaration count as proceeds received', async () => {
  const [v] = (await api<Refund[]>('seller', 'GET', '/api/v1/tax/my-refunds')).body;
  assert.ok(v);
  assert.deepEqual(unmetOf(v), []);
  assert.equal(v.verdict.outcome, 'refund');
  assert.deepEqual(v.received, v.declaredValue);
  assert.deepEqual(v.receivedBank, v.declaredValue, 'the stray and blank receipts are not counted');
  // a foreign enterprise still gets 404 for this declaration
  assert.equal((await api('seller2', 'GET', `/api/v1/tax/declarations/${v.declarationId}`)).status, 404);
});

test('declaration_matches: a declaration line that differs from its inventories is named', async () => {
  const [v0] = (await api<Refund[]>('seller', 'GET', '/api/v1/tax/my-refunds')).body;
  await sql`update sum_declaration_line set qty = qty + 1 where declaration_id = ${v0!.declarationId} and line_no = 1`.execute(
    tp.platform.database.db,
  );
  const v = (await api<Refund>('tax', 'GET', `/api/v1/tax/declarations/${v0!.declarationId}`)).body;
  const bad = unmetOf(v);
  assert.deepEqual(
    bad.map((c) => c.id),
    ['declaration_matches'],
  );
  assert.match(bad[0]!.reason!.zh, /第1项数量申报\d+，清单合计\d+/);
  assert.notEqual(v.verdict.outcome, 'refund');
});

test('after the deadline: the November receipts keep October received in full, so it is not overdue; a short period is', async () => {
  const db = tp.platform.database.db;
  clock.set(new Date('2027-05-10T02:00:00Z'));
  for (const u of ['seller', 'forex']) tokens[u] = await login(tp.platform, u);
  const oct = (r: Recon) => r.periods.find((x) => x.period === '2026-10' && x.currency === '142')!;
  const r = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  assert.deepEqual([oct(r).status, oct(r).overdue], ['matched', false]);
  // One receipt less: the October declarations are short, and past 30 April 2027 that is overdue.
  await sql`update fx_receipt set order_no = '' where ref_no = 'MB-4'`.execute(db);
  const short = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  assert.deepEqual([oct(short).status, oct(short).overdue, oct(short).matchedReceipts], ['under_received', true, 3]);
  const fen = (v: string) => Math.round(Number(v) * 100);
  assert.equal(fen(oct(short).declared) - fen(oct(short).received), fen(charge(ps[3]!)));
  assert.ok(short.unmatched.listed.some((u) => u.refNo === 'MB-4' && u.reason === 'no_order_no'));
});
