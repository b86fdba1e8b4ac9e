import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

// The editable holiday calendar: customs enters a year's State Council arrangement and the
// deadlines (view, preview, reminders) follow at once; refused input changes nothing.
const clock = fixedClock(new Date('2027-02-03T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};

async function api<T>(user: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.json() as T };
}

interface Deadline {
  period: string;
  deadline: string;
  deadlineProvisional: boolean;
}
interface YearView {
  year: number;
  source: string;
  confirmed: boolean;
  entries: { date: string; kind: string; name: string; source: string }[];
  effective: { holidays: string[]; workdays: string[] };
  builtIn: { source: string; holidays: string[]; workdays: string[] };
  deadlines: { period: string; deadline: string | null; provisional: boolean }[];
}
interface Problem {
  code: string;
  detailZh: string;
  detailEn: string;
  errors: { field: string; rule: string; message: { zh: string; en: string } }[];
}

const NOTICE = '国务院办公厅关于2027年部分节假日安排的通知（示例）';
const day = (date: string, kind = 'holiday', name = '春节') => ({ date, kind, name, source: NOTICE });
/** An example Spring Festival 2027 arrangement: rest 6–15 February, Sunday 31 January and Saturday 20 February worked. */
const SPRING_2027 = [
  ...['06', '07', '08', '09', '10', '11', '12', '13', '14', '15'].map((d) => day(`2027-02-${d}`)),
  day('2027-01-31', 'workday'),
  day('2027-02-20', 'workday'),
];

const db = () => tp.platform.database.db;
const stored = async () =>
  (
    await sql<{
      d: string;
    }>`select to_char(day, 'YYYY-MM-DD') || ':' || kind || ':' || year as d from sum_holiday_day order by day`.execute(db())
  ).rows.map((r) => r.d);
const audited = async (action: string) => {
  await tp.platform.settle();
  return (
    await sql<{ entity_id: string }>`select entity_id from audit_log where action = ${action} order by seq`.execute(db())
  ).rows.map((r) => r.entity_id);
};

const january = async (): Promise<Deadline> =>
  (await api<Deadline[]>('seller', 'GET', '/api/v1/summary/deadlines')).body.find((d) => d.period === '2027-01')!;
const preview = async () =>
  (
    await api<{ deadline: string; reminders: { on: string; daysBefore: number; due: boolean }[] }>(
      'seller',
      'POST',
      '/api/v1/summary/preview',
      { period: '2027-01' },
    )
  ).body;

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['seller', 'customs', 'admin', 'tax', 'pboc', 'platform']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('before 2027 is entered: the February 2027 deadline is provisional (暂定)', async () => {
  const jan = await january();
  assert.deepEqual(jan, { ...jan, deadline: '2027-02-15', deadlineProvisional: true });
  const y = await api<YearView>('seller', 'GET', '/api/v1/summary/holiday-calendar?year=2027');
  assert.equal(y.status, 200, JSON.stringify(y.body));
  assert.equal(y.body.source, 'provisional');
  assert.equal(y.body.confirmed, false);
  assert.deepEqual(y.body.entries, []);
  assert.ok(y.body.effective.holidays.includes('2027-02-05'), 'statutory: 除夕 5 February');
  assert.deepEqual(y.body.deadlines[1], { period: '2027-01', deadline: '2027-02-15', provisional: true });
  assert.equal((await preview()).deadline, '2027-02-15');
});

test('refused input changes nothing: wrong role, bad days, a duplicate', async () => {
  const before = await stored();
  const body = { year: 2027, days: SPRING_2027 };
  for (const who of ['seller', 'tax', 'platform'])
    assert.equal((await api(who, 'POST', '/api/v1/summary/holiday-calendar', body)).status, 403, who);
  // all or none: one bad day refuses the batch, every problem named in both languages
  const bad = await api<Problem>('customs', 'POST', '/api/v1/summary/holiday-calendar', {
    year: 2027,
    days: [
      day('2027-02-06'),
      day('2027/02/07'),
      day('2027-02-08', 'rest'),
      day('2027-02-09', 'workday'),
      day('2028-02-09'),
      day('2027-02-06'),
    ],
  });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.equal(bad.body.code, 'validation');
  assert.deepEqual(
    bad.body.errors.map((e) => `${e.field}:${e.rule}`),
    ['days[1].date:date', 'days[2].kind:enum', 'days[3].kind:weekend', 'days[4].date:year', 'days[5].date:unique'],
  );
  for (const e of bad.body.errors) assert.ok(e.message.zh && e.message.en);
  assert.match(bad.body.detailZh, /日期格式/);
  assert.match(bad.body.detailEn, /YYYY-MM-DD/);
  assert.equal((await api('customs', 'POST', '/api/v1/summary/holiday-calendar', { year: 2027, days: [] })).status, 400);
  assert.equal((await api('customs', 'POST', '/api/v1/summary/holiday-calendar', { year: 2027 })).status, 400);
  assert.equal((await api('customs', 'DELETE', '/api/v1/summary/holiday-calendar?date=2027-02-06')).status, 404);
  assert.equal((await api('customs', 'DELETE', '/api/v1/summary/holiday-calendar?date=6.2.2027')).status, 400);
  assert.equal((await api('pboc', 'GET', '/api/v1/summary/holiday-calendar?year=2027')).status, 403);
  assert.deepEqual(await stored(), before);
  assert.deepEqual(await audited('summary.holiday_add'), []);
  const jan = await january();
  assert.deepEqual([jan.deadline, jan.deadlineProvisional], ['2027-02-15', true]);
});

test('customs enters the 2027 Spring Festival: the February deadline moves and is no longer provisional', async () => {
  const res = await api<YearView>('customs', 'POST', '/api/v1/summary/holiday-calendar', { year: 2027, days: SPRING_2027 });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.source, 'database');
  assert.equal(res.body.confirmed, true);
  assert.equal(res.body.entries.length, 12);
  assert.deepEqual(res.body.effective.workdays, ['2027-01-31', '2027-02-20']);
  assert.equal(res.body.builtIn.source, 'provisional', 'what applies again without the entries');
  assert.deepEqual(res.body.deadlines[1], { period: '2027-01', deadline: '2027-02-16', provisional: false });

  assert.equal((await stored()).length, 12);
  assert.ok((await stored()).includes('2027-01-31:workday:2027'));
  assert.equal((await audited('summary.holiday_add')).length, 12, 'one audit entry per day');

  // the seller's deadlines view and its preview (reminders) follow at once
  const jan = await january();
  assert.deepEqual([jan.deadline, jan.deadlineProvisional], ['2027-02-16', false]);
  const p = await preview();
  assert.equal(p.deadline, '2027-02-16');
  assert.deepEqual(
    p.reminders.map((r) => `${r.on}:${r.daysBefore}:${r.due}`),
    ['2027-02-09:7:false', '2027-02-13:3:false', '2027-02-15:1:false', '2027-02-16:0:false'],
  );
  // the December 2026 deadline (15 January 2027) is confirmed too now
  const dec = (await api<Deadline[]>('seller', 'GET', '/api/v1/summary/deadlines')).body.find((d) => d.period === '2026-12')!;
  assert.deepEqual([dec.deadline, dec.deadlineProvisional], ['2027-01-15', false]);

  // entering a day twice is refused, naming the date
  const again = await api<Problem>('admin', 'POST', '/api/v1/summary/holiday-calendar', {
    year: 2027,
    days: [day('2027-02-10')],
  });
  assert.equal(again.status, 400);
  assert.deepEqual(
    again.body.errors.map((e) => `${e.field}:${e.rule}`),
    ['days[0].date:unique'],
  );
  assert.match(again.body.errors[0]!.message.zh, /2027-02-10已录入/);
});

test('removing days: the deadline follows; with the last one the year is provisional again', async () => {
  const res = await api<YearView>('admin', 'DELETE', '/api/v1/summary/holiday-calendar?date=2027-02-15');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.entries.length, 11);
  let jan = await january();
  assert.deepEqual([jan.deadline, jan.deadlineProvisional], ['2027-02-15', false], '15 February worked, still confirmed');
  assert.deepEqual(await audited('summary.holiday_remove'), ['2027-02-15']);
  for (const e of res.body.entries)
    assert.equal((await api('customs', 'DELETE', `/api/v1/summary/holiday-calendar?date=${e.date}`)).status, 200);
  assert.deepEqual(await stored(), []);
  jan = await january();
  assert.deepEqual([jan.deadline, jan.deadlineProvisional], ['2027-02-15', true]);
  const y = (await api<YearView>('seller', 'GET', '/api/v1/summary/holiday-calendar?year=2027')).body;
  assert.equal(y.source, 'provisional');
  assert.equal((await audited('summary.holiday_remove')).length, 12);
});

test('a built-in year shows its days; a year out of range is refused', async () => {
  const y = await api<YearView>('tax', 'GET', '/api/v1/summary/holiday-calendar?year=2026');
  assert.equal(y.status, 200);
  assert.equal(y.body.source, 'builtin');
  assert.ok(y.body.effective.workdays.includes('2026-10-10'));
  assert.deepEqual(y.body.builtIn.holidays, y.body.effective.holidays);
  const far = await api<Problem>('seller', 'GET', '/api/v1/summary/holiday-calendar?year=1990');
  assert.equal(far.status, 400);
  assert.equal(far.body.errors[0]!.rule, 'range');
});
