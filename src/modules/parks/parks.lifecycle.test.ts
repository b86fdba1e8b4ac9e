import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

/**
 * Parks, courses and events, and support programmes after they were created: edited (PATCH) and
 * closed (a status, never a delete; migration 005). Every change is checked in the tables and in
 * the audit log; what is closed refuses edits, enrolments, applications and new members with a
 * bilingual message naming the field.
 */
let tp: TestPlatform;
const tokens: Record<string, string> = {};

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['commerce', 'seller', 'seller2', 'platform']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
async function api(user: string | null, method: Method, url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json() as T };
}
async function created(user: string, url: string, payload: Record<string, unknown>): Promise<string> {
  const r = await api(user, 'POST', url, payload);
  assert.equal(r.status, 201, `${url}: ${r.body}`);
  return r.json<{ id: string }>().id;
}

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
const one = async <T>(query: ReturnType<typeof sql<T>>) => (await q(query))[0]!;

/** The audit entries of one row, oldest first (chained or still pending). */
async function audited(entity: string, id: string) {
  return q(sql<{ action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>`
    select action, before, after from (
      select action, before, after, 0 as queue, seq as o from audit_log where entity = ${entity} and entity_id = ${id}
      union all
      select action, before, after, 1, id from audit_pending where entity = ${entity} and entity_id = ${id}) a
    order by queue, o`);
}

/** Problem+json of a refusal: its status, code, field problems and both languages. */
function problem(r: { status: number; json: <T>() => T }) {
  return r.json<{ code: string; detailZh: string; detailEn: string; errors?: { field: string; rule: string }[] }>();
}

test('a park is edited field by field and closed: stored, audited; closed, it takes no member and makes no park member', async () => {
  const park = await created('commerce', '/api/v1/parks', {
    name: '抚州跨境电商产业园',
    nameEn: 'Fuzhou CBEC Park',
    region: '36100',
    kind: 'park',
    address: '抚州市临川区',
    memberCodes: [PARTIES.seller.code],
  });
  const row = () =>
    one(sql<{ name: string; name_en: string | null; region: string; kind: string; address: string | null; status: string }>`
      select name, name_en, region, kind, address, status from pk_park where id = ${park}`);

  const edit = await api('commerce', 'PATCH', `/api/v1/parks/${park}`, {
    name: '抚州跨境电商产业园（二期）',
    kind: 'distribution_centre',
    address: null,
  });
  assert.equal(edit.status, 200, edit.body);
  assert.deepEqual(await row(), {
    name: '抚州跨境电商产业园（二期）',
    name_en: 'Fuzhou CBEC Park',
    region: '36100',
    kind: 'distribution_centre',
    address: null,
    status: 'open',
  });
  const [, update] = await audited('pk_park', park);
  assert.equal(update!.action, 'park.update');
  assert.equal(update!.before!.name, '抚州跨境电商产业园');
  assert.equal(update!.after!.name, '抚州跨境电商产业园（二期）');
  assert.equal(update!.after!.address, null);

  // nothing to change, an unknown field, a wrong kind: refused by the schema, nothing stored
  for (const body of [{}, { owner: 'x' }, { kind: 'warehouse' }, { name: '' }]) {
    const bad = await api('commerce', 'PATCH', `/api/v1/parks/${park}`, body);
    assert.equal(bad.status, 400, `${JSON.stringify(body)}: ${bad.body}`);
  }
  assert.equal((await row()).name, '抚州跨境电商产业园（二期）');
  // only the commerce department (parks.manage)
  assert.equal((await api('seller', 'PATCH', `/api/v1/parks/${park}`, { name: 'x' })).status, 403);
  assert.equal((await api('seller', 'POST', `/api/v1/parks/${park}/close`)).status, 403);

  // the seller is a member of an open park: parkMember 1
  const prog = await created('commerce', '/api/v1/programmes', {
    name: '园区企业奖励（关闭园区）',
    category: 'park',
    rules: [{ metric: 'parkMember', op: '=', value: 1 }],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  // other open parks of the demo seed hold the seller too: leave it in this one only
  await sql`delete from pk_park_member m using pk_park p
    where p.id = m.park_id and p.id <> ${park} and m.org_code = ${PARTIES.seller.code}`.execute(tp.platform.database.db);
  const preview = async () =>
    (await api('seller', 'GET', `/api/v1/programmes/${prog}/apply-preview`)).json<{ figures: { parkMember: number } }>();
  assert.equal((await preview()).figures.parkMember, 1);

  const closed = await api('commerce', 'POST', `/api/v1/parks/${park}/close`);
  assert.equal(closed.status, 200, closed.body);
  const stored = await one(sql<{ status: string; closed_at: Date | null }>`
    select status, closed_at from pk_park where id = ${park}`);
  assert.equal(stored.status, 'closed');
  assert.ok(stored.closed_at instanceof Date);
  const trail = await audited('pk_park', park);
  assert.deepEqual(
    trail.map((a) => a.action),
    ['park.create', 'park.update', 'park.close'],
  );
  assert.deepEqual([trail[2]!.before!.status, trail[2]!.after!.status], ['open', 'closed']);
  // archived, not deleted: the row and its member stay, listed with its status
  const listed = (await api(null, 'GET', '/api/v1/public/parks')).json<{ items: { id: string; status: string }[] }>();
  assert.equal(listed.items.find((x) => x.id === park)?.status, 'closed');
  assert.deepEqual(
    (await q(sql<{ c: string }>`select org_code as c from pk_park_member where park_id = ${park}`)).map((x) => x.c),
    [PARTIES.seller.code],
  );
  // a closed park makes no park member, and takes no new member, no edit, no second close
  assert.equal((await preview()).figures.parkMember, 0);
  const join = await api('commerce', 'POST', `/api/v1/parks/${park}/members`, { codes: ['3601260999'] });
  assert.equal(join.status, 409, join.body);
  assert.match(problem(join).detailZh, /^该园区已于 .*（北京时间）关闭，不能再有企业入驻$/);
  assert.match(problem(join).detailEn, /the park was closed at .*: no enterprise can join it/);
  for (const [method, url, body] of [
    ['PATCH', `/api/v1/parks/${park}`, { name: '改名' }],
    ['POST', `/api/v1/parks/${park}/close`, undefined],
  ] as const) {
    const r = await api('commerce', method, url, body);
    assert.equal(r.status, 409, r.body);
    assert.match(problem(r).detailZh, /该园区已于 .*关闭，不能再修改或关闭/);
    assert.match(problem(r).detailEn, /it can no longer be changed or closed/);
  }
  assert.equal((await row()).name, '抚州跨境电商产业园（二期）');
  assert.equal((await audited('pk_park', park)).length, 3, 'refusals audit nothing');
  assert.equal((await api('commerce', 'PATCH', `/api/v1/parks/00000000-0000-4000-8000-000000000000`, { name: 'x' })).status, 404);
});

test('a course is rescheduled and resized (never below the seats taken), then closed: no more enrolment', async () => {
  const course = await created('commerce', '/api/v1/offerings', {
    kind: 'course',
    title: '跨境电商 海外仓 实务',
    startsAt: '2099-06-01T01:00:00Z',
    endsAt: '2099-06-01T09:00:00Z',
    place: '南昌',
    capacity: 5,
  });
  const row = () =>
    one(
      sql<{
        title: string;
        title_en: string | null;
        starts_at: Date;
        ends_at: Date;
        place: string;
        capacity: number;
        enrolled: number;
        status: string;
      }>`select title, title_en, starts_at, ends_at, place, capacity, enrolled, status from pk_offering where id = ${course}`,
    );
  for (const u of ['seller', 'seller2']) assert.equal((await api(u, 'POST', `/api/v1/offerings/${course}/enrol`)).status, 200);

  const edit = await api('commerce', 'PATCH', `/api/v1/offerings/${course}`, {
    titleEn: 'Overseas warehouses in practice',
    startsAt: '2099-06-02T01:00:00Z',
    endsAt: '2099-06-02T09:00:00Z',
    place: '南昌综合保税区',
    capacity: 2,
  });
  assert.equal(edit.status, 200, edit.body);
  assert.deepEqual(await row(), {
    title: '跨境电商 海外仓 实务',
    title_en: 'Overseas warehouses in practice',
    starts_at: new Date('2099-06-02T01:00:00Z'),
    ends_at: new Date('2099-06-02T09:00:00Z'),
    place: '南昌综合保税区',
    capacity: 2,
    enrolled: 2,
    status: 'open',
  });
  assert.equal(edit.json<{ seatsLeft: number }>().seatsLeft, 0);
  const [, update] = await audited('pk_offering', course);
  assert.equal(update!.action, 'course.update');
  assert.deepEqual([update!.before!.capacity, update!.after!.capacity], [5, 2]);

  // below the seats taken, an end before the (stored) start: each refused by field, nothing stored
  const small = await api('commerce', 'PATCH', `/api/v1/offerings/${course}`, { capacity: 1 });
  assert.equal(small.status, 400, small.body);
  assert.deepEqual(
    problem(small).errors!.map((e) => [e.field, e.rule]),
    [['capacity', 'minimum']],
  );
  assert.match(problem(small).detailZh, /名额（1）不能少于已报名人数（2）/);
  assert.match(problem(small).detailEn, /capacity \(1\) cannot be below the 2 seat\(s\) already taken/);
  const early = await api('commerce', 'PATCH', `/api/v1/offerings/${course}`, { endsAt: '2099-06-01T09:00:00Z' });
  assert.equal(early.status, 400, early.body);
  assert.deepEqual(
    problem(early).errors!.map((e) => [e.field, e.rule]),
    [['endsAt', 'after']],
  );
  assert.match(problem(early).detailZh, /结束时间.*须晚于开始时间/);
  assert.equal((await api('commerce', 'PATCH', `/api/v1/offerings/${course}`, { kind: 'event' })).status, 400);
  assert.deepEqual((await row()).capacity, 2);
  assert.equal((await audited('pk_offering', course)).length, 2);
  // full after the resize: a third person is refused a seat
  const full = await api('platform', 'POST', `/api/v1/offerings/${course}/enrol`);
  assert.equal(full.status, 409, full.body);
  assert.match(full.body, /名额已满/);

  const close = await api('commerce', 'POST', `/api/v1/offerings/${course}/close`);
  assert.equal(close.status, 200, close.body);
  assert.equal(close.json<{ status: string }>().status, 'closed');
  assert.equal((await row()).status, 'closed');
  assert.deepEqual(
    (await audited('pk_offering', course)).map((a) => a.action),
    ['course.create', 'course.update', 'course.close'],
  );
  // the roster stays; the seller withdraws (a seat frees) but no one enrols again
  assert.equal((await q(sql`select 1 from pk_enrolment where offering_id = ${course}`)).length, 2);
  assert.equal((await api('seller', 'DELETE', `/api/v1/offerings/${course}/enrol`)).status, 200);
  const refused = await api('seller', 'POST', `/api/v1/offerings/${course}/enrol`);
  assert.equal(refused.status, 409, refused.body);
  assert.match(problem(refused).detailZh, /^该课程或活动已于 .*（北京时间）关闭，不再接受报名$/);
  assert.match(
    problem(refused).detailEn,
    /^the course or event was closed at .* \(China Standard Time\): it takes no enrolment$/,
  );
  assert.equal(refused.json<{ field: string }>().field, 'offeringId');
  assert.deepEqual(
    [(await row()).enrolled, (await q(sql`select 1 from pk_enrolment where offering_id = ${course}`)).length],
    [1, 1],
  );
  const listed = (await api(null, 'GET', '/api/v1/public/offerings')).json<{ items: { id: string; status: string }[] }>();
  assert.equal(listed.items.find((x) => x.id === course)?.status, 'closed');
  assert.equal((await api('commerce', 'PATCH', `/api/v1/offerings/${course}`, { place: '九江' })).status, 409);
  assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${course}/close`)).status, 409);
  assert.equal((await row()).place, '南昌综合保税区');
});

test('an enrolment racing a close: either it took its seat before, or it is refused as closed', async () => {
  for (let i = 0; i < 3; i++) {
    const course = await created('commerce', '/api/v1/offerings', {
      kind: 'event',
      title: `对接会 并发 ${i}`,
      startsAt: '2099-07-01T01:00:00Z',
      endsAt: '2099-07-01T05:00:00Z',
      place: '赣州',
      capacity: 10,
    });
    const [enrol, close] = await Promise.all([
      api('seller', 'POST', `/api/v1/offerings/${course}/enrol`),
      api('commerce', 'POST', `/api/v1/offerings/${course}/close`),
    ]);
    assert.equal(close.status, 200, close.body);
    assert.ok([200, 409].includes(enrol.status), enrol.body);
    const r = await one(sql<{ enrolled: number; n: number }>`
      select o.enrolled, (select count(*)::int from pk_enrolment e where e.offering_id = o.id) as n
      from pk_offering o where o.id = ${course}`);
    // a refused enrolment leaves no row and no seat taken
    assert.deepEqual([r.enrolled, r.n], enrol.status === 200 ? [1, 1] : [0, 0]);
  }
});

test('a programme is edited; its rules are fixed once an enterprise applied; closed, it refuses applications', async () => {
  const prog = await created('commerce', '/api/v1/programmes', {
    name: '新业态扶持',
    category: 'new_model',
    rules: [{ metric: 'parcels', op: '>=', value: 0 }],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  const row = () =>
    one(sql<{ name: string; category: string; rules: unknown; opens_on: string; closes_on: string; status: string }>`
      select name, category, rules, opens_on::text, closes_on::text, status from pk_programme where id = ${prog}`);

  // rules checked field by field, each problem naming its rule and field, in both languages
  const bad = await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, {
    rules: [{ metric: 'parcels', op: '>=', value: 1 }, { metric: 'salary', op: '>', value: '1' }, 'x'],
  });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual(
    problem(bad).errors!.map((e) => [e.field, e.rule]),
    [
      ['rules[1].metric', 'enum'],
      ['rules[1].op', 'enum'],
      ['rules[1].value', 'type'],
      ['rules[2]', 'type'],
    ],
  );
  assert.match(problem(bad).detailZh, /rules\[1\]\.metric（第 2 条规则的指标（metric）无效/);
  assert.match(problem(bad).detailEn, /rules\[1\]\.op \(rule 2: op must be one of >=, <=, =\)/);
  const window = await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, { closesOn: '2019-12-31' });
  assert.equal(window.status, 400, window.body);
  assert.deepEqual(
    problem(window).errors!.map((e) => [e.field, e.rule]),
    [['closesOn', 'after']],
  );
  assert.match(problem(window).detailZh, /申报截止日（2019-12-31）不能早于开始日（2020-01-01）/);
  assert.equal((await row()).name, '新业态扶持');

  // no application yet: everything may change, the rules stored as {metric, op, value}
  const edit = await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, {
    name: '新业态扶持（2026）',
    category: 'training',
    rules: [
      { metric: 'parcels', op: '>=', value: 0 },
      { metric: 'creditLevelRank', op: '<=', value: 4 },
    ],
    closesOn: '2098-12-31',
  });
  assert.equal(edit.status, 200, edit.body);
  assert.deepEqual(await row(), {
    name: '新业态扶持（2026）',
    category: 'training',
    rules: [
      { metric: 'parcels', op: '>=', value: 0 },
      { metric: 'creditLevelRank', op: '<=', value: 4 },
    ],
    opens_on: '2020-01-01',
    closes_on: '2098-12-31',
    status: 'open',
  });
  const [, update] = await audited('pk_programme', prog);
  assert.equal(update!.action, 'programme.update');
  assert.equal(update!.before!.name, '新业态扶持');
  assert.equal((update!.after!.rules as unknown[]).length, 2);

  const applied = await api('seller', 'POST', `/api/v1/programmes/${prog}/apply`, { statement: '新业态企业申请' });
  assert.equal(applied.status, 201, applied.body);
  // applied: other rules refused (the application was checked against these); the same rules, a new name, fine
  const rules = await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, {
    rules: [{ metric: 'parcels', op: '>=', value: 100 }],
  });
  assert.equal(rules.status, 409, rules.body);
  assert.match(problem(rules).detailZh, /已有 1 份申报按现行资格规则审核，资格规则不能再修改/);
  assert.equal(rules.json<{ field: string }>().field, 'rules');
  const same = await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, {
    name: '新业态扶持（2026 年度）',
    rules: (await row()).rules as unknown[],
  });
  assert.equal(same.status, 200, same.body);
  assert.equal((await row()).name, '新业态扶持（2026 年度）');
  const admin = (await api('commerce', 'GET', '/api/v1/programmes')).json<{
    items: { id: string; rulesLocked: boolean; status: string }[];
  }>();
  assert.deepEqual(
    admin.items.filter((x) => x.id === prog).map((x) => [x.rulesLocked, x.status]),
    [[true, 'open']],
  );

  const close = await api('commerce', 'POST', `/api/v1/programmes/${prog}/close`);
  assert.equal(close.status, 200, close.body);
  assert.equal((await row()).status, 'closed');
  assert.deepEqual(
    (await audited('pk_programme', prog)).map((a) => a.action),
    ['programme.create', 'programme.update', 'programme.update', 'programme.close'],
  );
  const refused = await api('seller2', 'POST', `/api/v1/programmes/${prog}/apply`, { statement: '申请' });
  assert.equal(refused.status, 409, refused.body);
  assert.match(problem(refused).detailZh, /^该扶持项目已于 .*（北京时间）关闭，不再受理申报$/);
  assert.match(problem(refused).detailEn, /^the programme was closed at .* \(China Standard Time\): it accepts no application$/);
  assert.equal(refused.json<{ field: string }>().field, 'programmeId');
  assert.deepEqual(
    (await q(sql<{ org_code: string }>`select org_code from pk_application where programme_id = ${prog}`)).map((r) => r.org_code),
    [PARTIES.seller.code],
  );
  const preview = (await api('seller2', 'GET', `/api/v1/programmes/${prog}/apply-preview`)).json<{
    open: boolean;
    canApply: boolean;
    programme: { status: string };
  }>();
  assert.deepEqual([preview.open, preview.canApply, preview.programme.status], [false, false, 'closed']);
  // the application made before is still decided
  const decided = await api('commerce', 'POST', `/api/v1/applications/${applied.json<{ id: string }>().id}/decision`, {
    decision: 'approve',
    score: 70,
  });
  assert.equal(decided.status, 200, decided.body);
  assert.equal((await api('commerce', 'PATCH', `/api/v1/programmes/${prog}`, { name: '再改' })).status, 409);
  assert.equal((await row()).name, '新业态扶持（2026 年度）');
});

test('publishing a programme: rules checked by field; stored as {metric, op, value}; a window ending before it opens refused', async () => {
  const base = { name: '规则校验', category: 'park', opensOn: '2020-01-01', closesOn: '2099-12-31' };
  const count = async () =>
    (await one(sql<{ n: number }>`select count(*)::int as n from pk_programme where name = '规则校验'`)).n;
  const bad = await api('commerce', 'POST', '/api/v1/programmes', {
    ...base,
    rules: [{ metric: 'exportsCny', op: '>=', value: 1, note: 'x' }, null],
  });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual(
    problem(bad).errors!.map((e) => [e.field, e.rule]),
    [
      ['rules[0].note', 'additionalProperties'],
      ['rules[1]', 'type'],
    ],
  );
  const window = await api('commerce', 'POST', '/api/v1/programmes', { ...base, rules: [], closesOn: '2019-01-01' });
  assert.equal(window.status, 400, window.body);
  assert.equal(await count(), 0);
  const ok = await created('commerce', '/api/v1/programmes', {
    ...base,
    rules: [{ value: 100000, op: '>=', metric: 'exportsCny' }],
  });
  assert.deepEqual((await one(sql<{ rules: unknown }>`select rules from pk_programme where id = ${ok}`)).rules, [
    { metric: 'exportsCny', op: '>=', value: 100000 },
  ]);
});
