import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

/**
 * Ownership of parks, courses and events, and support programmes (issue #9, tenancy): each is
 * owned by the agency organisation that created it (`owner_org_id`, migration 004). A commerce
 * department reads and manages only what its own organisation owns: another's answer 404, lists
 * leave them out, writes change nothing. The public pages show everyone's; enterprises enrol and
 * apply whatever department published the course or programme; the platform operator manages all.
 *
 * Two departments: the demo's (江西省商务厅, district 4000, user `commerce`) and one of district
 * 5100 registered here by the operator (user `commerce.gz`).
 */
let tp: TestPlatform;
const tokens: Record<string, string> = {};
const org: Record<string, string> = {};
const FAR_PASSWORD = 'Far-Commerce-5100!';
const SELLER2 = '3601260999';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['commerce', 'admin', 'seller', 'seller2']) tokens[u] = await login(tp.platform, u);
  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await api('admin', 'POST', url, payload);
    assert.equal(res.status, 201, `${url}: ${res.body}`);
    return res.json<{ id: string }>().id;
  };
  org['commerce.gz'] = await post('/api/v1/organisations', {
    kind: 'agency',
    name: '广东省商务厅（对照）',
    nameEn: 'Guangdong Department of Commerce (twin)',
    roles: ['commerce'],
    jurisdiction: '5100',
  });
  await post('/api/v1/users', {
    username: 'commerce.gz',
    displayName: '广东商务 处员',
    password: FAR_PASSWORD,
    roles: ['commerce_officer'],
    organisationId: org['commerce.gz'],
  });
  tokens['commerce.gz'] = await login(tp.platform, 'commerce.gz', FAR_PASSWORD);
  for (const u of ['commerce', 'admin', 'seller']) {
    const r = await q(sql<{ id: string }>`
      select o.id::text as id from app_user u join organisation o on o.id = u.organisation_id where u.username = ${u}`);
    org[u] = r[0]!.id;
  }
});
after(async () => {
  await tp.stop();
});

async function api(user: string | null, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json() as T };
}

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
const userIdOf = async (user: string) =>
  (await q(sql<{ id: string }>`select id::text as id from app_user where username = ${user}`))[0]!.id;

/** Every row of the parks tables: a refused write leaves it identical. */
async function parksState(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['pk_park', 'pk_park_member', 'pk_offering', 'pk_enrolment', 'pk_programme', 'pk_application'])
    out[t] = await q(sql<{ r: string }>`select x::text as r from ${sql.table(t)} x order by 1`);
  return out;
}

/** Audit entries an organisation wrote (chained or still pending). */
async function auditedBy(orgId: string): Promise<string[]> {
  const r = await q(sql<{ action: string }>`
    select action from (select action, actor_org_id, seq as o from audit_log
      union all select action, actor_org_id, id as o from audit_pending) a
    where actor_org_id = ${orgId} order by o`);
  return r.map((x) => x.action);
}

async function createAll(user: string, tag: string): Promise<{ park: string; course: string; programme: string }> {
  const park = await api(user, 'POST', '/api/v1/parks', {
    name: `${tag} 跨境电商产业园`,
    region: '36012',
    kind: 'park',
    memberCodes: [PARTIES.seller.code],
  });
  assert.equal(park.status, 201, park.body);
  const course = await api(user, 'POST', '/api/v1/offerings', {
    kind: 'course',
    title: `${tag} 出口申报实务`,
    startsAt: '2099-03-01T01:00:00Z',
    endsAt: '2099-03-01T09:00:00Z',
    place: tag,
    capacity: 10,
  });
  assert.equal(course.status, 201, course.body);
  const programme = await api(user, 'POST', '/api/v1/programmes', {
    name: `${tag} 培训补贴`,
    category: 'training',
    rules: [],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(programme.status, 201, programme.body);
  return {
    park: park.json<{ id: string }>().id,
    course: course.json<{ id: string }>().id,
    programme: programme.json<{ id: string }>().id,
  };
}

const ownerOf = async (table: string, id: string) =>
  (await q(sql<{ o: string | null }>`select owner_org_id::text as o from ${sql.table(table)} where id = ${id}`))[0]?.o;

test('what a department (or the operator) creates, its organisation owns; the demo rows are the demo department’s', async () => {
  const gz = await createAll('commerce.gz', '广州');
  const nc = await createAll('commerce', '南昌');
  const op = await createAll('admin', '平台');
  for (const [who, rows] of [
    ['commerce.gz', gz],
    ['commerce', nc],
    ['admin', op],
  ] as const) {
    assert.equal(await ownerOf('pk_park', rows.park), org[who], `${who}'s park`);
    assert.equal(await ownerOf('pk_offering', rows.course), org[who], `${who}'s course`);
    assert.equal(await ownerOf('pk_programme', rows.programme), org[who], `${who}'s programme`);
  }
  // the demo seed's rows: the demo commerce department's; none left without an owner
  const demo = await q(sql<{ t: string; o: string | null }>`
    select 'pk_park' as t, owner_org_id::text as o from pk_park where name = '南昌跨境电商综合试验区产业园'
    union all select 'pk_offering', owner_org_id::text from pk_offering where title = '9610 出口申报实务'
    union all select 'pk_programme', owner_org_id::text from pk_programme where name = '跨境电商产业园入驻企业奖励'`);
  assert.deepEqual(
    demo.map((r) => [r.t, r.o]),
    [
      ['pk_park', org.commerce],
      ['pk_offering', org.commerce],
      ['pk_programme', org.commerce],
    ],
  );
  const unowned = await q(sql<{ n: number }>`
    select (select count(*) from pk_park where owner_org_id is null)
         + (select count(*) from pk_offering where owner_org_id is null)
         + (select count(*) from pk_programme where owner_org_id is null) as n`);
  assert.equal(Number(unowned[0]!.n), 0);
});

test('another department’s park: its members are not listed, added or removed (404, nothing stored)', async () => {
  const { park: gzPark } = await createAll('commerce.gz', '广州园区');
  const [demoPark] = await q(sql<{ id: string }>`select id::text as id from pk_park where name = '南昌跨境电商综合试验区产业园'`);
  const seller = org.seller!;
  for (const [who, park] of [
    ['commerce', gzPark],
    ['commerce.gz', demoPark!.id],
  ] as const) {
    const before = await parksState();
    const audited = await auditedBy(org[who]!);
    const read = await api(who, 'GET', `/api/v1/parks/${park}/members`);
    assert.equal(read.status, 404, read.body);
    assert.doesNotMatch(read.body, new RegExp(PARTIES.seller.code));
    // an unknown code too: the park answers first, so nothing is learnt about the codes
    for (const codes of [[SELLER2], ['9999999999']]) {
      const add = await api(who, 'POST', `/api/v1/parks/${park}/members`, { codes });
      assert.equal(add.status, 404, add.body);
    }
    assert.equal((await api(who, 'DELETE', `/api/v1/parks/${park}/members/${seller}`)).status, 404);
    assert.deepEqual(await parksState(), before, `${who}: nothing stored`);
    assert.deepEqual(await auditedBy(org[who]!), audited, `${who}: nothing audited`);
  }
  // the stored members are still there, and the owner manages them
  const members = async (park: string) =>
    (await q(sql<{ c: string }>`select org_code as c from pk_park_member where park_id = ${park} order by 1`)).map((r) => r.c);
  assert.deepEqual(await members(gzPark), [PARTIES.seller.code]);
  const own = await api('commerce.gz', 'POST', `/api/v1/parks/${gzPark}/members`, { codes: [SELLER2] });
  assert.equal(own.status, 200, own.body);
  assert.deepEqual(await members(gzPark), [PARTIES.seller.code, SELLER2].sort());
  assert.equal((await api('commerce.gz', 'DELETE', `/api/v1/parks/${gzPark}/members/${seller}`)).status, 200);
  assert.deepEqual(await members(gzPark), [SELLER2]);
  // the operator manages every park
  const byOperator = await api('admin', 'GET', `/api/v1/parks/${demoPark!.id}/members`);
  assert.equal(byOperator.status, 200, byOperator.body);
  assert.ok(byOperator.json<{ items: { code: string }[] }>().items.some((m) => m.code === PARTIES.seller.code));
  assert.equal((await api('admin', 'GET', `/api/v1/parks/${gzPark}/members`)).status, 200);
});

test('another department’s course: roster, attendance, undo, certificates and their PDFs refused (404, nothing stored)', async () => {
  const { course } = await createAll('commerce.gz', '广州课程');
  // an enterprise of district 4000 enrols in the Guangzhou course: enrolment is open to all
  const enrol = await api('seller', 'POST', `/api/v1/offerings/${course}/enrol`, { name: '王小青' });
  assert.equal(enrol.status, 200, enrol.body);
  const sellerId = await userIdOf('seller');
  const enrolment = async () =>
    (
      await q(sql<{ attended: boolean; certificate_no: string | null }>`
        select attended, certificate_no from pk_enrolment where offering_id = ${course} and user_id = ${sellerId}`)
    )[0];
  assert.deepEqual(await enrolment(), { attended: false, certificate_no: null });

  const refusedAll = async (when: string) => {
    const before = await parksState();
    const audited = await auditedBy(org.commerce!);
    const roster = await api('commerce', 'GET', `/api/v1/offerings/${course}/roster`);
    assert.equal(roster.status, 404, `${when}: ${roster.body}`);
    assert.doesNotMatch(roster.body, /王小青/);
    assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${course}/attendance`, { userIds: [sellerId] })).status, 404);
    assert.equal((await api('commerce', 'DELETE', `/api/v1/offerings/${course}/attendance/${sellerId}`)).status, 404);
    assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${course}/certificates`, {})).status, 404);
    assert.equal(
      (await api('commerce', 'POST', `/api/v1/offerings/${course}/certificates`, { userIds: [sellerId] })).status,
      404,
    );
    assert.equal((await api('commerce', 'GET', `/api/v1/offerings/${course}/roster/${sellerId}/certificate.pdf`)).status, 404);
    assert.equal((await api('commerce', 'GET', `/api/v1/offerings/${course}/roster.xlsx`)).status, 404);
    assert.deepEqual(await parksState(), before, `${when}: nothing stored`);
    assert.deepEqual(await auditedBy(org.commerce!), audited, `${when}: nothing audited`);
  };
  await refusedAll('enrolled');
  // the owner marks attendance; the other department cannot take it back
  assert.equal((await api('commerce.gz', 'POST', `/api/v1/offerings/${course}/attendance`, { userIds: [sellerId] })).status, 200);
  assert.deepEqual(await enrolment(), { attended: true, certificate_no: null });
  await refusedAll('attended');
  assert.deepEqual(await enrolment(), { attended: true, certificate_no: null });
  const issued = await api('commerce.gz', 'POST', `/api/v1/offerings/${course}/certificates`, {});
  assert.equal(issued.status, 200, issued.body);
  const cert = (await enrolment())!.certificate_no;
  assert.match(cert ?? '', /^CERT-\d{4}-\d{6,}$/);
  await refusedAll('certified');
  // the owner prints it, the participant downloads it, the operator reads the roster
  assert.equal((await api('commerce.gz', 'GET', `/api/v1/offerings/${course}/roster/${sellerId}/certificate.pdf`)).status, 200);
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${course}/certificate.pdf`)).status, 200);
  const mine = (await api('seller', 'GET', '/api/v1/enrolments')).json<{
    items: { offeringId: string; certificateNo: string }[];
  }>();
  assert.equal(mine.items.find((e) => e.offeringId === course)?.certificateNo, cert);
  const roster = await api('admin', 'GET', `/api/v1/offerings/${course}/roster`);
  assert.equal(roster.status, 200, roster.body);
  assert.match(roster.body, /王小青/);
  // and the demo department still runs its own course
  const [demoCourse] = await q(sql<{ id: string }>`select id::text as id from pk_offering where title = '9610 出口申报实务'`);
  assert.equal((await api('commerce', 'GET', `/api/v1/offerings/${demoCourse!.id}/roster`)).status, 200);
  assert.equal((await api('commerce.gz', 'GET', `/api/v1/offerings/${demoCourse!.id}/roster`)).status, 404);
});

test('programmes: lists filtered by owner; criteria and decisions on another’s refused (nothing stored); enterprises apply to any', async () => {
  const { programme: gzProg } = await createAll('commerce.gz', '广州项目');
  const { programme: ncProg } = await createAll('commerce', '南昌项目');
  // the seller (district 4000) applies to both departments' programmes
  const applied: Record<string, string> = {};
  for (const [k, prog] of [
    ['gz', gzProg],
    ['nc', ncProg],
  ] as const) {
    const r = await api('seller', 'POST', `/api/v1/programmes/${prog}/apply`, { statement: `申请 ${k}` });
    assert.equal(r.status, 201, r.body);
    applied[k] = r.json<{ id: string }>().id;
  }
  const stored = await q(sql<{ programme_id: string }>`select programme_id::text from pk_application where id = ${applied.gz!}`);
  assert.equal(stored[0]?.programme_id, gzProg);

  // the admin lists: each department its own programmes, exactly those it owns
  const ownedIds = async (orgId: string) =>
    (await q(sql<{ id: string }>`select id::text as id from pk_programme where owner_org_id = ${orgId} order by 1`)).map(
      (r) => r.id,
    );
  for (const who of ['commerce', 'commerce.gz']) {
    const list = await api(who, 'GET', '/api/v1/programmes');
    assert.equal(list.status, 200, list.body);
    const items = list.json<{ items: { id: string; ownerOrgId: string }[] }>().items;
    assert.deepEqual(items.map((x) => x.id).sort(), await ownedIds(org[who]!), who);
    assert.ok(items.every((x) => x.ownerOrgId === org[who]));
  }
  const all = (await api('admin', 'GET', '/api/v1/programmes')).json<{ items: { id: string }[] }>().items.map((x) => x.id);
  assert.ok(all.includes(gzProg) && all.includes(ncProg), 'the operator lists every programme');

  // the review lists: applications to the department's own programmes only
  const reviewed = async (who: string, query = '') =>
    (await api(who, 'GET', `/api/v1/review/applications${query}`)).json<{ items: { id: string }[] }>().items.map((x) => x.id);
  assert.ok((await reviewed('commerce')).includes(applied.nc!));
  assert.ok(!(await reviewed('commerce')).includes(applied.gz!));
  assert.deepEqual(await reviewed('commerce', `?programmeId=${gzProg}`), []);
  assert.deepEqual(await reviewed('commerce.gz'), [applied.gz]);
  assert.deepEqual(await reviewed('commerce.gz', `?programmeId=${ncProg}`), []);
  const operator = await reviewed('admin');
  assert.ok(operator.includes(applied.gz!) && operator.includes(applied.nc!));
  // the review list's Excel export: the same applications, never another department's
  const exported = async (who: string, query = '') => {
    const r = await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/review/applications/export.xlsx${query}`,
      headers: { authorization: `Bearer ${tokens[who]}` },
    });
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const idColumn = ws.getRow(2).cellCount;
    const ids: string[] = [];
    for (let i = 3; i <= ws.rowCount; i++) ids.push(String(ws.getRow(i).getCell(idColumn).value));
    return ids.sort();
  };
  assert.deepEqual(await exported('commerce'), (await reviewed('commerce')).sort());
  assert.ok(!(await exported('commerce')).includes(applied.gz!));
  assert.deepEqual(await exported('commerce.gz'), [applied.gz]);
  assert.deepEqual(await exported('commerce', `?programmeId=${gzProg}`), []);

  // criteria and decisions on the other department's programme: 404, nothing stored or audited
  for (const [who, prog, app] of [
    ['commerce', gzProg, applied.gz!],
    ['commerce.gz', ncProg, applied.nc!],
  ] as const) {
    const before = await parksState();
    const audited = await auditedBy(org[who]!);
    const crit = await api(who, 'PUT', `/api/v1/programmes/${prog}/criteria`, {
      criteria: [{ key: 'policy', name: '政策', nameEn: 'Policy', weight: 100, max: 10 }],
    });
    assert.equal(crit.status, 404, crit.body);
    // an invalid body too: the ownership check comes first
    assert.equal((await api(who, 'PUT', `/api/v1/programmes/${prog}/criteria`, { criteria: [{ key: 'x' }] })).status, 404);
    for (const body of [
      { decision: 'approve', score: 90 },
      { decision: 'reject', score: 10, note: '不符合' },
      { decision: 'reject' },
    ]) {
      const d = await api(who, 'POST', `/api/v1/applications/${app}/decision`, body);
      assert.equal(d.status, 404, `${who}: ${d.body}`);
    }
    assert.deepEqual(await parksState(), before, `${who}: nothing stored`);
    assert.deepEqual(await auditedBy(org[who]!), audited, `${who}: nothing audited`);
  }
  const status = async (id: string) =>
    (await q(sql<{ status: string; score: number | null }>`select status, score from pk_application where id = ${id}`))[0];
  assert.deepEqual(await status(applied.gz!), { status: 'submitted', score: null });

  // each owner decides its own
  const gzDecides = await api('commerce.gz', 'POST', `/api/v1/applications/${applied.gz}/decision`, {
    decision: 'approve',
    score: 80,
  });
  assert.equal(gzDecides.status, 200, gzDecides.body);
  assert.deepEqual(await status(applied.gz!), { status: 'approved', score: 80 });
  const crit = await api('commerce', 'PUT', `/api/v1/programmes/${ncProg}/criteria`, {
    criteria: [{ key: 'policy', name: '政策', nameEn: 'Policy', weight: 100, max: 10 }],
  });
  assert.equal(crit.status, 200, crit.body);

  // the enterprise reads both of its applications and their decisions
  const mine = (await api('seller', 'GET', '/api/v1/applications')).json<{ items: { id: string; status: string }[] }>().items;
  assert.equal(mine.find((a) => a.id === applied.gz)?.status, 'approved');
  assert.equal(mine.find((a) => a.id === applied.nc)?.status, 'submitted');
});

test('another department’s park, course or programme: not edited or closed (404, nothing stored or audited); the operator may', async () => {
  const gz = await createAll('commerce.gz', '广州编辑');
  const edits: [string, string, Record<string, unknown>][] = [
    ['pk_park', `/api/v1/parks/${gz.park}`, { name: '改名' }],
    ['pk_offering', `/api/v1/offerings/${gz.course}`, { capacity: 20 }],
    ['pk_programme', `/api/v1/programmes/${gz.programme}`, { name: '改名' }],
  ];
  const before = await parksState();
  const audited = await auditedBy(org.commerce!);
  for (const [, url, body] of edits) {
    const edit = await api('commerce', 'PATCH', url, body);
    assert.equal(edit.status, 404, `${url}: ${edit.body}`);
    // an invalid body too: the ownership check comes first
    if (url.includes('programmes')) assert.equal((await api('commerce', 'PATCH', url, { rules: ['x'] })).status, 404);
    assert.equal((await api('commerce', 'POST', `${url}/close`)).status, 404, `${url}/close`);
  }
  assert.deepEqual(await parksState(), before, 'nothing stored');
  assert.deepEqual(await auditedBy(org.commerce!), audited, 'nothing audited');
  // the operator edits and closes any department's
  for (const [table, url, body] of edits) {
    assert.equal((await api('admin', 'PATCH', url, body)).status, 200, url);
    assert.equal((await api('admin', 'POST', `${url}/close`)).status, 200, `${url}/close`);
    const [row] = await q(sql<{ status: string; owner: string }>`
      select status, owner_org_id::text as owner from ${sql.table(table)} where id = ${url.split('/').pop()!}`);
    assert.deepEqual(row, { status: 'closed', owner: org['commerce.gz'] }, `${table}: closed, still the department's`);
  }
});

test('the public pages list every department’s parks, courses and programmes', async () => {
  const gz = await createAll('commerce.gz', '广州公开');
  const nc = await createAll('commerce', '南昌公开');
  const ids = async (url: string) => (await api(null, 'GET', url)).json<{ items: { id: string }[] }>().items.map((x) => x.id);
  const parks = await ids('/api/v1/public/parks');
  const offerings = await ids('/api/v1/public/offerings');
  const programmes = await ids('/api/v1/public/programmes');
  for (const x of [gz, nc]) {
    assert.ok(parks.includes(x.park) && offerings.includes(x.course) && programmes.includes(x.programme));
  }
});

test('a row left without an owner by the back-fill: only the operator manages it', async () => {
  const { park, course, programme } = await createAll('commerce', '无主');
  const db = tp.platform.database.db;
  await sql`update pk_park set owner_org_id = null where id = ${park}`.execute(db);
  await sql`update pk_offering set owner_org_id = null where id = ${course}`.execute(db);
  await sql`update pk_programme set owner_org_id = null where id = ${programme}`.execute(db);
  assert.equal((await api('commerce', 'GET', `/api/v1/parks/${park}/members`)).status, 404);
  assert.equal((await api('commerce', 'GET', `/api/v1/offerings/${course}/roster`)).status, 404);
  assert.ok(!(await api('commerce', 'GET', '/api/v1/programmes')).body.includes(programme));
  assert.equal((await api('admin', 'GET', `/api/v1/parks/${park}/members`)).status, 200);
  assert.equal((await api('admin', 'GET', `/api/v1/offerings/${course}/roster`)).status, 200);
  assert.ok((await api('admin', 'GET', '/api/v1/programmes')).body.includes(programme));
  // still public, and open to enterprises
  assert.equal((await api('seller2', 'POST', `/api/v1/offerings/${course}/enrol`)).status, 200);
});
