import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '../kernel/db.ts';
import { submitOk } from '../../test/support/clearance.ts';
import { serverDatabase, type TestDatabase } from '../../test/support/db.ts';
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

test('backup, then restore into a fresh server database: every row identical, audit chain intact', async () => {
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

test('restore refuses a database in use, and a damaged backup leaves the target unchanged', async () => {
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

test('restore into a fresh embedded database (DATA_DIR), then back up again: the same rows', async () => {
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
