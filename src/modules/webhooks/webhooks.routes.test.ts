import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { submitOk } from '../../../test/support/clearance.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { receiptFeed } from '../clearance/index.ts';
import { summaryReminderFeed } from '../summary/index.ts';
import { buildApp } from '../../server/app.ts';
import { newId } from '../../kernel/ids.ts';
import { createWebhookRepository, DELIVERY_LOG_KEEP } from './webhooks.repository.ts';
import {
  createWebhookDispatcher,
  createWebhookService,
  registerWebhookRoutes,
  verifyWebhookSignature,
  type Delivery,
  type Subscription,
  type WebhookDispatcher,
  type WebhookFeedPort,
  type WebhookService,
} from './index.ts';

// The platform from the composition root; the webhook routes on their own app (the platform's own
// refuses private receivers) with a fast-retry dispatcher over the real receipt feed.

interface FeedItem {
  id: number;
  seq: number;
  guid: string;
  messageType: string;
  [k: string]: unknown;
}
interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  status: number;
}

let tp: TestPlatform;
let app: FastifyInstance;
let webhooks: WebhookService;
let dispatcher: WebhookDispatcher;
const t: Record<string, string> = {};
const tokenOfOrg = new Map<string, string>();
let run = 0;

/** The caller's own pull feed (GET /api/v1/ceb/receipts): what a webhook must deliver. */
async function feedPage(token: string, after: number, limit: number): Promise<{ items: FeedItem[]; next: number }> {
  const res = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/ceb/receipts?after=${after}&limit=${limit}`,
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

// The real feeds, as the platform wires them.
const feeds: WebhookFeedPort = {
  receipts: {
    page: (orgId, after, limit) => receiptFeed(tp.platform.database.db).page(orgId, after, limit),
    end: (orgId) => receiptFeed(tp.platform.database.db).end(orgId),
    onNew: (listener) => tp.platform.sequencer.onReceipts(listener),
  },
  'summary.deadline_reminder': {
    page: (orgId, after, limit) => summaryReminderFeed(tp.platform.database.db).page(orgId, after, limit),
    end: (orgId) => summaryReminderFeed(tp.platform.database.db).end(orgId),
    onNew: () => () => undefined,
  },
};
const feed = feeds.receipts;

/** A receiver on 127.0.0.1 answering each request with `respond(n)` (n counts from 1). */
async function receiver(respond: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = respond(got.length + 1);
      got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cbec/hook`,
    got,
    delivered: () => got.filter((g) => g.status === 200),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function call<T = unknown>(method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: object) {
  const res = await app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload ? { payload } : {}),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as T };
}

/** Submits `count` orders as the platform and sequences their receipts into the feed. */
async function submitOrders(count: number): Promise<void> {
  run++;
  const orders = Array.from({ length: count }, (_, i) => makeParcel(i + 1, `W${run}`).order);
  await submitOk(tp, t.platform!, message('CEB303', guidOf(9300 + run, 1), PARTIES.platform, orders));
  await tp.platform.settle();
}

/** Runs the dispatcher until `done()` or the deadline. */
async function until(done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for deliveries');
    await dispatcher.runOnce();
    await sleep(30);
  }
}

const bodyOf = (g: Received) =>
  JSON.parse(g.raw) as { subscriptionId: string; deliveryId: string; topic: string; items: FeedItem[] };

before(async () => {
  tp = await startTestPlatform({ listen: false });
  const { database, auth, audit, clock, log, config } = tp.platform;
  for (const u of ['platform', 'seller', 'customs']) t[u] = await login(tp.platform, u);
  for (const u of ['platform', 'seller']) tokenOfOrg.set((await auth.authenticate(t[u]!))!.organisation!.id, t[u]!);
  webhooks = createWebhookService({ db: database.db, clock, audit, feeds, allowPrivate: true });
  dispatcher = createWebhookDispatcher({
    db: database.db,
    log,
    clock,
    feeds,
    allowPrivate: true,
    intervalMs: 50,
    retry: { baseMs: 40, maxMs: 200, maxFailures: 15 },
  });
  app = await buildApp({ config, log, auth, routes: [(a) => registerWebhookRoutes(a, { webhooks })] });
  await app.ready();
});

after(async () => {
  await dispatcher.stop();
  await app.close();
  await tp.stop();
});

test('without WEBHOOK_ALLOW_PRIVATE a loopback or private receiver is refused', async () => {
  const { database, clock, audit, auth } = tp.platform;
  const strict = createWebhookService({ db: database.db, clock, audit, feeds, allowPrivate: false });
  const p = await auth.authenticate(t.platform!);
  for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]/hook', 'http://192.168.1.10/hook']) {
    await assert.rejects(strict.create(p, { url }), (e: { code?: string; details?: { errors?: { rule: string }[] } }) => {
      assert.equal(e.code, 'webhooks.validation', url);
      assert.equal(e.details?.errors?.[0]?.rule, 'privateAddress', url);
      return true;
    });
  }
  // Through the route: the scheme is checked even when private addresses are allowed.
  const r = await call<{ code: string }>('POST', '/api/v1/webhooks', t.platform!, { url: 'ftp://127.0.0.1/x' });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'webhooks.validation');
});

test('receipts reach a receiver in seq order, signed, after two failed attempts; the cursor advances', async () => {
  const rx = await receiver((n) => (n <= 2 ? 500 : 200));
  const before = await feed.end([...tokenOfOrg.entries()].find(([, tok]) => tok === t.platform)![0]);
  const created = await call<Subscription & { secret: string }>('POST', '/api/v1/webhooks', t.platform!, { url: rx.url });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sub = created.body;
  assert.match(sub.secret, /^whsec_/);
  assert.deepEqual(sub.topics, ['receipts']);
  assert.equal(sub.status, 'active');
  assert.equal(sub.cursor, before, 'a new subscription starts at the current end of the feed');
  assert.deepEqual(sub.cursors, [{ topic: 'receipts', cursor: before }]);
  // The secret is shown once: never in a listing or a read.
  const read = await call<Record<string, unknown>>('GET', `/api/v1/webhooks/${sub.id}`, t.platform!);
  assert.equal(read.status, 200);
  assert.equal('secret' in read.body, false);
  const list = await call<{ items: Record<string, unknown>[] }>('GET', '/api/v1/webhooks', t.platform!);
  assert.ok(list.body.items.some((i) => i.id === sub.id && !('secret' in i)));

  await submitOrders(3);
  const expected = (await feedPage(t.platform!, before, 1000)).items;
  assert.ok(expected.length >= 3, 'the orders produced receipts');
  await until(() => rx.delivered().length > 0 && bodyOf(rx.delivered().at(-1)!).items.at(-1)!.seq === expected.at(-1)!.seq);

  assert.deepEqual(
    rx.got.map((g) => g.status),
    [500, 500, 200],
  );
  for (const g of rx.got) {
    assert.equal(g.headers['content-type'], 'application/json');
    assert.equal(verifyWebhookSignature(sub.secret, g.headers['x-cbec-signature'], g.raw, 300), true, 'signature valid');
    assert.equal(verifyWebhookSignature('whsec_wrong', g.headers['x-cbec-signature'], g.raw, 300), false);
    const body = bodyOf(g);
    assert.equal(body.subscriptionId, sub.id);
    assert.equal(g.headers['x-cbec-delivery'], body.deliveryId);
    assert.equal(body.topic, 'receipts');
    assert.equal(g.headers['x-cbec-topic'], 'receipts');
  }
  const deliveredItems = rx.delivered().flatMap((g) => bodyOf(g).items);
  assert.deepEqual(
    deliveredItems.map((i) => i.id),
    expected.map((i) => i.id),
    'every receipt, once acknowledged',
  );
  const seqs = deliveredItems.map((i) => i.seq);
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'in seq order',
  );
  assert.ok(seqs.every((s) => s > before));

  const after = (await call<Subscription>('GET', `/api/v1/webhooks/${sub.id}`, t.platform!)).body;
  assert.equal(after.cursor, expected.at(-1)!.seq, 'cursor at the last delivered seq');
  assert.deepEqual(after.cursors, [{ topic: 'receipts', cursor: expected.at(-1)!.seq }]);
  assert.equal(after.consecutiveFailures, 0);
  assert.equal(after.lastError, null);
  assert.ok(after.lastDeliveredAt);

  const log = (await call<{ items: Delivery[] }>('GET', `/api/v1/webhooks/${sub.id}/deliveries`, t.platform!)).body.items;
  assert.deepEqual(
    log.map((d) => [d.ok, d.statusCode]),
    [
      [true, 200],
      [false, 500],
      [false, 500],
    ],
    'newest first',
  );
  assert.match(log[1]!.error!, /HTTP 500/);
  assert.ok(log.every((d) => d.topic === 'receipts'));
  assert.equal(log[0]!.firstSeq, expected[0]!.seq);
  assert.equal(log[0]!.lastSeq, expected.at(-1)!.seq);
  assert.equal(log[0]!.itemCount, expected.length);
  assert.equal(log[0]!.id, bodyOf(rx.delivered()[0]!).deliveryId);
  assert.ok(log.every((d) => d.durationMs >= 0));

  // Started, the dispatcher is woken by the feed: new receipts arrive without a manual pass.
  dispatcher.start();
  await submitOrders(1);
  const deadline = Date.now() + 10_000;
  while (rx.delivered().length < 2 && Date.now() < deadline) await sleep(20);
  await dispatcher.stop();
  assert.equal(rx.delivered().length, 2, 'woken by onNew / the poll');
  assert.ok(bodyOf(rx.delivered()[1]!).items[0]!.seq > expected.at(-1)!.seq);

  // A rotated secret signs the next delivery; the old one no longer verifies.
  const rotated = await call<Subscription & { secret: string }>('POST', `/api/v1/webhooks/${sub.id}/rotate-secret`, t.platform!);
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.secret, sub.secret);
  await submitOrders(1);
  await until(() => rx.delivered().length === 3);
  const last = rx.delivered()[2]!;
  assert.equal(verifyWebhookSignature(rotated.body.secret, last.headers['x-cbec-signature'], last.raw, 300), true);
  assert.equal(verifyWebhookSignature(sub.secret, last.headers['x-cbec-signature'], last.raw, 300), false);

  // from: 0 asks for the whole history.
  const all = await call<Subscription>('POST', '/api/v1/webhooks', t.platform!, { url: rx.url, from: 0 });
  assert.equal(all.body.cursor, 0);

  for (const id of [sub.id, all.body.id]) assert.equal((await call('DELETE', `/api/v1/webhooks/${id}`, t.platform!)).status, 204);
  assert.equal((await call('GET', `/api/v1/webhooks/${sub.id}`, t.platform!)).status, 404);
  await rx.close();
});

test('a paused or failing subscription delivers nothing until resumed', async () => {
  const { database, clock, log } = tp.platform;
  let accept = false;
  const rx = await receiver(() => (accept ? 200 : 503));
  const paused = await receiver();
  const subFailing = (await call<Subscription>('POST', '/api/v1/webhooks', t.platform!, { url: rx.url })).body;
  const subPaused = (await call<Subscription>('POST', '/api/v1/webhooks', t.platform!, { url: paused.url })).body;
  const p = await call<Subscription>('POST', `/api/v1/webhooks/${subPaused.id}/pause`, t.platform!);
  assert.equal(p.body.status, 'paused');

  // A dispatcher that gives up after 3 failures.
  const strict = createWebhookDispatcher({
    db: database.db,
    log,
    clock,
    feeds,
    allowPrivate: true,
    retry: { baseMs: 10, maxMs: 20, maxFailures: 3 },
  });
  await submitOrders(2);
  const statusOf = async (id: string) => (await call<Subscription>('GET', `/api/v1/webhooks/${id}`, t.platform!)).body;
  const deadline = Date.now() + 10_000;
  while ((await statusOf(subFailing.id)).status !== 'failing' && Date.now() < deadline) {
    await strict.runOnce();
    await sleep(25);
  }
  const failing = await statusOf(subFailing.id);
  assert.equal(failing.status, 'failing');
  assert.equal(failing.consecutiveFailures, 3);
  assert.match(failing.lastError!, /HTTP 503/);
  assert.equal(rx.got.length, 3);

  // More receipts, more passes, time for any back-off: nothing is posted to either.
  await submitOrders(1);
  for (let i = 0; i < 5; i++) {
    await strict.runOnce();
    await sleep(30);
  }
  assert.equal(rx.got.length, 3, 'failing: nothing posted');
  assert.equal(paused.got.length, 0, 'paused: nothing posted');
  assert.equal((await statusOf(subPaused.id)).cursor, subPaused.cursor);

  // Resumed, both catch up: everything since their start, in order.
  accept = true;
  for (const id of [subFailing.id, subPaused.id]) {
    const r = await call<Subscription>('POST', `/api/v1/webhooks/${id}/resume`, t.platform!);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'active');
    assert.equal(r.body.consecutiveFailures, 0);
  }
  const end = (await feedPage(t.platform!, subFailing.cursor!, 1000)).items.at(-1)!.seq;
  await strict.runOnce();
  for (const [sub, got] of [
    [subFailing, rx.delivered()],
    [subPaused, paused.delivered()],
  ] as const) {
    const items = got.flatMap((g) => bodyOf(g).items);
    assert.ok(items.length >= 3);
    assert.equal(items.at(-1)!.seq, end);
    assert.equal((await statusOf(sub.id)).cursor, end);
  }
  await strict.stop();
  for (const id of [subFailing.id, subPaused.id]) await call('DELETE', `/api/v1/webhooks/${id}`, t.platform!);
  await rx.close();
  await paused.close();
});

test("another organisation's subscription is 404; officers may not manage webhooks", async () => {
  const rx = await receiver();
  const mine = (await call<Subscription>('POST', '/api/v1/webhooks', t.platform!, { url: rx.url })).body;
  const other = t.seller!;
  assert.equal((await call('GET', `/api/v1/webhooks/${mine.id}`, other)).status, 404);
  assert.equal((await call('GET', `/api/v1/webhooks/${mine.id}/deliveries`, other)).status, 404);
  assert.equal((await call('POST', `/api/v1/webhooks/${mine.id}/rotate-secret`, other)).status, 404);
  assert.equal((await call('POST', `/api/v1/webhooks/${mine.id}/resume`, other)).status, 404);
  assert.equal((await call('POST', `/api/v1/webhooks/${mine.id}/pause`, other)).status, 404);
  assert.equal((await call('DELETE', `/api/v1/webhooks/${mine.id}`, other)).status, 404);
  const theirs = await call<{ items: Subscription[] }>('GET', '/api/v1/webhooks', other);
  assert.equal(theirs.status, 200);
  assert.equal(
    theirs.body.items.some((s) => s.id === mine.id),
    false,
  );
  assert.equal((await call('GET', '/api/v1/webhooks', t.customs!)).status, 403);
  assert.equal((await call('GET', `/api/v1/webhooks/${mine.id}`)).status, 401);
  // Still there for its owner; every change is in the audit log, never the secret.
  assert.equal((await call('GET', `/api/v1/webhooks/${mine.id}`, t.platform!)).status, 200);
  await tp.platform.audit.flush(tp.platform.database.db);
  const audit = await sql<{ action: string; after: unknown }>`
    select action, after from audit_log where entity = 'webhook_subscription' order by seq`.execute(tp.platform.database.db);
  assert.ok(audit.rows.some((r) => r.action === 'webhook.create'));
  assert.ok(audit.rows.some((r) => r.action === 'webhook.rotate_secret'));
  assert.equal(JSON.stringify(audit.rows).includes('whsec_'), false, 'no secret in the audit log');
  await call('DELETE', `/api/v1/webhooks/${mine.id}`, t.platform!);
  await rx.close();
});

test('the delivery log keeps the newest 1,000 attempts per subscription', async () => {
  const rx = await receiver();
  const sub = (await call<Subscription>('POST', '/api/v1/webhooks', t.platform!, { url: rx.url })).body;
  const repo = createWebhookRepository(tp.platform.database.db);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < DELIVERY_LOG_KEEP + 5; i++) {
    await repo.logDelivery({
      id: newId(),
      subscription_id: sub.id,
      attempted_at: new Date(start + i * 1000),
      topic: 'receipts',
      ok: true,
      status_code: 200,
      first_seq: i,
      last_seq: i,
      item_count: 1,
      duration_ms: 1,
      error: null,
    });
  }
  const kept = await repo.deliveries(sub.id, 5000);
  assert.equal(kept.length, DELIVERY_LOG_KEEP);
  assert.equal(kept[0]!.first_seq, DELIVERY_LOG_KEEP + 4, 'the newest kept');
  assert.equal(kept.at(-1)!.first_seq, 5, 'the oldest five dropped');
  await call('DELETE', `/api/v1/webhooks/${sub.id}`, t.platform!);
  await rx.close();
});
