import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

/**
 * Enrolment closes when a course or event starts; an enrolment can be withdrawn before that,
 * giving its seat back; the organiser exports the roster to Excel (issue 8 point 4).
 */
let tp: TestPlatform;
const tokens: Record<string, string> = {};
const HOUR = 3_600_000;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'seller2', 'platform', 'commerce', 'customs']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

async function api(user: string | null, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, raw: res.rawPayload, headers: res.headers, json: <T>() => res.json() as T };
}

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
const seats = async (id: string) =>
  (await q(sql<{ enrolled: number; capacity: number }>`select enrolled, capacity from pk_offering where id = ${id}`))[0]!;
const enrolled = async (id: string) =>
  (
    await q(
      sql<{ username: string }>`select participant_username as username from pk_enrolment where offering_id = ${id} order by 1`,
    )
  ).map((r) => r.username);

async function offering(title: string, startsInHours: number, hours: number, capacity = 5): Promise<string> {
  const now = tp.platform.clock.now().getTime();
  const r = await api('commerce', 'POST', '/api/v1/offerings', {
    kind: 'course',
    title,
    startsAt: new Date(now + startsInHours * HOUR).toISOString(),
    endsAt: new Date(now + (startsInHours + hours) * HOUR).toISOString(),
    place: '南昌',
    capacity,
  });
  assert.equal(r.status, 201, r.body);
  return r.json<{ id: string }>().id;
}

test('no enrolment once a course or event has started or ended: a bilingual refusal naming the rule, nothing stored', async () => {
  const started = await offering('已开课的课程', -1, 8);
  const ended = await offering('已结束的课程', -48, 8);
  const r1 = await api('seller', 'POST', `/api/v1/offerings/${started}/enrol`);
  assert.equal(r1.status, 409, r1.body);
  assert.equal(r1.json<{ code: string }>().code, 'parks.invalid_state');
  assert.match(r1.body, /报名已截止：该课程或活动已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 开始（北京时间），开始后不能报名/);
  assert.match(r1.body, /enrolment is closed: the course or event started at .* no one can enrol once it has started/);
  const r2 = await api('seller', 'POST', `/api/v1/offerings/${ended}/enrol`);
  assert.equal(r2.status, 409, r2.body);
  assert.match(r2.body, /已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 结束/);
  assert.match(r2.body, /ended at/);
  for (const id of [started, ended]) {
    assert.deepEqual(await enrolled(id), []);
    assert.equal((await seats(id)).enrolled, 0);
  }
  // an unknown course answers 404 rather than the rule
  const nil = '00000000-0000-7000-8000-000000000000';
  assert.equal((await api('seller', 'POST', `/api/v1/offerings/${nil}/enrol`)).status, 404);
});

test('withdrawing an enrolment gives its seat back, before the start only', async () => {
  const id = await offering('报名后可取消的课程', 24, 8, 1);
  assert.equal((await api('seller', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  assert.equal((await api('seller2', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 409, 'full');
  assert.deepEqual(await seats(id), { enrolled: 1, capacity: 1 });

  const w = await api('seller', 'DELETE', `/api/v1/offerings/${id}/enrol`);
  assert.equal(w.status, 200, w.body);
  assert.deepEqual(w.json(), { withdrawn: true, seatsLeft: 1 });
  assert.deepEqual(await enrolled(id), []);
  assert.deepEqual(await seats(id), { enrolled: 0, capacity: 1 });
  await tp.platform.settle();
  const audit = await q(
    sql<{ action: string }>`select action from audit_log where entity_id = ${id} and action like 'enrolment.%' order by seq`,
  );
  assert.deepEqual(
    audit.map((a) => a.action),
    ['enrolment.create', 'enrolment.withdraw'],
  );
  // a second withdrawal finds nothing; the released seat goes to the next person
  assert.equal((await api('seller', 'DELETE', `/api/v1/offerings/${id}/enrol`)).status, 404);
  assert.equal((await seats(id)).enrolled, 0, 'a seat is given back once');
  assert.equal((await api('seller2', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  assert.deepEqual(await enrolled(id), ['seller2']);
  assert.equal((await seats(id)).enrolled, 1);
  // only enterprises' own enrolments: an agency may not, another enterprise has none to withdraw
  assert.equal((await api('customs', 'DELETE', `/api/v1/offerings/${id}/enrol`)).status, 403);
  assert.equal((await api('platform', 'DELETE', `/api/v1/offerings/${id}/enrol`)).status, 404);
  assert.deepEqual(await enrolled(id), ['seller2']);

  // time passes: the course has started, the enrolment stands
  await sql`update pk_offering set starts_at = now() - interval '1 hour' where id = ${id}`.execute(tp.platform.database.db);
  const late = await api('seller2', 'DELETE', `/api/v1/offerings/${id}/enrol`);
  assert.equal(late.status, 409, late.body);
  assert.match(late.body, /不能取消报名：该课程或活动已于 .* 开始（北京时间），开始后不能取消报名/);
  assert.match(late.body, /no withdrawal once it has started/);
  assert.deepEqual(await enrolled(id), ['seller2']);
  assert.equal((await seats(id)).enrolled, 1);
});

test('an enrolment whose attendance was recorded cannot be withdrawn', async () => {
  const id = await offering('签到后不可取消', 24, 8);
  assert.equal((await api('seller', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const me = (await api('seller', 'GET', '/api/v1/auth/me')).json<{ user?: { id: string }; id?: string }>();
  const userId = me.user?.id ?? me.id!;
  assert.equal((await api('commerce', 'POST', `/api/v1/offerings/${id}/attendance`, { userIds: [userId] })).status, 200);
  const r = await api('seller', 'DELETE', `/api/v1/offerings/${id}/enrol`);
  assert.equal(r.status, 409, r.body);
  assert.match(r.body, /已签到或已颁发证书，不能取消报名/);
  assert.deepEqual(await enrolled(id), ['seller']);
});

test('the roster exports to Excel for its organiser only: the same lines as the roster', async () => {
  const id = await offering('名单导出课程', 48, 4);
  assert.equal((await api('seller', 'POST', `/api/v1/offerings/${id}/enrol`, { name: '王小明' })).status, 200);
  assert.equal((await api('seller2', 'POST', `/api/v1/offerings/${id}/enrol`)).status, 200);
  const roster = (await api('commerce', 'GET', `/api/v1/offerings/${id}/roster`)).json<{
    items: { name: string; username: string; orgName: string; attended: boolean }[];
  }>().items;
  const r = await api('commerce', 'GET', `/api/v1/offerings/${id}/roster.xlsx`);
  assert.equal(r.status, 200, r.body.slice(0, 300));
  assert.match(String(r.headers['content-type']), /spreadsheetml/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  assert.equal(ws.name, '报名名单');
  assert.match(String(ws.getRow(1).getCell(1).value), /名单导出课程 .* 南昌 · 2 \/ 5/);
  assert.equal(ws.getRow(2).getCell(1).value, '姓名');
  const lines = [];
  for (let i = 3; i <= ws.rowCount; i++) {
    const row = ws.getRow(i);
    lines.push([row.getCell(1).value, row.getCell(2).value, row.getCell(3).value, row.getCell(5).value]);
  }
  assert.deepEqual(
    lines,
    roster.map((x) => [x.name, x.username, x.orgName, x.attended ? '是' : '否']),
  );
  assert.deepEqual(lines.map((l) => l[0]).sort(), ['seller2', '王小明'].sort());
  assert.equal(lines.find((l) => l[0] === '王小明')![2], PARTIES.seller.name);
  const en = await api('commerce', 'GET', `/api/v1/offerings/${id}/roster.xlsx?lang=en`);
  const wbEn = new ExcelJS.Workbook();
  await wbEn.xlsx.load(en.raw as unknown as ArrayBuffer);
  assert.equal(wbEn.worksheets[0]!.getRow(2).getCell(1).value, 'Participant');
  // enterprises and other agencies: refused
  assert.equal((await api('seller', 'GET', `/api/v1/offerings/${id}/roster.xlsx`)).status, 403);
  assert.equal((await api('customs', 'GET', `/api/v1/offerings/${id}/roster.xlsx`)).status, 403);
  const nil = '00000000-0000-7000-8000-000000000000';
  assert.equal((await api('commerce', 'GET', `/api/v1/offerings/${nil}/roster.xlsx`)).status, 404);
});
