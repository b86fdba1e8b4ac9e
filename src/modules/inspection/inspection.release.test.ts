import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { guidOf, makeParcel, message, PARTIES, siteMessages } from '../../../test/support/parcels.ts';
import { receiptStatuses, submitOk } from '../../../test/support/clearance.ts';
import { asOrange, CREDIT_SAMPLE_RULE, inspectionSuite, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { TOPIC_WITHDRAWN } from '../clearance/index.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

// Issue 5 follow-ups: the review queue cannot skip an inspection; rejected or cancelled parcels
// give their batch quantities back; quarantine parcels are declared to inspection per day.

const { tp, t, nextGuid, api, statusNow, declareOne, selectForInspection, acceptedBatch, ledgerOf } = inspectionSuite({
  guids: 77,
});

const rule = { effectiveFrom: '2020-01-01', explainZh: '说明', explainEn: 'explanation', enabled: true };

test('the review queue refuses to approve a parcel selected for inspection; the inspection releases it', async () => {
  await selectForInspection(CREDIT_SAMPLE_RULE);
  const p = makeParcel(1, 'RQ');
  const { id } = await declareOne(p);
  assert.deepEqual(await statusNow(p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);

  const queue = (await api('customs', 'GET', '/api/v1/customs/reviews')).body.items as {
    inventory: { id: string };
    review: { lane: string };
  }[];
  assert.equal(queue.find((r) => r.inventory.id === id)?.review.lane, 'inspect', 'the queue shows why it waits');

  const refused = await api('customs', 'POST', `/api/v1/customs/reviews/${id}/approve`, {});
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.match(JSON.stringify(refused.body), /查验/);
  assert.match(JSON.stringify(refused.body), /inspection/);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['300'], 'nothing changed');
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);
  const audited = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where entity_id = ${id} and action like 'inventory.%'`.execute(
    tp.platform.database.db,
  );
  assert.equal(audited.rows[0]!.n, 0);

  const task = (await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`)).body;
  assert.deepEqual(task.agencies, ['customs']);
  const done = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.id as string}/findings`, {
    result: 'pass',
    codes: ['C01'],
    photos: [],
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'passed');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['399'], 'the inspection path still releases');
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500', '399']);
  const lane = await sql<{ lane: string }>`select lane from clr_inventory where document_id = ${id}`.execute(
    tp.platform.database.db,
  );
  assert.equal(lane.rows[0]!.lane, 'inspected');
  const actions = await sql<{ action: string }>`
    select action from audit_log where entity_id = ${id} and action like 'inventory.%'`.execute(tp.platform.database.db);
  assert.deepEqual(
    actions.rows.map((r) => r.action),
    ['inventory.inspection.approve'],
  );
  // Rejected on review while selected (a rejection is allowed): its open task is withdrawn.
  const q = makeParcel(6, 'RQ');
  const rq = await declareOne(q);
  assert.deepEqual(await statusNow(q), ['300']);
  const rej = await api('customs', 'POST', `/api/v1/customs/reviews/${rq.id}/reject`, { reason: '申报不实' });
  assert.equal(rej.status, 200, JSON.stringify(rej.body));
  await tp.platform.settle();
  const withdrawnTask = (await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${q.logisticsNo}`)).body;
  assert.equal(withdrawnTask.status, 'withdrawn');
  assert.equal(
    (
      await api('customs', 'POST', `/api/v1/inspection/tasks/${withdrawnTask.id as string}/findings`, {
        result: 'pass',
        codes: ['C01'],
        photos: [],
      })
    ).status,
    409,
  );

  // The measures count the completed inspection under the rule that caused it.
  const m = await api('customs', 'GET', '/api/v1/risk/measures');
  assert.deepEqual(
    (m.body.inspectionHitRates as { rule: string }[]).find((r) => r.rule === 'R-CREDIT-SAMPLE'),
    { rule: 'R-CREDIT-SAMPLE', inspected: 1, found: 0, hitRate: 0 },
  );
  await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'AA' });
});

test('a rejected or cancelled parcel gives its batch quantity back, once; quarantine parcels are declared per enterprise and day', async () => {
  const db = tp.platform.database.db;
  await sql`delete from insp_batch where batch_no = ${DEMO_BATCH_NO}`.execute(db);
  await acceptedBatch('GZ-R-01', '5');
  // Oranges wait for review this time, having drawn on the batch.
  assert.equal(
    (
      await api('customs', 'POST', '/api/v1/risk/rules', {
        ...rule,
        id: 'R-ORANGE-REVIEW',
        kind: 'hs_list',
        lane: 'review',
        params: { hsPrefixes: ['0805'] },
      })
    ).status,
    201,
  );
  // [reserved, released, writtenOff, returned, balance]
  const ledger = () => ledgerOf('seller2', 'GZ-R-01');
  const [a, b, c] = [makeParcel(2, 'RQ'), makeParcel(3, 'RQ'), makeParcel(4, 'RQ')];
  for (const p of [a!, b!, c!]) asOrange(p);
  const ia = await declareOne(a!);
  const ib = await declareOne(b!);
  const ic = await declareOne(c!);
  assert.deepEqual([...(await statusNow(a!)), ...(await statusNow(b!)), ...(await statusNow(c!))], ['300', '300', '300']);
  assert.deepEqual(await ledger(), ['3', '0', '0', '0', '2'], 'reserved at decision: none of them is released');

  // Rejected on review (100): its quantity goes back.
  const rejected = await api('customs', 'POST', `/api/v1/customs/reviews/${ia.id}/reject`, { reason: '价格不实' });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  await tp.platform.settle();
  assert.deepEqual(await ledger(), ['2', '0', '0', '1', '3']);

  // Cancelled (CEB605): its quantity goes back too.
  await submitOk(
    tp,
    t.broker!,
    message('CEB605', nextGuid(), PARTIES.broker, [
      {
        head: {
          guid: guidOf(606, 1),
          appType: '1',
          appTime: '20261126120000',
          appStatus: '2',
          customsCode: b!.inventory.head.customsCode!,
          copNo: 'K-CAN-RQ-1',
          invtNo: ib.invtNo,
          reason: '买家取消订单',
          agentCode: PARTIES.broker.code,
          agentName: PARTIES.broker.name,
          ebcCode: ORANGE_SELLER.code,
          ebcName: ORANGE_SELLER.name,
        },
        lists: {},
      },
    ]),
  );
  await tp.platform.settle();
  assert.deepEqual(await statusNow(b!), ['cancelled']);
  assert.deepEqual(await ledger(), ['1', '0', '0', '2', '4']);

  // The event delivered again (and for a parcel that drew nothing) changes nothing.
  await db
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_WITHDRAWN, payload: { ids: [ia.id, ib.id, ia.id] } }]));
  await tp.platform.settle();
  assert.deepEqual(await ledger(), ['1', '0', '0', '2', '4']);

  // The parcel still held keeps its reservation; approved (399) it is released; gone (899), it is
  // written off, never returned.
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${ic.id}/approve`, {})).status, 200);
  await tp.platform.settle();
  assert.deepEqual(await ledger(), ['0', '1', '0', '2', '4']);
  const site = siteMessages(7, [c!], 'RQ');
  await submitOk(tp, t.broker!, site.consolidation);
  await submitOk(tp, t.carrier!, site.departure);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(c!), ['899']);
  assert.deepEqual(await ledger(), ['0', '1', '1', '2', '4']);

  // Centralised declaration: the seller's three orange parcels of the day on one record.
  assert.equal((await api('seller2', 'GET', '/api/v1/inspection/declarations')).status, 403);
  const list = (await api('inspection', 'GET', '/api/v1/inspection/declarations')).body.items!;
  const mine = list.filter((d) => d.enterpriseCode === ORANGE_SELLER.code);
  assert.equal(mine.length, 1, JSON.stringify(list));
  assert.equal(mine[0]!.parcelCount, 3);
  assert.equal(mine[0]!.status, 'declared');
  assert.equal(
    list.filter((d) => d.enterpriseCode === PARTIES.seller.code).length,
    0,
    'parcels with no quarantine-category line are not declared to inspection',
  );
  const detail = await api('inspection', 'GET', `/api/v1/inspection/declarations/${mine[0]!.id as string}`);
  const parcels = detail.body.parcels as {
    inventoryId: string;
    withdrawn: boolean;
    lane: string;
    lines: { category: string }[];
  }[];
  assert.deepEqual(
    parcels.map((x) => [x.inventoryId, x.withdrawn, x.lane, x.lines[0]!.category]).sort(),
    [
      [ia.id, true, 'review', 'fresh_fruit'],
      [ib.id, true, 'review', 'fresh_fruit'],
      [ic.id, false, 'review', 'fresh_fruit'],
    ].sort(),
  );
  const supervised = await api('inspection', 'POST', `/api/v1/inspection/declarations/${mine[0]!.id as string}/supervise`);
  assert.equal(supervised.status, 200, JSON.stringify(supervised.body));
  assert.equal(supervised.body.status, 'supervised');
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/declarations/${mine[0]!.id as string}/supervise`)).status,
    409,
  );

  // The next orange parcel of the day joins the same record, which waits for supervision again.
  const d = makeParcel(5, 'RQ');
  asOrange(d);
  await declareOne(d);
  const again = (await api('inspection', 'GET', '/api/v1/inspection/declarations')).body.items!.filter(
    (x) => x.enterpriseCode === ORANGE_SELLER.code,
  );
  assert.deepEqual(
    again.map((x) => [x.parcelCount, x.status]),
    [[4, 'declared']],
  );

  // A stray withdrawal of a departed parcel returns nothing: what is written off stays written off.
  assert.deepEqual(await ledger(), ['1', '1', '1', '2', '3'], 'the next parcel reserved one more');
  await db
    .transaction()
    .execute((trx) => tp.platform.outbox.publish(trx, [{ topic: TOPIC_WITHDRAWN, payload: { ids: [ic.id] } }]));
  await tp.platform.settle();
  assert.deepEqual(await ledger(), ['1', '1', '1', '2', '3']);
});
