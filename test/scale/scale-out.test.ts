// Scale-out (issue #4 point 4): 2 API + 2 worker processes on one PostgreSQL server and NATS
// JetStream; one worker is SIGKILLed mid-load; every parcel still reaches 899 exactly once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb, type CebMessage } from '../../src/ceb/index.ts';
import { connectBus } from '../../src/kernel/bus.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { connect } from '../../src/kernel/db.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createPlatform, seedDemo } from '../../src/server/platform.ts';
import { serverDatabase, type TestDatabase } from '../support/db.ts';
import { httpLogin, startPlatformProcess, type PlatformProcess } from '../support/processes.ts';
import { blockMessages, makeParcel, sendBlock, type Parcel } from '../support/parcels.ts';
import { requireNats } from '../support/nats.ts';
import { need, unavailable } from '../support/needs.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PARCELS = 1_000;
const prefix = `cbect${randomBytes(4).toString('hex')}`;

let database: TestDatabase;
const procs: PlatformProcess[] = [];

async function startProcess(role: 'api' | 'worker'): Promise<PlatformProcess & { role: string }> {
  const p = await startPlatformProcess(
    { DATABASE_URL: database.url, NATS_URL, NATS_PREFIX: prefix, NATS_ACK_WAIT_MS: '3000', DEMO: '0' },
    ['--role', role],
  );
  procs.push(p);
  return { ...p, role };
}

/** Posts one message; the load must be accepted in full. */
async function post(url: string, token: string, m: CebMessage): Promise<{ entities: { index: number; invtNo?: string }[] }> {
  const res = await fetch(`${url}/api/v1/ceb`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    body: encodeCeb(m),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `${m.messageType} ${m.guid}: ${body.slice(0, 400)}`);
  const outcome = JSON.parse(body) as { rejected: number; entities: { index: number; invtNo?: string }[] };
  assert.equal(outcome.rejected, 0, `${m.messageType}: ${body.slice(0, 400)}`);
  return outcome;
}

before(async () => {
  // Without the PostgreSQL server or NATS the test itself skips loudly (fails in CI).
  if ((await unavailable('server', 'nats')).length) return;
  await requireNats(NATS_URL);
  database = await serverDatabase();
  // Schema and demo parties once, before the processes race to start.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: '0' });
  const setup = await createPlatform({ config, databaseUrl: database.url, log: createLogger('silent') });
  await seedDemo(setup);
  await setup.close();
});

after(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  if (!database) return;
  const bus = await connectBus({ url: NATS_URL, prefix, ackWaitMs: 3000, log: createLogger('silent') });
  await bus.destroy();
  await bus.close();
  await database.drop();
});

test('2 API + 2 worker processes over NATS JetStream: a worker killed mid-load loses and doubles nothing', async (t) => {
  if (!(await need(t, 'server', 'nats'))) return;
  const [api1, api2] = await Promise.all([startProcess('api'), startProcess('api')]);
  const workers = await Promise.all([startProcess('worker'), startProcess('worker')]);
  const apis = [api1!, api2!];
  const senders = ['platform', 'payer', 'carrier', 'broker', 'warehouse'] as const;
  const tokens = Object.fromEntries(
    await Promise.all(senders.map(async (u, i) => [u, await httpLogin(apis[i % 2]!.url, u)] as const)),
  ) as Record<(typeof senders)[number], string>;

  const parcels: Parcel[] = Array.from({ length: PARCELS }, (_, i) => makeParcel(i + 1, 'S'));
  const blocks: Parcel[][] = [];
  for (let i = 0; i < parcels.length; i += 100) blocks.push(parcels.slice(i, i + 100));
  const db = connect(database.url, { max: 2 });
  const decided = async (): Promise<number> =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from clr_document where kind = 'inventory' and status in ('399', '800', '899')`.execute(db.db)
    ).rows[0]!.n;

  let killed = false;
  const killer = (async () => {
    // Kill a worker once decisions flow and before they are done: mid-load, most likely mid-batch.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const n = await decided();
      if (n > 0 && n < PARCELS) {
        await workers[0]!.kill();
        killed = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  await Promise.all(
    blocks.map(async (b, i) => {
      const api = apis[i % 2]!.url;
      // the broker's bill names the inventories by the numbers of their CEB603 outcome
      await sendBlock(blockMessages(i, b, 'S'), (user, m) => post(api, tokens[user], m));
    }),
  );
  await killer;
  assert.ok(killed, 'a worker was killed while parcels were being decided');

  const deadline = Date.now() + 180_000;
  let closed = 0;
  while (Date.now() < deadline) {
    closed = (
      await sql<{ n: number }>`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`.execute(
        db.db,
      )
    ).rows[0]!.n;
    if (closed === PARCELS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const stuck = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from clr_document where kind = 'inventory' group by status`.execute(db.db);
  assert.equal(closed, PARCELS, `every inventory closed (899): ${JSON.stringify(stuck.rows)}`);

  // Exactly once: one document per business key, one receipt per document, status and recipient.
  const docs = await sql<{ kind: string; n: number; keys: number }>`
    select kind, count(*)::int as n, count(distinct business_key)::int as keys from clr_document group by kind order by kind`.execute(
    db.db,
  );
  for (const d of docs.rows) assert.equal(d.n, d.keys, `${d.kind}: one document per business key`);
  assert.deepEqual(
    Object.fromEntries(
      docs.rows.filter((d) => ['order', 'payment', 'waybill', 'inventory'].includes(d.kind)).map((d) => [d.kind, d.n]),
    ),
    { inventory: PARCELS, order: PARCELS, payment: PARCELS, waybill: PARCELS },
  );
  const doubled = await sql<{ n: number }>`
    select count(*)::int as n from (
      select 1 from clr_receipt group by document_id, return_status, recipient_org_id having count(*) > 1) d`.execute(db.db);
  assert.equal(doubled.rows[0]!.n, 0, 'no receipt written twice');
  const perInventory = await sql<{ s: string; n: number }>`
    select r.return_status as s, count(distinct r.document_id)::int as n
    from clr_receipt r join clr_document d on d.id = r.document_id
    where d.kind = 'inventory' group by r.return_status order by 1`.execute(db.db);
  const counts = Object.fromEntries(perInventory.rows.map((r) => [r.s, r.n]));
  for (const s of ['2', '120', '399', '800', '899']) assert.equal(counts[s], PARCELS, `every inventory has its ${s} receipt`);
  // Other handlers (statistics, forwarding) finish after the last closure: wait for them too.
  let pending: { handler: string; status: number; n: number }[] = [];
  while (Date.now() < deadline + 30_000) {
    pending = (
      await sql<{ handler: string; status: number; n: number }>`
        select handler, status, count(*)::int as n from outbox_delivery group by 1, 2`.execute(db.db)
    ).rows;
    if (pending.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(pending, [], 'no outbox work left behind');
  // The surviving worker and both API processes are still up.
  for (const p of [api1!, api2!, workers[1]!])
    assert.equal(p.child.exitCode, null, `${p.role} still running: ${p.stderr.join('')}`);
  await db.close();
});
