import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { newId } from '../../kernel/ids.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'customs', 'admin']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

interface Entry {
  code: string;
  name: string;
  nameEn?: string;
  roles: string[];
}

const directory = (who: string | null, query: string) =>
  tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/organisations/directory?${query}`,
    headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
  });

/** What the register holds for a role, read straight from the table. */
async function stored(role: string): Promise<{ code: string; name: string; name_en: string | null; roles: string[] }[]> {
  const r = await sql<{ code: string; name: string; name_en: string | null; roles: string[] }>`
    select customs_code as code, name, name_en, roles from organisation
    where kind = 'enterprise' and customs_code is not null and ${role} = any(roles)
    order by name, customs_code`.execute(tp.platform.database.db);
  return r.rows;
}

test('a seller lists the supervision centres: code, name and roles of every enterprise holding the role, nothing else', async () => {
  const res = await directory('seller', 'role=warehouse');
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { items: Entry[] };
  assert.deepEqual(Object.keys(body), ['items']);
  const want = await stored('warehouse');
  assert.ok(want.length > 0);
  assert.deepEqual(
    body.items.map((e) => e.code),
    want.map((w) => w.code),
  );
  const demo = body.items.find((e) => e.code === '3601980077');
  assert.ok(demo, 'the demo supervision centre is listed');
  assert.ok(demo.roles.includes('warehouse'));
  for (const [i, e] of body.items.entries()) {
    for (const k of Object.keys(e)) assert.ok(['code', 'name', 'nameEn', 'roles'].includes(k), `unexpected field ${k}`);
    assert.equal(e.name, want[i]!.name);
    assert.equal(e.nameEn, want[i]!.name_en ?? undefined);
    assert.deepEqual(e.roles, want[i]!.roles);
  }
  // No ids, users or agencies: no uuid anywhere, no user's name, no agency's name.
  assert.doesNotMatch(res.body, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  const others = await sql<{ name: string }>`
    select display_name as name from app_user
    union all select name from organisation where kind <> 'enterprise'`.execute(tp.platform.database.db);
  assert.ok(others.rows.length > 10);
  for (const o of others.rows) assert.ok(!res.body.includes(o.name), o.name);
  // The carriers are another list: the demo carrier is there, the centre is not.
  const carriers = (await directory('seller', 'role=logistics')).json() as { items: Entry[] };
  assert.ok(carriers.items.some((e) => e.code === '3601980012'));
  assert.ok(!carriers.items.some((e) => e.code === '3601980077'));
});

test('q filters by part of the name or of the code; at most 50 answers, by name', async () => {
  const byCode = (await directory('seller', 'role=warehouse&q=98007')).json() as { items: Entry[] };
  assert.deepEqual(
    byCode.items.map((e) => e.code),
    ['3601980077'],
  );
  const demoName = (await stored('warehouse')).find((w) => w.code === '3601980077')!.name;
  const byName = (await directory('seller', `role=warehouse&q=${encodeURIComponent(demoName.slice(0, 4))}`)).json() as {
    items: Entry[];
  };
  assert.ok(byName.items.some((e) => e.code === '3601980077'));
  const none = (await directory('seller', 'role=warehouse&q=%25')).json() as { items: Entry[] };
  assert.deepEqual(none.items, [], 'a % is a character, not a wildcard');

  // 55 more supervision centres (stored with the platform's own columns): the answer stops at 50.
  const rows = Array.from({ length: 55 }, (_, i) => ({
    id: newId(),
    kind: 'enterprise',
    name: `目录测试监管中心${String(i).padStart(2, '0')}`,
    customs_code: `36019${String(70000 + i).slice(-5)}`,
    roles: ['warehouse'],
    jurisdiction: '4000',
  }));
  for (const r of rows) {
    await sql`insert into organisation (id, kind, name, customs_code, roles, jurisdiction)
      values (${r.id}, ${r.kind}, ${r.name}, ${r.customs_code}, ${r.roles}, ${r.jurisdiction})`.execute(tp.platform.database.db);
  }
  const page = (await directory('seller', 'role=warehouse&q=目录测试')).json() as { items: Entry[] };
  assert.equal(page.items.length, 50);
  assert.deepEqual(
    page.items.map((e) => e.code),
    (await stored('warehouse'))
      .filter((w) => w.name.startsWith('目录测试'))
      .slice(0, 50)
      .map((w) => w.code),
  );
  assert.equal(((await directory('seller', 'role=warehouse')).json() as { items: Entry[] }).items.length, 50);
});

test('anonymous 401; an agency (no directory permission) 403; a role outside the directory 400', async () => {
  const anon = await directory(null, 'role=warehouse');
  assert.equal(anon.statusCode, 401);
  assert.match(String(anon.headers['content-type']), /problem\+json/);
  assert.equal((await directory('customs', 'role=warehouse')).statusCode, 403);
  assert.equal((await directory('seller', 'role=ebc')).statusCode, 400);
  assert.equal((await directory('seller', '')).statusCode, 400);
  assert.equal((await directory('admin', 'role=logistics')).statusCode, 200);
});
