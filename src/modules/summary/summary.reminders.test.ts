import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { summaryReminderFeed, TOPIC_DEADLINE_REMINDER, type DeadlineReminderPayload } from './summary-deadline.service.ts';

// Three parcels close on 20 October 2026 (China time). October is due on Monday 16 November
// (the 15th is a Sunday): reminders 7, 3, 1 and 0 days before — 9, 13, 15 and 16 November.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
const delivered: OutboxEvent<DeadlineReminderPayload>[] = [];
const listener: OutboxHandler = {
  name: 'test.summary-reminders',
  topics: [TOPIC_DEADLINE_REMINDER],
  async handle(events) {
    delivered.push(...(events as OutboxEvent<DeadlineReminderPayload>[]));
  },
};

const run = async (at: string) => {
  clock.set(new Date(at));
  const sent = await tp.platform.summaryReminders.runOnce();
  await tp.platform.settle();
  return sent;
};

before(async () => {
  tp = await startTestPlatform({ listen: false, clock, handlers: [listener] });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  await closeParcels(
    tp,
    tokens,
    Array.from({ length: 3 }, (_, i) => makeParcel(i + 1, 'R')),
    1,
    'R',
  );
});
after(async () => {
  await tp.stop();
});

test('the daily run sends one summary.deadline_reminder per enterprise, period and reminder day', async () => {
  const seller = await sql<{ id: string }>`select id from organisation where customs_code = '3601260888'`.execute(
    tp.platform.database.db,
  );
  const orgId = seller.rows[0]!.id;
  // before the first reminder day: nothing
  assert.deepEqual(await run('2026-11-02T01:00:00Z'), []);
  assert.equal(delivered.length, 0);
  // 9 November (China time): 7 days before
  const first = await run('2026-11-09T01:00:00Z');
  assert.deepEqual(
    first.map((r) => [r.orgId, r.period, r.reminderOn, r.daysBefore, r.deadline, r.pendingInventories]),
    [[orgId, '2026-10', '2026-11-09', 7, '2026-11-16', 3]],
  );
  assert.match(first[0]!.message.zh, /2026-10汇总申报截止日为2026-11-16（还有7天），尚有3票/);
  // later runs the same day, or another worker's: nothing more
  assert.deepEqual(await run('2026-11-09T09:00:00Z'), []);
  assert.deepEqual(await run('2026-11-10T01:00:00Z'), []);
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.topic, TOPIC_DEADLINE_REMINDER);
  assert.equal(delivered[0]!.payload.orgId, orgId);
  // 14 November: the 3-day reminder of the 13th (missed that day) is the one due
  const second = await run('2026-11-14T01:00:00Z');
  assert.deepEqual(
    second.map((r) => [r.reminderOn, r.daysBefore]),
    [['2026-11-13', 3]],
  );
  assert.equal(delivered.length, 2);

  // the seller summarises October: no reminder on the deadline day
  tokens.seller = await login(tp.platform, 'seller');
  const submit = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/summary/applications',
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: { period: '2026-10' },
  });
  assert.equal(submit.statusCode, 201, submit.body);
  assert.deepEqual(await run('2026-11-16T01:00:00Z'), []);
  assert.equal(delivered.length, 2);
  const stored = await sql<{ n: number }>`select count(*)::int as n from sum_deadline_reminder`.execute(tp.platform.database.db);
  assert.equal(stored.rows[0]!.n, 2);

  // the enterprise reads them as a feed (what a webhook topic would deliver), and by the API
  const feed = await summaryReminderFeed(tp.platform.database.db).page(orgId, 0, 10);
  assert.deepEqual(
    feed.items.map((i) => [i.type, i.daysBefore]),
    [
      [TOPIC_DEADLINE_REMINDER, 7],
      [TOPIC_DEADLINE_REMINDER, 3],
    ],
  );
  assert.equal((await summaryReminderFeed(tp.platform.database.db).page(orgId, feed.next, 10)).items.length, 0);
  tokens.seller = await login(tp.platform, 'seller');
  const api = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/summary/reminders?after=0',
    headers: { authorization: `Bearer ${tokens.seller}` },
  });
  assert.equal(api.statusCode, 200, api.body);
  assert.deepEqual(
    (api.json() as { items: DeadlineReminderPayload[] }).items.map((i) => i.reminderOn),
    ['2026-11-09', '2026-11-13'],
  );
  tokens.seller2 = await login(tp.platform, 'seller2');
  const none = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/summary/reminders',
    headers: { authorization: `Bearer ${tokens.seller2}` },
  });
  assert.deepEqual((none.json() as { items: unknown[] }).items, []);
});

test('deadlines: a month with inventories waiting shows its due reminders and is never submitted and overdue at once', async () => {
  // two more close in November; after its deadline (15 December, a Tuesday) one of them is still waiting
  clock.set(new Date('2026-11-20T02:00:00Z'));
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  await closeParcels(
    tp,
    tokens,
    Array.from({ length: 2 }, (_, i) => makeParcel(i + 4, 'R')),
    2,
    'R',
  );
  clock.set(new Date('2026-12-16T02:00:00Z'));
  for (const u of ['seller', 'broker']) tokens[u] = await login(tp.platform, u);
  // the declaring agent summarises one of them (late): the month stays open with the other
  const one = await sql<{ invt_no: string }>`
    select invt_no from clr_inventory where logistics_no like 'R%' and closed_at >= '2026-11-01' order by invt_no limit 1`.execute(
    tp.platform.database.db,
  );
  const agent = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/summary/ceb701',
    headers: { authorization: `Bearer ${tokens.broker}` },
    payload: {
      head: {
        guid: 'A7010000-0000-4000-8000-0000000000E1',
        appType: '1',
        appTime: '20261216100000',
        appStatus: '2',
        customsCode: '4006',
        copNo: 'R-SUM-2026-11',
        agentCode: PARTIES.broker.code,
        agentName: PARTIES.broker.name,
        ebcCode: PARTIES.seller.code,
        ebcName: PARTIES.seller.name,
        declAgentCode: PARTIES.broker.code,
        declAgentName: PARTIES.broker.name,
        summaryFlag: '2',
        msgCount: '1',
        msgSeqNo: '1',
      },
      list: one.rows.map((r) => ({ invtNo: r.invt_no })),
    },
  });
  assert.equal((agent.json() as { accepted: boolean }).accepted, true, agent.body);
  const res = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/summary/deadlines?months=2',
    headers: { authorization: `Bearer ${tokens.seller}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  const rows = res.json() as {
    period: string;
    submitted: boolean;
    overdue: boolean;
    pendingInventories: number;
    applications: number;
    reminders: { due: boolean }[];
  }[];
  const oct = rows.find((r) => r.period === '2026-10')!;
  const nov = rows.find((r) => r.period === '2026-11')!;
  assert.deepEqual([oct.submitted, oct.overdue, oct.applications, oct.reminders.length], [true, false, 1, 0]);
  assert.deepEqual([nov.submitted, nov.overdue, nov.pendingInventories, nov.applications], [false, true, 1, 1]);
  assert.ok(nov.reminders.every((r) => r.due));
  for (const r of rows) assert.ok(!(r.submitted && r.overdue), `${r.period}: not submitted and overdue at once`);
  // past the deadline the daily run sends nothing more for November
  assert.deepEqual(await run('2026-12-16T03:00:00Z'), []);
});
