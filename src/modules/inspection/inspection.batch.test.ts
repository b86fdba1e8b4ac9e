import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, recordInvtNos, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { submitOk, apiCall, inventoryStatuses } from '../../../test/support/clearance.ts';
import { inspectionLookup } from './inspection.lookup.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(79, ++g);
const ORANGE_SELLER = '3601260999';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'seller', 'seller2', 'customs', 'inspection'])
    t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

function asOrange(p: Parcel): void {
  for (const d of [p.order, p.waybill, p.inventory]) {
    d.head.ebcCode = ORANGE_SELLER;
    d.head.ebcName = '赣州脐橙电商有限公司';
  }
  p.inventory.head.ownerCode = ORANGE_SELLER;
  p.inventory.head.ownerName = '赣州脐橙电商有限公司';
  const o = p.order.lists.OrderList![0]!;
  Object.assign(o, { itemNo: 'GZ-ORANGE-5KG', itemName: '赣南脐橙 5 kg', unit: '035', qty: '1', price: '68', totalPrice: '68' });
  p.order.lists.OrderList = [o];
  p.order.head.goodsValue = '68';
  const i = p.inventory.lists.InventoryList![0]!;
  Object.assign(i, {
    itemNo: 'GZ-ORANGE-5KG',
    itemName: '赣南脐橙 5 kg',
    gname: '赣南脐橙 5 kg',
    gcode: '0805100000',
    unit: '035',
    unit1: '035',
    qty: '1',
    qty1: '1',
    price: '68',
    totalPrice: '68',
  });
  p.inventory.lists.InventoryList = [i];
}

async function declare(ps: Parcel[]): Promise<void> {
  await submitOk(
    tp,
    t.platform!,
    message(
      'CEB303',
      nextGuid(),
      PARTIES.platform,
      ps.map((p) => p.order),
    ),
  );
  await submitOk(
    tp,
    t.carrier!,
    message(
      'CEB505',
      nextGuid(),
      PARTIES.carrier,
      ps.map((p) => p.waybill),
    ),
  );
  const inventories = await submitOk(
    tp,
    t.broker!,
    message(
      'CEB603',
      nextGuid(),
      PARTIES.broker,
      ps.map((p) => p.inventory),
    ),
  );
  // the broker's total-sub bill names each parcel's inventory by its number
  recordInvtNos(ps, inventories);
  await tp.platform.settle();
}

const api = (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  apiCall<Record<string, unknown> & { items?: Record<string, string>[] }>(tp, t[user]!, method, url, payload);

const statusNow = (p: Parcel) => inventoryStatuses(tp, p);

test('batch ledger: parcels draw on the batch, departures write off, an exhausted batch holds the next parcel', async () => {
  // Start from this test's own batch: the demo season's batch is removed (nothing drew on it yet).
  await sql`delete from insp_batch where batch_no = ${DEMO_BATCH_NO}`.execute(tp.platform.database.db);
  const bad = await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo: 'x', itemNo: 'GZ-ORANGE-5KG', qty: '-1' });
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field).sort(), ['batchNo', 'qty']);
  const unfiled = await api('seller', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'QHC-B-01',
    itemNo: 'QHC-BOWL-01',
    qty: '5',
  });
  assert.equal(unfiled.status, 400, 'only a product filed with inspection is declared in batches');
  const ok = await api('seller2', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'GZ-T-01',
    itemNo: 'GZ-ORANGE-5KG',
    qty: '2',
    unit: '035',
  });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(
    (await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo: 'GZ-T-01', itemNo: 'GZ-ORANGE-5KG', qty: '2' }))
      .status,
    409,
  );

  const [a, b, c] = [makeParcel(1, 'W'), makeParcel(2, 'W'), makeParcel(3, 'W')];
  for (const p of [a!, b!, c!]) asOrange(p);
  await declare([a!, b!]);
  assert.deepEqual([...(await statusNow(a!)), ...(await statusNow(b!))], ['399', '399']);
  let ledger = (await api('seller2', 'GET', '/api/v1/inspection/batches')).body.items!.find((x) => x.batchNo === 'GZ-T-01')!;
  assert.deepEqual([ledger.declared, ledger.released, ledger.writtenOff, ledger.balance], ['2', '2', '0', '0']);

  await declare([c!]);
  assert.deepEqual(await statusNow(c!), ['300'], 'nothing left on the batch: held');

  // The two released parcels leave: consolidation binds them (800), departure closes them (899).
  const site = siteMessages(1, [a!, b!], 'W');
  await submitOk(tp, t.broker!, site.consolidation);
  await submitOk(tp, t.carrier!, site.departure);
  await tp.platform.settle();
  assert.deepEqual([...(await statusNow(a!)), ...(await statusNow(b!))], ['899', '899']);
  ledger = (await api('inspection', 'GET', '/api/v1/inspection/batches')).body.items!.find((x) => x.batchNo === 'GZ-T-01')!;
  assert.deepEqual(
    [ledger.declared, ledger.released, ledger.writtenOff, ledger.balance, ledger.inTransit],
    ['2', '2', '2', '0', '0'],
  );
  assert.equal(
    (await api('seller', 'GET', '/api/v1/inspection/batches')).body.items!.filter((x) => x.batchNo === 'GZ-T-01').length,
    0,
    'another seller does not see the batch',
  );
});

test('over-release is impossible under concurrency: 30 parallel draws on a batch of 10 release exactly 10', async () => {
  const db = tp.platform.database.db;
  assert.equal(
    (await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo: 'GZ-T-02', itemNo: 'GZ-ORANGE-5KG', qty: '10' }))
      .status,
    201,
  );
  // Only this batch has balance left for the product.
  await sql`update insp_batch set released_qty = declared_qty where batch_no <> 'GZ-T-02' and item_no = 'GZ-ORANGE-5KG'`.execute(
    db,
  );
  const ids = Array.from({ length: 30 }, (_, i) => `00000000-0000-4000-8000-${String(900 + i).padStart(12, '0')}`);
  const results = await Promise.all(
    ids.map((id) =>
      db.transaction().execute(async (trx) => {
        const covered = await inspectionLookup(trx).drawOnBatches(
          [{ inventoryId: id, gnum: '1', ebcCode: ORANGE_SELLER, itemNo: 'GZ-ORANGE-5KG', qty: 1 }],
          new Date(),
        );
        return covered.size;
      }),
    ),
  );
  assert.equal(
    results.reduce((s, n) => s + n, 0),
    10,
  );
  const ledger = (await api('inspection', 'GET', '/api/v1/inspection/batches')).body.items!.find((x) => x.batchNo === 'GZ-T-02')!;
  assert.deepEqual([ledger.released, ledger.balance], ['10', '0']);
  const uses = await sql<{ n: number }>`
    select count(*)::int as n from insp_batch_use u join insp_batch b on b.id = u.batch_id where b.batch_no = 'GZ-T-02'`.execute(
    db,
  );
  assert.equal(uses.rows[0]!.n, 10);
  // A replayed draw for a line already covered draws nothing more.
  const again = await inspectionLookup(db).drawOnBatches(
    ids.map((id) => ({ inventoryId: id, gnum: '1', ebcCode: ORANGE_SELLER, itemNo: 'GZ-ORANGE-5KG', qty: 1 })),
    new Date(),
  );
  assert.equal(again.size, 10);
});
