import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { decodeCeb } from '../../ceb/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { submitOk } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { OutboxEvent } from '../../kernel/outbox.ts';
import { cebForwarder } from './ceb.forwarder.ts';

let tp: TestPlatform;
let server: http.Server;
const received: { type: string; xml: string }[] = [];
// The batch attempt and the one-event retry that isolates a poison event both fail.
let failuresLeft = 2;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failuresLeft-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ type: String(req.headers['x-ceb-message-type']), xml: body });
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ceb`;
  tp = await startTestPlatform({ listen: false, env: { CEB_FORWARD_URL: url } });
});
after(async () => {
  await tp.stop();
  server.close();
});

test('accepted documents are forwarded as standard CEB XML, retried when the receiver fails', async (ctx) => {
  const token = await login(tp.platform, 'platform');
  const parcels = [1, 2, 3].map((n) => makeParcel(n, 'F'));
  await submitOk(
    tp,
    token,
    message(
      'CEB303',
      guidOf(3032, 1),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
  );
  await tp.platform.settle();
  assert.equal(received.length, 0, 'the first attempt failed (503)');
  const dueLater = await sql<{
    n: number;
  }>`select count(*)::int as n from outbox_delivery where handler = 'clearance.forward' and attempts = 1`.execute(
    tp.platform.database.db,
  );
  assert.equal(dueLater.rows[0]!.n, 1, 'the batch waits for its retry');
  await sql`update outbox_delivery set next_attempt_at = now() where handler = 'clearance.forward'`.execute(
    tp.platform.database.db,
  );
  await tp.platform.settle();
  assert.equal(received.length, 1);
  assert.equal(received[0]!.type, 'CEB303');
  const decoded = decodeCeb(received[0]!.xml).message;
  assert.deepEqual(
    decoded.entities.map((e) => e.head.orderNo),
    parcels.map((p) => p.orderNo),
  );
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid([{ name: 'forwarded-CEB303', xml: received[0]!.xml }]);
});

test('a deletion (appType 3) is forwarded too: the deletion itself, under its own guid', async (ctx) => {
  const token = await login(tp.platform, 'broker');
  const p = makeParcel(4, 'F');
  await submitOk(tp, token, message('CEB603', guidOf(6032, 1), PARTIES.broker, [p.inventory]));
  await tp.platform.settle();
  const deletion = { ...p.inventory, head: { ...p.inventory.head, appType: '3', guid: guidOf(6033, 1) } };
  const out = await submitOk(tp, token, message('CEB603', guidOf(6032, 2), PARTIES.broker, [deletion]));
  assert.equal(out.entities[0]!.accepted, true);
  await tp.platform.settle();
  const sent = received.filter((r) => r.type === 'CEB603').map((r) => decodeCeb(r.xml).message.entities.map((e) => e.head));
  assert.deepEqual(
    sent.map((heads) => heads.map((h) => `${h.orderNo}:${h.appType}:${h.guid}`)),
    [[`${p.orderNo}:1:${p.inventory.head.guid}`], [`${p.orderNo}:3:${guidOf(6033, 1)}`]],
  );
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid([{ name: 'forwarded-CEB603-deletion', xml: received[received.length - 1]!.xml }]);
});

const copCodeOf = (xml: string): string | undefined => decodeCeb(xml).message.baseTransfer?.copCode;

test('each message goes out under its sender’s code: a seller’s own CEB303 under the seller, not the platform', async () => {
  const seller = await login(tp.platform, 'seller');
  const p = makeParcel(5, 'F');
  const out = await submitOk(tp, seller, message('CEB303', guidOf(3032, 5), PARTIES.seller, [p.order]));
  assert.equal(out.entities[0]!.accepted, true, JSON.stringify(out));
  await tp.platform.settle();
  const sent = received.find((r) => r.type === 'CEB303' && decodeCeb(r.xml).message.entities[0]!.head.orderNo === p.orderNo);
  assert.ok(sent, 'forwarded');
  assert.equal(p.order.head.ebpCode, PARTIES.platform.code, 'the head names the platform first');
  assert.equal(copCodeOf(sent.xml), PARTIES.seller.code);

  // The document's XML as the API renders it names the same sender.
  const xml = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/clearance/documents/${out.entities[0]!.documentId}/xml`,
    headers: { authorization: `Bearer ${seller}` },
  });
  assert.equal(xml.statusCode, 200, xml.body);
  assert.equal(copCodeOf(xml.body), PARTIES.seller.code);
  const platform = await login(tp.platform, 'platform');
  const own = await submitOk(tp, platform, message('CEB303', guidOf(3032, 6), PARTIES.platform, [makeParcel(6, 'F').order]));
  const platformXml = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/clearance/documents/${own.entities[0]!.documentId}/xml`,
    headers: { authorization: `Bearer ${platform}` },
  });
  assert.equal(copCodeOf(platformXml.body), PARTIES.platform.code);
  await tp.platform.settle();
});

test('one batch mixing senders: one message per sender, read without waiting on row locks', async () => {
  const seller = await login(tp.platform, 'seller');
  const platform = await login(tp.platform, 'platform');
  const [a, b, c] = [7, 8, 9].map((n) => makeParcel(n, 'F'));
  const byPlatform = await submitOk(tp, platform, message('CEB303', guidOf(3032, 7), PARTIES.platform, [a!.order, b!.order]));
  const bySeller = await submitOk(tp, seller, message('CEB303', guidOf(3032, 8), PARTIES.seller, [c!.order]));
  await tp.platform.settle();
  const ids = [...bySeller.entities, ...byPlatform.entities].map((e) => e.documentId!);

  const posts: { type: string; xml: string }[] = [];
  const forwarder = cebForwarder({
    url: 'http://relay.invalid/ceb',
    log: { debug: () => undefined } as unknown as Logger,
    dxpId: 'DXPTEST0000001',
    newGuid: () => randomUUID().toUpperCase(),
    fetch: (async (_url: string, init: { headers: Record<string, string>; body: string }) => {
      posts.push({ type: init.headers['x-ceb-message-type']!, xml: init.body });
      return new Response('OK');
    }) as unknown as typeof fetch,
  });
  const events: OutboxEvent[] = [
    { id: 1, topic: 'clearance.received', key: null, payload: { ids }, createdAt: new Date(), attempts: 0 },
  ];
  const db = tp.platform.database.db;
  // Another transaction holds the documents (as the pipeline does while deciding): the adapter
  // reads them anyway, and its POSTs never make that transaction wait.
  await db.transaction().execute(async (trx) => {
    await sql`select id from clr_document where id = any(${ids}::uuid[]) for update`.execute(trx);
    const handled = forwarder.handle(events, db).then(() => 'done');
    const timeout = new Promise((r) => setTimeout(() => r('blocked'), 5_000));
    assert.equal(await Promise.race([handled, timeout]), 'done');
  });
  const sent = posts
    .map((x) => {
      const m = decodeCeb(x.xml).message;
      return { type: x.type, copCode: m.baseTransfer?.copCode, orderNos: m.entities.map((e) => e.head.orderNo).sort() };
    })
    .sort((x, y) => String(x.copCode).localeCompare(String(y.copCode)));
  assert.deepEqual(
    sent,
    [
      { type: 'CEB303', copCode: PARTIES.seller.code, orderNos: [c!.orderNo] },
      { type: 'CEB303', copCode: PARTIES.platform.code, orderNos: [a!.orderNo, b!.orderNo].sort() },
    ].sort((x, y) => x.copCode.localeCompare(y.copCode)),
  );
  if (xmllintMissing()) return;
  assertXsdValid(posts.map((x, i) => ({ name: `forwarded-mixed-${i}`, xml: x.xml })));
});
