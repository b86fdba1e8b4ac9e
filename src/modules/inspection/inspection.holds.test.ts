import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { receiptStatuses } from '../../../test/support/clearance.ts';
import { asOrange, CREDIT_SAMPLE_RULE, inspectionSuite, ORANGE_FILING, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { clearanceLookup, createClearanceService } from '../clearance/index.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';
import { inspectionRelease, TOPIC_TASK_COMPLETED } from './index.ts';

// Audit follow-ups of issue 5: a hold is not approved on review and moves on once its cause is
// fixed (the risk engine decides it again); a completed inspection releases through the outbox,
// exactly once across a crash between the two commits; a quarantine product filed without a
// category takes the one its HS code implies.

const suite = inspectionSuite({ guids: 79 });
const { tp, api, statusNow, selectForInspection, ledgerOf } = suite;
const db = () => tp.platform.database.db;
const declare = (n: number, mutate?: (p: Parcel) => void) => suite.declare(n, 'HD', mutate);

async function lane(id: string): Promise<{ lane: string | null; reason: string | null }> {
  const r = await sql<{ lane: string | null; reason: string | null }>`
    select lane, review_reason as reason from clr_inventory where document_id = ${id}`.execute(db());
  return r.rows[0]!;
}

async function auditCount(id: string, action: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where entity_id = ${id} and action = ${action}`.execute(db());
  return r.rows[0]!.n;
}

/** Receipts of one status for an inventory, one per recipient and time it was sent. */
async function receiptCount(guid: string, status: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from clr_receipt where message_type = 'CEB604' and guid = ${guid} and return_status = ${status}`.execute(
    db(),
  );
  return r.rows[0]!.n;
}

test('a hold is refused on review (naming the rule), rejected if need be; approving the inspection filing decides it again and it moves on', async () => {
  await sql`delete from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(db());
  const held = await declare(1, asOrange);
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.equal((await lane(held.id)).lane, 'hold');

  // The officer's approval is refused, naming the rule, in both languages; nothing changes.
  const refused = await api('customs', 'POST', `/api/v1/customs/reviews/${held.id}/approve`, {});
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  const text = JSON.stringify(refused.body);
  assert.match(text, /R-QUARANTINE/);
  assert.match(text, /检验检疫备案/);
  assert.match(text, /cannot be approved on review/);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', held.p.inventory.head.guid!), ['2', '120', '300']);
  assert.equal(await auditCount(held.id, 'inventory.review.approve'), 0);

  // Prohibited goods are held the same way and can only be rejected. Intake holds each line to its
  // filed product, so the seller files one under the prohibited HS code (filing does not refuse it).
  await sql`
    insert into product_filing
    select (jsonb_populate_record(null::product_filing,
      to_jsonb(p) || jsonb_build_object('id', gen_random_uuid(), 'item_no', 'HD-GUNPOWDER-1', 'hs_code', '3601000099'))).*
    from product_filing p where p.item_no = 'QHC-BOWL-01' and p.status = 'approved'`.execute(db());
  const arms = await declare(2, (p) => {
    p.order.lists.OrderList![0]!.itemNo = 'HD-GUNPOWDER-1';
    Object.assign(p.inventory.lists.InventoryList![0]!, { itemNo: 'HD-GUNPOWDER-1', gcode: '3601000099' });
  });
  assert.deepEqual(await statusNow(arms.p), ['300']);
  const armsRefused = await api('customs', 'POST', `/api/v1/customs/reviews/${arms.id}/approve`, {});
  assert.equal(armsRefused.status, 409);
  assert.match(JSON.stringify(armsRefused.body), /R-PROHIBITED-HS.*prohibited goods can only be rejected/);
  const rejected = await api('customs', 'POST', `/api/v1/customs/reviews/${arms.id}/reject`, { reason: '禁止出口 / prohibited' });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(arms.p), ['100']);

  // The seller files the product with inspection; the desk approves; the held parcel is decided
  // again by the risk engine and released (399), once.
  const filing = await api('seller2', 'POST', '/api/v1/inspection/filings', ORANGE_FILING);
  assert.equal(filing.status, 201, JSON.stringify(filing.body));
  const approved = await api('inspection', 'POST', `/api/v1/inspection/filings/${filing.body.id as string}/decision`, {
    approve: true,
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(held.p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', held.p.inventory.head.guid!), ['2', '120', '300', '399']);
  assert.deepEqual(await lane(held.id), { lane: 'green', reason: null });
  assert.equal(await auditCount(held.id, 'inventory.redecide'), 1);
  const decision = await sql<{ lane: string; held: boolean }>`
    select lane, held from rsk_decision where inventory_id = ${held.id}`.execute(db());
  assert.deepEqual(decision.rows[0], { lane: 'green', held: false });
  // The rejected one stays rejected: only parcels still held are decided again.
  assert.deepEqual(await statusNow(arms.p), ['100']);
  // A second approval round changes nothing more.
  await tp.platform.outbox.publish(db(), [{ topic: 'risk.redecide', payload: { ebcCodes: [ORANGE_SELLER.code] } }]);
  await tp.platform.settle();
  assert.equal(await receiptCount(held.p.inventory.head.guid!, '399'), await receiptCount(held.p.inventory.head.guid!, '300'));
  assert.equal(await auditCount(held.id, 'inventory.redecide'), 1);
});

test('a parcel held for want of batch balance moves on when the authority accepts the seller’s batch', async () => {
  // The orange seller's batches are closed by the authority: nothing left to draw on.
  for (const b of (await api('inspection', 'GET', '/api/v1/inspection/batches?status=accepted')).body.items!)
    if (b.enterpriseCode === ORANGE_SELLER.code)
      assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${b.id as string}/close`, {})).status, 200);
  const held = await declare(3, asOrange);
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.match((await lane(held.id)).reason ?? '', /no centrally declared batch/);
  const batch = await api('seller2', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'HD-ORANGE-2',
    itemNo: 'GZ-ORANGE-5KG',
    qty: '10',
    unit: '035',
  });
  assert.equal(batch.status, 201, JSON.stringify(batch.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(held.p), ['300'], 'declared is not enough: the authority has not accepted it');
  const accepted = await api('inspection', 'POST', `/api/v1/inspection/batches/${batch.body.id as string}/accept`, {});
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(held.p), ['399']);
  assert.deepEqual(
    await ledgerOf('seller2', 'HD-ORANGE-2'),
    ['0', '1', '0', '0', '9'],
    'the released parcel drew on the new batch',
  );
});

test('an orange filed without a quarantine category gets fresh_fruit from its HS code and is held without inspection filing', async () => {
  const orange = DEMO_PRODUCTS.find((p) => p.itemNo === 'GZ-ORANGE-5KG')!;
  const { ebcCode: _e, quarantineCategory: _q, ...fields } = orange as typeof orange & { ebcCode?: string };
  const filed = await api('seller2', 'POST', '/api/v1/products', { ...fields, itemNo: 'GZ-ORANGE-1KG' });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  assert.equal(filed.body.quarantineCategory, 'fresh_fruit');
  const stored = await sql<{ c: string | null }>`
    select quarantine_category as c from product_filing where item_no = 'GZ-ORANGE-1KG'`.execute(db());
  assert.equal(stored.rows[0]!.c, 'fresh_fruit');
  // A product not in a quarantine chapter stays without one.
  const bowl = DEMO_PRODUCTS.find((p) => p.itemNo === 'QHC-BOWL-01')!;
  const { ebcCode: _b, ...bowlFields } = bowl as typeof bowl & { ebcCode?: string };
  const plain = await api('seller2', 'POST', '/api/v1/products', { ...bowlFields, itemNo: 'GZ-BOWL-9' });
  assert.equal(plain.status, 201, JSON.stringify(plain.body));
  assert.equal(plain.body.quarantineCategory, null);

  const held = await declare(4, (p) => asOrange(p, 'GZ-ORANGE-1KG'));
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.match((await lane(held.id)).reason ?? '', /R-QUARANTINE.*fresh_fruit/);

  // A filing stored without a category before this (written here straight to the table) is read
  // with the one its HS code implies.
  await sql`update product_filing set quarantine_category = null where item_no = 'GZ-ORANGE-5KG'`.execute(db());
  await sql`delete from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(db());
  const old = await declare(5, asOrange);
  assert.deepEqual(await statusNow(old.p), ['300']);
  assert.match((await lane(old.id)).reason ?? '', /R-QUARANTINE.*fresh_fruit/);
});

test('a completed inspection releases through the outbox: a crash after clearance committed still releases exactly once', async () => {
  await selectForInspection(CREDIT_SAMPLE_RULE);
  const { p, id } = await declare(6);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);
  const task = (await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`)).body;
  const done = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.id as string}/findings`, {
    result: 'pass',
    codes: ['C01'],
    photos: [],
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'passed');
  // The release is an outbox event committed with the finding: nothing is released yet.
  assert.equal(done.body.releasedAt, null);
  assert.deepEqual(await statusNow(p), ['300']);
  const pending = await sql<{ id: number; topic: string; payload: unknown; created_at: Date }>`
    select id, topic, payload, created_at from outbox_event
    where topic = ${TOPIC_TASK_COMPLETED} and payload->>'taskId' = ${task.id as string}`.execute(db());
  assert.equal(pending.rows.length, 1);

  // A worker delivers it: clearance commits the release, then the process dies before the
  // handler's own transaction commits (the event stays undelivered, the task unmarked).
  const clearance = createClearanceService({
    db: db(),
    clock: tp.platform.clock,
    audit: tp.platform.audit,
    outbox: tp.platform.outbox,
  });
  const crashing = inspectionRelease({
    clock: tp.platform.clock,
    clearance: {
      review: async (who, inventoryId, d) => {
        await clearance.decideInspected(who, inventoryId, d);
        throw new Error('process died after clearance committed');
      },
      statuses: async (ids) => new Map((await clearanceLookup(db()).inventoryReleases({ ids })).map((r) => [r.id, r.status])),
    },
  });
  const ev = pending.rows[0]!;
  await assert.rejects(
    db()
      .transaction()
      .execute((trx) =>
        crashing.handle(
          [{ id: ev.id, topic: ev.topic, key: null, payload: ev.payload, createdAt: ev.created_at, attempts: 0 }],
          trx,
        ),
      ),
    /process died/,
  );
  assert.deepEqual(await statusNow(p), ['399'], 'clearance committed its part');
  const unmarked = await sql<{
    at: Date | null;
  }>`select released_at as at from insp_task where id = ${task.id as string}`.execute(db());
  assert.equal(unmarked.rows[0]!.at, null);

  // The outbox delivers the event again: the handler finds the inventory decided and only marks the task.
  await tp.platform.settle();
  const after = await api('customs', 'GET', `/api/v1/inspection/tasks/${task.id as string}`);
  assert.ok(after.body.releasedAt, 'the task is marked released');
  assert.deepEqual(await statusNow(p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500', '399']);
  assert.equal(
    await receiptCount(p.inventory.head.guid!, '399'),
    await receiptCount(p.inventory.head.guid!, '500'),
    'one 399 per recipient',
  );
  assert.equal(await auditCount(id, 'inventory.inspection.approve'), 1, 'released exactly once');
  const delivered = await sql<{ n: number }>`
    select count(*)::int as n from outbox_delivery where event_id = ${ev.id} and handler = 'inspection.release' and status = 0`.execute(
    db(),
  );
  assert.equal(delivered.rows[0]!.n, 0, 'the event is delivered');
  await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'AA' });
});
