import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { CebMessage } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';

// From parcels to a summary declaration to the forex reconciliation and the PBoC desk.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};

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
  const ps: Parcel[] = Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'X'));
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
  periods: { period: string; currency: string; declared: string; receivedCeb403: string; receivedBank: string; status: string }[];
}

test('declared vs received: CEB403 collections match the summary declarations of the month', async () => {
  const r = await api<Recon>('seller', 'GET', '/api/v1/forex/reconciliation');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const oct = r.body.periods.find((x) => x.period === '2026-10' && x.currency === '142')!;
  assert.ok(Number(oct.declared) > 0);
  assert.equal(oct.receivedCeb403, oct.declared);
  assert.equal(oct.status, 'matched');
});

test('CSV import from a payment institution: good rows stored, each bad row answered, the USD 50,000 cap enforced', async () => {
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
  }>('payer', 'POST', '/api/v1/forex/receipts/import', { csv });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 1);
  assert.deepEqual(
    res.body.errors.map((e) => `${e.row}:${e.problems.map((p) => p.rule).join('+')}`),
    ['3:cap', '4:date', '5:known', '6:unique', '7:own'],
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
  const nov = r.periods.find((x) => x.period === '2026-11' && x.currency === '142')!;
  assert.equal(nov.receivedBank, '1000.00');
  assert.equal(nov.status, 'undeclared');
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
    orderNo: 'X-ORD-1',
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
  assert.equal(Number(oct(after).receivedBank) - Number(oct(before).receivedBank), 100, 'only the new transaction counts');
});
