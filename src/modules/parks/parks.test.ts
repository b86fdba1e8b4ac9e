import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

async function api(user: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json() as T };
}

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

test('attendance issues certificates to attendees only', async () => {
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
  const rows = att.json<{ enrolments: { userId: string; attended: boolean; certificateNo: string | null }[] }>().enrolments;
  assert.equal(rows.filter((r) => r.attended).length, 1);
  assert.equal(rows.find((r) => r.userId === userId)!.certificateNo?.startsWith('CERT-'), true);
  assert.equal(rows.find((r) => r.userId !== userId)!.certificateNo, null);
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
