import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { decodeCeb } from '../../ceb/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { submitOk } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';

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
