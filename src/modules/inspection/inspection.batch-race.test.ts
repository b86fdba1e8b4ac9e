import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { submitOk } from '../../../test/support/clearance.ts';
import { lockWaits } from '../../../test/support/lock-waits.ts';
import { asOrange, inspectionSuite } from '../../../test/support/inspection.ts';
import { makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { DEMO_BATCH_NO } from './inspection.demo.ts';

// The "missed wake-up" of batches (分批核销): a parcel held for want of batch balance while the
// inspection authority accepts a batch its seller declared meanwhile. The acceptance asks the risk
// engine to decide the seller's held parcels again; if that ran before the hold committed, the
// parcel would stay held for ever. A batch that exists when the decision draws is locked by the
// draw (its acceptance waits on the row); one declared after the draw looked is not, so the
// acceptance must wait for the seller's decisions in flight. Here the decision is stopped right
// after it drew (the test holds the table it stores its lane in), the batch is declared and
// accepted meanwhile, any re-decision asked for runs at once, and only then does the decision commit.

const { tp, t, api, statusNow, nextGuid, ledgerOf } = inspectionSuite({ guids: 87 });
const db = () => tp.platform.database.db;

const { waitingFor, until, pending } = lockWaits(db);

test('a parcel decided while its seller’s new batch is accepted is decided again and draws on it, not left held', async () => {
  // The demo season's batch is closed: the seller's orange parcels find no batch to draw on.
  const demo = (await api('inspection', 'GET', '/api/v1/inspection/batches?limit=1000')).body.items!.find(
    (x) => x.batchNo === DEMO_BATCH_NO,
  )!;
  const closed = await api('inspection', 'POST', `/api/v1/inspection/batches/${demo.id as string}/close`, {
    reason: '季末关闭 / end of season',
  });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  await tp.platform.settle();

  // The parcel's documents are received; its decision waits in the outbox.
  const p = makeParcel(1, 'BR');
  asOrange(p);
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  const id = inv.entities[0]!.documentId!;
  const decisionOf = async () =>
    (await sql<{ lane: string; held: boolean }>`select lane, held from rsk_decision where inventory_id = ${id}`.execute(db()))
      .rows[0];
  assert.equal(await decisionOf(), undefined, 'not decided yet');

  // Another session holds the table the decision stores its lane in: the decision reads the
  // filings, draws (nothing: no batch accepted) and then waits to write, its transaction open.
  const blocker = new pg.Client({ connectionString: tp.database.url });
  await blocker.connect();
  let accepting: Promise<{ status: number; body: Record<string, unknown> }> | undefined;
  let deciding: Promise<number> | undefined;
  try {
    await blocker.query('begin');
    await blocker.query('lock table rsk_decision in exclusive mode');
    deciding = tp.platform.outbox.runIds('clearance.pipeline', await pending('clearance.pipeline'));
    await until('the decision waits to store its lane', async () => (await waitingFor('relation')) > 0);

    // Meanwhile the seller declares a batch (not there when the decision drew, so not locked by
    // it) and the authority accepts it (answered at once, or waiting for the decision).
    const declared = await api('seller2', 'POST', '/api/v1/inspection/batches', {
      batchNo: 'GZ-RACE-01',
      itemNo: 'GZ-ORANGE-5KG',
      qty: '10',
      unit: '035',
    });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    let answered = false;
    accepting = api('inspection', 'POST', `/api/v1/inspection/batches/${declared.body.id as string}/accept`, {}).then((r) => {
      answered = true;
      return r;
    });
    await until('the acceptance is answered or waits', async () => answered || (await waitingFor('advisory')) > 0);
    // Whatever re-decision the acceptance has asked for by now runs at once, the decision still in flight.
    const redecisions = await pending('risk.follow-ups');
    if (redecisions.length) await tp.platform.outbox.runIds('risk.follow-ups', redecisions);
  } finally {
    await blocker.query('rollback').catch(() => undefined);
    await blocker.end();
  }
  await deciding;
  const accepted = await accepting!;
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.status, 'accepted');
  // The decision did not see the batch: it held the parcel for want of batch balance.
  assert.deepEqual(await decisionOf(), { lane: 'hold', held: true });
  assert.deepEqual(await statusNow(p), ['300']);

  // The acceptance's re-decision sees the hold: the parcel draws on the batch and is released.
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['399']);
  assert.deepEqual(await decisionOf(), { lane: 'green', held: false });
  const lane = await sql<{ lane: string | null }>`select lane from clr_inventory where document_id = ${id}`.execute(db());
  assert.equal(lane.rows[0]!.lane, 'green');
  const drawn = await sql<{ batch_no: string; qty: string; released: boolean }>`
    select b.batch_no, u.qty::text as qty, u.released_at is not null as released
      from insp_batch_use u join insp_batch b on b.id = u.batch_id where u.inventory_id = ${id}`.execute(db());
  assert.deepEqual(
    drawn.rows.map((r) => [r.batch_no, Number(r.qty), r.released]),
    [['GZ-RACE-01', 1, true]],
  );
  assert.equal((await ledgerOf('seller2', 'GZ-RACE-01'))[0], '0', 'nothing left reserved: released');
  const redecided = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where entity_id = ${id} and action = 'inventory.redecide'`.execute(db());
  assert.equal(redecided.rows[0]!.n, 1);
});
