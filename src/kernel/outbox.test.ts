import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { MIGRATIONS } from '../server/platform.ts';
import { connect, type Database } from './db.ts';
import { createLogger } from './logger.ts';
import { runMigrations } from './migrations.ts';
import { createOutbox, type OutboxEvent, type OutboxHandler } from './outbox.ts';

let tdb: TestDatabase;
let database: Database;
const log = createLogger('silent');

before(async () => {
  tdb = await testDatabase();
  database = connect(tdb.url, { max: 5 });
  await runMigrations(database.db, MIGRATIONS);
  await sql`create table outbox_probe_received (handler text not null, event_id bigint not null)`.execute(database.db);
});
after(async () => {
  await database.close();
  await tdb.drop();
});

async function received(): Promise<{ handler: string; event_id: number; n: number }[]> {
  const r = await sql<{ handler: string; event_id: number; n: number }>`
    select handler, event_id, count(*)::int as n from outbox_probe_received group by handler, event_id`.execute(database.db);
  return r.rows;
}

function recordingHandler(name: string, topics: string[], opts: { failOn?: (e: OutboxEvent) => boolean } = {}): OutboxHandler {
  return {
    name,
    topics,
    batchSize: 100,
    maxAttempts: 3,
    async handle(events, trx) {
      for (const e of events) if (opts.failOn?.(e)) throw new Error(`refusing event ${e.id}`);
      await sql`insert into outbox_probe_received (handler, event_id) select ${name}, unnest(${events.map((e) => e.id)}::bigint[])`.execute(
        trx,
      );
    },
  };
}

test('publish fans out to subscribed handlers only, in the same transaction', async () => {
  await sql`truncate outbox_probe_received`.execute(database.db);
  const outbox = createOutbox({
    db: database.db,
    log,
    handlers: [recordingHandler('h1', ['a']), recordingHandler('h2', ['a', 'b'])],
  });
  // A rolled-back transaction publishes nothing.
  await assert.rejects(
    database.db.transaction().execute(async (trx) => {
      await outbox.publish(trx, [{ topic: 'a', payload: { n: 0 } }]);
      throw new Error('rollback');
    }),
  );
  const ids = await database.db.transaction().execute((trx) =>
    outbox.publish(trx, [
      { topic: 'a', key: 'k1', payload: { n: 1 } },
      { topic: 'b', payload: { n: 2 } },
      { topic: 'c', payload: { n: 3 } },
    ]),
  );
  assert.equal(ids.length, 3);
  const settled = await outbox.drain();
  assert.equal(settled, 3, 'h1 gets a; h2 gets a and b; nobody gets c');
  const rows = await received();
  assert.deepEqual(
    rows.map((r) => `${r.handler}:${r.event_id}:${r.n}`).sort(),
    [`h1:${ids[0]}:1`, `h2:${ids[0]}:1`, `h2:${ids[1]}:1`].sort(),
  );
  assert.equal(await outbox.drain(), 0, 'nothing is delivered twice');
  // Delivered events are pruned after the retention; c had no subscriber, so it goes too.
  const left = await sql<{ n: number }>`select count(*)::int as n from outbox_event where id = any(${ids}::bigint[])`.execute(
    database.db,
  );
  assert.equal(left.rows[0]!.n, 3);
  assert.equal(await outbox.prune(0), 3);
});

test('a failing event is retried, isolated from its batch, and parked as dead after max attempts', async () => {
  await sql`truncate outbox_probe_received`.execute(database.db);
  let failures = 0;
  const flaky = recordingHandler('flaky', ['f'], {
    failOn: (e) => {
      const n = (e.payload as { n: number }).n;
      if (n === 13) return true; // poison: always fails
      if (n === 7 && failures++ < 2) return true; // fails in the batch and alone, then succeeds on retry
      return false;
    },
  });
  const outbox = createOutbox({ db: database.db, log, handlers: [flaky] });
  const ids = await database.db.transaction().execute((trx) =>
    outbox.publish(
      trx,
      Array.from({ length: 20 }, (_, n) => ({ topic: 'f', payload: { n } })),
    ),
  );
  await outbox.drain();
  let rows = await received();
  assert.equal(rows.length, 18, 'the batch failed, then each good event was delivered on its own');
  // Make the retries due now.
  await sql`update outbox_delivery set next_attempt_at = now() where handler = 'flaky'`.execute(database.db);
  await outbox.drain();
  await sql`update outbox_delivery set next_attempt_at = now() where handler = 'flaky'`.execute(database.db);
  await outbox.drain();
  rows = await received();
  assert.equal(rows.length, 19, 'the event that failed once was delivered on retry');
  assert.ok(
    rows.every((r) => r.n === 1),
    'each exactly once',
  );
  const dead = await sql<{ event_id: number; status: number; attempts: number; last_error: string }>`
    select event_id, status, attempts, last_error from outbox_delivery where handler = 'flaky'`.execute(database.db);
  assert.equal(dead.rows.length, 1);
  assert.equal(dead.rows[0]!.event_id, ids[13]);
  assert.equal(dead.rows[0]!.status, 2, 'dead after 3 attempts');
  assert.match(dead.rows[0]!.last_error, /refusing event/);
  assert.deepEqual(await outbox.stats(), [{ handler: 'flaky', pending: 0, dead: 1 }]);
});

test('each event reaches each handler exactly once across a killed and restarted worker', async () => {
  await sql`truncate outbox_probe_received`.execute(database.db);
  await sql`delete from outbox_delivery`.execute(database.db);
  const outbox = createOutbox({
    db: database.db,
    log,
    handlers: [recordingHandler('alpha', ['probe.created']), recordingHandler('beta', ['probe.created'])],
  });
  const N = 1000;
  await database.db.transaction().execute((trx) =>
    outbox.publish(
      trx,
      Array.from({ length: N }, (_, i) => ({ topic: 'probe.created', key: `p${i}`, payload: { i } })),
    ),
  );

  const runWorker = (delayMs: number) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-worker.ts', tdb.url, String(delayMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, ready, exited };
  };

  // Kill the worker three times while batches are open. Each round first waits until the worker
  // has committed a batch of its own (however slowly the machine starts it), then kills it while
  // the next batch (held open 150 ms) is under way: every round delivers some, none delivers all.
  for (let round = 0; round < 3; round++) {
    const before = (await received()).length;
    const w = runWorker(150);
    await w.ready;
    for (let i = 0; i < 600 && (await received()).length === before; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 60 + round * 30));
    w.child.kill('SIGKILL');
    await w.exited;
    assert.ok((await received()).length > before, `round ${round}: the worker committed a batch before the kill`);
  }
  const partial = (await received()).length;
  assert.ok(partial > 0, 'some events were delivered before the kills');
  assert.ok(partial < 2 * N, `the kills interrupted delivery (${partial} of ${2 * N} delivered)`);

  const w = runWorker(0);
  await w.ready;
  for (let i = 0; i < 300; i++) {
    const r = await sql<{ n: number }>`select count(*)::int as n from outbox_delivery where status = 0`.execute(database.db);
    if (r.rows[0]!.n === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  w.child.kill('SIGTERM');
  await w.exited;

  const rows = await received();
  const dupes = rows.filter((r) => r.n !== 1);
  assert.deepEqual(dupes, [], 'no event was applied twice');
  assert.equal(rows.filter((r) => r.handler === 'alpha').length, N, 'alpha saw every event');
  assert.equal(rows.filter((r) => r.handler === 'beta').length, N, 'beta saw every event');
});
