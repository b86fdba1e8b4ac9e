// Graceful shutdown (issue #9 point 5): SIGTERM arrives while clients keep posting parcels and the
// pipeline works through its batches — at an instant a pipeline batch is open, held open until the
// process is shutting down (batch-at-signal.ts). The process stops taking requests (503, then
// connection refused), answers the requests it is serving, commits that batch (pg_xact_status) and
// exits 0 within 30 s.
// After a restart every message that got a 2xx is stored once, nothing refused is, and once the
// client resends what was refused every parcel closes (899) with its receipts in order, none twice.
// In process: while shutting down, /readyz answers 503 to a load balancer's open connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import { encodeCeb, fillInvtNos, type CebMessage } from '../../src/ceb/index.ts';
import { createAuditLog } from '../../src/kernel/audit.ts';
import { connectBus } from '../../src/kernel/bus.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { connect, type Database } from '../../src/kernel/db.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seedDemo } from '../../src/server/platform.ts';
import { requireNats } from '../support/nats.ts';
import { need } from '../support/needs.ts';
import { login, startTestPlatform } from '../support/platform.ts';
import { blockMessages, makeParcel, PARTIES, sendBlock, type DemoSender, type Parcel } from '../support/parcels.ts';
import { signalWithBatchOpen } from './batch-at-signal.ts';
import {
  httpLogin,
  platformStore,
  signalPlatformProcess,
  startPlatformProcess,
  stopOrphanPostgres,
  type PlatformProcess,
} from '../support/processes.ts';

const BLOCK = 10;
const SENDERS = 4;
const EXIT_BOUND_MS = 30_000;
const RUN = 'G';
// The run's documents (business keys `…|G…`): a demo start also sends the demo's own parcels.
const ofTheRun = sql`split_part(business_key, '|', 2) like ${`${RUN}%`}`;
const KIND_OF: Record<string, string> = {
  CEB303: 'order',
  CEB403: 'payment',
  CEB505: 'waybill',
  CEB603: 'inventory',
  CEB507: 'arrival',
  CEB607: 'consolidation',
  CEB509: 'departure',
};
/** The broker's receipts of a green-lane parcel, in feed order: declared, stored, passed, released, closed. */
const CLOSED_TRAIL = '2>120>399>800>899';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Answer =
  | {
      kind: 'accepted';
      entities: number;
      rejected: number;
      replayed: boolean;
      outcome: { entities: { index: number; invtNo?: string }[] };
    }
  | { kind: 'refused'; how: string }
  | { kind: 'bad'; how: string };

interface Step {
  user: DemoSender;
  message: CebMessage;
  answer?: Answer;
}

/** One POST of a CEB message, classified: 2xx, a clear refusal (503 or connection refused), anything else. */
async function send(url: string, token: string, m: CebMessage): Promise<Answer> {
  try {
    const res = await fetch(`${url}/api/v1/ceb`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
      body: encodeCeb(m),
      signal: AbortSignal.timeout(EXIT_BOUND_MS),
    });
    const text = await res.text();
    if (res.status >= 200 && res.status < 300) {
      const o = JSON.parse(text) as {
        accepted: number;
        rejected: number;
        replayed: boolean;
        entities: { index: number; invtNo?: string }[];
      };
      return { kind: 'accepted', entities: o.accepted, rejected: o.rejected, replayed: o.replayed, outcome: o };
    }
    if (res.status === 503) return { kind: 'refused', how: '503' };
    return { kind: 'bad', how: `HTTP ${res.status} ${text.slice(0, 300)}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return { kind: 'refused', how: 'ECONNREFUSED' };
    // A connection dropped as the request went out (an idle keep-alive one closed, or one still in
    // the accept queue when listening stopped): HTTP/1.1 cannot rule that race out. The platform never
    // read the request; the counts and the resend below prove it was not stored.
    if (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET') return { kind: 'refused', how: 'dropped before read' };
    return { kind: 'bad', how: `${cause?.code ?? ''} ${cause?.message ?? String(e)}` };
  }
}

async function count(db: Database, query: RawBuilder<{ n: number }>): Promise<number> {
  return (await query.execute(db.db)).rows[0]!.n;
}

/** Pino lines at error level or above in a process's stderr. */
function errorLogs(stderr: string[]): string[] {
  return stderr
    .join('')
    .split('\n')
    .filter((l) => {
      try {
        return (JSON.parse(l) as { level?: number }).level! >= 50;
      } catch {
        return l.trim() !== '';
      }
    });
}

async function shutdownRun(kind: 'embedded' | 'server', log: (line: string) => void): Promise<void> {
  const store = await platformStore(kind, 'cbec-shutdown-');
  const { env, dataDir } = store;
  const dbUrl = store.url;

  let proc: PlatformProcess | undefined = await startPlatformProcess(env);
  try {
    const first = proc;
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await httpLogin(first.url, u);

    // Clients post blocks of parcels (7 messages each) until the platform turns them away.
    const blocks: Step[][] = [];
    let inFlight = 0;
    let acceptedBlocks = 0;
    const sender = async (): Promise<void> => {
      for (;;) {
        const i = blocks.length;
        const parcels = Array.from({ length: BLOCK }, (_, k) => makeParcel(i * BLOCK + k + 1, RUN));
        const block: Step[] = blockMessages(i, parcels, RUN);
        blocks.push(block);
        for (const step of block) {
          inFlight++;
          step.answer = await send(first.url, tokens[step.user]!, step.message);
          inFlight--;
          if (step.answer.kind !== 'accepted') return;
          // the broker's bill names the inventories by the numbers of their CEB603 outcome
          if (step.message.messageType === 'CEB603')
            fillInvtNos(
              block.map((x) => x.message),
              step.message,
              step.answer.outcome,
            );
        }
        acceptedBlocks++;
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, () => sender()));

    // Signal once parcels are being decided and the pipeline has work queued.
    let pendingAtSignal = 0;
    {
      const db = connect(dbUrl(), { max: 1 });
      try {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          pendingAtSignal = await count(db, sql`select count(*)::int as n from outbox_delivery where status = 0`);
          const decided = await count(
            db,
            sql`select count(*)::int as n from clr_document where kind = 'inventory' and status <> '2' and ${ofTheRun}`,
          );
          if (acceptedBlocks >= 3 && decided > 0 && pendingAtSignal > 0) break;
          await sleep(100);
        }
      } finally {
        await db.close();
      }
    }
    // SIGTERM while a pipeline batch is open, held open until the process is shutting down.
    let inFlightAtSignal = 0;
    const atSignal = await signalWithBatchOpen(dbUrl(), first, EXIT_BOUND_MS, { onSignal: () => (inFlightAtSignal = inFlight) });
    const exit = atSignal.exit;
    await senders;

    assert.ok(exit, `the platform exits within ${EXIT_BOUND_MS / 1000} s of SIGTERM`);
    assert.deepEqual([exit.code, exit.signal], [0, null], `exit code 0: ${first.stderr.join('').slice(-2000)}`);
    assert.deepEqual(errorLogs(first.stderr), [], 'no errors logged while shutting down');
    assert.ok(inFlightAtSignal > 0, 'requests were in flight when the signal came');
    assert.ok(pendingAtSignal > 0, 'the pipeline had work queued when the signal came');
    const answers = blocks.flat().flatMap((s) => (s.answer ? [s.answer] : []));
    const bad = answers.filter((a) => a.kind === 'bad');
    assert.deepEqual(bad, [], 'every request was answered 2xx or 503, or refused at connect');
    const refused = answers.filter((a) => a.kind === 'refused');
    assert.ok(refused.length >= SENDERS, 'each client was turned away once the platform stopped');
    for (const a of answers) if (a.kind === 'accepted') assert.equal(a.rejected, 0);

    proc = await startPlatformProcess(env);
    const second = proc;
    const db = connect(dbUrl(), { max: 2 });
    try {
      // The batch open at the signal was finished and committed before the process exited.
      assert.ok(atSignal.shuttingDown, 'the process was shutting down while the batch was held open');
      assert.equal(atSignal.statusAfterSignal, 'in progress', `batch ${atSignal.xid} open after the signal`);
      const batch = await sql<{ s: string }>`select pg_xact_status(${atSignal.xid}::xid8) as s`.execute(db.db);
      assert.equal(batch.rows[0]!.s, 'committed', `the in-flight batch ${atSignal.xid} committed before the exit`);
      log(
        `${kind}: batch ${atSignal.xid} (backend ${atSignal.backendPid}) still open after SIGTERM (${atSignal.shuttingDown}), committed; exit 0 in ${exit.millis} ms; ${inFlightAtSignal} requests in flight`,
      );

      // Exactly what got a 2xx is stored, once.
      const accepted: Record<string, number> = {};
      for (const s of blocks.flat()) {
        if (s.answer?.kind !== 'accepted') continue;
        const k = KIND_OF[s.message.messageType]!;
        accepted[k] = (accepted[k] ?? 0) + s.answer.entities;
      }
      const docs = await sql<{ kind: string; n: number; keys: number }>`
        select kind, count(*)::int as n, count(distinct business_key)::int as keys from clr_document where ${ofTheRun}
        group by kind`.execute(db.db);
      for (const d of docs.rows) assert.equal(d.n, d.keys, `${d.kind}: one document per business key`);
      assert.deepEqual(Object.fromEntries(docs.rows.map((d) => [d.kind, d.n])), accepted, 'stored documents = accepted entities');

      // The client resends what was refused or never sent, same guids: new to the platform.
      const tokens2: Record<string, string> = {};
      for (const u of Object.keys(tokens)) tokens2[u] = await httpLogin(second.url, u);
      await Promise.all(
        blocks.map(async (block) => {
          for (const s of block) {
            if (s.answer?.kind === 'accepted') continue;
            const a = await send(second.url, tokens2[s.user]!, s.message);
            assert.ok(a.kind === 'accepted' && a.rejected === 0, `${s.message.messageType} resent: ${JSON.stringify(a)}`);
            assert.equal(a.replayed, false, `${s.message.messageType} ${s.message.guid} was refused, so it is new`);
            if (s.message.messageType === 'CEB603')
              fillInvtNos(
                block.map((x) => x.message),
                s.message,
                a.outcome,
              );
          }
        }),
      );

      // Every parcel closes; the broker's feed carries each inventory's receipts once, in order.
      const parcels = blocks.length * BLOCK;
      const brokerId = (
        await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.broker.code}`.execute(db.db)
      ).rows[0]!.id;
      let trails: Record<string, number> = {};
      let unfed = -1;
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const rows = await sql<{ trail: string; n: number }>`
          select trail, count(*)::int as n from (
            select string_agg(r.return_status, '>' order by f.seq) as trail
            from clr_document d
            left join clr_receipt r on r.document_id = d.id and r.recipient_org_id = ${brokerId}
            left join clr_receipt_feed_entry f on f.receipt_id = r.id and f.recipient_org_id = r.recipient_org_id
            where d.kind = 'inventory' and ${ofTheRun} group by d.id) t
          group by trail`.execute(db.db);
        trails = Object.fromEntries(rows.rows.map((r) => [r.trail ?? '', r.n]));
        unfed = await count(
          db,
          sql`select count(*)::int as n from clr_receipt r
              where not exists (select 1 from clr_receipt_feed_entry f where f.receipt_id = r.id and f.recipient_org_id = r.recipient_org_id)`,
        );
        if (trails[CLOSED_TRAIL] === parcels && unfed === 0) break;
        await sleep(300);
      }
      assert.deepEqual(trails, { [CLOSED_TRAIL]: parcels }, 'every inventory closed with its receipts in feed order');
      assert.equal(unfed, 0, 'every receipt entered the feed');
      const doubled = await count(
        db,
        sql`select count(*)::int as n from (
              select 1 from clr_receipt group by document_id, return_status, recipient_org_id having count(*) > 1) d`,
      );
      assert.equal(doubled, 0, 'no receipt written twice');
      const fedTwice = await count(
        db,
        sql`select count(*)::int as n from (
              select 1 from clr_receipt_feed_entry group by receipt_id, recipient_org_id having count(*) > 1) d`,
      );
      assert.equal(fedTwice, 0, 'no receipt in the feed twice');
    } finally {
      await db.close();
    }
    const last = await signalPlatformProcess(second, 'SIGTERM', EXIT_BOUND_MS);
    assert.deepEqual([last?.code, last?.signal], [0, null], 'the restarted platform stops cleanly too');
  } finally {
    if (proc && (await signalPlatformProcess(proc, 'SIGTERM', EXIT_BOUND_MS)) === null) {
      await proc.kill();
      // killed: its embedded postmaster is left behind
      const pid = dataDir
        ? Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '0')).split('\n')[0])
        : 0;
      if (pid > 0) process.kill(pid, 'SIGQUIT');
      await sleep(2_000);
    }
    await store.remove();
  }
}

/**
 * Scaled out (`--role api` + `--role worker`, NATS between them, as worker-kill.test.ts runs it):
 * SIGTERM reaches the worker while one of its pipeline batches is open. The worker finishes that
 * batch (committed), acknowledges its work message and exits 0 within the bound; the api process
 * keeps taking parcels meanwhile; a new worker then closes every parcel, nothing doubled.
 */
async function workerShutdownRun(kind: 'embedded' | 'server', log: (line: string) => void): Promise<void> {
  const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const PARCELS = 1_000;
  await requireNats(NATS_URL);
  const store = await platformStore(kind, 'cbec-wterm-');
  const prefix = `cbecs${randomBytes(4).toString('hex')}`;
  const bus = { NATS_URL, NATS_PREFIX: prefix, NATS_ACK_WAIT_MS: '3000', DEMO: '0' };
  const apiEnv = { ...store.env, ...bus };
  const workerEnv = kind === 'embedded' ? { DATA_DIR: store.dataDir, DATABASE_URL: '', ...bus } : { ...store.env, ...bus };
  let api: PlatformProcess | undefined;
  let worker: PlatformProcess | undefined;
  let db: Database | undefined;
  try {
    api = await startPlatformProcess(apiEnv, ['--role', 'api']);
    db = connect(store.url(), { max: 2, applicationName: 'cbec-test-observer' });
    await seedDemo({ database: db, clock: systemClock, audit: createAuditLog({ clock: systemClock }) });
    worker = await startPlatformProcess(workerEnv, ['--role', 'worker']);
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await httpLogin(api.url, u);

    type Outcome = { rejected: number; replayed: boolean; entities: { index: number; invtNo?: string }[] };
    const post = async (user: string, m: CebMessage): Promise<Outcome> => {
      const res = await fetch(`${api!.url}/api/v1/ceb`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/xml' },
        body: encodeCeb(m),
      });
      const text = await res.text();
      assert.equal(res.status, 200, `${m.messageType} ${m.guid}: ${text.slice(0, 300)}`);
      const outcome = JSON.parse(text) as Outcome;
      assert.equal(outcome.rejected, 0, `${m.messageType} ${m.guid}: ${text.slice(0, 300)}`);
      return outcome;
    };
    const parcels: Parcel[] = Array.from({ length: PARCELS }, (_, i) => makeParcel(i + 1, 'T'));
    const blocks: Parcel[][] = [];
    for (let i = 0; i < parcels.length; i += 100) blocks.push(parcels.slice(i, i + 100));
    let next = 0;
    const sender = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= blocks.length) return;
        await sendBlock(blockMessages(i, blocks[i]!, 'T'), post);
      }
    };
    const load = Promise.all([sender(), sender(), sender()]);
    load.catch(() => undefined); // awaited below

    // Once the worker is deciding parcels with pipeline work queued, SIGTERM it mid-batch.
    const deadline = Date.now() + 120_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'the worker began deciding parcels');
      const decided = await count(
        db,
        sql`select count(*)::int as n from clr_document where kind = 'inventory' and status in ('300', '399', '800', '899')`,
      );
      const pending = await count(
        db,
        sql`select count(*)::int as n from outbox_delivery where handler = 'clearance.pipeline' and status = 0`,
      );
      if (decided > 0 && pending > 0) break;
      await sleep(50);
    }
    const stopping = worker;
    const atSignal = await signalWithBatchOpen(store.url(), stopping, EXIT_BOUND_MS);
    assert.ok(atSignal.exit, `the worker exits within ${EXIT_BOUND_MS / 1000} s of SIGTERM`);
    assert.deepEqual(
      [atSignal.exit.code, atSignal.exit.signal],
      [0, null],
      `worker exit 0: ${stopping.stderr.join('').slice(-2000)}`,
    );
    assert.deepEqual(errorLogs(stopping.stderr), [], 'no errors logged while the worker shut down');
    assert.ok(atSignal.shuttingDown, 'the worker was shutting down while the batch was held open');
    assert.equal(atSignal.statusAfterSignal, 'in progress', `batch ${atSignal.xid} open after the signal`);
    const status = await sql<{ s: string }>`select pg_xact_status(${atSignal.xid}::xid8) as s`.execute(db.db);
    assert.equal(status.rows[0]!.s, 'committed', `the worker committed its in-flight batch ${atSignal.xid} before exiting`);
    assert.equal(api.child.exitCode, null, 'the api process kept running');

    worker = await startPlatformProcess(workerEnv, ['--role', 'worker']);
    await load;

    // A new worker closes every parcel; nothing stored or written twice, nothing left behind.
    let closed = 0;
    let pending: unknown[] = [];
    const done = Date.now() + 180_000;
    while (Date.now() < done) {
      closed = await count(db, sql`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`);
      pending = (await sql`select handler, status, count(*)::int as n from outbox_delivery group by 1, 2`.execute(db.db)).rows;
      if (closed === PARCELS && pending.length === 0) break;
      await sleep(250);
    }
    assert.equal(closed, PARCELS, 'every inventory closed (899)');
    assert.deepEqual(pending, [], 'no outbox work left behind');
    const docs = await sql<{ kind: string; n: number; keys: number }>`
      select kind, count(*)::int as n, count(distinct business_key)::int as keys from clr_document group by kind`.execute(db.db);
    for (const d of docs.rows) assert.equal(d.n, d.keys, `${d.kind}: one document per business key`);
    const doubled = await count(
      db,
      sql`select count(*)::int as n from (
            select 1 from clr_receipt group by document_id, return_status, recipient_org_id having count(*) > 1) d`,
    );
    assert.equal(doubled, 0, 'no receipt written twice');
    const nats = await connectBus({ url: NATS_URL, prefix, ackWaitMs: 3000, log: createLogger('silent') });
    try {
      assert.equal(await nats.backlog('clearance.pipeline'), 0, 'no pipeline work left on the bus');
    } finally {
      await nats.close();
    }
    log(
      `${kind} worker: batch ${atSignal.xid} still open after SIGTERM (${atSignal.shuttingDown}), committed; exit 0 in ${atSignal.exit.millis} ms`,
    );

    assert.deepEqual((await signalPlatformProcess(worker))?.code, 0, `worker exits 0: ${worker.stderr.join('')}`);
    await db.close();
    db = undefined;
    assert.deepEqual((await signalPlatformProcess(api))?.code, 0, `api exits 0: ${api.stderr.join('')}`);
  } finally {
    await db?.close().catch(() => undefined);
    await worker?.kill();
    await api?.kill();
    const cleanup = await connectBus({ url: NATS_URL, prefix, ackWaitMs: 3000, log: createLogger('silent') });
    await cleanup.destroy();
    await cleanup.close();
    if (store.dataDir) {
      await stopOrphanPostgres(store.dataDir);
      await rm(store.dataDir, { recursive: true, force: true });
    }
    if (kind === 'server') await store.remove();
  }
}

/** Whether a new connection to the port is refused (the server has stopped listening). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('while shutting down, /readyz answers 503 on a connection still open; the request being served is answered', async () => {
  const tp = await startTestPlatform();
  const port = Number(new URL(tp.baseUrl).port);
  // One kept-alive connection: a load balancer's probe comes on one it already has open.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ready = (): Promise<{ status: number; connection: string | undefined; socket: net.Socket }> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/readyz', agent }, (res) => {
          const socket = res.socket;
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket }));
        })
        .once('error', reject);
    });
  let closing: Promise<void> | undefined;
  let upload: http.ClientRequest | undefined;
  try {
    const token = await login(tp.platform, 'platform');
    const before = await ready();
    assert.equal(before.status, 200, 'ready before the shutdown');

    // A request being served holds the shutdown open: an upload whose body has not all arrived.
    const body = Buffer.from('<ceb:CEB303Message unclosed');
    upload = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/ceb',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml', 'content-length': body.length },
    });
    const uploaded = new Promise<number>((resolve, reject) => {
      upload!.once('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      upload!.once('error', reject);
    });
    // Settled either way from here on, so a failure below is reported as itself.
    uploaded.catch(() => undefined);
    const received = once(tp.platform.app.server, 'request');
    upload.write(body.subarray(0, 5));
    await received;

    closing = tp.platform.close();
    // Shutting down once new connections are refused (the platform's preClose stops listening).
    const deadline = Date.now() + 10_000;
    while (!(await refused(port))) {
      assert.ok(Date.now() < deadline, 'the server stops taking connections');
      await new Promise((r) => setTimeout(r, 10));
    }
    const during = await ready();
    assert.equal(during.socket, before.socket, 'asked on the connection opened before the shutdown');
    assert.equal(during.status, 503, 'not ready while shutting down');
    assert.equal(during.connection, 'close', 'and that connection closes');

    // The request in flight is answered (a malformed message: 400), then the shutdown completes.
    upload.end(body.subarray(5));
    assert.equal(await uploaded, 400, 'the upload in flight was answered');
    await closing;
    assert.ok(await refused(port), 'closed');
  } finally {
    upload?.destroy();
    agent.destroy();
    await (closing ?? tp.platform.close()).catch(() => undefined);
    await tp.database.drop();
  }
});

test('embedded PostgreSQL: SIGTERM under load finishes in-flight work and loses nothing', { timeout: 180_000 }, (t) =>
  shutdownRun('embedded', (l) => t.diagnostic(l)),
);

test('PostgreSQL server: SIGTERM under load finishes in-flight work and loses nothing', { timeout: 180_000 }, async (t) => {
  if (await need(t, 'server')) await shutdownRun('server', (l) => t.diagnostic(l));
});

test(
  'embedded PostgreSQL, scaled out: SIGTERM to a worker mid-batch commits the batch and exits 0',
  { timeout: 300_000 },
  async (t) => {
    if (await need(t, 'nats')) await workerShutdownRun('embedded', (l) => t.diagnostic(l));
  },
);

test(
  'PostgreSQL server, scaled out: SIGTERM to a worker mid-batch commits the batch and exits 0',
  { timeout: 300_000 },
  async (t) => {
    if (await need(t, 'server', 'nats')) await workerShutdownRun('server', (l) => t.diagnostic(l));
  },
);
