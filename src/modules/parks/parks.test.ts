import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';
import { organisationDirectory } from '../identity/index.ts';
import { taxLookup } from '../tax/index.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};
const ENTERPRISE_USERS = ['seller', 'seller2', 'platform', 'carrier', 'payer', 'broker', 'warehouse', 'overseas'];

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of [...ENTERPRISE_USERS, 'commerce', 'customs']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

async function api(user: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return {
    status: res.statusCode,
    body: res.body,
    headers: res.headers,
    raw: res.rawPayload,
    json: <T = Record<string, unknown>>() => res.json() as T,
  };
}

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
const userIdOf = async (user: string) => {
  const me = (await api(user, 'GET', '/api/v1/auth/me')).json<{ user?: { id: string }; id?: string }>();
  return me.user?.id ?? me.id!;
};

test('enrolment limits hold when everyone enrols at once', async () => {
  const c = await api('commerce', 'POST', '/api/v1/offerings', {
    kind: 'course',
    title: '跨境电商 9610 申报实务',
    titleEn: '9610 declaration in practice',
    startsAt: '2026-12-10T01:00:00Z',
    endsAt: '2026-12-10T09:00:00Z',
    place: '南昌综合保税区 培训中心',
    capacity: 3,
  });
  assert.equal(c.status, 201, c.body);
  const id = c.json<{ id: string }>().id;
  const results = await Promise.all(ENTERPRISE_USERS.map((u) => api(u, 'POST', `/api/v1/offerings/${id}/enrol`)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 409, 409, 409, 409, 409]);
  const listed = (await api(null, 'GET', '/api/v1/public/offerings?kind=course')).json<{
    items: { id: string; enrolled: number; seatsLeft: number }[];
  }>();
  const o = listed.items.find((x) => x.id === id)!;
  assert.deepEqual([o.enrolled, o.seatsLeft], [3, 0]);
  // enrolling twice takes no second seat
  const winner = ENTERPRISE_USERS[results.findIndex((r) => r.status === 200)]!;
  const again = await api(winner, 'POST', `/api/v1/offerings/${id}/enrol`);
  assert.equal(again.status, 200);
  assert.equal(again.json<{ already: boolean }>().already, true);
  assert.equal((await api('customs', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 403);
});

test('certificates go to attendees only', async () => {
  const id = (
    await api('commerce', 'POST', '/api/v1/offerings', {
      kind: 'event',
      title: '中欧班列 对接会',
      startsAt: '2026-12-11T01:00:00Z',
      endsAt: '2026-12-11T05:00:00Z',
      place: '南昌',
      capacity: 10,
    })
  ).json<{ id: string }>().id;
  for (const u of ['seller', 'seller2']) assert.equal((await api(u, 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const me = (await api('seller', 'GET', '/api/v1/auth/me')).json<{ user?: { id: string }; id?: string }>();
  const userId = me.user?.id ?? me.id!;
  const att = await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [userId] });
  assert.equal(att.status, 200, att.body);
  type Line = { userId: string; attended: boolean; certificateNo: string | null };
  const marked = att.json<{ enrolments: Line[] }>().enrolments;
  assert.equal(marked.filter((r) => r.attended).length, 1);
  assert.ok(
    marked.every((r) => r.certificateNo === null),
    'a mark issues no certificate by itself',
  );
  // someone not marked present refuses a named issue as a whole
  const seller2 = await userIdOf('seller2');
  const absent = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, { userIds: [userId, seller2] });
  assert.equal(absent.status, 400, absent.body);
  assert.match(absent.body, /userIds\[1\]/);
  assert.match(absent.body, /该人员未签到，不能颁发证书/);
  assert.deepEqual(
    (await q(sql<{ n: number }>`select count(certificate_no)::int as n from pk_enrolment where offering_id = ${id}`))[0]!.n,
    0,
  );
  // "every attendee without one"
  const issued = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, {});
  assert.equal(issued.status, 200, issued.body);
  assert.equal(issued.json<{ issued: number }>().issued, 1);
  const rows = issued.json<{ enrolments: Line[] }>().enrolments;
  assert.equal(rows.find((r) => r.userId === userId)!.certificateNo?.startsWith('CERT-'), true);
  assert.equal(rows.find((r) => r.userId !== userId)!.certificateNo, null);
});

test('attendees certified in one call draw different numbers (their ids share a time prefix)', async () => {
  const id = (
    await api('commerce', 'POST', '/api/v1/offerings', {
      kind: 'course',
      title: '跨境电商 独立站 实务',
      startsAt: '2026-12-15T01:00:00Z',
      endsAt: '2026-12-15T09:00:00Z',
      place: '九江',
      capacity: 10,
    })
  ).json<{ id: string }>().id;
  const users = ['seller', 'seller2', 'platform'];
  for (const u of users) assert.equal((await api(u, 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const ids = await Promise.all(users.map(userIdOf));
  await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: ids });
  const r = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, {});
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json<{ issued: number }>().issued, 3);
  const stored = await q(
    sql<{ certificate_no: string }>`select certificate_no from pk_enrolment where offering_id = ${id} order by certificate_no`,
  );
  assert.equal(new Set(stored.map((x) => x.certificate_no)).size, 3);
  assert.ok(stored.every((x) => /^CERT-\d{4}-\d{6,}$/.test(x.certificate_no)));
});

test('an attendance mark can be undone, with audit, until a certificate was issued on it', async () => {
  const id = (
    await api('commerce', 'POST', '/api/v1/offerings', {
      kind: 'course',
      title: '跨境电商 海外仓 实务',
      startsAt: '2026-12-14T01:00:00Z',
      endsAt: '2026-12-14T09:00:00Z',
      place: '赣州',
      capacity: 10,
    })
  ).json<{ id: string }>().id;
  for (const u of ['seller', 'seller2']) assert.equal((await api(u, 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const [sellerId, seller2Id] = [await userIdOf('seller'), await userIdOf('seller2')];
  const state = async () =>
    Object.fromEntries(
      (
        await q(
          sql<{ user_id: string; attended: boolean; certificate_no: string | null }>`
            select user_id::text, attended, certificate_no from pk_enrolment where offering_id = ${id}`,
        )
      ).map((r) => [r.user_id, [r.attended, r.certificate_no]]),
    );
  const audit = async () => {
    await tp.platform.settle();
    return q(
      sql<{ action: string; before: unknown; after: unknown }>`
        select action, before, after from audit_log
         where entity_id = ${id} and action like 'enrolment.%' and action <> 'enrolment.create' order by seq`,
    );
  };
  const undo = (user: string, who: string) => api(user, 'DELETE', `/api/v1/offerings/${id}/attendance/${who}`);
  assert.equal(
    (await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [sellerId, seller2Id] })).status,
    200,
  );
  assert.deepEqual(await state(), { [sellerId]: [true, null], [seller2Id]: [true, null] });

  // seller2 was ticked by mistake: the mark is taken back, and the audit log says who and when
  const undone = await undo('commerce', seller2Id);
  assert.equal(undone.status, 200, undone.body);
  assert.equal(undone.json<{ unmarked: boolean }>().unmarked, true);
  assert.equal(
    undone.json<{ enrolments: { userId: string; attended: boolean }[] }>().enrolments.find((e) => e.userId === seller2Id)!
      .attended,
    false,
  );
  assert.deepEqual(await state(), { [sellerId]: [true, null], [seller2Id]: [false, null] });
  const unattend = (await audit()).filter((a) => a.action === 'enrolment.unattend');
  assert.deepEqual(unattend, [
    {
      action: 'enrolment.unattend',
      before: { userId: seller2Id, attended: true },
      after: { userId: seller2Id, attended: false },
    },
  ]);
  // a second undo changes nothing and is not audited again
  const twice = await undo('commerce', seller2Id);
  assert.equal(twice.status, 200);
  assert.equal(twice.json<{ unmarked: boolean }>().unmarked, false);
  assert.equal((await audit()).filter((a) => a.action === 'enrolment.unattend').length, 1);

  // once the certificate is issued the mark stands: a bilingual refusal naming the certificate
  const cert = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, {});
  assert.equal(cert.json<{ issued: number }>().issued, 1, 'only the attendee left gets one');
  const certNo = (await state())[sellerId]![1] as string;
  assert.match(certNo, /^CERT-/);
  const refused = await undo('commerce', sellerId);
  assert.equal(refused.status, 409, refused.body);
  const err = refused.json<{ code: string; message: string }>();
  assert.equal(err.code, 'parks.invalid_state');
  assert.match(refused.body, new RegExp(`已凭此次签到颁发证书（编号 ${certNo}），不能撤销签到`));
  assert.match(
    refused.body,
    new RegExp(`a certificate \\(no\\. ${certNo}\\) was issued on this attendance: it cannot be undone`),
  );
  assert.deepEqual(await state(), { [sellerId]: [true, certNo], [seller2Id]: [false, null] });
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/certificate.pdf`)).status, 200);

  // marked again after the undo: present, and certified on the next issue
  assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [seller2Id] })).status, 200);
  assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, { userIds: [seller2Id] })).status, 200);
  const numbers = Object.values(await state()).map((x) => x[1] as string);
  assert.ok(
    numbers.every((n) => /^CERT-\d{4}-\d{6,}$/.test(n)),
    numbers.join(),
  );
  assert.equal(new Set(numbers).size, 2, 'two participants, two numbers');

  // only the organiser; only people on the roster; only this offering
  assert.equal((await undo('seller', sellerId)).status, 403);
  assert.equal((await undo('commerce', await userIdOf('carrier'))).status, 404);
  const nil = '00000000-0000-7000-8000-000000000000';
  assert.equal((await api('commerce', 'DELETE', `/api/v1/offerings/${nil}/attendance/${sellerId}`)).status, 404);
  assert.deepEqual(
    (await audit()).map((a) => a.action),
    ['enrolment.attend', 'enrolment.unattend', 'enrolment.certify', 'enrolment.attend', 'enrolment.certify'],
  );
});

test('support programmes: eligibility rules are data; figures are attached; commerce scores and decides', async () => {
  const park = await api('commerce', 'POST', '/api/v1/parks', {
    name: '南昌跨境电商产业园',
    region: '36012',
    kind: 'park',
    memberCodes: [PARTIES.seller.code],
  });
  assert.equal(park.status, 201, park.body);
  const badRules = await api('commerce', 'POST', '/api/v1/programmes', {
    name: 'x',
    category: 'park',
    rules: [{ metric: 'salary', op: '>', value: 1 }],
    opensOn: '2026-01-01',
    closesOn: '2026-12-31',
  });
  assert.equal(badRules.status, 400);
  assert.match(badRules.body, /rules\[0\]/);
  const mk = async (rules: unknown[]) =>
    (
      await api('commerce', 'POST', '/api/v1/programmes', {
        name: '园区入驻奖励',
        category: 'park',
        rules,
        opensOn: '2020-01-01',
        closesOn: '2099-12-31',
      })
    ).json<{ id: string }>().id;
  const rich = await mk([{ metric: 'exportsCny', op: '>=', value: 1_000_000 }]);
  const parkOnly = await mk([
    { metric: 'parkMember', op: '=', value: 1 },
    { metric: 'parcels', op: '>=', value: 0 },
  ]);
  const no = await api('seller', 'POST', `/api/v1/programmes/${rich}/apply`, { statement: '申请' });
  assert.equal(no.status, 422, no.body);
  assert.equal(no.json<{ figures: { exportsCny: number } }>().figures.exportsCny, 0);
  assert.equal((await api('seller2', 'POST', `/api/v1/programmes/${parkOnly}/apply`, { statement: '申请' })).status, 422);
  const yes = await api('seller', 'POST', `/api/v1/programmes/${parkOnly}/apply`, { statement: '园区企业申请入驻奖励' });
  assert.equal(yes.status, 201, yes.body);
  const app = yes.json<{ id: string; figures: Record<string, number>; status: string }>();
  assert.deepEqual(Object.keys(app.figures).sort(), [
    'creditLevelRank',
    'exportsCny',
    'exportsUsd',
    'parcels',
    'parkMember',
    'refundsCny',
  ]);
  assert.equal(app.figures.parkMember, 1);
  // export tax refunds are the tax module's figure for the seller over the same twelve months
  // (this seller has no summary declarations here, so none ever; tax.pipeline.test.ts covers a non-zero total)
  const db = tp.platform.database.db;
  const [seller] = await organisationDirectory(db).byCodes([PARTIES.seller.code]);
  const now = tp.platform.clock.now();
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  assert.equal(app.figures.refundsCny, (await taxLookup(db).refundTotals(seller!.id, from, to)).refundsCny);
  assert.equal(app.figures.refundsCny, (await taxLookup(db).refundTotals(seller!.id, '2000-01-01', '2999-12-31')).refundsCny);
  assert.equal((await api('seller', 'POST', `/api/v1/programmes/${parkOnly}/apply`, { statement: 'again' })).status, 409);
  assert.equal(
    (await api('seller', 'POST', `/api/v1/applications/${app.id}/decision`, { decision: 'approve', score: 99 })).status,
    403,
  );
  const d = await api('commerce', 'POST', `/api/v1/applications/${app.id}/decision`, {
    decision: 'approve',
    score: 85,
    note: '符合条件',
  });
  assert.equal(d.status, 200, d.body);
  assert.deepEqual([d.json<{ status: string }>().status, d.json<{ score: number }>().score], ['approved', 85]);
  assert.equal(
    (await api('commerce', 'POST', `/api/v1/applications/${app.id}/decision`, { decision: 'reject', score: 1 })).status,
    409,
  );
  const mine = await api('seller2', 'GET', '/api/v1/applications');
  assert.equal(mine.status, 200, mine.body);
  assert.equal(mine.json<{ items: unknown[] }>().items.length, 0);
  assert.equal((await api('commerce', 'GET', '/api/v1/review/applications')).json<{ items: unknown[] }>().items.length, 1);
});

test('park members: listed with names, added after registration, removed; stored rows follow', async () => {
  const SELLER2 = '3601260999';
  const park = (
    await api('commerce', 'POST', '/api/v1/parks', {
      name: '九江跨境电商产业园',
      region: '36040',
      kind: 'park',
      memberCodes: [PARTIES.seller.code],
    })
  ).json<{ id: string }>().id;
  const stored = () =>
    q(sql<{ org_code: string | null }>`select org_code from pk_park_member where park_id = ${park} order by org_code`).then((r) =>
      r.map((x) => x.org_code),
    );
  const listed = await api('commerce', 'GET', `/api/v1/parks/${park}/members`);
  assert.equal(listed.status, 200, listed.body);
  const first = listed.json<{ items: { orgId: string; code: string; name: string }[] }>().items;
  assert.deepEqual(
    first.map((m) => [m.code, m.name]),
    [[PARTIES.seller.code, PARTIES.seller.name]],
  );
  assert.deepEqual(await stored(), [PARTIES.seller.code]);

  // enterprises only see who belongs through the commerce department
  assert.equal((await api('seller', 'GET', `/api/v1/parks/${park}/members`)).status, 403);
  assert.equal((await api('seller', 'POST', `/api/v1/parks/${park}/members`, { codes: [SELLER2] })).status, 403);

  // an unknown code refuses the whole call: nothing joins
  const bad = await api('commerce', 'POST', `/api/v1/parks/${park}/members`, { codes: [SELLER2, '3699999999'] });
  assert.equal(bad.status, 400, bad.body);
  assert.match(bad.body, /企业不存在：3699999999/);
  assert.deepEqual(await stored(), [PARTIES.seller.code]);

  const added = await api('commerce', 'POST', `/api/v1/parks/${park}/members`, { codes: [SELLER2, PARTIES.seller.code] });
  assert.equal(added.status, 200, added.body);
  assert.equal(added.json<{ added: number }>().added, 1, 'a member already in is not added twice');
  assert.deepEqual(await stored(), [PARTIES.seller.code, SELLER2].sort());
  const pub = (await api(null, 'GET', '/api/v1/public/parks')).json<{ items: { id: string; members: number }[] }>();
  assert.equal(pub.items.find((p) => p.id === park)!.members, 2);

  const seller2Id = added.json<{ items: { orgId: string; code: string }[] }>().items.find((m) => m.code === SELLER2)!.orgId;
  const removed = await api('commerce', 'DELETE', `/api/v1/parks/${park}/members/${seller2Id}`);
  assert.equal(removed.status, 200, removed.body);
  assert.deepEqual(await stored(), [PARTIES.seller.code]);
  assert.equal((await api('commerce', 'DELETE', `/api/v1/parks/${park}/members/${seller2Id}`)).status, 404);
  const nil = '00000000-0000-7000-8000-000000000000';
  assert.equal((await api('commerce', 'GET', `/api/v1/parks/${nil}/members`)).status, 404);
  assert.equal((await api('commerce', 'POST', `/api/v1/parks/${nil}/members`, { codes: ['3699999999'] })).status, 404);
  await tp.platform.settle();
  const audit = await q(sql<{ action: string }>`select action from audit_log where entity_id = ${park} order by seq`);
  assert.deepEqual(
    audit.map((a) => a.action),
    ['park.create', 'park.members.add', 'park.members.remove'],
  );
});

test('roster with names; attendance, then certificates issued once; the participant downloads theirs', async () => {
  const id = (
    await api('commerce', 'POST', '/api/v1/offerings', {
      kind: 'course',
      title: '跨境电商 出口退税 实务',
      titleEn: 'Export tax refunds in practice',
      startsAt: '2026-12-12T01:00:00Z',
      endsAt: '2026-12-12T09:00:00Z',
      place: '南昌',
      capacity: 10,
    })
  ).json<{ id: string }>().id;
  assert.equal((await api('seller', 'POST', `/api/v1/offerings/${id}/enrol`, { name: '王小明' })).status, 200);
  assert.equal((await api('seller2', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const [sellerId, seller2Id] = [await userIdOf('seller'), await userIdOf('seller2')];

  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/roster`)).status, 403);
  const roster = await api('commerce', 'GET', `/api/v1/offerings/${id}/roster`);
  assert.equal(roster.status, 200, roster.body);
  const lines = roster.json<{ items: { userId: string; name: string; username: string; orgName: string; attended: boolean }[] }>()
    .items;
  assert.deepEqual(
    lines.map((l) => [l.userId, l.name, l.username, l.attended]).sort(),
    [
      [sellerId, '王小明', 'seller', false],
      [seller2Id, 'seller2', 'seller2', false],
    ].sort(),
  );
  assert.equal(lines.find((l) => l.userId === sellerId)!.orgName, PARTIES.seller.name);

  const state = () =>
    q(
      sql<{ user_id: string; attended: boolean; certificate_no: string | null; certificate_issued_at: Date | null }>`
        select user_id::text, attended, certificate_no, certificate_issued_at from pk_enrolment where offering_id = ${id}`,
    );
  // someone not on the roster refuses the whole call: no one is marked
  const stranger = await userIdOf('carrier');
  const refused = await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [sellerId, stranger] });
  assert.equal(refused.status, 400, refused.body);
  assert.match(refused.body, /userIds\[1\]/);
  assert.ok((await state()).every((r) => !r.attended && r.certificate_no === null));

  // no certificate before attendance
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/certificate.pdf`)).status, 404);
  const att = await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [sellerId] });
  assert.equal(att.status, 200, att.body);
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/certificate.pdf`)).status, 404, 'present, not yet certified');
  const issued = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, { userIds: [sellerId] });
  assert.equal(issued.status, 200, issued.body);
  const after1 = await state();
  const mine = after1.find((r) => r.user_id === sellerId)!;
  assert.equal(mine.attended, true);
  assert.match(mine.certificate_no ?? '', /^CERT-/);
  assert.ok(mine.certificate_issued_at instanceof Date);
  assert.deepEqual(
    after1.filter((r) => r.user_id === seller2Id).map((r) => [r.attended, r.certificate_no]),
    [[false, null]],
  );
  // marking and issuing again keep the number and the date of issue
  assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [sellerId] })).status, 200);
  const reissue = await api('commerce', 'POST', `/api/v1/offerings/${id}/certificates`, { userIds: [sellerId] });
  assert.equal(reissue.json<{ issued: number }>().issued, 0);
  const again = (await state()).find((r) => r.user_id === sellerId)!;
  assert.deepEqual(
    [again.certificate_no, again.certificate_issued_at?.getTime()],
    [mine.certificate_no, mine.certificate_issued_at!.getTime()],
  );

  const my = (await api('seller', 'GET', '/api/v1/enrolments')).json<{
    items: { offeringId: string; attended: boolean; certificateNo: string | null; title: string }[];
  }>();
  const line = my.items.find((x) => x.offeringId === id)!;
  assert.deepEqual([line.attended, line.certificateNo, line.title], [true, mine.certificate_no, '跨境电商 出口退税 实务']);

  const pdf = await api('seller', 'GET', `/api/v1/offerings/${id}/certificate.pdf`);
  assert.equal(pdf.status, 200, pdf.body.slice(0, 200));
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.raw.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.raw.toString('latin1').includes(mine.certificate_no!), 'the PDF names its certificate number');
  assert.equal((await api('seller2', 'GET', `/api/v1/offerings/${id}/certificate.pdf`)).status, 404);
  const printed = await api('commerce', 'GET', `/api/v1/offerings/${id}/roster/${sellerId}/certificate.pdf`);
  assert.equal(printed.status, 200);
  assert.ok(printed.raw.toString('latin1').includes(mine.certificate_no!));
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/roster/${sellerId}/certificate.pdf`)).status, 403);
});

test('review by criteria: bad scores and a reasonless rejection change nothing; the enterprise reads status and reason', async () => {
  const criteria = [
    { key: 'fit', name: '契合度', nameEn: 'Fit', max: 60 },
    { key: 'jobs', name: '带动就业', nameEn: 'Jobs', max: 40 },
  ];
  const badCriteria = await api('commerce', 'POST', '/api/v1/programmes', {
    name: 'x',
    category: 'training',
    rules: [],
    criteria: [criteria[0], criteria[0]],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(badCriteria.status, 400);
  assert.match(badCriteria.body, /criteria\[1\]/);
  const prog = (
    await api('commerce', 'POST', '/api/v1/programmes', {
      name: '跨境电商人才培训补贴',
      category: 'training',
      rules: [],
      criteria,
      opensOn: '2020-01-01',
      closesOn: '2099-12-31',
    })
  ).json<{ id: string }>().id;
  const applied = await api('seller', 'POST', `/api/v1/programmes/${prog}/apply`, { statement: '本企业培训 30 人' });
  assert.equal(applied.status, 201, applied.body);
  const appId = applied.json<{ id: string }>().id;

  const review = await api('commerce', 'GET', `/api/v1/review/applications?programmeId=${prog}&status=submitted`);
  assert.equal(review.status, 200, review.body);
  const [item] = review.json<{
    items: { id: string; programmeName: string; orgName: string; criteria: { key: string; max: number }[] }[];
  }>().items;
  assert.deepEqual(
    [item!.id, item!.programmeName, item!.orgName, item!.criteria.map((c) => [c.key, c.max])],
    [
      appId,
      '跨境电商人才培训补贴',
      PARTIES.seller.name,
      [
        ['fit', 60],
        ['jobs', 40],
      ],
    ],
  );
  assert.equal(
    (await api('commerce', 'GET', `/api/v1/review/applications?programmeId=${prog}&status=approved`)).json<{ items: unknown[] }>()
      .items.length,
    0,
  );

  const stored = async () =>
    (
      await q(
        sql<{
          status: string;
          score: number | null;
          scores: Record<string, number> | null;
          note: string | null;
          decided_at: Date | null;
        }>`
          select status, score, scores, note, decided_at from pk_application where id = ${appId}`,
      )
    )[0]!;
  const untouched = { status: 'submitted', score: null, scores: null, note: null, decided_at: null };
  const decide = (body: Record<string, unknown>) => api('commerce', 'POST', `/api/v1/applications/${appId}/decision`, body);

  const outOfRange = await decide({ decision: 'approve', scores: { fit: 61, jobs: 10 } });
  assert.equal(outOfRange.status, 400, outOfRange.body);
  assert.match(outOfRange.body, /scores\.fit/);
  assert.deepEqual(await stored(), untouched);
  const missing = await decide({ decision: 'approve', scores: { fit: 50 } });
  assert.equal(missing.status, 400);
  assert.match(missing.body, /scores\.jobs/);
  const unknownKey = await decide({ decision: 'approve', scores: { fit: 50, jobs: 10, salary: 5 } });
  assert.equal(unknownKey.status, 400);
  assert.match(unknownKey.body, /scores\.salary/);
  const wrongSum = await decide({ decision: 'approve', scores: { fit: 50, jobs: 10 }, score: 99 });
  assert.equal(wrongSum.status, 400);
  assert.match(wrongSum.body, /60/);
  const noReason = await decide({ decision: 'reject', scores: { fit: 20, jobs: 10 }, note: '  ' });
  assert.equal(noReason.status, 400);
  assert.match(noReason.body, /驳回须说明理由/);
  const noScore = await decide({ decision: 'approve' });
  assert.equal(noScore.status, 400);
  assert.deepEqual(await stored(), untouched);

  const d = await decide({ decision: 'reject', scores: { fit: 20, jobs: 10 }, note: '培训人数不足 / too few trainees' });
  assert.equal(d.status, 200, d.body);
  const row = await stored();
  assert.deepEqual(
    [row.status, row.score, row.scores, row.note],
    ['rejected', 30, { fit: 20, jobs: 10 }, '培训人数不足 / too few trainees'],
  );
  assert.ok(row.decided_at instanceof Date);

  const mine = await api('seller', 'GET', '/api/v1/applications');
  const own = mine.json<{ items: { id: string; status: string; note: string; score: number; programmeName: string }[] }>().items;
  const a = own.find((x) => x.id === appId)!;
  assert.deepEqual(
    [a.status, a.note, a.score, a.programmeName],
    ['rejected', '培训人数不足 / too few trainees', 30, '跨境电商人才培训补贴'],
  );
  assert.ok(
    !(await api('seller2', 'GET', '/api/v1/applications')).json<{ items: { id: string }[] }>().items.some((x) => x.id === appId),
  );
});

test('scoring criteria: the admin list, set with weights adding up to 100, weighted scores, fixed once a decision is made', async () => {
  const create = await api('commerce', 'POST', '/api/v1/programmes', {
    name: '跨境电商新业态扶持',
    category: 'new_model',
    rules: [],
    opensOn: '2020-01-01',
    closesOn: '2099-12-31',
  });
  assert.equal(create.status, 201, create.body);
  const prog = create.json<{ id: string }>().id;
  type AdminProgramme = {
    id: string;
    criteria: { key: string; name: string; nameEn: string; weight: number; max: number }[];
    standardCriteria: boolean;
    applications: { submitted: number; decided: number };
    criteriaLocked: boolean;
  };
  const listed = async () =>
    (await api('commerce', 'GET', '/api/v1/programmes')).json<{ items: AdminProgramme[] }>().items.find((x) => x.id === prog)!;
  const stored = async () =>
    (await q(sql<{ criteria: unknown }>`select criteria from pk_programme where id = ${prog}`))[0]!.criteria;

  // none set: the standard rubric, with its weights
  const first = await listed();
  assert.equal(first.standardCriteria, true);
  assert.deepEqual(
    first.criteria.map((c) => [c.key, c.weight, c.max]),
    [
      ['policy', 30, 30],
      ['performance', 40, 40],
      ['impact', 20, 20],
      ['compliance', 10, 10],
    ],
  );
  assert.deepEqual([first.applications, first.criteriaLocked], [{ submitted: 0, decided: 0 }, false]);
  assert.equal((await api('seller', 'GET', '/api/v1/programmes')).status, 403);

  const put = (criteria: unknown[], user = 'commerce', id = prog) =>
    api(user, 'PUT', `/api/v1/programmes/${id}/criteria`, { criteria });
  // weights that do not add up to 100 change nothing
  const off = await put([
    { key: 'model', name: '模式创新', nameEn: 'New business model', weight: 50, max: 10 },
    { key: 'scale', name: '业务规模', nameEn: 'Scale', weight: 40, max: 5 },
  ]);
  assert.equal(off.status, 400, off.body);
  assert.match(off.body, /各评分项权重之和须为 100（现为 90）/);
  assert.match(off.body, /"field":"criteria"/);
  const noEnglish = await put([{ key: 'model', name: '模式创新', nameEn: ' ', weight: 100, max: 10 }]);
  assert.equal(noEnglish.status, 400);
  assert.match(noEnglish.body, /criteria\[0\]\.nameEn/);
  assert.equal(await stored(), null);
  assert.equal((await put([], 'seller')).status, 403);
  assert.equal((await put([], 'commerce', '00000000-0000-7000-8000-000000000000')).status, 404);

  const criteria = [
    { key: 'model', name: '模式创新', nameEn: 'New business model', weight: 60, max: 10 },
    { key: 'scale', name: '业务规模', nameEn: 'Scale', weight: 40, max: 5 },
  ];
  const set = await put(criteria);
  assert.equal(set.status, 200, set.body);
  assert.deepEqual(await stored(), criteria);
  const now = await listed();
  assert.deepEqual([now.standardCriteria, now.criteria], [false, criteria]);
  await tp.platform.settle();
  const audit = await q(
    sql<{ action: string; after: { criteria: unknown } }>`
      select action, after from audit_log where entity_id = ${prog} and action = 'programme.criteria'`,
  );
  assert.deepEqual(
    audit.map((a) => [a.action, a.after.criteria]),
    [['programme.criteria', criteria]],
  );

  // the review form gets the criteria; the score is the points weighted: 7/10 × 60 + 3/5 × 40 = 66
  const applied = await api('seller', 'POST', `/api/v1/programmes/${prog}/apply`, { statement: '跨境电商 B2B 直接出口新模式' });
  assert.equal(applied.status, 201, applied.body);
  const appId = applied.json<{ id: string }>().id;
  const review = (await api('commerce', 'GET', `/api/v1/review/applications?programmeId=${prog}`)).json<{
    items: { id: string; criteria: unknown }[];
  }>();
  assert.deepEqual(review.items.find((a) => a.id === appId)!.criteria, criteria);
  const wrong = await api('commerce', 'POST', `/api/v1/applications/${appId}/decision`, {
    decision: 'approve',
    scores: { model: 7, scale: 3 },
    score: 10,
  });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /按权重折算之和（66）/);
  const d = await api('commerce', 'POST', `/api/v1/applications/${appId}/decision`, {
    decision: 'approve',
    scores: { model: 7, scale: 3 },
  });
  assert.equal(d.status, 200, d.body);
  const [row] = await q(sql<{ score: number; scores: unknown }>`select score, scores from pk_application where id = ${appId}`);
  assert.deepEqual([row!.score, row!.scores], [66, { model: 7, scale: 3 }]);

  // decided: the criteria are fixed
  const late = await put([{ key: 'model', name: '模式创新', nameEn: 'New business model', weight: 100, max: 10 }]);
  assert.equal(late.status, 409, late.body);
  assert.match(late.body, /该项目已有 1 份申报完成评审，评分项不能再修改/);
  assert.match(late.body, /1 application\(s\) to this programme were decided: its criteria can no longer change/);
  assert.deepEqual(await stored(), criteria);
  const locked = await listed();
  assert.deepEqual([locked.applications, locked.criteriaLocked], [{ submitted: 0, decided: 1 }, true]);

  // none at all: back to the standard rubric (while nothing is decided)
  const other = (
    await api('commerce', 'POST', '/api/v1/programmes', {
      name: '海外服务网点建设奖励',
      category: 'overseas_service',
      rules: [],
      criteria,
      opensOn: '2020-01-01',
      closesOn: '2099-12-31',
    })
  ).json<{ id: string }>().id;
  const reset = await put([], 'commerce', other);
  assert.equal(reset.status, 200, reset.body);
  assert.equal(reset.json<{ standardCriteria: boolean }>().standardCriteria, true);
  assert.equal((await q(sql<{ criteria: unknown }>`select criteria from pk_programme where id = ${other}`))[0]!.criteria, null);
});
