import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { MIGRATIONS } from '../server/platform.ts';
import { createAuditLog } from './audit.ts';
import { fixedClock } from './clock.ts';
import { connect, type Database } from './db.ts';
import { runMigrations } from './migrations.ts';

let tdb: TestDatabase;
let database: Database;
const audit = createAuditLog({ clock: fixedClock(new Date('2026-11-26T08:00:00Z')) });
const actor = { userId: '01a218e9-541a-72fb-850d-f6b05cb7d669', orgId: null };

before(async () => {
  tdb = await testDatabase();
  database = connect(tdb.url, { max: 3 });
  await runMigrations(database.db, MIGRATIONS);
  for (let batch = 0; batch < 5; batch++) {
    await database.db.transaction().execute((trx) =>
      audit.append(
        trx,
        actor,
        Array.from({ length: 4 }, (_, i) => ({
          action: 'probe.write',
          entity: 'probe',
          entityId: `p${batch}-${i}`,
          before: { qty: '1.00', name: '青花瓷碗' },
          after: { qty: '2.50', nested: { b: 1, a: [1, 2] } },
        })),
      ),
    );
  }
});
after(async () => {
  await database.close();
  await tdb.drop();
});

function cliVerify(): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', 'audit', 'verify'], {
    env: { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

// Tampering needs the append-only trigger out of the way, as a superuser attacker would do.
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`alter table audit_log disable trigger audit_log_no_update`.execute(database.db);
  await statement.execute(database.db);
  await sql`alter table audit_log enable trigger audit_log_no_update`.execute(database.db);
}

test('an intact log verifies, through the API and the cbec command', async () => {
  const r = await audit.verify(database.db);
  assert.deepEqual(r, { ok: true, rows: 20, problems: [] });
  const cli = cliVerify();
  assert.equal(cli.status, 0, cli.out);
  assert.match(cli.out, /intact: 20 rows/);
});

test('the database refuses updates and deletes of audit rows', async () => {
  await assert.rejects(sql`update audit_log set action = 'x' where seq = 1`.execute(database.db), /append-only/);
  await assert.rejects(sql`delete from audit_log where seq = 1`.execute(database.db), /append-only/);
});

test('verify detects a changed row, a deleted row and a deleted tail', async () => {
  await tamper(sql`update audit_log set after = jsonb_set(after, '{qty}', '"9.99"') where seq = 7`);
  let r = await audit.verify(database.db);
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.problems.map((p) => p.seq),
    [7],
  );
  assert.match(r.problems[0]!.problem, /changed/);
  let cli = cliVerify();
  assert.equal(cli.status, 1, cli.out);
  assert.match(cli.out, /TAMPERED.*\n.*seq 7/);

  await tamper(sql`delete from audit_log where seq = 12`);
  r = await audit.verify(database.db);
  assert.ok(
    r.problems.some((p) => p.seq === 12 && /missing/.test(p.problem)),
    JSON.stringify(r.problems),
  );

  await tamper(sql`delete from audit_log where seq = 20`);
  r = await audit.verify(database.db);
  assert.ok(
    r.problems.some((p) => /tail deleted/.test(p.problem)),
    JSON.stringify(r.problems),
  );
  cli = cliVerify();
  assert.equal(cli.status, 1);
});
