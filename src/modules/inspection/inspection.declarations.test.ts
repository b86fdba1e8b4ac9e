import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { submitOk } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

// Centralised declaration (集中申报): per enterprise and Beijing day, or per enterprise and total-sub
// bill, as the inspection authority sets it; each declaration names the seller batches its parcels
// drew on; supervision (集中监管) is a record that release and departure do not wait for.

const suite = inspectionSuite({ guids: 71 });
const { tp, t, api, statusNow } = suite;
const BILL_1 = 'DG-784-00000001';
const BILL_2 = 'DG-784-00000002';

const orangeOnBill = (billNo: string | null) => (p: Parcel) => {
  asOrange(p);
  if (billNo) p.inventory.head.billNo = billNo;
};

async function orangeDeclarations() {
  const items = (await api('inspection', 'GET', '/api/v1/inspection/declarations')).body.items!;
  return items.filter((d) => d.enterpriseCode === ORANGE_SELLER.code);
}

test('the authority declares per total-sub bill or per day; a declaration names the batches drawn; departure does not wait for supervision', async () => {
  const initial = await api('inspection', 'GET', '/api/v1/inspection/settings');
  assert.equal(initial.status, 200, JSON.stringify(initial.body));
  assert.equal(initial.body.declarationGrouping, null);
  assert.equal(initial.body.effectiveGrouping, 'day');
  const prefix = initial.body.customsPrefix as string;
  assert.ok('4006'.startsWith(prefix), `the demo inspection desk covers 4006 (${prefix})`);

  // Bad input and the wrong desk change nothing.
  const bad = await api('inspection', 'PUT', '/api/v1/inspection/settings', { declarationGrouping: 'week' });
  assert.equal(bad.status, 400);
  assert.deepEqual(
    (bad.body.errors as { field: string }[]).map((e) => e.field),
    ['declarationGrouping'],
  );
  assert.match(JSON.stringify(bad.body), /集中申报方式须为 day.*declarationGrouping must be day/);
  assert.equal((await api('seller2', 'PUT', '/api/v1/inspection/settings', { declarationGrouping: 'bill' })).status, 403);
  assert.equal(
    (await api('customs', 'PUT', '/api/v1/inspection/settings', { declarationGrouping: 'bill' })).status,
    403,
    'an act of the inspection authority, not of a customs officer',
  );
  const stored = async () =>
    (await sql<{ g: string }>`select declaration_grouping as g from insp_setting`.execute(tp.platform.database.db)).rows.map(
      (r) => r.g,
    );
  assert.deepEqual(await stored(), []);

  const perBill = await api('inspection', 'PUT', '/api/v1/inspection/settings', { declarationGrouping: 'bill' });
  assert.equal(perBill.status, 200, JSON.stringify(perBill.body));
  assert.deepEqual([perBill.body.declarationGrouping, perBill.body.effectiveGrouping], ['bill', 'bill']);
  assert.deepEqual(await stored(), ['bill']);

  // Two parcels on bill 1, one on bill 2, one naming no bill (declared per day).
  const a = await suite.declare(1, 'DG', orangeOnBill(BILL_1));
  const b = await suite.declare(2, 'DG', orangeOnBill(BILL_1));
  const c = await suite.declare(3, 'DG', orangeOnBill(BILL_2));
  const d = await suite.declare(4, 'DG', orangeOnBill(null));
  for (const x of [a, b, c, d]) assert.deepEqual(await statusNow(x.p), ['399']);
  const decls = await orangeDeclarations();
  const summary = decls
    .map((x) => [
      x.grouping,
      x.billNo,
      x.parcelCount,
      (x.declarationNo as string).startsWith(x.grouping === 'bill' ? 'JZB-' : 'JZ2'),
    ])
    .sort((x, y) => String(x[1]).localeCompare(String(y[1])));
  assert.deepEqual(summary, [
    ['bill', BILL_1, 2, true],
    ['bill', BILL_2, 1, true],
    ['day', null, 1, true],
  ]);
  const bill1 = decls.find((x) => x.billNo === BILL_1)!;
  assert.equal(bill1.declarationNo, `JZB-${BILL_1}-${ORANGE_SELLER.code}-4006`);

  // The declaration names the seller batch each line drew on.
  const detail = await api('inspection', 'GET', `/api/v1/inspection/declarations/${bill1.id as string}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.body.batches, [
    { batchNo: DEMO_BATCH_NO, itemNo: 'GZ-ORANGE-5KG', reserved: '0', released: '2', writtenOff: '0', returned: '0' },
  ]);
  const lines = (detail.body.parcels as { lines: { batchNo: string; batchState: string }[] }[]).map((p) => [
    p.lines[0]!.batchNo,
    p.lines[0]!.batchState,
  ]);
  assert.deepEqual(lines, [
    [DEMO_BATCH_NO, 'released'],
    [DEMO_BATCH_NO, 'released'],
  ]);

  // Departure does not wait for supervision: the bill's parcels close (899) while its declaration
  // is still awaiting supervision; their draws are written off.
  a.p.invtNo = (await invtNo(a.id))!;
  b.p.invtNo = (await invtNo(b.id))!;
  const site = siteMessages(1, [a.p, b.p], 'DG');
  await submitOk(tp, t.broker!, site.consolidation);
  await submitOk(tp, t.carrier!, site.departure);
  await tp.platform.settle();
  assert.deepEqual([...(await statusNow(a.p)), ...(await statusNow(b.p))], ['899', '899']);
  const after = await api('inspection', 'GET', `/api/v1/inspection/declarations/${bill1.id as string}`);
  assert.equal(after.body.status, 'declared', 'not supervised, and the parcels left all the same');
  assert.deepEqual(
    (after.body.batches as { writtenOff: string }[]).map((x) => x.writtenOff),
    ['2'],
  );
  const supervised = await api('inspection', 'POST', `/api/v1/inspection/declarations/${bill1.id as string}/supervise`);
  assert.equal(supervised.status, 200);
  assert.equal(supervised.body.status, 'supervised');

  // Back to per day: the next parcel on bill 1 joins the day's declaration.
  assert.equal((await api('inspection', 'PUT', '/api/v1/inspection/settings', { declarationGrouping: 'day' })).status, 200);
  await suite.declare(5, 'DG', orangeOnBill(BILL_1));
  const later = await orangeDeclarations();
  assert.deepEqual(
    later.map((x) => [x.billNo, x.parcelCount]).sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    [
      [BILL_1, 2],
      [BILL_2, 1],
      [null, 2],
    ],
  );
  await tp.platform.settle();
  const audited = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where action = 'inspection.setting.update'`.execute(tp.platform.database.db);
  assert.equal(audited.rows[0]!.n, 2);
});

async function invtNo(id: string): Promise<string | undefined> {
  const r = await sql<{ invt_no: string }>`select invt_no from clr_inventory where document_id = ${id}`.execute(
    tp.platform.database.db,
  );
  return r.rows[0]?.invt_no;
}
