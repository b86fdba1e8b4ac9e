import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../kernel/config.ts';
import { connect, type Db } from '../kernel/db.ts';
import { createPlatform } from './platform.ts';
import { submitOk } from '../../test/support/clearance.ts';
import { serverDatabase, type TestDatabase } from '../../test/support/db.ts';
import { needServer } from '../../test/support/needs.ts';
import { encodeCeb } from '../ceb/index.ts';
import { makeParcel, message, PARTIES } from '../../test/support/parcels.ts';
import { login, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts';

/**
 * `cbec backup` / `cbec restore` through the real command line: a database with demo parties and
 * cleared parcels is backed up, restored into a fresh server database and into a fresh embedded
 * DATA_DIR, and every row of every table comes back identical; the audit chain still verifies.
 */
const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'cbec-backup-'));
chmodSync(dir, 0o755);
const file = path.join(dir, 'cbec.backup.gz');

let tp: TestPlatform;
const extra: TestDatabase[] = [];

async function cbec(args: string[], env: Record<string, string | undefined>) {
  const clean = { ...process.env, LOG_LEVEL: 'silent', DEMO: '0' } as Record<string, string | undefined>;
  delete clean.DATABASE_URL;
  return run(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', ...args], {
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
  });
}

async function fingerprint(db: Db): Promise<Record<string, string>> {
  const tables = await sql<{ t: string }>`
    select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(
    db,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables.rows) {
    const cols = await sql<{ c: string }>`
      select column_name as c from information_schema.columns where table_schema = 'public' and table_name = ${t} order by ordinal_position`.execute(
      db,
    );
    // applied_at of the migrations table is the backup's, like everything else: compare every column
    const r = await sql<{ h: string | null; n: number }>`
      select md5(string_agg(md5(x::text), '' order by md5(x::text))) as h, count(*)::int as n from ${sql.table(t)} x`.execute(db);
    out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}:${cols.rows.length}`;
  }
  return out;
}

before(async () => {
  tp = await startTestPlatform();
  const tokens = {
    platform: await login(tp.platform, 'platform'),
    payer: await login(tp.platform, 'payer'),
    carrier: await login(tp.platform, 'carrier'),
    broker: await login(tp.platform, 'broker'),
  };
  const parcels = Array.from({ length: 30 }, (_, i) => makeParcel(i + 1, 'BK'));
  const g = (pfx: number): string => `${String(pfx).padStart(8, '0')}-0000-4000-8000-000000000001`;
  await submitOk(
    tp,
    tokens.platform,
    message(
      'CEB303',
      g(9303),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
  );
  await submitOk(
    tp,
    tokens.payer,
    message(
      'CEB403',
      g(9403),
      PARTIES.payer,
      parcels.map((p) => p.payment),
    ),
  );
  await submitOk(
    tp,
    tokens.carrier,
    message(
      'CEB505',
      g(9505),
      PARTIES.carrier,
      parcels.map((p) => p.waybill),
    ),
  );
  await submitOk(
    tp,
    tokens.broker,
    message(
      'CEB603',
      g(9603),
      PARTIES.broker,
      parcels.map((p) => p.inventory),
    ),
  );
  await tp.platform.settle();
});

after(async () => {
  await tp.stop();
  for (const d of extra) await d.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('backup, then restore into a fresh server database: every row identical, audit chain intact', async (t) => {
  // every case here restores into a fresh database on the PostgreSQL server
  if (!(await needServer(t))) return;
  const original = await fingerprint(tp.platform.database.db);
  assert.ok(Number(original.clr_document!.split(':')[0]) >= 120, 'documents to back up');
  const b = await cbec(['backup', file], { DATABASE_URL: tp.database.url });
  assert.match(b.stdout, /backup written/);

  const target = await serverDatabase();
  extra.push(target);
  const r = await cbec(['restore', file], { DATABASE_URL: target.url });
  assert.match(r.stdout, /restored/);
  const restored = connect(target.url, { max: 2 });
  try {
    assert.deepEqual(await fingerprint(restored.db), original);
    // sequences continue after the restored values: a new outbox event gets a fresh id
    const next = await sql<{ id: string }>`insert into outbox_event (topic, payload) values ('probe', '{}') returning id`.execute(
      restored.db,
    );
    const max = await sql<{ m: string }>`select max(id)::text as m from outbox_event where topic <> 'probe'`.execute(restored.db);
    assert.ok(BigInt(next.rows[0]!.id) > BigInt(max.rows[0]!.m ?? '0'));
  } finally {
    await restored.close();
  }
  const verify = await cbec(['audit', 'verify'], { DATABASE_URL: target.url });
  assert.match(verify.stdout, /audit log intact/);
});

test('restore refuses a database in use, and a damaged backup leaves the target unchanged', async (t) => {
  if (!(await needServer(t))) return;
  await assert.rejects(cbec(['restore', file], { DATABASE_URL: tp.database.url }), /not empty/);
  const target = await serverDatabase();
  extra.push(target);
  const bytes = readFileSync(file);
  const damaged = path.join(dir, 'damaged.gz');
  writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(cbec(['restore', damaged], { DATABASE_URL: target.url }));
  const db = connect(target.url, { max: 1 });
  try {
    const n = await sql<{ n: number }>`select count(*)::int as n from clr_document`.execute(db.db);
    assert.equal(n.rows[0]!.n, 0, 'nothing half-restored');
  } finally {
    await db.close();
  }
});

test('restore into a fresh embedded database (DATA_DIR), then back up again: the same rows', async (t) => {
  if (!(await needServer(t))) return;
  const dataDir = path.join(dir, 'data');
  const r = await cbec(['restore', file], { DATA_DIR: dataDir });
  assert.match(r.stdout, /restored/);
  const again = path.join(dir, 'again.gz');
  await cbec(['backup', again], { DATA_DIR: dataDir });
  const target = await serverDatabase();
  extra.push(target);
  await cbec(['restore', again], { DATABASE_URL: target.url });
  const db = connect(target.url, { max: 2 });
  try {
    assert.deepEqual(await fingerprint(db.db), await fingerprint(tp.platform.database.db));
  } finally {
    await db.close();
  }
});

test('standalone sequences survive a restore: the receipt feed continues after a client’s cursor, numbers are not handed out again', async (t) => {
  if (!(await needServer(t))) return;
  const seqs = async (db: Db): Promise<Map<string, bigint | null>> => {
    const r = await sql<{ name: string; last: string | null }>`
      select sequencename as name, last_value::text as last from pg_sequences where schemaname = 'public'`.execute(db);
    return new Map(r.rows.map((x) => [x.name, x.last === null ? null : BigInt(x.last)]));
  };
  // A receipt is sequenced (stamped with its feed position) by a background sequencer: the
  // sequences are read once every receipt has its position.
  await tp.platform.settle();
  const before = await seqs(tp.platform.database.db);
  for (const standalone of ['clr_receipt_seq', 'lgx_feed_seq', 'pk_certificate_no'])
    assert.ok(before.has(standalone), standalone);
  assert.ok((before.get('clr_receipt_seq') ?? 0n) > 0n, 'the feed has handed out positions');
  const token = await login(tp.platform, 'platform');
  const feed = async (app: typeof tp.platform.app, auth: string, after: bigint | number) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/ceb/receipts?after=${after}&limit=1000`,
      headers: { authorization: `Bearer ${auth}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { items: { seq: number; guid: string }[]; next: number };
  };
  // a client that has read the whole feed holds its last position
  let cursor = 0;
  for (let page = await feed(tp.platform.app, token, 0); page.items.length; page = await feed(tp.platform.app, token, cursor)) {
    cursor = page.next;
  }
  assert.ok(cursor > 0, 'the platform has receipts');

  const fresh = path.join(dir, 'seq.gz');
  await cbec(['backup', fresh], { DATABASE_URL: tp.database.url });
  const target = await serverDatabase();
  extra.push(target);
  await cbec(['restore', fresh], { DATABASE_URL: target.url });

  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_DIST: path.resolve('web/dist') });
  const restored = await createPlatform({ config, databaseUrl: target.url });
  try {
    await restored.app.ready();
    const after = await seqs(restored.database.db);
    for (const [name, value] of before) {
      if (value !== null) assert.ok((after.get(name) ?? 0n) >= value, `${name}: ${String(after.get(name))} ≥ ${value}`);
    }
    // The restored platform takes a new order; its receipts come after the client's cursor.
    const restoredToken = await login(restored, 'platform');
    const order = makeParcel(91, 'BKSEQ').order;
    const res = await restored.app.inject({
      method: 'POST',
      url: '/api/v1/ceb',
      headers: { authorization: `Bearer ${restoredToken}`, 'content-type': 'application/xml' },
      payload: encodeCeb(message('CEB303', '00009303-0000-4000-8000-000000000091', PARTIES.platform, [order])),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { accepted: number }).accepted, 1);
    await restored.settle();
    const fresher = await feed(restored.app, restoredToken, cursor);
    const orderGuid = order.head.guid!;
    const platformOrg = (await restored.auth.authenticate(restoredToken))?.organisation?.id ?? '';
    assert.ok(
      fresher.items.some((r) => r.guid !== '' && r.seq > cursor),
      `new receipts after the cursor ${cursor}: ${JSON.stringify(fresher.items).slice(0, 300)}`,
    );
    const all = await sql<{ seq: string }>`
      select e.seq::text as seq from clr_receipt_feed_entry e
      join clr_receipt r on r.id = e.receipt_id join clr_document d on d.id = r.document_id
      where d.head->>'guid' = ${orderGuid} and e.recipient_org_id = ${platformOrg}`.execute(restored.database.db);
    assert.ok(all.rows.length > 0, 'the new order has receipts');
    for (const r of all.rows) assert.ok(BigInt(r.seq) > BigInt(cursor), `receipt seq ${r.seq} after the cursor ${cursor}`);
    assert.deepEqual(
      new Set(fresher.items.map((r) => r.seq)),
      new Set(all.rows.map((r) => Number(r.seq))),
      'the feed after the cursor is exactly the new order’s receipts',
    );
  } finally {
    await restored.close();
  }
});
