import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { declareParcels, submitOk } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { makeParcel, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { inspectionLookup } from './inspection.lookup.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

const { tp, t, nextGuid, api, statusNow, acceptedBatch, ledgerOf } = inspectionSuite({ guids: 79 });

const declare = (ps: Parcel[]) => declareParcels(tp, t, ps, nextGuid);

async function batchId(batchNo: string): Promise<string> {
  const items = (await api('inspection', 'GET', '/api/v1/inspection/batches?limit=1000')).body.items!;
  return items.find((x) => x.batchNo === batchNo)!.id as string;
}

async function stored(batchNo: string) {
  const r = await sql<{ status: string; reason: string | null; decided_by: string | null }>`
    select status, reason, decided_by from insp_batch where batch_no = ${batchNo}`.execute(tp.platform.database.db);
  return r.rows[0]!;
}

test('batch steps: the authority accepts, rejects or closes a batch; only an accepted batch is drawn on', async () => {
  // Start from this test's own batches: the demo season's batch is closed by the authority.
  const demo = await api('inspection', 'POST', `/api/v1/inspection/batches/${await batchId(DEMO_BATCH_NO)}/close`, {
    reason: '季末关闭 / end of season',
  });
  assert.equal(demo.status, 200, JSON.stringify(demo.body));
  assert.equal(demo.body.status, 'closed');

  const bad = await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo: 'x', itemNo: 'GZ-ORANGE-5KG', qty: '-1' });
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field).sort(), ['batchNo', 'qty']);
  const unfiled = await api('seller', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'QHC-B-01',
    itemNo: 'QHC-BOWL-01',
    qty: '5',
  });
  assert.equal(unfiled.status, 400, 'only a product filed with inspection is declared in batches');

  const declared = await api('seller2', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'GZ-T-01',
    itemNo: 'GZ-ORANGE-5KG',
    qty: '2',
    unit: '035',
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  assert.equal(declared.body.status, 'declared');
  assert.equal(
    (await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo: 'GZ-T-01', itemNo: 'GZ-ORANGE-5KG', qty: '2' }))
      .status,
    409,
  );

  // Declared, not yet accepted: a parcel finds nothing to draw on and is held.
  const [a, b, c] = [makeParcel(1, 'W'), makeParcel(2, 'W'), makeParcel(3, 'W')];
  for (const p of [a!, b!, c!]) asOrange(p);
  await declare([a!]);
  assert.deepEqual(await statusNow(a!), ['300']);
  assert.deepEqual(await ledgerOf('seller2', 'GZ-T-01'), ['0', '0', '0', '0', '2']);

  // Only the inspection authority takes the steps; the seller and customs may not; a foreign id is 404.
  const id = declared.body.id as string;
  assert.equal((await api('seller2', 'POST', `/api/v1/inspection/batches/${id}/accept`, {})).status, 403);
  assert.equal((await api('customs', 'POST', `/api/v1/inspection/batches/${id}/accept`, {})).status, 403);
  assert.equal(
    (await api('inspection', 'POST', '/api/v1/inspection/batches/00000000-0000-4000-8000-000000000001/accept', {})).status,
    404,
  );
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${id}/close`, {})).status, 409, 'not accepted yet');
  assert.equal((await stored('GZ-T-01')).status, 'declared', 'nothing changed');

  // Accepted: the held parcel is decided again and draws on it (risk.redecide).
  const accepted = await api('inspection', 'POST', `/api/v1/inspection/batches/${id}/accept`);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.status, 'accepted');
  assert.ok((await stored('GZ-T-01')).decided_by, 'the officer who accepted it is recorded');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(a!), ['399']);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${id}/accept`)).status, 409, 'accepted once');

  await declare([b!]);
  assert.deepEqual(await statusNow(b!), ['399']);
  // Both released at once (green): nothing left reserved.
  assert.deepEqual(await ledgerOf('seller2', 'GZ-T-01'), ['0', '2', '0', '0', '0']);

  await declare([c!]);
  assert.deepEqual(await statusNow(c!), ['300'], 'nothing left on the batch: held');

  // The two released parcels leave: consolidation binds them (800), departure closes them (899).
  const site = siteMessages(1, [a!, b!], 'W');
  await submitOk(tp, t.broker!, site.consolidation);
  await submitOk(tp, t.carrier!, site.departure);
  await tp.platform.settle();
  assert.deepEqual([...(await statusNow(a!)), ...(await statusNow(b!))], ['899', '899']);
  assert.deepEqual(await ledgerOf('inspection', 'GZ-T-01'), ['0', '2', '2', '0', '0']);
  const line = (await api('inspection', 'GET', '/api/v1/inspection/batches')).body.items!.find((x) => x.batchNo === 'GZ-T-01')!;
  assert.deepEqual([line.declared, line.inTransit], ['2', '0']);
  assert.equal(
    (await api('seller', 'GET', '/api/v1/inspection/batches')).body.items!.filter((x) => x.batchNo === 'GZ-T-01').length,
    0,
    'another seller does not see the batch',
  );
  assert.equal((await api('seller2', 'GET', '/api/v1/inspection/batches?status=nope')).status, 400);
  const onlyClosed = (await api('inspection', 'GET', '/api/v1/inspection/batches?status=closed')).body.items!;
  assert.deepEqual(
    onlyClosed.map((x) => x.batchNo),
    [DEMO_BATCH_NO],
  );

  // A rejection needs a reason (nothing changes without one); a rejected batch is never drawn on.
  const other = await api('seller2', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'GZ-T-03',
    itemNo: 'GZ-ORANGE-5KG',
    qty: '50',
  });
  const otherId = other.body.id as string;
  const noReason = await api('inspection', 'POST', `/api/v1/inspection/batches/${otherId}/reject`, {});
  assert.equal(noReason.status, 400);
  assert.match(JSON.stringify(noReason.body), /退回批次必须说明理由.*a rejection needs a reason/);
  assert.equal((await stored('GZ-T-03')).status, 'declared');
  const rejected = await api('inspection', 'POST', `/api/v1/inspection/batches/${otherId}/reject`, {
    reason: '产地证明不全 / origin proof incomplete',
  });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  assert.deepEqual([rejected.body.status, rejected.body.reason], ['rejected', '产地证明不全 / origin proof incomplete']);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${otherId}/accept`)).status, 409);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(c!), ['300'], 'still held: the rejected batch is not drawn on');

  // Closed: no new draws, whatever its balance.
  const big = await acceptedBatch('GZ-T-04', '5');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(c!), ['399'], 'the accepted batch released the held parcel');
  const closed = await api('inspection', 'POST', `/api/v1/inspection/batches/${big}/close`, {});
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.deepEqual([closed.body.status, closed.body.balance], ['closed', '4']);
  const d = makeParcel(4, 'W');
  asOrange(d);
  await declare([d]);
  assert.deepEqual(await statusNow(d), ['300'], 'a closed batch is not drawn on');
  await tp.platform.settle();
  const audited = await sql<{ action: string }>`
    select action from audit_log where entity_id = ${big} order by seq`.execute(tp.platform.database.db);
  assert.deepEqual(
    audited.rows.map((r) => r.action),
    ['inspection.batch.declare', 'inspection.batch.accept', 'inspection.batch.close'],
  );
});

test('over-release is impossible under concurrency: 30 parallel draws on a batch of 10 reserve exactly 10', async () => {
  const db = tp.platform.database.db;
  await acceptedBatch('GZ-T-02', '10');
  // Only this batch has balance left for the product: the authority closes the others.
  for (const b of (await api('inspection', 'GET', '/api/v1/inspection/batches?status=accepted')).body.items!)
    if (b.batchNo !== 'GZ-T-02')
      assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${b.id as string}/close`, {})).status, 200);
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
  // Drawn at decision: reserved, not released.
  assert.deepEqual(await ledgerOf('inspection', 'GZ-T-02'), ['10', '0', '0', '0', '0']);
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
