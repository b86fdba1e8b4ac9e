import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { declareParcels, submitOk } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { makeParcel, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { inspectionLookup } from './inspection.lookup.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

const { tp, t, nextGuid, api, statusNow } = inspectionSuite({ guids: 79 });

const declare = (ps: Parcel[]) => declareParcels(tp, t, ps, nextGuid);

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
          [{ inventoryId: id, gnum: '1', ebcCode: ORANGE_SELLER.code, itemNo: 'GZ-ORANGE-5KG', qty: 1 }],
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
    ids.map((id) => ({ inventoryId: id, gnum: '1', ebcCode: ORANGE_SELLER.code, itemNo: 'GZ-ORANGE-5KG', qty: 1 })),
    new Date(),
  );
  assert.equal(again.size, 10);
});
