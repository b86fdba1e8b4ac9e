import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  embeddedDatabase,
  IN_CI,
  serverDatabase,
  serverReachable,
  SERVER_URL,
  type TestDatabase,
} from '../../test/support/db.ts';
import { MIGRATIONS } from '../server/platform.ts';
import { connect } from './db.ts';
import { runMigrations } from './migrations.ts';

async function exerciseMigrations(tdb: TestDatabase): Promise<void> {
  const database = connect(tdb.url, { max: 2 });
  try {
    const first = await runMigrations(database.db, MIGRATIONS);
    assert.ok(first.applied.length >= 2, 'kernel and identity migrations apply');
    const tables = await sql<{
      t: string;
    }>`select table_name as t from information_schema.tables where table_schema = 'public'`.execute(database.db);
    const names = tables.rows.map((r) => r.t);
    for (const t of [
      'schema_migrations',
      'outbox_event',
      'outbox_delivery',
      'audit_log',
      'audit_head',
      'organisation',
      'app_user',
      'user_session',
      'api_key',
    ]) {
      assert.ok(names.includes(t), `table ${t} exists on ${tdb.kind}`);
    }
    const second = await runMigrations(database.db, MIGRATIONS);
    assert.equal(second.applied.length, 0, 'a second run applies nothing');
    assert.equal(second.alreadyApplied, first.applied.length);

    // Forward-only: editing an applied file is refused, a new file is applied.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbec-mig-'));
    await writeFile(path.join(dir, '001_a.sql'), 'create table mig_probe (id int primary key);');
    const src = [...MIGRATIONS, { module: 'probe', dir }];
    assert.equal((await runMigrations(database.db, src)).applied.length, 1);
    await writeFile(path.join(dir, '001_a.sql'), 'create table mig_probe (id bigint primary key);');
    await assert.rejects(runMigrations(database.db, src), /forward-only/);
    await writeFile(path.join(dir, '001_a.sql'), 'create table mig_probe (id int primary key);');
    await writeFile(path.join(dir, '002_b.sql'), 'alter table mig_probe add column name text;');
    assert.deepEqual((await runMigrations(database.db, src)).applied, [{ module: 'probe', name: '002_b.sql' }]);

    // A failing migration leaves nothing half-applied.
    await writeFile(path.join(dir, '003_bad.sql'), 'alter table mig_probe add column x int; select no_such_function();');
    await assert.rejects(runMigrations(database.db, src));
    const cols = await sql<{
      c: string;
    }>`select column_name as c from information_schema.columns where table_name = 'mig_probe'`.execute(database.db);
    assert.ok(!cols.rows.some((r) => r.c === 'x'), 'the failed migration rolled back');
  } finally {
    await database.close();
  }
}

test('migrations on embedded PostgreSQL', async () => {
  const tdb = await embeddedDatabase();
  try {
    await exerciseMigrations(tdb);
  } finally {
    await tdb.drop();
  }
});

test('migrations on the PostgreSQL server', async (t) => {
  const unreachable = await serverReachable();
  if (unreachable && !IN_CI) {
    process.stderr.write(
      `\n!!! SKIPPED: PostgreSQL server not reachable at ${SERVER_URL} (${unreachable}).\n` +
        '!!! Install and start PostgreSQL (apt-get install postgresql) or set DATABASE_URL to run this test.\n\n',
    );
    t.skip(`PostgreSQL server not reachable at ${SERVER_URL}`);
    return;
  }
  const tdb = await serverDatabase();
  try {
    await exerciseMigrations(tdb);
  } finally {
    await tdb.drop();
  }
});
