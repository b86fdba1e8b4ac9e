import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fillInvtNos, type CebMessage } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';
import { toScaled } from '../../kernel/decimal.ts';

// From parcels to a summary declaration to the forex reconciliation and the PBoC desk.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let ps: Parcel[] = [];

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
  // The demo seed's receipts and settlements would blur the sums and desks asserted here.
  await sql`delete from fx_receipt`.execute(tp.platform.database.db);
  await sql`delete from fx_rmb_settlement`.execute(tp.platform.database.db);
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  ps = Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'X'));
  const ms: CebMessage[] = [
    message(
      'CEB303',
      guidOf(3033, 1),
      PARTIES.platform,
      ps.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4033, 1),
      PARTIES.payer,
      ps.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5053, 1),
      PARTIES.carrier,
      ps.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6033, 1),
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
  for (const u of ['seller', 'seller2', 'forex', 'pboc', 'customs', 'payer']) tokens[u] = await login(tp.platform, u);
  const s = await api<{ declarations: unknown[] }>('seller', 'POST', '/api/v1/summary/applications', { period: '2026-10' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
});
after(async () => {
  await tp.stop();
});

interface Recon {
  orgId: string;
  periods: {
    period: string;
    currency: string;
    declared: string;
    receivedCeb403: string;
    receivedBank: string;
    receivedRmb: string;
    received: string;
    uncovered: string;
    status: string;
  }[];
  unmatched: { receipts: number; totals: { month: string; currency: string; receipts: number; amount: string }[] };
}

test('declared vs received: CEB403 collections match the summary declarations of the month', async () => {
  const r = await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const oct = r.body.periods.find((x) => x.period === '2026-10' && x.currency === '142')!;
  assert.ok(Number(oct.declared) > 0);
  assert.equal(oct.receivedCeb403, oct.declared);
  assert.equal(oct.status, 'matched');
});

test('CSV import from a payment institution: good rows stored, each bad row answered, over the USD 50,000 cap flagged', async () => {
  const header = 'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName';
  const csv = [
    header,
    `FX-1,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-1,142,1000,2026-11-05,"Smith, J"`,
    `FX-2,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-2,142,400000,2026-11-05,Big`,
    `FX-3,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-3,142,10,2026/11/05,Bad date`,
    `FX-4,payment,${PARTIES.payer.code},9999999999,X-ORD-4,142,10,2026-11-05,Nobody`,
    `FX-1,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-1,142,1000,2026-11-05,again`,
    `FX-5,bank,3601000001,${PARTIES.platform.code},X-ORD-5,142,10,2026-11-05,not mine`,
  ].join('\r\n');
  const res = await api<{
    imported: number;
    rejected: number;
    errors: { row: number; problems: { field: string; rule: string }[] }[];
    flagged: { row: number; refNo: string }[];
  }>('payer', 'POST', '/api/v1/forex/receipts/import', { csv });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 2);
  assert.deepEqual(
    res.body.errors.map((e) => `${e.row}:${e.problems.map((p) => p.rule).join('+')}`),
    ['4:date', '5:known', '6:unique', '7:own'],
  );
  // CNY 400,000 ≈ USD 56,338 through a payment institution: the money was received, SAFE must see it
  assert.deepEqual(
    res.body.flagged.map((f) => `${f.row}:${f.refNo}`),
    ['3:FX-2'],
  );
  const again = await api<{ imported: number; errors: { problems: { rule: string }[] }[] }>(
    'payer',
    'POST',
    '/api/v1/forex/receipts/import',
    {
      csv: `${header}\nFX-1,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-1,142,1000,2026-11-05,x`,
    },
  );
  assert.equal(again.body.imported, 0);
  assert.equal(again.body.errors[0]!.problems[0]!.rule, 'unique');
  const missing = await api('payer', 'POST', '/api/v1/forex/receipts/import', { csv: 'refNo,amount\nA,1' });
  assert.equal(missing.status, 400);

  const r = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  // X-ORD-1 / X-ORD-2 are no orders of the seller's declarations: listed apart, not received for a period
  assert.deepEqual(r.unmatched.totals, [{ month: '2026-11', currency: '142', receipts: 2, amount: '401000.00' }]);
  assert.deepEqual(
    r.periods.map((x) => `${x.period}/${x.currency}/${x.receivedBank}`),
    ['2026-10/142/0'],
  );
  const desk = await api<Recon[]>('forex', 'GET', '/api/v1/forex/desk');
  assert.equal(desk.status, 200);
  assert.ok(desk.body.some((e) => e.orgId === r.orgId && e.periods.length === r.periods.length));
  assert.equal((await api('customs', 'GET', '/api/v1/forex/desk')).status, 403);
  assert.deepEqual(
    (await api<Recon>('seller2', 'GET', '/api/v1/forex/reconciliation')).body.periods,
    [],
    'another seller sees none of it',
  );
});

test('RMB settlements: the PBoC desk lists those lacking trade-authenticity evidence', async () => {
  const withOrder = await api<{ lacksEvidence: boolean }>('payer', 'POST', '/api/v1/forex/rmb-settlements', {
    refNo: 'RMB-1',
    ebcCode: PARTIES.seller.code,
    amount: '5000',
    settledOn: '2026-11-06',
    // an order of one of the seller's declared parcels: found, so the settlement is supported
    orderNo: ps[0]!.orderNo,
  });
  assert.equal(withOrder.status, 201, JSON.stringify(withOrder.body));
  assert.equal(withOrder.body.lacksEvidence, false);
  const bare = await api<{ lacksEvidence: boolean }>('payer', 'POST', '/api/v1/forex/rmb-settlements', {
    refNo: 'RMB-2',
    ebcCode: PARTIES.seller.code,
    amount: '7000',
    settledOn: '2026-11-07',
  });
  assert.equal(bare.body.lacksEvidence, true);
  assert.equal(
    (
      await api('payer', 'POST', '/api/v1/forex/rmb-settlements', {
        refNo: 'RMB-2',
        ebcCode: PARTIES.seller.code,
        amount: '1',
        settledOn: '2026-11-07',
      })
    ).status,
    409,
  );
  assert.equal(
    (
      await api('seller', 'POST', '/api/v1/forex/rmb-settlements', {
        refNo: 'S-1',
        ebcCode: PARTIES.seller.code,
        amount: '1',
        settledOn: '2026-11-07',
      })
    ).status,
    403,
  );
  const desk = await api<{ refNo: string }[]>('pboc', 'GET', '/api/v1/pboc/settlements-lacking-evidence');
  assert.equal(desk.status, 200);
  assert.deepEqual(
    desk.body.map((x) => x.refNo),
    ['RMB-2'],
  );
  assert.equal((await api('forex', 'GET', '/api/v1/pboc/settlements-lacking-evidence')).status, 403);
  // The settlement naming a declared order is proceeds of October's declaration (in CNY); the
  // one naming nothing is proceeds of none. That order's CEB403 collection saw its payment too:
  // the order counts once, as the larger of the two, so October is over by the settlement less
  // that collection, not by the whole settlement added on top.
  const oct = (x: Recon) => x.periods.find((p) => p.period === '2026-10' && p.currency === '142')!;
  const r = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  const charge = (p: Parcel) => toScaled(String(p.payment.head.charge));
  assert.equal(oct(r).receivedRmb, '5000.00');
  assert.equal(oct(r).receivedCeb403, oct(r).declared);
  assert.equal(toScaled(oct(r).received), toScaled(oct(r).declared) - charge(ps[0]!) + toScaled('5000'));
  assert.deepEqual([oct(r).status, oct(r).uncovered], ['over_received', '0']);

  // A settlement of another order for what its CEB403 collection said is the same money: the
  // RMB channel shows it, what was received does not change.
  const same = await api('payer', 'POST', '/api/v1/forex/rmb-settlements', {
    refNo: 'DUP-1',
    ebcCode: PARTIES.seller.code,
    amount: String(ps[1]!.payment.head.charge),
    settledOn: '2026-11-08',
    orderNo: ps[1]!.orderNo,
  });
  assert.equal(same.status, 201, JSON.stringify(same.body));
  const r2 = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  assert.equal(toScaled(oct(r2).receivedRmb), toScaled('5000') + charge(ps[1]!));
  assert.equal(oct(r2).received, oct(r).received, 'counted once for its order');
  assert.equal(oct(r2).status, 'over_received');
});

test('a payment record of a transaction already declared as CEB403 (same payNo) is refused per row, not counted twice', async () => {
  const header = 'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName';
  const before = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  const oct = (r: Recon) => r.periods.find((x) => x.period === '2026-10' && x.currency === '142')!;
  const res = await api<{ imported: number; errors: { row: number; problems: { field: string; rule: string }[] }[] }>(
    'payer',
    'POST',
    '/api/v1/forex/receipts/import',
    {
      csv: [
        header,
        // the CEB403 collection of parcel X1 carries payNo PAY0000000001 from this payment institution
        `PAY0000000001,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-1,142,100,2026-10-21,dup`,
        `PAY9000000001,payment,${PARTIES.payer.code},${PARTIES.seller.code},X-ORD-9,142,100,2026-10-21,new`,
      ].join('\n'),
    },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 1);
  assert.deepEqual(
    res.body.errors.map((e) => `${e.row}:${e.problems.map((p) => `${p.field}/${p.rule}`).join('+')}`),
    ['2:rows[2].refNo/ceb403'],
  );
  const after = (await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation')).body;
  assert.equal(oct(after).receivedCeb403, oct(before).receivedCeb403);
  assert.equal(oct(after).receivedBank, oct(before).receivedBank, 'X-ORD-9 is no declared order: not received for October');
  assert.equal(after.unmatched.receipts - before.unmatched.receipts, 1, 'only the new transaction counts');
});

test('the forex desk lists enterprises of the jurisdiction with receipts but no declaration, as undeclared', async () => {
  const db = tp.platform.database.db;
  const SELLER2 = '3601260999'; // jurisdiction 4003, no summary declaration
  const row = (refNo: string, ebcCode: string) => ({
    refNo,
    institutionKind: 'payment',
    institutionCode: PARTIES.payer.code,
    ebcCode,
    orderNo: '',
    currency: '502',
    amount: '250',
    receivedOn: '2026-11-08',
    payerName: 'Buyer',
  });
  const res = await api<{ imported: number }>('payer', 'POST', '/api/v1/forex/receipts/batch', {
    // the payment institution itself (jurisdiction 2200) as the exporter: outside the desk's jurisdiction
    rows: [row('UD-1', SELLER2), row('UD-2', SELLER2), row('UD-3', PARTIES.payer.code)],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 3);
  const stored = await sql<{ ref_no: string; jurisdiction: string | null }>`
    select ref_no, jurisdiction from fx_receipt where ref_no like 'UD-%' order by ref_no`.execute(db);
  assert.deepEqual(
    stored.rows.map((r) => `${r.ref_no}:${r.jurisdiction}`),
    ['UD-1:4003', 'UD-2:4003', 'UD-3:2200'],
    "the exporter's jurisdiction is stored with each receipt",
  );
  const orgOf = async (code: string) =>
    (await sql<{ id: string }>`select id from organisation where customs_code = ${code}`.execute(db)).rows[0]!.id;
  const seller2Org = await orgOf(SELLER2);
  const payerOrg = await orgOf(PARTIES.payer.code);

  interface DeskEntry extends Recon {
    ebcCode: string;
    ebcName: string;
  }
  const check = async () => {
    const desk = await api<DeskEntry[]>('forex', 'GET', '/api/v1/forex/desk');
    assert.equal(desk.status, 200);
    const e = desk.body.find((x) => x.orgId === seller2Org);
    assert.ok(e, 'the enterprise with receipts only is on the desk');
    assert.equal(e.ebcCode, SELLER2);
    assert.equal(e.ebcName, '赣州脐橙电商有限公司');
    // receipts only, none naming a declared order: no period, the receipts listed apart
    assert.deepEqual(e.periods, []);
    assert.deepEqual(e.unmatched.totals, [{ month: '2026-11', currency: '502', receipts: 2, amount: '500.00' }]);
    assert.ok(!desk.body.some((x) => x.orgId === payerOrg), 'an exporter of another jurisdiction is not');
  };
  await check();
  // Receipts stored before the jurisdiction was recorded are placed by the exporter's own.
  await sql`update fx_receipt set jurisdiction = null where ref_no like 'UD-%'`.execute(db);
  await check();
});

test('RMB settlement evidence: order and declaration numbers are looked up, stored, and the unfound listed on the PBoC desk', async () => {
  const db = tp.platform.database.db;
  const entryId = (await sql<{ entry_id: string }>`select entry_id from sum_declaration limit 1`.execute(db)).rows[0]!.entry_id;
  type Recorded = { lacksEvidence: boolean; reasons: { reason: string; message: { zh: string; en: string } }[] };
  const record = async (refNo: string, evidence: Record<string, string>, ebcCode: string = PARTIES.seller.code) => {
    const r = await api<Recorded>('payer', 'POST', '/api/v1/forex/rmb-settlements', {
      refNo,
      ebcCode,
      amount: '1000',
      settledOn: '2026-11-10',
      ...evidence,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const e1 = await record('RMB-E1', { entryId });
  assert.deepEqual([e1.lacksEvidence, e1.reasons], [false, []]);
  const e2 = await record('RMB-E2', { orderNo: 'X-ORD-NOPE', contractNo: 'CT-2' });
  assert.equal(e2.lacksEvidence, true);
  assert.deepEqual(
    e2.reasons.map((x) => x.reason),
    ['order_not_found'],
  );
  assert.match(e2.reasons[0]!.message.zh, /X-ORD-NOPE/);
  const e3 = await record('RMB-E3', { entryId: '999999999999999999', invoiceNo: 'INV-3' });
  assert.deepEqual(
    e3.reasons.map((x) => x.reason),
    ['entry_not_found'],
  );
  // Another enterprise naming this seller's order and declaration: neither is its own.
  const e4 = await record('RMB-E4', { orderNo: ps[1]!.orderNo, entryId }, '3601260999');
  assert.deepEqual(
    e4.reasons.map((x) => x.reason),
    ['order_not_found', 'entry_not_found'],
  );
  const e5 = await record('RMB-E5', { orderNo: ps[2]!.orderNo });
  assert.equal(e5.lacksEvidence, false);

  const stored = async () =>
    (
      await sql<{ ref_no: string; order_found: boolean | null; entry_found: boolean | null; checked: boolean }>`
        select ref_no, order_found, entry_found, evidence_checked_at is not null as checked
        from fx_rmb_settlement where ref_no like 'RMB-%' order by ref_no`.execute(db)
    ).rows.map((r) => `${r.ref_no}:${r.order_found}/${r.entry_found}/${r.checked}`);
  assert.deepEqual(await stored(), [
    'RMB-1:true/null/true',
    'RMB-2:null/null/true',
    'RMB-E1:null/true/true',
    'RMB-E2:false/null/true',
    'RMB-E3:null/false/true',
    'RMB-E4:false/false/true',
    'RMB-E5:true/null/true',
  ]);

  // A row never looked up (stored before the look-up existed) is looked up by the desk and stored.
  await sql`update fx_rmb_settlement set order_found = null, evidence_checked_at = null where ref_no = 'RMB-E5'`.execute(db);
  const desk = await api<{ refNo: string; orderNo: string | null; reasons: { reason: string }[] }[]>(
    'pboc',
    'GET',
    '/api/v1/pboc/settlements-lacking-evidence',
  );
  assert.equal(desk.status, 200, JSON.stringify(desk.body));
  assert.deepEqual(desk.body.map((x) => `${x.refNo}:${x.reasons.map((r) => r.reason).join('+')}`).sort(), [
    'RMB-2:no_evidence',
    'RMB-E2:order_not_found',
    'RMB-E3:entry_not_found',
    'RMB-E4:order_not_found+entry_not_found',
  ]);
  assert.ok((await stored()).includes('RMB-E5:true/null/true'), 'the look-up result is stored');
});
