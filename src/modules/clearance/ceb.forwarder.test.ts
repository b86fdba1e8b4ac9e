import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { decodeCeb } from '../../ceb/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { submitOk } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import { loadConfig } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { OutboxEvent } from '../../kernel/outbox.ts';
import { verifyXml } from '../signature/index.ts';
import { cebForwarder } from './ceb.forwarder.ts';

let tp: TestPlatform;
let server: http.Server;
let baseUrl = '';
const received: { type: string; xml: string }[] = [];
// What a second platform, signing and enveloping (FORWARD_SIGN_* and FORWARD_DXP), posts to /dxp.
const receivedDxp: { type: string; xml: string }[] = [];
// The batch attempt and the one-event retry that isolates a poison event both fail.
let failuresLeft = 2;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/dxp') {
        receivedDxp.push({ type: String(req.headers['x-ceb-message-type']), xml: body });
        res.writeHead(200).end('OK');
        return;
      }
      if (failuresLeft-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ type: String(req.headers['x-ceb-message-type']), xml: body });
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tp = await startTestPlatform({ listen: false, env: { CEB_FORWARD_URL: `${baseUrl}/ceb` } });
});
after(async () => {
  await tp.stop();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Test keys and certificates made with the openssl command line, as signature.test.ts makes its
 * test CA (node:crypto cannot issue certificates): self-signed, RSA (rsa-sha1) or SM2 (sm2-sm3).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'cbec-fwd-'));
const f = (name: string): string => path.join(dir, name);
function keyPair(name: string, sm2: boolean): { key: string; cert: string; keyPem: string; certPem: string } {
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  if (sm2) ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', f(`${name}.key`));
  else ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(`${name}.key`));
  const hash = sm2 ? '-sm3' : '-sha256';
  ossl('req', '-x509', '-new', '-key', f(`${name}.key`), hash, '-subj', `/CN=${name}`, '-days', '30', '-out', f(`${name}.crt`));
  return {
    key: f(`${name}.key`),
    cert: f(`${name}.crt`),
    keyPem: readFileSync(f(`${name}.key`), 'utf8'),
    certPem: readFileSync(f(`${name}.crt`), 'utf8'),
  };
}
const rsa = keyPair('platform-rsa', false);
const sm2 = keyPair('platform-sm2', true);

const DXP_XSD = path.resolve('src/ceb/xsd/dxp-client-envelope.xsd');
const SIGNATURE = /<ds:Signature[\s>][\s\S]*<\/ds:Signature>/;

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

test('without FORWARD_SIGN_* and FORWARD_DXP the body is the CEB message as encoded: no signature, no envelope', () => {
  assert.ok(received.length >= 3, 'the platform forwarded');
  for (const r of received) {
    assert.match(r.xml, new RegExp(`^<\\?xml[^>]*\\?>\\s*<ceb:${r.type}Message `));
    assert.doesNotMatch(r.xml, /xmldsig|Signature|DxpMsg/);
    assert.equal(decodeCeb(r.xml).dxp, undefined);
  }
});

test('FORWARD_SIGN_KEY/CERT and FORWARD_DXP: signed like `cbec sign`, inside a DxpMsg, verified by the platform’s verifier', async (ctx) => {
  const signing = await startTestPlatform({
    listen: false,
    env: {
      CEB_FORWARD_URL: `${baseUrl}/dxp`,
      FORWARD_SIGN_KEY: rsa.key,
      FORWARD_SIGN_CERT: rsa.cert,
      FORWARD_DXP: '1',
      FORWARD_DXP_SENDER: 'DXPENT3601960001',
    },
  });
  try {
    const token = await login(signing.platform, 'platform');
    const parcels = [11, 12].map((n) => makeParcel(n, 'F'));
    await submitOk(
      signing,
      token,
      message(
        'CEB303',
        guidOf(3032, 11),
        PARTIES.platform,
        parcels.map((p) => p.order),
      ),
    );
    await signing.platform.settle();
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from outbox_delivery where handler = 'clearance.forward'`.execute(signing.platform.database.db);
    assert.equal(left.rows[0]!.n, 0, 'delivered: no delivery pending or dead');
  } finally {
    await signing.stop();
  }
  assert.equal(receivedDxp.length, 1);
  const body = receivedDxp[0]!.xml;
  assert.match(body, /^<\?xml[^>]*\?>\s*<DxpMsg ver="1.0" xmlns="http:\/\/www.chinaport.gov.cn\/dxp">/);
  const decoded = decodeCeb(body);
  assert.deepEqual(
    { ...decoded.dxp, creatTime: undefined },
    {
      copMsgId: decoded.message.guid,
      senderId: 'DXPENT3601960001',
      receiverIds: ['DXPEDCCEB0000002'],
      creatTime: undefined,
      msgType: 'CEB303Message',
    },
  );
  assert.match(decoded.dxp!.creatTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  // Data is the signed CEB message: it verifies with the platform's own verifier, and only with this certificate.
  const inner = decoded.xml;
  assert.match(inner, /^<\?xml[^>]*\?>\s*<ceb:CEB303Message /);
  assert.deepEqual(verifyXml(inner, [rsa.certPem]), { ok: true, certificate: rsa.certPem });
  assert.equal(verifyXml(inner, [sm2.certPem]).ok, false);
  const tampered = inner.replace(/<ceb:goodsValue>([^<]*)</, '<ceb:goodsValue>9$1<');
  assert.notEqual(tampered, inner);
  assert.deepEqual(
    (verifyXml(tampered, [rsa.certPem]) as { reason: string }).reason,
    'invalid',
    'the signature covers the content',
  );
  assert.deepEqual(
    decoded.message.entities.map((e) => e.head.orderNo),
    [11, 12].map((n) => makeParcel(n, 'F').orderNo),
  );
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid([{ name: 'forwarded-signed-CEB303', xml: inner }]);
  assertXsdValid([{ name: 'forwarded-DxpMsg', xml: body }], DXP_XSD);
});

test('signing leaves the message as it was (RSA and SM2); the envelope carries exactly the signed message', async (ctx) => {
  const platform = await login(tp.platform, 'platform');
  const out = await submitOk(tp, platform, message('CEB303', guidOf(3032, 21), PARTIES.platform, [makeParcel(21, 'F').order]));
  await tp.platform.settle();
  const events: OutboxEvent[] = [
    {
      id: 1,
      topic: 'clearance.received',
      key: null,
      payload: { ids: out.entities.map((e) => e.documentId!) },
      createdAt: new Date(),
      attempts: 0,
    },
  ];
  const guid = randomUUID().toUpperCase();
  const at = new Date('2026-11-26T02:30:00Z');
  const forward = async (extra: Partial<Parameters<typeof cebForwarder>[0]>): Promise<string> => {
    const posts: string[] = [];
    const forwarder = cebForwarder({
      url: 'http://relay.invalid/ceb',
      log: { debug: () => undefined } as unknown as Logger,
      dxpId: 'DXPTEST0000001',
      newGuid: () => guid,
      now: () => at,
      fetch: (async (_url: string, init: { body: string }) => {
        posts.push(init.body);
        return new Response('OK');
      }) as unknown as typeof fetch,
      ...extra,
    });
    await forwarder.handle(events, tp.platform.database.db);
    assert.equal(posts.length, 1);
    return posts[0]!;
  };
  const plain = await forward({});
  assert.doesNotMatch(plain, /Signature/);
  const signed: string[] = [];
  for (const pair of [rsa, sm2]) {
    const xml = await forward({ sign: { keyPem: pair.keyPem, certPem: pair.certPem } });
    assert.match(xml, SIGNATURE);
    // Only the signature is added (the signer drops the line break after the root element, outside the document).
    assert.equal(xml.replace(SIGNATURE, ''), plain.trimEnd(), 'only the signature is added');
    assert.equal(verifyXml(xml, [pair.certPem]).ok, true, JSON.stringify(verifyXml(xml, [pair.certPem])));
    signed.push(xml);
  }
  assert.match(signed[0]!, /xmldsig#rsa-sha1/);
  assert.match(signed[1]!, /xmldsig#sm2-sm3/);

  const sign = { keyPem: sm2.keyPem, certPem: sm2.certPem };
  const env = await forward({ sign, dxp: { senderId: 'DXPENT3601960001', receiverId: 'DXPEDCCEB0000002' } });
  const decoded = decodeCeb(env);
  assert.equal(decoded.dxp?.copMsgId, guid);
  assert.equal(decoded.dxp?.creatTime, '2026-11-26T10:30:00', 'China Standard Time');
  assert.equal(decoded.xml.replace(SIGNATURE, ''), plain.trimEnd());
  assert.equal(verifyXml(decoded.xml, [sm2.certPem]).ok, true);
  // Without a key the envelope carries the plain message.
  const unsignedEnv = await forward({ dxp: { senderId: 'DXPENT3601960001', receiverId: 'DXPEDCCEB0000002' } });
  assert.equal(decodeCeb(unsignedEnv).xml, plain);
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid(signed.map((xml, i) => ({ name: `signed-${i}`, xml })));
  assertXsdValid(
    [
      { name: 'dxp-signed', xml: env },
      { name: 'dxp-unsigned', xml: unsignedEnv },
    ],
    DXP_XSD,
  );
});

test('forwarding settings are checked at start: a key needs its certificate, files must be readable and match', () => {
  assert.equal(loadConfig({}).forwardSign, undefined);
  assert.equal(loadConfig({}).forwardDxp, undefined);
  assert.deepEqual(loadConfig({ FORWARD_SIGN_KEY: rsa.key, FORWARD_SIGN_CERT: rsa.cert }).forwardSign, {
    keyPem: rsa.keyPem,
    certPem: rsa.certPem,
  });
  assert.throws(() => loadConfig({ FORWARD_SIGN_KEY: rsa.key }), /FORWARD_SIGN_CERT must be set when FORWARD_SIGN_KEY is/);
  assert.throws(() => loadConfig({ FORWARD_SIGN_CERT: rsa.cert }), /FORWARD_SIGN_KEY must be set when FORWARD_SIGN_CERT is/);
  assert.throws(
    () => loadConfig({ FORWARD_SIGN_KEY: f('nope.key'), FORWARD_SIGN_CERT: rsa.cert }),
    /环境变量 FORWARD_SIGN_KEY .*\/ FORWARD_SIGN_KEY: cannot read ".*nope\.key" \(ENOENT\)/,
  );
  assert.throws(() => loadConfig({ FORWARD_SIGN_KEY: rsa.key, FORWARD_SIGN_CERT: dir }), /FORWARD_SIGN_CERT: cannot read/);
  assert.throws(
    () => loadConfig({ FORWARD_SIGN_KEY: rsa.cert, FORWARD_SIGN_CERT: rsa.cert }),
    /FORWARD_SIGN_KEY must name a PEM private key/,
  );
  assert.throws(
    () => loadConfig({ FORWARD_SIGN_KEY: rsa.key, FORWARD_SIGN_CERT: rsa.key }),
    /FORWARD_SIGN_CERT must name a PEM certificate/,
  );
  assert.throws(
    () => loadConfig({ FORWARD_SIGN_KEY: sm2.key, FORWARD_SIGN_CERT: rsa.cert }),
    /FORWARD_SIGN_CERT is not the certificate of the FORWARD_SIGN_KEY private key/,
  );
  writeFileSync(f('ed25519.key'), generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
  assert.throws(
    () => loadConfig({ FORWARD_SIGN_KEY: f('ed25519.key'), FORWARD_SIGN_CERT: rsa.cert }),
    /FORWARD_SIGN_KEY must be an RSA or SM2 private key/,
  );

  assert.deepEqual(loadConfig({ FORWARD_DXP: '1' }).forwardDxp, { senderId: 'DXPCBECWINDOW01', receiverId: 'DXPEDCCEB0000002' });
  assert.deepEqual(loadConfig({ FORWARD_DXP: '1', CEB_DXP_ID: 'DXPENT0000020478' }).forwardDxp?.senderId, 'DXPENT0000020478');
  assert.equal(loadConfig({ FORWARD_DXP: '0' }).forwardDxp, undefined);
  assert.throws(() => loadConfig({ FORWARD_DXP: 'yes' }), /FORWARD_DXP must be 1 or 0, got "yes"/);
  assert.throws(
    () => loadConfig({ FORWARD_DXP: '1', FORWARD_DXP_SENDER: 'DXPENT36019600012' }),
    /FORWARD_DXP_SENDER must be a DXP id of 1–16 letters and digits/,
  );
  assert.throws(() => loadConfig({ FORWARD_DXP: '1', FORWARD_DXP_RECEIVER: 'a<b' }), /FORWARD_DXP_RECEIVER must be a DXP id/);
});
