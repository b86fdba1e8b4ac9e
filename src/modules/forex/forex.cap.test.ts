import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { CebEntity } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { apiCall, submitOk } from '../../../test/support/clearance.ts';

// The USD 50,000 single-transaction cap of payment institutions (汇发〔2015〕7号) on every channel:
// a CEB403 collection through customs intake is accepted by customs and flagged by forex; a
// reported record over the cap is stored and flagged the same way. Both are counted on the desk.
const clock = fixedClock(new Date('2026-11-27T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let sellerOrg = '';

const api = <T>(user: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  apiCall<T>(tp, tokens[user]!, method, url, payload);
const db = () => tp.platform.database.db;

interface Recon {
  orgId: string;
  ebcCode: string;
  periods: unknown[];
  unmatched: { receipts: number; totals: { month: string; currency: string; receipts: number; amount: string }[] };
  overCap: {
    receipts: number;
    usd: string;
    months: { month: string; currency: string; receipts: number; usd: string }[];
    listed: {
      channel: string;
      id: string;
      refNo: string;
      institutionCode: string;
      usdAmount: string;
      message: { zh: string; en: string };
    }[];
  };
}

/** A CEB403 of the payer for the seller, of parcel n of run C, with this charge (CNY) and appType. */
function collection(n: number, charge: string, appType = '1', guidN = n): CebEntity {
  const p = makeParcel(n, 'C').payment;
  return { ...p, head: { ...p.head, charge, appType, guid: guidOf(4039, guidN).toUpperCase() } };
}
let msgN = 0;
async function send(entities: CebEntity[]) {
  const out = await submitOk(tp, tokens.payer!, message('CEB403', guidOf(4038, ++msgN), PARTIES.payer, entities));
  await tp.platform.outbox.drain();
  return out;
}

const stored = async () =>
  (
    await sql<{
      pay_no: string;
      live: boolean;
      over_cap: boolean | null;
      usd: string | null;
      rate_version: string | null;
      org: boolean;
    }>`
      select pay_no, live, over_cap, trim_scale(usd_amount)::text as usd, rate_version, org_id = ${sellerOrg}::uuid as org
      from fx_collection where pay_no like 'PAY%' order by pay_no`.execute(db())
  ).rows.map((r) => `${r.pay_no}:${r.live ? 'live' : 'deleted'}:${r.over_cap}:${r.usd}:${r.rate_version}:${r.org}`);

const deskEntry = async (): Promise<Recon> => {
  const desk = await api<Recon[]>('forex', 'GET', '/api/v1/forex/desk');
  assert.equal(desk.status, 200, JSON.stringify(desk.body));
  const e = desk.body.find((x) => x.orgId === sellerOrg);
  assert.ok(e, 'the seller is on the desk');
  return e;
};
/** The receipts over the cap counted for November 2026 (month received) in a currency. */
const november = (r: Recon, currency = '142') => r.overCap.months.find((m) => m.month === '2026-11' && m.currency === currency);

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  // The demo seed's receipts would blur the figures asserted here.
  await sql`delete from fx_receipt`.execute(db());
  await sql`delete from fx_collection`.execute(db());
  for (const u of ['payer', 'seller', 'seller2', 'forex', 'customs']) tokens[u] = await login(tp.platform, u);
  sellerOrg = (await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(db()))
    .rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

test('a CEB403 over the cap is accepted by customs and flagged by forex, with its USD value and rate', async () => {
  // CNY 400,000 ≈ USD 56,338 (over); CNY 1,000 (under); CNY 360,000 ≈ USD 50,704 (over)
  const out = await send([collection(1, '400000'), collection(2, '1000'), collection(3, '360000')]);
  assert.equal(out.rejected, 0, JSON.stringify(out));
  assert.deepEqual(
    out.entities.map((e) => e.returnStatus),
    ['2', '2', '2'],
    'customs accepts every collection: a forex rule is no reason to refuse one',
  );
  assert.deepEqual(await stored(), [
    'PAY0000000001:live:true:56338.03:2026-01:true',
    'PAY0000000002:live:false:140.85:2026-01:true',
    'PAY0000000003:live:true:50704.23:2026-01:true',
  ]);
  const j = await sql<{ jurisdiction: string | null; received_on: string }>`
    select jurisdiction, to_char(received_on, 'YYYY-MM-DD') as received_on from fx_collection where pay_no = 'PAY0000000001'`.execute(
    db(),
  );
  assert.equal(j.rows[0]!.received_on, '2026-11-26', 'the day credited (accountingDate)');
  assert.ok(j.rows[0]!.jurisdiction, "the exporter's jurisdiction, the desk's scope");
});

test('the forex desk and the seller’s reconciliation show and count the over-cap collections', async () => {
  const e = await deskEntry();
  assert.equal(e.ebcCode, PARTIES.seller.code);
  assert.equal(e.overCap.receipts, 2);
  assert.equal(e.overCap.usd, '107042.26');
  assert.deepEqual(e.overCap.listed.map((x) => `${x.channel}:${x.refNo}:${x.institutionCode}:${x.usdAmount}`).sort(), [
    `ceb403:PAY0000000001:${PARTIES.payer.code}:56338.03`,
    `ceb403:PAY0000000003:${PARTIES.payer.code}:50704.23`,
  ]);
  assert.match(e.overCap.listed[0]!.message.zh, /5万美元/);
  assert.match(e.overCap.listed[0]!.message.en, /USD 50,000/);
  const nov = november(e)!;
  assert.deepEqual([nov.receipts, nov.usd], [2, '107042.26']);

  const mine = await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation');
  assert.equal(mine.status, 200);
  assert.equal(mine.body.overCap.receipts, 2);
  assert.equal(november(mine.body)!.receipts, 2);
  const other = await api<Recon>('seller2', 'GET', '/api/v1/forex/reconciliation');
  assert.deepEqual([other.body.overCap.receipts, other.body.periods], [0, []], 'another seller sees none of it');
});

test('a reported payment-institution record over the cap is stored and flagged the same way; a bank’s is not', async () => {
  const row = (refNo: string, kind: string, amount: string, institutionCode: string = PARTIES.payer.code) => ({
    refNo,
    institutionKind: kind,
    institutionCode,
    ebcCode: PARTIES.seller.code,
    orderNo: '',
    currency: '502',
    amount,
    receivedOn: '2026-11-20',
    payerName: 'Buyer',
  });
  const res = await api<{ imported: number; rejected: number; flagged: { row: number; refNo: string; usdAmount: string }[] }>(
    'payer',
    'POST',
    '/api/v1/forex/receipts/batch',
    { rows: [row('CAP-1', 'payment', '90000'), row('CAP-2', 'payment', '50000'), row('CAP-3', 'payment', '12.5')] },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.imported, res.body.rejected], [3, 0]);
  assert.deepEqual(
    res.body.flagged.map((f) => `${f.row}:${f.refNo}:${f.usdAmount}`),
    ['0:CAP-1:90000'],
  );
  // the seller reports what its bank credited: a bank has no such cap
  const bank = await api<{ imported: number; flagged: unknown[] }>('seller', 'POST', '/api/v1/forex/receipts/batch', {
    rows: [row('BANK-1', 'bank', '900000', '3601000001')],
  });
  assert.deepEqual([bank.body.imported, bank.body.flagged], [1, []]);
  // a bank's receipt in won (133), a currency without a USD reference rate: stored without a USD
  // value, not refused; a payment institution's in won cannot be judged against its cap: refused
  const won = await api<{ imported: number; errors: { row: number; problems: { field: string; rule: string }[] }[] }>(
    'seller',
    'POST',
    '/api/v1/forex/receipts/batch',
    { rows: [{ ...row('BANK-KRW', 'bank', '1500000', '3601000001'), currency: '133' }] },
  );
  assert.deepEqual([won.status, won.body.imported, won.body.errors], [200, 1, []]);
  const krw = await sql<{ usd: string | null; rate_version: string | null; over_cap: boolean }>`
    select usd_amount::text as usd, rate_version, over_cap from fx_receipt where ref_no = 'BANK-KRW'`.execute(db());
  assert.deepEqual(krw.rows, [{ usd: null, rate_version: null, over_cap: false }]);
  const wonByPayer = await api<{ imported: number; errors: { row: number; problems: { field: string; rule: string }[] }[] }>(
    'payer',
    'POST',
    '/api/v1/forex/receipts/batch',
    { rows: [{ ...row('CAP-KRW', 'payment', '1500000'), currency: '133' }] },
  );
  assert.deepEqual(
    [wonByPayer.body.imported, wonByPayer.body.errors.map((e) => e.problems.map((p) => `${p.field}/${p.rule}`).join('+'))],
    [0, ['rows[0].currency/rate']],
  );
  await sql`delete from fx_receipt where ref_no = 'BANK-KRW'`.execute(db());
  const rows = await sql<{ ref_no: string; over_cap: boolean; rate_version: string | null }>`
    select ref_no, over_cap, rate_version from fx_receipt order by ref_no`.execute(db());
  assert.deepEqual(
    rows.rows.map((r) => `${r.ref_no}:${r.over_cap}:${r.rate_version}`),
    ['BANK-1:false:2026-01', 'CAP-1:true:2026-01', 'CAP-2:false:2026-01', 'CAP-3:false:2026-01'],
  );

  const e = await deskEntry();
  assert.equal(e.overCap.receipts, 3, 'two CEB403 collections and one record');
  assert.equal(e.overCap.usd, '197042.26');
  assert.ok(e.overCap.listed.some((x) => x.channel === 'record' && x.refNo === 'CAP-1'));
  const usd = november(e, '502')!;
  assert.deepEqual([usd.receipts, usd.usd], [1, '90000.00']);
  assert.equal(november(e)!.receipts, 2, 'the CNY month keeps its two collections');
  // None names an order: matched to no declaration, they are listed apart, not received for a period.
  assert.deepEqual(e.periods, []);
  assert.deepEqual(e.unmatched.totals, [{ month: '2026-11', currency: '502', receipts: 4, amount: '1040012.50' }]);
});

test('a CEB403 changed below the cap loses its flag; one deleted is no longer counted', async () => {
  const out = await send([collection(1, '1000', '2', 11)]);
  assert.equal(out.rejected, 0, JSON.stringify(out));
  const del = await send([collection(3, '360000', '3', 13)]);
  assert.equal(del.rejected, 0, JSON.stringify(del));
  assert.deepEqual(await stored(), [
    'PAY0000000001:live:false:140.85:2026-01:true',
    'PAY0000000002:live:false:140.85:2026-01:true',
    'PAY0000000003:deleted:true:50704.23:2026-01:true',
  ]);
  const e = await deskEntry();
  assert.deepEqual(
    e.overCap.listed.map((x) => `${x.channel}:${x.refNo}`),
    ['record:CAP-1'],
  );
  assert.equal(november(e)?.receipts ?? 0, 0);
});

test('collections an earlier release stored unchecked are checked before the desk reads', async () => {
  await send([collection(4, '500000')]);
  // as migration 007 copies collections accepted before it: head fields only, not checked
  await sql`update fx_collection set checked_at = null, over_cap = null, org_id = null, jurisdiction = null, usd_amount = null,
    rate_version = null where pay_no = 'PAY0000000004'`.execute(db());
  const e = await deskEntry();
  assert.ok(e.overCap.listed.some((x) => x.channel === 'ceb403' && x.refNo === 'PAY0000000004'));
  assert.ok((await stored()).includes('PAY0000000004:live:true:70422.54:2026-01:true'));
  assert.equal((await api('customs', 'GET', '/api/v1/forex/desk')).status, 403);
});
