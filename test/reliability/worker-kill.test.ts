// Crash safety of a pipeline worker (issue #9 point 1, "the same for a pipeline worker killed
// mid-batch, on embedded PostgreSQL and on the server"). The platform runs split: one
// `cbec start --role api` process takes the parcels, one `cbec start --role worker` runs the
// pipeline, the receipt sequencer and the other outbox handlers (NATS JetStream between them).
// On embedded PostgreSQL the api process owns the database in DATA_DIR and the worker joins it;
// on the server both use DATABASE_URL — the same code. While parcels are being decided the worker
// is SIGKILLed at an instant it holds the pipeline's batch lock inside an open transaction, then
// restarted, twice. Afterwards every accepted document exists exactly once, every parcel is
// closed (899), every receipt entered the feed once and reached the broker's client at least
// once, and re-reading the feed answers the same receipts under the same ids and positions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import { encodeCeb, type CebMessage } from '../../src/ceb/index.ts';
import { createAuditLog } from '../../src/kernel/audit.ts';
import { connectBus } from '../../src/kernel/bus.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { connect, type Database } from '../../src/kernel/db.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seedDemo } from '../../src/server/platform.ts';
import { blockMessages, makeParcel, PARTIES, sendBlock, type Parcel } from '../support/parcels.ts';
import { requireNats } from '../support/nats.ts';
import { need } from '../support/needs.ts';
import {
  httpLogin,
  platformStore,
  signalPlatformProcess,
  startPlatformProcess,
  stopOrphanPostgres,
  type PlatformProcess,
} from '../support/processes.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PARCELS = Number(process.env.WORKER_KILL_PARCELS ?? 20_000);
const KILLS = 2;
// The 20,000 parcels (3–5 min a variant); longer runs get proportionally longer bounds.
const SCALE = Math.max(1, PARCELS / 20_000);
const PIPELINE = 'clearance.pipeline';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Receipt {
  id: number;
  seq: number;
  documentId: string | null;
  returnStatus: string;
  guid: string;
}

/** What the database showed at the instant of a kill. */
interface KillSnapshot {
  backendPid: number;
  backendState: string;
  decided: number;
  closed: number;
  pendingPipelineEvents: number;
}

async function count(db: Database, q: RawBuilder<{ n: number }>): Promise<number> {
  return (await q.execute(db.db)).rows[0]!.n;
}

/**
 * One statement, one snapshot: the backend holding the pipeline's serial lock
 * (`pg_advisory_xact_lock(hashtext('outbox:clearance.pipeline'))`, kernel/outbox.repository.ts) —
 * a transaction-scoped lock, so its holder is inside a batch; an api process never runs outbox
 * handlers, so with one worker the holder is that worker's connection — and the progress then.
 */
async function snapshot(db: Database): Promise<KillSnapshot & { accepted: number; holder: boolean }> {
  const r = await sql<KillSnapshot & { accepted: number; holder: boolean }>`
    with h as (
      select a.pid, coalesce(a.state, '') as state
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.objid::bigint = (hashtext(${'outbox:' + PIPELINE})::bigint & 4294967295)
        and l.classid::bigint = ((hashtext(${'outbox:' + PIPELINE})::bigint >> 32) & 4294967295)
        and a.xact_start is not null
      limit 1),
    inv as (select status from clr_document where kind = 'inventory')
    select exists (select 1 from h) as holder,
      coalesce((select pid from h), 0) as "backendPid", coalesce((select state from h), '') as "backendState",
      (select count(*)::int from inv) as accepted,
      (select count(*)::int from inv where status in ('300', '399', '800', '899')) as decided,
      (select count(*)::int from inv where status = '899') as closed,
      (select count(*)::int from outbox_delivery where handler = ${PIPELINE} and status = 0) as "pendingPipelineEvents"`.execute(
    db.db,
  );
  return r.rows[0]!;
}

async function workerKillRun(kind: 'embedded' | 'server', log: (line: string) => void): Promise<void> {
  await requireNats(NATS_URL);
  const started = Date.now();
  const store = await platformStore(kind, 'cbec-wkill-');
  const prefix = `cbecw${randomBytes(4).toString('hex')}`;
  const bus = { NATS_URL, NATS_PREFIX: prefix, NATS_ACK_WAIT_MS: '3000', DEMO: '0' };
  const apiEnv = { ...store.env, ...bus };
  // Embedded: no DATABASE_URL — the worker finds the database of the api process running on DATA_DIR.
  const workerEnv = kind === 'embedded' ? { DATA_DIR: store.dataDir, DATABASE_URL: '', ...bus } : { ...store.env, ...bus };
  let api: PlatformProcess | undefined;
  let worker: PlatformProcess | undefined;
  let db: Database | undefined;
  // Background loops (the receipt client, the killer) stop when the run ends, however it ends.
  let running = true;
  try {
    api = await startPlatformProcess(apiEnv, ['--role', 'api']);
    // Scaled-out processes do not seed demo data; `cbec seed` does, as here.
    db = connect(store.url(), { max: 4, applicationName: 'cbec-test-observer' });
    await seedDemo({ database: db, clock: systemClock, audit: createAuditLog({ clock: systemClock }) });
    worker = await startPlatformProcess(workerEnv, ['--role', 'worker']);
    if (kind === 'embedded') {
      const joined = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where client_addr is not null
        and application_name = 'cbec-window'`.execute(db.db);
      assert.ok(joined.rows[0]!.n > 0, 'the worker is connected to the embedded database over TCP');
    }

    const users = ['platform', 'payer', 'carrier', 'broker', 'warehouse'] as const;
    const tokens: Record<string, string> = {};
    for (const u of users) tokens[u] = await httpLogin(api.url, u);

    // The broker's receipt client: pulls after its cursor, and keeps every receipt it saw by id.
    const seen = new Map<number, Receipt>();
    let duplicates = 0;
    const changed: string[] = [];
    const take = (r: Receipt): void => {
      const before = seen.get(r.id);
      if (before) {
        duplicates++;
        if (JSON.stringify(before) !== JSON.stringify(r)) changed.push(`${JSON.stringify(before)} → ${JSON.stringify(r)}`);
      }
      seen.set(r.id, r);
    };
    const pull = async (after: number): Promise<{ items: Receipt[]; next: number }> => {
      const res = await fetch(`${api!.url}/api/v1/ceb/receipts?after=${after}&limit=1000`, {
        headers: { authorization: `Bearer ${tokens.broker}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { items: Receipt[]; next: number };
    };
    let pulling = true;
    let cursor = 0;
    // The client saves its cursor every few pages; when the worker dies it resumes from the saved
    // one (as a client restarting beside it would), so it reads some receipts twice.
    let saved = 0;
    let pages = 0;
    let rewind = false;
    const puller = (async () => {
      while (pulling && running) {
        if (rewind) {
          cursor = saved;
          rewind = false;
        }
        const page = await pull(cursor);
        page.items.forEach(take);
        cursor = page.next;
        if (++pages % 3 === 0) saved = cursor;
        if (page.items.length < 1000) await sleep(100);
      }
    })();
    puller.catch(() => undefined); // awaited below

    // The killer: once a share of the parcels is in (a quarter, then half), it waits for an instant
    // when the worker's connection holds the pipeline's batch lock with pipeline work pending, more
    // parcels decided than at the last kill and not all closed, SIGKILLs the worker there and
    // starts a new one.
    const kills: KillSnapshot[] = [];
    const killer = (async () => {
      for (let k = 0; k < KILLS && running; k++) {
        const atLeast = Math.floor((PARCELS * (k + 1)) / (KILLS + 2));
        const deadline = Date.now() + 300_000 * SCALE;
        let last: Awaited<ReturnType<typeof snapshot>> | undefined;
        while (running) {
          assert.ok(Date.now() < deadline, `kill ${k + 1}: no instant mid-batch found; last seen ${JSON.stringify(last)}`);
          last = await snapshot(db!);
          if (
            last.accepted >= atLeast &&
            last.holder &&
            last.pendingPipelineEvents > 0 &&
            // the first kill once decisions began, the next once the new worker has committed some
            last.decided > (kills[k - 1]?.decided ?? 0) &&
            last.closed < PARCELS
          ) {
            worker!.child.kill('SIGKILL');
            const { accepted: _a, holder: _h, ...at } = last;
            kills.push(at);
            await worker!.kill();
            rewind = true;
            break;
          }
          await sleep(2);
        }
        if (running) worker = await startPlatformProcess(workerEnv, ['--role', 'worker']);
      }
    })();
    killer.catch(() => undefined); // awaited below

    // The load: every message answered 200 with nothing rejected (the api process is never killed).
    const parcels: Parcel[] = Array.from({ length: PARCELS }, (_, i) => makeParcel(i + 1, 'W'));
    const blocks: Parcel[][] = [];
    for (let i = 0; i < parcels.length; i += 100) blocks.push(parcels.slice(i, i + 100));
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
      assert.equal(outcome.replayed, false, `${m.messageType} ${m.guid} was sent once`);
      return outcome;
    };
    let next = 0;
    const sender = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= blocks.length) return;
        // the broker's bill names the inventories by the numbers of their CEB603 outcome
        await sendBlock(blockMessages(i, blocks[i]!, 'W'), post);
      }
    };
    await Promise.all([sender(), sender(), sender()]);
    const loadSeconds = Math.round((Date.now() - started) / 1000);
    await killer;
    assert.equal(kills.length, KILLS);
    // Mid-batch: the worker's connection held the batch lock inside a transaction, with pipeline
    // work pending, decisions begun and parcels still open, when the signal went (see snapshot()).
    for (const [i, k] of kills.entries()) {
      assert.ok(k.backendPid > 0 && k.pendingPipelineEvents > 0, `kill ${i + 1} mid-batch: ${JSON.stringify(k)}`);
      assert.ok(k.decided > 0 && k.closed < PARCELS, `kill ${i + 1} while parcels were in flight: ${JSON.stringify(k)}`);
    }

    // Every parcel closes, with the restarted worker.
    const deadline = Date.now() + 240_000 * SCALE;
    let closed = 0;
    while (Date.now() < deadline) {
      closed = await count(
        db,
        sql<{ n: number }>`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`,
      );
      if (closed === PARCELS) break;
      await sleep(250);
    }
    const byStatus = await sql`select kind, status, count(*)::int as n from clr_document group by 1, 2 order by 1, 2`.execute(
      db.db,
    );
    assert.equal(closed, PARCELS, `every inventory closed (899): ${JSON.stringify(byStatus.rows)}`);

    // Exactly once: one document per business key, the counts sent, one receipt per document,
    // status and recipient.
    const docs = await sql<{ kind: string; n: number; keys: number }>`
      select kind, count(*)::int as n, count(distinct business_key)::int as keys from clr_document group by kind`.execute(db.db);
    const n = Object.fromEntries(docs.rows.map((d) => [d.kind, d.n]));
    for (const d of docs.rows) assert.equal(d.n, d.keys, `${d.kind}: one document per business key`);
    for (const k of ['order', 'payment', 'waybill', 'inventory']) assert.equal(n[k], PARCELS, `${k} documents`);
    for (const k of ['arrival', 'consolidation', 'departure']) assert.equal(n[k], blocks.length, `${k} documents`);
    const doubled = await count(
      db,
      sql<{ n: number }>`select count(*)::int as n from (
        select 1 from clr_receipt group by document_id, return_status, recipient_org_id having count(*) > 1) d`,
    );
    assert.equal(doubled, 0, 'no receipt written twice');
    const perInventory = await sql<{ s: string; n: number }>`
      select r.return_status as s, count(distinct r.document_id)::int as n
      from clr_receipt r join clr_document d on d.id = r.document_id
      where d.kind = 'inventory' group by r.return_status order by 1`.execute(db.db);
    const trail = Object.fromEntries(perInventory.rows.map((r) => [r.s, r.n]));
    for (const s of ['2', '120', '399', '800', '899']) assert.equal(trail[s], PARCELS, `every inventory has its ${s} receipt`);

    // Nothing left behind: every handler's work done (statistics, forwarding …), every receipt in
    // the feed exactly once per recipient.
    let pending: unknown[] = [];
    let unsequenced = -1;
    while (Date.now() < deadline + 60_000) {
      pending = (await sql`select handler, status, count(*)::int as n from outbox_delivery group by 1, 2`.execute(db.db)).rows;
      unsequenced = await count(
        db,
        sql<{ n: number }>`select count(*)::int as n from clr_receipt r where not exists (
          select 1 from clr_receipt_feed_entry f where f.receipt_id = r.id and f.recipient_org_id = r.recipient_org_id)`,
      );
      if (pending.length === 0 && unsequenced === 0) break;
      await sleep(250);
    }
    assert.deepEqual(pending, [], 'no outbox work left behind');
    assert.equal(unsequenced, 0, 'every receipt entered its recipient’s feed');
    const twice = await count(
      db,
      sql<{ n: number }>`select count(*)::int as n from (select 1 from clr_receipt_feed_entry
        group by recipient_org_id, receipt_id having count(*) > 1) d`,
    );
    assert.equal(twice, 0, 'no receipt has two feed positions');
    const folded = await count(db, sql<{ n: number }>`select count(*)::int as n from stat_folded`);
    assert.equal(folded, PARCELS, 'statistics folded every closed inventory once');

    // At least once: the broker's client saw every receipt of its feed …
    const brokerFeed = await count(
      db,
      sql<{ n: number }>`select count(*)::int as n from clr_receipt_feed_entry f
        join organisation o on o.id = f.recipient_org_id where o.customs_code = ${PARTIES.broker.code}`,
    );
    const feedEnd = Date.now() + 60_000;
    while (seen.size < brokerFeed && Date.now() < feedEnd) await sleep(100);
    pulling = false;
    await puller;
    assert.equal(seen.size, brokerFeed, 'the broker’s client saw every receipt of its feed');
    const closures = new Set([...seen.values()].filter((r) => r.returnStatus === '899').map((r) => r.documentId));
    assert.equal(closures.size, PARCELS, 'the broker’s client saw every closure (899)');
    // … and whatever it read twice (after each kill, and now all of it again) is the same receipt,
    // under the same id and feed position: a duplicate is recognisable and harmless.
    for (let after = 0; ;) {
      const page = await pull(after);
      page.items.forEach(take);
      if (page.items.length === 0) break;
      after = page.next;
    }
    assert.deepEqual(changed, [], 'a receipt read twice is the same receipt');
    assert.ok(duplicates >= seen.size, `the client read receipts twice (${duplicates} duplicates)`);
    assert.equal(new Set([...seen.values()].map((r) => r.seq)).size, seen.size, 'each receipt id has its own feed position');

    // Nothing of the pipeline's left on the bus: the work messages the kills left unacknowledged
    // were handed out again and acknowledged by the new worker.
    const nats = await connectBus({ url: NATS_URL, prefix, ackWaitMs: 3000, log: createLogger('silent') });
    try {
      assert.equal(await nats.backlog(PIPELINE), 0, 'no pipeline work left on the bus');
    } finally {
      await nats.close();
    }
    assert.equal(api.child.exitCode, null, `the api process kept running: ${api.stderr.join('')}`);
    log(
      `${kind}: ${PARCELS} parcels, kills ${JSON.stringify(kills)}, ${duplicates} receipts read twice, load sent by ${loadSeconds} s, all done in ${Math.round(
        (Date.now() - started) / 1000,
      )} s`,
    );

    // The worker stops before the api process, whose embedded database it uses.
    assert.deepEqual((await signalPlatformProcess(worker))?.code, 0, `worker exits 0: ${worker.stderr.join('')}`);
    await db.close();
    db = undefined;
    assert.deepEqual((await signalPlatformProcess(api))?.code, 0, `api exits 0: ${api.stderr.join('')}`);
  } catch (e) {
    const tail = (p: PlatformProcess | undefined): string => p?.stderr.join('').slice(-2000) ?? '';
    throw new Error(`${e instanceof Error ? e.message : String(e)}\napi stderr: ${tail(api)}\nworker stderr: ${tail(worker)}`, {
      cause: e,
    });
  } finally {
    running = false;
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

test(
  `embedded PostgreSQL: a pipeline worker SIGKILLed mid-batch ${KILLS} times during a ${PARCELS}-parcel load loses and doubles nothing`,
  { timeout: 900_000 * SCALE },
  async (t) => {
    if (await need(t, 'nats')) await workerKillRun('embedded', (l) => t.diagnostic(l));
  },
);

test(
  `PostgreSQL server: a pipeline worker SIGKILLed mid-batch ${KILLS} times during a ${PARCELS}-parcel load loses and doubles nothing`,
  { timeout: 900_000 * SCALE },
  async (t) => {
    if (await need(t, 'server', 'nats')) await workerKillRun('server', (l) => t.diagnostic(l));
  },
);
