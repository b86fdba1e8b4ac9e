import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { submitOk } from '../../../test/support/clearance.ts';
import { lockWaits } from '../../../test/support/lock-waits.ts';
import { asOrange, inspectionSuite, ORANGE_FILING } from '../../../test/support/inspection.ts';
import { makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';

// The "missed wake-up": a parcel held for want of its inspection filing while the desk approves
// that filing. The approval asks the risk engine to decide the seller's held parcels again; if
// that ran before the hold committed, the parcel would stay held for ever. Here the decision is
// stopped right after it read the filings (the test holds the table it stores its lane in), the
// approval is made meanwhile, any re-decision it asked for runs at once, and only then does the
// decision commit.

const suite = inspectionSuite({ guids: 85 });
const { tp, t, api, statusNow, nextGuid } = suite;
const db = () => tp.platform.database.db;

const { waitingFor, until, pending } = lockWaits(db);

test('a parcel decided while its seller’s inspection filing is approved is decided again and released, not left held', async () => {
  // The orange product is not filed with inspection any more: its parcels are held until it is.
  await sql`delete from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(db());
  const filing = await api('seller2', 'POST', '/api/v1/inspection/filings', ORANGE_FILING);
  assert.equal(filing.status, 201, JSON.stringify(filing.body));
  await tp.platform.settle();

  // The parcel's documents are received; its decision waits in the outbox.
  const p = makeParcel(1, 'FR');
  asOrange(p);
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  const id = inv.entities[0]!.documentId!;
  const decisionOf = async () =>
    (await sql<{ lane: string; held: boolean }>`select lane, held from rsk_decision where inventory_id = ${id}`.execute(db()))
      .rows[0];
  assert.equal(await decisionOf(), undefined, 'not decided yet');

  // Another session holds the table the decision stores its lane in: the decision reads (the
  // filings among the rest) and then waits to write, its transaction open.
  const blocker = new pg.Client({ connectionString: tp.database.url });
  await blocker.connect();
  let approving: Promise<{ status: number }> | undefined;
  let deciding: Promise<number> | undefined;
  try {
    await blocker.query('begin');
    await blocker.query('lock table rsk_decision in exclusive mode');
    deciding = tp.platform.outbox.runIds('clearance.pipeline', await pending('clearance.pipeline'));
    await until('the decision waits to store its lane', async () => (await waitingFor('relation')) > 0);

    // Meanwhile the desk approves the filing (answered at once, or waiting for the decision).
    let answered = false;
    approving = api('inspection', 'POST', `/api/v1/inspection/filings/${filing.body.id as string}/decision`, {
      approve: true,
    }).then((r) => {
      answered = true;
      return r;
    });
    await until('the approval is answered or waits', async () => answered || (await waitingFor('advisory')) > 0);
    // Whatever re-decision the approval has asked for by now runs at once, the decision still in flight.
    const redecisions = await pending('risk.follow-ups');
    if (redecisions.length) await tp.platform.outbox.runIds('risk.follow-ups', redecisions);
  } finally {
    await blocker.query('rollback').catch(() => undefined);
    await blocker.end();
  }
  await deciding;
  assert.equal((await approving)!.status, 200);
  // The decision did not see the approval: it held the parcel for want of the filing.
  assert.deepEqual(await decisionOf(), { lane: 'hold', held: true });
  assert.deepEqual(await statusNow(p), ['300']);

  // The approval's re-decision sees the hold and releases the parcel.
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['399']);
  assert.deepEqual(await decisionOf(), { lane: 'green', held: false });
  const lane = await sql<{ lane: string | null }>`select lane from clr_inventory where document_id = ${id}`.execute(db());
  assert.equal(lane.rows[0]!.lane, 'green');
  const redecided = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where entity_id = ${id} and action = 'inventory.redecide'`.execute(db());
  assert.equal(redecided.rows[0]!.n, 1);
});
