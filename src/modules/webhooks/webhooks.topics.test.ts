import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { closeParcels } from '../../../test/support/clearance.ts';
import { makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { newId } from '../../kernel/ids.ts';
import { receiptFeed } from '../clearance/index.ts';
import { summaryReminderFeed } from '../summary/index.ts';
import { createWebhookService, verifyWebhookSignature, type Delivery, type Subscription } from './index.ts';

// The platform as the composition root wires it (WEBHOOK_ALLOW_PRIVATE=1: receivers on 127.0.0.1),
// its own webhook dispatcher and reminder job. Three parcels close on 20 October 2026 (China
// time); October is due on Monday 16 November: reminders on 9 (7 days before) and 13 November.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
const REMINDER = 'summary.deadline_reminder';
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let orgId = '';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  status: number;
}
interface Body {
  subscriptionId: string;
  deliveryId: string;
  topic: string;
  items: { id: number; seq: number; type: string; orgId: string; period: string; daysBefore: number; reminderOn: string }[];
}
const bodyOf = (g: Received) => JSON.parse(g.raw) as Body;
/** every receiver started, closed after the tests (a failed assertion leaves none listening) */
const servers = new Set<http.Server>();

/** A receiver on 127.0.0.1 answering each request with `respond(n)` (n counts from 1). */
async function receiver(respond: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = respond(got.length + 1);
      got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end(status === 200 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.add(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    delivered: () => got.filter((g) => g.status === 200),
    close: () =>
      new Promise<void>((r) => {
        servers.delete(server);
        server.close(() => r());
      }),
  };
}

async function call<T = unknown>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens.seller}` },
    ...(payload ? { payload } : {}),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as T };
}

/** The daily reminder run at `at`, then the platform's dispatcher until nothing is due. */
async function remindAndDeliver(at: string) {
  clock.set(new Date(at));
  const sent = await tp.platform.summaryReminders.runOnce();
  await tp.platform.settle();
  // the reminder run kicked the dispatcher (onNew); these passes wait for it and, the clock
  // past the back-off (5 s after a first failure), retry what failed
  for (let i = 0; i < 3; i++) {
    await tp.platform.webhooks.runOnce();
    clock.advance(6_000);
  }
  tokens.seller = await login(tp.platform, 'seller'); // the clock moved on: a fresh session
  return sent;
}

async function cursorsOf(id: string): Promise<Record<string, number>> {
  const r = await sql<{ topic: string; cursor: number }>`
    select topic, cursor from whk_cursor where subscription_id = ${id}`.execute(tp.platform.database.db);
  return Object.fromEntries(r.rows.map((x) => [x.topic, Number(x.cursor)]));
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  await closeParcels(
    tp,
    tokens,
    Array.from({ length: 3 }, (_, i) => makeParcel(i + 1, 'H')),
    1,
    'H',
  );
  const seller = await sql<{ id: string }>`select id from organisation where customs_code = '3601260888'`.execute(
    tp.platform.database.db,
  );
  orgId = seller.rows[0]!.id;
});

after(async () => {
  for (const s of servers) s.close();
  await tp.stop();
});

test('unknown or repeated topics are refused, naming the field and rule; nothing is stored', async () => {
  tokens.seller = await login(tp.platform, 'seller');
  const rx = await receiver();
  const count = async () =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from whk_subscription`.execute(tp.platform.database.db)).rows[0]!.n,
    );
  const before = await count();
  for (const [topics, rule] of [
    [['receipts', 'tracking'], 'enum'],
    [[], 'minItems'],
    [['receipts', 'receipts'], 'uniqueItems'],
  ] as const) {
    const r = await call<{ code: string; detailZh: string; detailEn: string; errors: { field: string; rule: string }[] }>(
      'POST',
      '/api/v1/webhooks',
      { url: rx.url, topics },
    );
    assert.equal(r.status, 400, JSON.stringify(topics));
    assert.equal(r.body.code, 'validation');
    assert.ok(
      r.body.errors.some((e) => e.field.startsWith('body.topics') && e.rule === rule),
      JSON.stringify(r.body.errors),
    );
    assert.match(r.body.detailZh, /topics/);
    assert.match(r.body.detailEn, /topics/);
  }
  // The service refuses them too (callers other than the route), bilingual, Chinese first.
  const { database, clock: c, audit, auth } = tp.platform;
  const end = async () => 0;
  const service = createWebhookService({
    db: database.db,
    clock: c,
    audit,
    feeds: { receipts: { end }, [REMINDER]: { end } },
    allowPrivate: true,
  });
  const p = await auth.authenticate(tokens.seller);
  await assert.rejects(
    service.create(p, { url: rx.url, topics: ['tracking' as 'receipts'] }),
    (e: { code?: string; bilingual?: { zh: string; en: string }; details?: { errors?: { field: string; rule: string }[] } }) => {
      assert.equal(e.code, 'webhooks.validation');
      assert.deepEqual(
        e.details?.errors?.map((x) => [x.field, x.rule]),
        [['topics', 'enum']],
      );
      assert.match(e.bilingual!.zh, /^Webhook 主题不可用：未知主题 tracking/);
      assert.match(e.bilingual!.en, /unknown topic tracking \(one of: receipts, summary\.deadline_reminder\)/);
      return true;
    },
  );
  assert.equal(await count(), before, 'no subscription stored');
  const none = await sql<{ n: number }>`select count(*)::int as n from whk_cursor`.execute(tp.platform.database.db);
  assert.equal(none.rows[0]!.n, 0, 'no cursor stored');
  await rx.close();
});

test('a summary.deadline_reminder subscription gets the reminder the daily run sends; a receipts-only one does not', async () => {
  // 9 November: the first reminder, sent before any subscription exists
  const first = await remindAndDeliver('2026-11-09T01:00:00Z');
  assert.equal(first.length, 1);
  assert.equal(first[0]!.orgId, orgId);
  const firstSeq = first[0]!.seq;
  assert.equal(await summaryReminderFeed(tp.platform.database.db).end(orgId), firstSeq);

  // Receivers: reminders only (refuses its first delivery), receipts only, both, reminders from 0.
  const rxReminders = await receiver((n) => (n === 1 ? 500 : 200));
  const rxReceipts = await receiver();
  const rxBoth = await receiver();
  const rxHistory = await receiver();
  const create = async (url: string, extra: object) => {
    const r = await call<Subscription & { secret: string }>('POST', '/api/v1/webhooks', { url, ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const receiptsEnd = await receiptFeed(tp.platform.database.db).end(orgId);
  const subReminders = await create(rxReminders.url, { topics: [REMINDER] });
  const subReceipts = await create(rxReceipts.url, {});
  const subBoth = await create(rxBoth.url, { topics: [REMINDER, 'receipts'] });
  const subHistory = await create(rxHistory.url, { topics: [REMINDER], from: 0 });

  // Each topic starts at the end of its own feed (or at `from`), stored one cursor per topic.
  assert.deepEqual(subReminders.topics, [REMINDER]);
  assert.deepEqual(subReminders.cursors, [{ topic: REMINDER, cursor: firstSeq }]);
  assert.equal(subReminders.cursor, null, 'no receipts topic');
  assert.deepEqual(subReceipts.topics, ['receipts'], 'receipts by default');
  assert.deepEqual(await cursorsOf(subReminders.id), { [REMINDER]: firstSeq });
  assert.deepEqual(await cursorsOf(subReceipts.id), { receipts: receiptsEnd });
  assert.deepEqual(subBoth.topics, ['receipts', REMINDER], 'in WEBHOOK_TOPICS order');
  assert.deepEqual(await cursorsOf(subBoth.id), { receipts: receiptsEnd, [REMINDER]: firstSeq });
  assert.deepEqual(await cursorsOf(subHistory.id), { [REMINDER]: 0 });

  // 14 November: the 3-day reminder of the 13th
  const second = await remindAndDeliver('2026-11-14T01:00:00Z');
  assert.equal(second.length, 1);
  const secondSeq = second[0]!.seq;
  assert.ok(secondSeq > firstSeq);

  // reminders only: refused once, then delivered again (same topic and id: the receiver dedupes)
  assert.deepEqual(
    rxReminders.got.map((g) => g.status),
    [500, 200],
  );
  for (const g of rxReminders.got) {
    const body = bodyOf(g);
    assert.equal(body.subscriptionId, subReminders.id);
    assert.equal(body.topic, REMINDER);
    assert.equal(g.headers['x-cbec-topic'], REMINDER);
    assert.equal(g.headers['x-cbec-delivery'], body.deliveryId);
    assert.equal(verifyWebhookSignature(subReminders.secret, g.headers['x-cbec-signature'], g.raw, 300), true);
    assert.equal(verifyWebhookSignature(subReceipts.secret, g.headers['x-cbec-signature'], g.raw, 300), false);
    assert.deepEqual(
      body.items.map((i) => [i.id, i.seq, i.type, i.orgId, i.period, i.reminderOn, i.daysBefore]),
      [[secondSeq, secondSeq, REMINDER, orgId, '2026-10', '2026-11-13', 3]],
      'only the reminder sent after the subscription started',
    );
  }
  assert.notEqual(bodyOf(rxReminders.got[0]!).deliveryId, bodyOf(rxReminders.got[1]!).deliveryId);
  assert.deepEqual(await cursorsOf(subReminders.id), { [REMINDER]: secondSeq });
  const read = (await call<Subscription>('GET', `/api/v1/webhooks/${subReminders.id}`)).body;
  assert.deepEqual(read.cursors, [{ topic: REMINDER, cursor: secondSeq }]);
  assert.equal(read.consecutiveFailures, 0);
  const log = (await call<{ items: Delivery[] }>('GET', `/api/v1/webhooks/${subReminders.id}/deliveries`)).body.items;
  assert.deepEqual(
    log.map((d) => [d.topic, d.ok, d.statusCode, d.firstSeq, d.lastSeq, d.itemCount]),
    [
      [REMINDER, true, 200, secondSeq, secondSeq, 1],
      [REMINDER, false, 500, secondSeq, secondSeq, 1],
    ],
  );

  // receipts only: nothing posted, its cursor where it started
  assert.equal(rxReceipts.got.length, 0, 'a receipts-only subscription does not get reminders');
  assert.deepEqual(await cursorsOf(subReceipts.id), { receipts: receiptsEnd });

  // both topics: the reminder, as a summary.deadline_reminder delivery; no receipts came meanwhile
  assert.deepEqual(
    rxBoth.got.map((g) => [g.headers['x-cbec-topic'], bodyOf(g).topic, bodyOf(g).items.map((i) => i.id)]),
    [[REMINDER, REMINDER, [secondSeq]]],
  );
  assert.deepEqual(await cursorsOf(subBoth.id), { receipts: receiptsEnd, [REMINDER]: secondSeq });

  // from 0: both reminders, in feed order
  assert.deepEqual(
    rxHistory.delivered().flatMap((g) => bodyOf(g).items.map((i) => i.seq)),
    [firstSeq, secondSeq],
  );

  // More passes deliver nothing again: each cursor moved past what was acknowledged.
  const posted = [rxReminders, rxReceipts, rxBoth, rxHistory].map((r) => r.got.length);
  for (let i = 0; i < 3; i++) {
    clock.advance(6_000);
    await tp.platform.webhooks.runOnce();
  }
  assert.deepEqual(
    [rxReminders, rxReceipts, rxBoth, rxHistory].map((r) => r.got.length),
    posted,
  );

  // Deleting a subscription takes its cursors with it.
  for (const s of [subReminders, subReceipts, subBoth, subHistory]) {
    assert.equal((await call('DELETE', `/api/v1/webhooks/${s.id}`)).status, 204);
    assert.deepEqual(await cursorsOf(s.id), {});
  }
  for (const r of [rxReminders, rxReceipts, rxBoth, rxHistory]) await r.close();
});

test('PATCH changes topics, URL and activity: an added topic starts at its feed’s end, a removed one forgets its cursor; foreign ids 404; refused input stores nothing', async () => {
  const db = tp.platform.database.db;
  for (const u of ['platform', 'seller', 'customs']) tokens[u] = await login(tp.platform, u);
  const as = async <T = unknown>(user: string, method: 'PATCH' | 'POST', url: string, payload?: object) => {
    const res = await tp.platform.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as T };
  };
  type Problem = { code: string; detailZh: string; detailEn: string; errors: { field: string; rule: string }[] };
  const stored = async (id: string) => {
    const r = await sql<{ topics: string[]; url: string; status: string }>`
      select topics, url, status from whk_subscription where id = ${id}`.execute(db);
    return r.rows[0]!;
  };
  // The platform: the receipts of the orders it sent are its feed's history.
  const platformOrg = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.platform.code}`.execute(db)
  ).rows[0]!.id;
  const receiptsEnd = await receiptFeed(db).end(platformOrg);
  assert.ok(receiptsEnd > 0, 'the platform has receipts already');
  const rx = await receiver();
  const created = await as<Subscription>('platform', 'POST', '/api/v1/webhooks', { url: rx.url, topics: [REMINDER] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  // where the kept topic stands: a PATCH must leave it there
  await sql`update whk_cursor set cursor = 7 where subscription_id = ${id}`.execute(db);
  const path = `/api/v1/webhooks/${id}`;

  // Another organisation's subscription, or none, answers 404; an officer without the permission 403.
  assert.equal((await as('seller', 'PATCH', path, { topics: ['receipts'] })).status, 404);
  assert.equal((await as('platform', 'PATCH', `/api/v1/webhooks/${newId()}`, { topics: ['receipts'] })).status, 404);
  assert.equal((await as('customs', 'PATCH', path, { topics: ['receipts'] })).status, 403);
  // Refused input names the field and the rule, in both languages; nothing changes.
  for (const [body, field, rule] of [
    [{ topics: ['receipts', 'tracking'] }, 'body.topics', 'enum'],
    [{ topics: [] }, 'body.topics', 'minItems'],
    [{ topics: ['receipts', 'receipts'] }, 'body.topics', 'uniqueItems'],
    [{}, 'body', 'minProperties'],
    [{ active: 'yes' }, 'body.active', 'type'],
    [{ url: 'ftp://example.com/hook' }, 'url', 'protocol'],
  ] as const) {
    const r = await as<Problem>('platform', 'PATCH', path, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(
      r.body.errors.some((e) => e.field.startsWith(field) && e.rule === rule),
      `${JSON.stringify(body)}: ${JSON.stringify(r.body.errors)}`,
    );
    assert.ok(r.body.detailZh && r.body.detailEn);
  }
  assert.deepEqual(await stored(id), { topics: [REMINDER], url: rx.url, status: 'active' });
  assert.deepEqual(await cursorsOf(id), { [REMINDER]: 7 });

  // Receipts added: they start at the end of the feed (the platform's receipts so far are not
  // replayed); the reminders keep their cursor.
  const added = await as<Subscription>('platform', 'PATCH', path, { topics: [REMINDER, 'receipts'] });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.deepEqual(added.body.topics, ['receipts', REMINDER]);
  assert.deepEqual(added.body.cursors, [
    { topic: 'receipts', cursor: receiptsEnd },
    { topic: REMINDER, cursor: 7 },
  ]);
  assert.deepEqual(await stored(id), { topics: ['receipts', REMINDER], url: rx.url, status: 'active' });
  assert.deepEqual(await cursorsOf(id), { receipts: receiptsEnd, [REMINDER]: 7 });
  for (let i = 0; i < 3; i++) {
    await tp.platform.webhooks.runOnce();
    clock.advance(6_000);
  }
  assert.equal(rx.got.length, 0, 'no receipt history delivered');
  assert.deepEqual(await cursorsOf(id), { receipts: receiptsEnd, [REMINDER]: 7 });

  // Reminders removed: their cursor goes (added again later, they would start at the end again).
  tokens.platform = await login(tp.platform, 'platform');
  assert.equal((await as('platform', 'PATCH', path, { topics: ['receipts'] })).status, 200);
  assert.deepEqual(await cursorsOf(id), { receipts: receiptsEnd });
  assert.deepEqual((await stored(id)).topics, ['receipts']);

  // Paused, then resumed at another receiver.
  assert.equal((await as('platform', 'PATCH', path, { active: false })).status, 200);
  assert.equal((await stored(id)).status, 'paused');
  const rx2 = await receiver();
  const moved = await as<Subscription>('platform', 'PATCH', path, { active: true, url: rx2.url });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.deepEqual([moved.body.status, moved.body.url], ['active', rx2.url]);
  assert.deepEqual(await stored(id), { topics: ['receipts'], url: rx2.url, status: 'active' });

  await tp.platform.audit.flush(db);
  const audit = await sql<{ n: number; by: boolean }>`
    select count(*)::int as n, bool_and(actor_user_id is not null) as by from audit_log
    where action = 'webhook.update' and entity_id = ${id}`.execute(db);
  assert.deepEqual([audit.rows[0]!.n, audit.rows[0]!.by], [4, true], 'each change audited, refused ones not');

  // The service refuses an unknown topic itself (callers other than the route), Chinese first.
  const end = async () => 0;
  const service = createWebhookService({
    db,
    clock,
    audit: tp.platform.audit,
    feeds: { receipts: { end }, [REMINDER]: { end } },
    allowPrivate: true,
  });
  const p = await tp.platform.auth.authenticate(tokens.platform);
  await assert.rejects(
    service.update(p, id, { topics: ['tracking' as 'receipts'] }),
    (e: { code?: string; bilingual?: { zh: string; en: string }; details?: { errors?: { field: string; rule: string }[] } }) => {
      assert.equal(e.code, 'webhooks.validation');
      assert.deepEqual(
        e.details?.errors?.map((x) => [x.field, x.rule]),
        [['topics', 'enum']],
      );
      assert.match(e.bilingual!.zh, /^Webhook 主题不可用：未知主题 tracking/);
      return true;
    },
  );
  assert.deepEqual((await stored(id)).topics, ['receipts']);
  assert.equal((await as('platform', 'POST', `${path}/pause`)).status, 200);
  await rx.close();
  await rx2.close();
});
