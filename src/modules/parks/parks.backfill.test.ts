import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { testDatabase } from '../../../test/support/db.ts';
import { connect, type Db } from '../../kernel/db.ts';
import { runMigrations } from '../../kernel/migrations.ts';
import { MIGRATIONS } from '../../server/platform.ts';
import { parksMigrations } from './index.ts';

/**
 * The back-fill of migration 004 (owners of parks, courses and events, programmes): a database
 * migrated up to 003, rows created then, and 004 applied over them. Each row gets the
 * organisation the audit log records as its creator; failing that, the commerce department when
 * exactly one agency holds that duty; failing that, none (the operator's alone).
 */
const OWNER_MIGRATION = '004_owner_org.sql';

/** Migrates a fresh database with the parks migrations before 004, runs `setup`, then applies 004. */
async function backfilled(setup: (db: Db) => Promise<void>, check: (db: Db) => Promise<void>): Promise<void> {
  const tdb = await testDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbec-parks-mig-'));
  const database = connect(tdb.url, { max: 2 });
  try {
    const files = (await readdir(parksMigrations)).filter((f) => f.endsWith('.sql')).sort();
    assert.ok(files.includes(OWNER_MIGRATION));
    for (const f of files.filter((x) => x < OWNER_MIGRATION)) await copyFile(path.join(parksMigrations, f), path.join(dir, f));
    const sources = MIGRATIONS.map((s) => (s.module === 'parks' ? { ...s, dir } : s));
    await runMigrations(database.db, sources);
    await setup(database.db);
    await copyFile(path.join(parksMigrations, OWNER_MIGRATION), path.join(dir, OWNER_MIGRATION));
    const r = await runMigrations(database.db, sources);
    assert.ok(r.applied.some((m) => m.module === 'parks' && m.name === OWNER_MIGRATION));
    await check(database.db);
  } finally {
    await database.close();
    await tdb.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function organisation(db: Db, kind: 'agency' | 'operator', roles: string[], name: string): Promise<string> {
  const id = randomUUID();
  await sql`insert into organisation (id, kind, name, roles, jurisdiction)
    values (${id}, ${kind}, ${name}, ${roles}::text[], ${kind === 'agency' ? '4000' : null})`.execute(db);
  return id;
}

const at = new Date('2026-03-01T00:00:00Z');
const park = (db: Db, id: string) =>
  sql`insert into pk_park (id, name, region, kind, created_at) values (${id}, ${`园区 ${id.slice(0, 4)}`}, '36012', 'park', ${at})`.execute(
    db,
  );
const offering = (db: Db, id: string, kind: 'course' | 'event') =>
  sql`insert into pk_offering (id, kind, title, starts_at, ends_at, place, capacity, created_at)
    values (${id}, ${kind}, 'x', ${at}, ${at}, '南昌', 10, ${at})`.execute(db);
const programme = (db: Db, id: string) =>
  sql`insert into pk_programme (id, name, category, rules, opens_on, closes_on, created_at)
    values (${id}, 'x', 'park', '[]'::jsonb, '2026-01-01', '2026-12-31', ${at})`.execute(db);
/** A creation recorded on the chain (audit_log) or still pending (audit_pending). */
async function created(db: Db, where: 'log' | 'pending', orgId: string | null, action: string, entity: string, id: string) {
  if (where === 'pending') {
    await sql`insert into audit_pending (at, actor_org_id, action, entity, entity_id)
      values (${at}, ${orgId}, ${action}, ${entity}, ${id})`.execute(db);
    return;
  }
  await sql`insert into audit_log (seq, at, actor_org_id, action, entity, entity_id, prev_hash, hash)
    values ((select coalesce(max(seq), 0) + 1 from audit_log), ${at}, ${orgId}, ${action}, ${entity}, ${id}, 'x', 'x')`.execute(
    db,
  );
}
const ownerOf = async (db: Db, table: string, id: string) =>
  (await sql<{ o: string | null }>`select owner_org_id::text as o from ${sql.table(table)} where id = ${id}`.execute(db)).rows[0]!
    .o;

test('back-fill: the creator in the audit log, else the only commerce department', async () => {
  const ids = {
    parkByOperator: randomUUID(),
    course: randomUUID(),
    event: randomUUID(),
    programme: randomUUID(),
    park: randomUUID(),
  };
  const org: Record<string, string> = {};
  await backfilled(
    async (db) => {
      org.commerce = await organisation(db, 'agency', ['commerce'], '江西省商务厅');
      org.customs = await organisation(db, 'agency', ['customs', 'inspection'], '南昌海关');
      org.operator = await organisation(db, 'operator', [], '平台运营方');
      await park(db, ids.parkByOperator);
      await created(db, 'log', org.operator, 'park.create', 'pk_park', ids.parkByOperator);
      await offering(db, ids.course, 'course');
      await created(db, 'pending', org.commerce, 'course.create', 'pk_offering', ids.course);
      // recorded by an organisation no longer there: as if unrecorded
      await offering(db, ids.event, 'event');
      await created(db, 'log', randomUUID(), 'event.create', 'pk_offering', ids.event);
      // seeded as the system (no organisation), like the demo: the only commerce department
      await programme(db, ids.programme);
      await created(db, 'log', null, 'programme.create', 'pk_programme', ids.programme);
      await park(db, ids.park);
      // an unrelated entry naming the park does not make customs its creator
      await created(db, 'log', org.customs, 'park.members.add', 'pk_park', ids.park);
    },
    async (db) => {
      assert.equal(await ownerOf(db, 'pk_park', ids.parkByOperator), org.operator);
      assert.equal(await ownerOf(db, 'pk_offering', ids.course), org.commerce);
      assert.equal(await ownerOf(db, 'pk_offering', ids.event), org.commerce);
      assert.equal(await ownerOf(db, 'pk_programme', ids.programme), org.commerce);
      assert.equal(await ownerOf(db, 'pk_park', ids.park), org.commerce);
    },
  );
});

test('back-fill with two commerce departments: the recorded creator, else no owner (the operator’s alone)', async () => {
  const ids = { park: randomUUID(), programme: randomUUID(), course: randomUUID() };
  const org: Record<string, string> = {};
  await backfilled(
    async (db) => {
      org.jiangxi = await organisation(db, 'agency', ['commerce'], '江西省商务厅');
      org.guangdong = await organisation(db, 'agency', ['commerce'], '广东省商务厅');
      await park(db, ids.park);
      await created(db, 'pending', org.guangdong, 'park.create', 'pk_park', ids.park);
      await programme(db, ids.programme);
      await offering(db, ids.course, 'course');
    },
    async (db) => {
      assert.equal(await ownerOf(db, 'pk_park', ids.park), org.guangdong);
      assert.equal(await ownerOf(db, 'pk_programme', ids.programme), null);
      assert.equal(await ownerOf(db, 'pk_offering', ids.course), null);
      // new rows must name an existing organisation
      await assert.rejects(
        sql`update pk_programme set owner_org_id = ${randomUUID()} where id = ${ids.programme}`.execute(db),
        /foreign key/,
      );
    },
  );
});
