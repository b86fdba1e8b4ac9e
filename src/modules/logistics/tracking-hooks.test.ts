import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { verifyWebhookSignature } from '../webhooks/index.ts';
import { createTrackingHookDispatcher } from './tracking-hooks.dispatcher.ts';

// The real platform and a real HTTP receiver on loopback (WEBHOOK_ALLOW_PRIVATE=1).
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
let server: http.Server;
let receiverUrl = '';
/** status codes the receiver answers with, in turn; 200 once they run out */
const answers: number[] = [];
const received: { url: string; body: string; signature: string | undefined; topic: string | undefined }[] = [];
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });
const dispatcher = () =>
  createTrackingHookDispatcher({ db: tp.platform.database.db, log: tp.platform.log, clock, allowPrivate: true });
type Body = { deliveryId: string; items: { id: string; logisticsNo: string; code: string }[] };

before(async () => {
  tp = await startTestPlatform({ clock, listen: false, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200)
        received.push({
          url: req.url ?? '',
          body,
          signature: req.headers['x-cbec-signature'] as string | undefined,
          topic: req.headers['x-cbec-topic'] as string | undefined,
        });
      res.writeHead(status).end(status === 200 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(async () => {
  await new Promise((r) => server?.close(r));
  await tp?.stop();
});

test('tracking events go out signed to the carrier and to the seller named on the customs documents', async () => {
  const parcel = makeParcel(1, 'H');
  for (const [type, entity] of [
    ['CEB303', parcel.order],
    ['CEB403', parcel.payment],
    ['CEB505', parcel.waybill],
    ['CEB603', parcel.inventory],
  ] as const)
    await submitOk(
      tp,
      await tokenOf(SENDER_USER[type]!),
      message(type, guidOf(Number(type.slice(3)) * 10 + 7, 7), PARTIES[SENDER_USER[type] as keyof typeof PARTIES], [entity]),
    );
  await tp.platform.settle();

  const carrierHook = await call('carrier', { method: 'POST', url: '/api/v1/logistics/webhooks', payload: { url: receiverUrl } });
  assert.equal(carrierHook.statusCode, 201, carrierHook.body);
  const { secret, id } = carrierHook.json() as { secret: string; id: string };
  assert.match(secret, /^whsec_/);
  const sellerHook = await call('seller', {
    method: 'POST',
    url: '/api/v1/logistics/webhooks',
    payload: { url: `${receiverUrl}?seller` },
  });
  assert.equal(sellerHook.statusCode, 201, sellerHook.body);
  const strangerHook = await call('seller2', {
    method: 'POST',
    url: '/api/v1/logistics/webhooks',
    payload: { url: `${receiverUrl}?stranger` },
  });
  assert.equal(strangerHook.statusCode, 201);

  // the first attempt finds the receivers down: nothing is lost, the batches wait and retry in order
  answers.push(500, 500);
  const events = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: { events: [{ logisticsNo: parcel.logisticsNo, code: 'accepted', at: '2026-11-26T08:00:00Z' }] },
  });
  assert.equal((events.json() as { stored: number }).stored, 1, events.body);
  await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: { events: [{ logisticsNo: parcel.logisticsNo, code: 'departed_origin', at: '2026-11-26T08:30:00Z' }] },
  });
  assert.equal(await dispatcher().runOnce(), 2, 'one failed attempt per hook; the later batches wait behind them');
  assert.equal(received.length, 0);
  const listed = await call('carrier', { method: 'GET', url: '/api/v1/logistics/webhooks' });
  const mine = (listed.json() as { id: string; pending: number; lastError: string | null }[]).find((h) => h.id === id)!;
  assert.equal(mine.pending, 2);
  assert.match(mine.lastError ?? '', /HTTP 500/);
  assert.equal(await dispatcher().runOnce(), 0, 'not due before the retry delay');

  clock.set(new Date('2026-11-26T09:01:00Z'));
  assert.equal(await dispatcher().runOnce(), 4);
  const to = (url: string) => received.filter((r) => r.url === url);
  const codesOf = (url: string) =>
    to(url).map((r) => (JSON.parse(r.body) as Body).items.map((i) => `${i.logisticsNo}:${i.code}`));
  const expected = [[`${parcel.logisticsNo}:accepted`], [`${parcel.logisticsNo}:departed_origin`]];
  assert.deepEqual(codesOf('/hook'), expected, 'the carrier, in order');
  assert.deepEqual(codesOf('/hook?seller'), expected, 'the seller on the inventory, in order');
  assert.deepEqual(codesOf('/hook?stranger'), [], 'no one else');
  const sellerSecret = (sellerHook.json() as { secret: string }).secret;
  for (const r of to('/hook')) {
    assert.equal(r.topic, 'tracking');
    assert.ok(verifyWebhookSignature(secret, r.signature, r.body, 300), 'signed with the carrier hook secret');
    assert.ok(!verifyWebhookSignature(sellerSecret, r.signature, r.body, 300));
  }
  for (const r of to('/hook?seller')) assert.ok(verifyWebhookSignature(sellerSecret, r.signature, r.body, 300));
  const after = await call('carrier', { method: 'GET', url: '/api/v1/logistics/webhooks' });
  assert.equal((after.json() as { id: string; pending: number }[]).find((h) => h.id === id)!.pending, 0);

  // a foreign hook id answers 404; the owner removes it
  assert.equal((await call('seller2', { method: 'DELETE', url: `/api/v1/logistics/webhooks/${id}` })).statusCode, 404);
  assert.equal((await call('carrier', { method: 'DELETE', url: `/api/v1/logistics/webhooks/${id}` })).statusCode, 204);
});

test('a batch still failing 72 hours after it was queued is given up on with the older ones; the hook is flagged until a delivery', async () => {
  const db = tp.platform.database.db;
  clock.set(new Date('2026-11-27T00:00:00Z'));
  tokens.clear(); // sessions idle out as the clock jumps
  // nothing listens on port 9: every attempt fails
  const dead = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/webhooks',
    payload: { url: 'http://127.0.0.1:9/dead' },
  });
  assert.equal(dead.statusCode, 201, dead.body);
  const hookId = (dead.json() as { id: string }).id;
  const scan = async (code: string, at: string) => {
    const res = await call('carrier', {
      method: 'POST',
      url: '/api/v1/logistics/events',
      payload: { events: [{ logisticsNo: 'HDEAD0001', code, at }] },
    });
    assert.equal((res.json() as { stored: number }).stored, 1, res.body);
  };
  await scan('accepted', '2026-11-26T23:00:00Z');
  await dispatcher().runOnce();
  await scan('in_transit', '2026-11-26T23:30:00Z');
  const state = async () =>
    (
      await sql<{ code: string; attempts: number; failed: boolean; delivered: boolean }>`
        select items->0->>'code' as code, attempts, failed_at is not null as failed, delivered_at is not null as delivered
          from lgx_hook_delivery where hook_id = ${hookId} order by created_at, items->0->>'at'`.execute(db)
    ).rows.map((r) => `${r.code}:${r.attempts}:${r.failed ? 'failed' : r.delivered ? 'delivered' : 'waiting'}`);
  const flag = async () =>
    (await sql<{ f: Date | null }>`select failing_since as f from lgx_hook where id = ${hookId}`.execute(db)).rows[0]!.f;
  assert.deepEqual(await state(), ['accepted:1:waiting', 'in_transit:0:waiting']);

  // 71 hours on: still retried, not given up
  clock.set(new Date('2026-11-29T23:00:00Z'));
  tokens.clear();
  await dispatcher().runOnce();
  assert.deepEqual(await state(), ['accepted:2:waiting', 'in_transit:0:waiting']);
  assert.equal(await flag(), null);

  // 73 hours on: the failing batch and the one behind it (as old) are given up; the hook is flagged
  clock.set(new Date('2026-11-30T01:00:00Z'));
  tokens.clear();
  await dispatcher().runOnce();
  assert.deepEqual(await state(), ['accepted:3:failed', 'in_transit:0:failed']);
  assert.equal((await flag())?.toISOString(), '2026-11-30T01:00:00.000Z');
  const listed = (await call('carrier', { method: 'GET', url: '/api/v1/logistics/webhooks' })).json() as {
    id: string;
    pending: number;
    failed: number;
    failingSince: string | null;
  }[];
  assert.deepEqual(
    listed.filter((h) => h.id === hookId).map((h) => [h.pending, h.failed, h.failingSince]),
    [[0, 2, '2026-11-30T01:00:00.000Z']],
  );
  assert.equal(await dispatcher().runOnce(), 0, 'given-up batches are not attempted again');

  // a new batch is not held back by the given-up ones; once the receiver answers, the flag clears
  await scan('arrived_destination', '2026-11-30T00:30:00Z');
  await sql`update lgx_hook set url = ${`${receiverUrl}?back`} where id = ${hookId}`.execute(db);
  const before = received.length;
  assert.equal(await dispatcher().runOnce(), 1);
  assert.deepEqual(await state(), ['accepted:3:failed', 'in_transit:0:failed', 'arrived_destination:1:delivered']);
  assert.equal(await flag(), null);
  assert.deepEqual(
    received.slice(before).map((r) => (JSON.parse(r.body) as Body).items.map((i) => i.code)),
    [['arrived_destination']],
  );
});

test('a private receiver is refused without WEBHOOK_ALLOW_PRIVATE, and nothing is stored', async () => {
  const strict = await startTestPlatform({ clock, listen: false });
  try {
    const token = await login(strict.platform, 'carrier');
    const res = await strict.platform.app.inject({
      method: 'POST',
      url: '/api/v1/logistics/webhooks',
      payload: { url: 'http://127.0.0.1:9/hook' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 400, res.body);
    const list = await strict.platform.app.inject({
      method: 'GET',
      url: '/api/v1/logistics/webhooks',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.deepEqual(list.json(), []);
  } finally {
    await strict.stop();
  }
});
