import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { connect, type Database } from './db.ts';
import { preparedStatementNamer } from './prepared-statements.ts';

test('a text is named on its n-th sighting, always under the same name, and never past the limit', () => {
  const namer = preparedStatementNamer({ after: 3, limit: 2, maxLength: 100 });
  assert.equal(namer.nameFor('select $1'), undefined);
  assert.equal(namer.nameFor('select $1'), undefined);
  const name = namer.nameFor('select $1');
  assert.match(name ?? '', /^cbec_[0-9a-f]{20}$/);
  assert.equal(namer.nameFor('select $1'), name, 'the same text keeps its name');
  for (let i = 0; i < 3; i++) namer.nameFor('select $2');
  assert.notEqual(namer.nameFor('select $2'), name, 'another text, another name');
  assert.equal(namer.size, 2);
  for (let i = 0; i < 5; i++)
    assert.equal(namer.nameFor('select $3'), undefined, 'the limit is reached: a third text is never named');
  for (let i = 0; i < 5; i++)
    assert.equal(namer.nameFor(`select ${'x'.repeat(101)}`), undefined, 'a text past maxLength is never named');
});

test('texts seen once (varying literals) do not pile up: their counts are forgotten past a bound', () => {
  const namer = preparedStatementNamer({ after: 2, limit: 10, maxLength: 1000 });
  for (let i = 0; i < 12_000; i++) assert.equal(namer.nameFor(`select ${i}, $1`), undefined);
  assert.equal(namer.size, 0);
});

let tdb: TestDatabase;
let database: Database;
let plain: Database;
before(async () => {
  tdb = await testDatabase();
  database = connect(tdb.url, { max: 1 });
  plain = connect(tdb.url, { max: 1, preparedStatements: false });
});
after(async () => {
  await database.close();
  await plain.close();
  await tdb.drop();
});

test('a recurring parameterised statement is prepared once in the session and answers as before', async () => {
  const answers: number[] = [];
  for (let i = 1; i <= 6; i++) {
    const r = await sql<{ n: number }>`select ${i}::int * 2 as n`.execute(database.db);
    answers.push(r.rows[0]!.n);
  }
  assert.deepEqual(answers, [2, 4, 6, 8, 10, 12]);
  const prepared = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements where name like 'cbec_%'`.execute(database.db);
  assert.equal(prepared.rows.length, 1, JSON.stringify(prepared.rows));
  assert.match(prepared.rows[0]!.statement, /select \$1::int \* 2 as n/);
  const mode = await sql<{ m: string }>`select current_setting('plan_cache_mode') as m`.execute(database.db);
  assert.equal(mode.rows[0]!.m, 'force_custom_plan', 'named statements are still planned per execution');
});

test('a failing named statement reports its error and the session goes on', async () => {
  for (let i = 0; i < 3; i++) await sql`select 1 / ${1}::int as x`.execute(database.db);
  await assert.rejects(sql`select 1 / ${0}::int as x`.execute(database.db), /division by zero/);
  const r = await sql<{ x: number }>`select 1 / ${1}::int as x`.execute(database.db);
  assert.equal(r.rows[0]!.x, 1);
});

test('PREPARED_STATEMENTS=0: nothing is prepared', async () => {
  for (let i = 0; i < 6; i++) await sql`select ${i}::int as n`.execute(plain.db);
  const prepared = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(plain.db);
  assert.equal(prepared.rows[0]!.n, 0);
});
