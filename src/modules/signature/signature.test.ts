import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { decodeCeb, encodeCeb } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import { makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import type { Principal } from '../identity/index.ts';
import { createSignatureService, signXml, verifyXml } from './index.ts';
import { sm2DerToRaw } from './rules/xmldsig.ts';

const NIL_ID = '00000000-0000-7000-8000-000000000000';

/**
 * Signed declarations (issue #9 point 4) through the real intake. A test CA (RSA) and an SM2 CA are
 * made here with the openssl command line (node:crypto cannot issue certificates); the platform
 * itself verifies with xml-crypto (RSA) and sm-crypto-v2 (SM2 over SM3).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'cbec-sig-'));
const f = (name: string): string => path.join(dir, name);
const ossl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

interface Pair {
  key: string;
  cert: string;
}

function makeCa(name: string, sm2: boolean): void {
  if (sm2) ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', f(`${name}.key`));
  else ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(`${name}.key`));
  ossl(
    'req',
    '-x509',
    '-new',
    '-key',
    f(`${name}.key`),
    ...(sm2 ? ['-sm3'] : ['-sha256']),
    '-subj',
    `/CN=${name}`,
    '-days',
    '30',
    '-out',
    f(`${name}.crt`),
  );
}

function issue(ca: string, name: string, sm2: boolean): Pair {
  if (sm2) ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', f(`${name}.key`));
  else ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(`${name}.key`));
  ossl(
    'req',
    '-new',
    '-key',
    f(`${name}.key`),
    ...(sm2 ? ['-sm3'] : []),
    '-subj',
    `/O=${name}/CN=${name}`,
    '-out',
    f(`${name}.csr`),
  );
  ossl(
    'x509',
    '-req',
    '-in',
    f(`${name}.csr`),
    '-CA',
    f(`${ca}.crt`),
    '-CAkey',
    f(`${ca}.key`),
    '-CAcreateserial',
    ...(sm2 ? ['-sm3'] : ['-sha256']),
    '-days',
    '10',
    '-out',
    f(`${name}.crt`),
  );
  return { key: readFileSync(f(`${name}.key`), 'utf8'), cert: readFileSync(f(`${name}.crt`), 'utf8') };
}

let tp: TestPlatform;
let token: string;
let rsa: Pair;
let sm2: Pair;
let stranger: Pair;
let strangerSm2: Pair;
let n = 100;
const signedWithExtend: string[] = [];

const xmlOf = (appStatus = '2'): string => {
  n++;
  const p = makeParcel(n, 'SIG');
  p.order.head.appStatus = appStatus;
  return encodeCeb(message('CEB303', `00000303-0000-4000-8000-${String(n).padStart(12, '0')}`, PARTIES.platform, [p.order]));
};

/** A customs extension after the signature's place: the schema's sequence ends `ds:Signature?, ceb:ExtendMessage?`. */
const EXTEND =
  '<ceb:ExtendMessage><ceb:name>erp</ceb:name><ceb:version>1.0</ceb:version><ceb:Message><erp:Note xmlns:erp="urn:erp">青花</erp:Note></ceb:Message></ceb:ExtendMessage>';
const withExtend = (xml: string): string => xml.replace('</ceb:CEB303Message>', `${EXTEND}</ceb:CEB303Message>`);

const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

/** A client DXP envelope (facts §4.3) around a CEB303; `data` is the inside of the envelope after TransInfo. */
const dxp = (data: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><DxpMsg ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><TransInfo><CopMsgId>SIG-${n}</CopMsgId><SenderId>DXPENT3601960001</SenderId><ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds><CreatTime>2026-11-26T10:30:00</CreatTime><MsgType>CEB303Message</MsgType></TransInfo>${data}</DxpMsg>`;

/** Runs `cbec sign` (the real command line) on `xml` with a key and certificate; answers its output. */
function cbecSign(xml: string, pair: Pair): string {
  writeFileSync(f('in.xml'), xml);
  writeFileSync(f('k.pem'), pair.key);
  writeFileSync(f('c.pem'), pair.cert);
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/cbec.ts', 'sign', '--key', f('k.pem'), '--cert', f('c.pem'), '--out', f('out.xml'), f('in.xml')],
    { stdio: 'pipe' },
  );
  return readFileSync(f('out.xml'), 'utf8');
}

/**
 * Whether the installed openssl signs SM2 over SM3 with a distinguishing id (OpenSSL ≥ 3): the
 * reason to skip the SM2 cross-check when it cannot, null when it can. CI must have it.
 */
function opensslSm2Missing(): string | null {
  writeFileSync(f('probe.txt'), 'probe');
  const r = spawnSync('openssl', [
    'pkeyutl',
    '-sign',
    '-rawin',
    '-digest',
    'sm3',
    '-pkeyopt',
    'distid:1234567812345678',
    '-inkey',
    f('test-ca-sm2.key'),
    '-in',
    f('probe.txt'),
    '-out',
    f('probe.sig'),
  ]);
  if (r.status === 0) return null;
  const why = `the installed openssl cannot sign SM2 with SM3 and a distinguishing id (needs OpenSSL 3): ${r.stderr.toString().trim().slice(0, 200)}`;
  if (process.env.CI) throw new Error(why);
  return why;
}

/**
 * SignedInfo canonicalised by xmllint (libxml2's C14N 1.0), not by xml-crypto: the element is
 * taken out with every namespace in scope declared on it, which is what inclusive C14N of the
 * SignedInfo subset renders.
 */
function signedInfoC14n(signed: string): Buffer {
  const rootTag = /<[A-Za-z][^>]*>/.exec(signed.replace(/^<\?xml[^>]*\?>\s*/, ''))![0];
  const inScope = new Map<string, string>();
  for (const m of rootTag.matchAll(/\s(xmlns(?::[\w.-]+)?)="([^"]*)"/g)) inScope.set(m[1]!, m[2]!);
  inScope.set('xmlns:ds', 'http://www.w3.org/2000/09/xmldsig#');
  const si = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)![0];
  const decls = [...inScope].map(([k, v]) => `${k}="${v}"`).join(' ');
  writeFileSync(f('signed-info.xml'), si.replace('<ds:SignedInfo>', `<ds:SignedInfo ${decls}>`));
  return execFileSync('xmllint', ['--c14n', f('signed-info.xml')]);
}

/** r‖s (64 bytes) → DER SEQUENCE { INTEGER r, INTEGER s }, as openssl reads SM2 signatures. */
function rawToDer(rs: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b[i]! & 0x80 ? Buffer.concat([Buffer.from([0]), b.subarray(i)]) : b.subarray(i);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(rs.subarray(0, 32)), int(rs.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const signatureValue = (signed: string): Buffer =>
  Buffer.from(/<ds:SignatureValue>([^<]*)</.exec(signed)![1]!.replace(/\s+/g, ''), 'base64');
const withSignatureValue = (signed: string, value: Buffer): string =>
  signed.replace(/<ds:SignatureValue>[^<]*</, `<ds:SignatureValue>${value.toString('base64')}<`);

async function counts(): Promise<{ messages: number; documents: number }> {
  const db = tp.platform.database.db;
  const m = await sql<{ n: number }>`select count(*)::int as n from clr_message`.execute(db);
  const d = await sql<{ n: number }>`select count(*)::int as n from clr_document`.execute(db);
  return { messages: m.rows[0]!.n, documents: d.rows[0]!.n };
}

async function post(xml: string, auth = token) {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/ceb',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/xml' },
    payload: xml,
  });
  return { status: res.statusCode, body: res.json() as { code?: string; reason?: string; accepted?: number; detailZh?: string } };
}

async function accepted(xml: string, auth = token): Promise<void> {
  const before = await counts();
  const r = await post(xml, auth);
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 400));
  assert.equal(r.body.accepted, 1);
  const now = await counts();
  assert.equal(now.documents, before.documents + 1, 'the document was stored');
}

async function refused(xml: string, reason: string, auth = token): Promise<void> {
  const before = await counts();
  const r = await post(xml, auth);
  assert.equal(r.status, 422, JSON.stringify(r.body).slice(0, 400));
  assert.equal(r.body.code, 'signature.unprocessable');
  assert.equal(r.body.reason, reason);
  assert.match(r.body.detailZh ?? '', /[\u4e00-\u9fff]/);
  assert.deepEqual(await counts(), before, 'nothing stored');
}

async function register(pem: string): Promise<{ id: string; algorithm: string }> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/certificates',
    headers: { authorization: `Bearer ${token}` },
    payload: { certificate: pem },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; algorithm: string };
}

before(async () => {
  makeCa('test-ca-rsa', false);
  makeCa('test-ca-sm2', true);
  rsa = issue('test-ca-rsa', 'platform-rsa', false);
  sm2 = issue('test-ca-sm2', 'platform-sm2', true);
  stranger = issue('test-ca-rsa', 'stranger', false);
  strangerSm2 = issue('test-ca-sm2', 'stranger-sm2', true);
  tp = await startTestPlatform();
  token = await login(tp.platform, 'platform');
});
after(async () => {
  await tp.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the XML-DSig rules', () => {
  test('Node has SM3 and the SM2 curve, but SM2 signatures go through sm-crypto-v2', async () => {
    const { getCurves, getHashes } = await import('node:crypto');
    assert.ok(getHashes().includes('sm3'));
    assert.ok(getCurves().includes('SM2'));
  });

  test('sign → verify for RSA and SM2; tampering, a foreign certificate and a second signature fail', () => {
    for (const pair of [rsa, sm2]) {
      const signed = signXml(xmlOf(), pair.key, pair.cert);
      assert.match(signed, /<ds:SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#(rsa-sha1|sm2-sm3)"/);
      assert.match(signed, /<ds:DigestMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#sha1"/);
      assert.match(signed, /<ds:Reference URI="">/);
      assert.equal(verifyXml(signed, [pair.cert]).ok, true);
      const tampered = signed.replace(/<ceb:goodsValue>[^<]*</, '<ceb:goodsValue>1<');
      assert.deepEqual(verifyXml(tampered, [pair.cert]), {
        ok: false,
        reason: 'invalid',
        detail: 'the signature or the digest does not match the message',
      });
      assert.equal(verifyXml(signed, [stranger.cert]).ok, false);
      const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
      assert.equal(verifyXml(signed.replace(sig, sig + sig), [pair.cert]).ok, false);
    }
  });

  test('SM2 against openssl: openssl verifies what this code signs, this code verifies what openssl signs (r‖s or DER)', (t) => {
    const missing = opensslSm2Missing();
    if (missing) return t.skip(missing);
    const signed = signXml(xmlOf(), sm2.key, sm2.cert);
    const material = signedInfoC14n(signed);
    writeFileSync(f('si.c14n'), material);
    writeFileSync(f('sm2.pub'), execFileSync('openssl', ['x509', '-in', f('platform-sm2.crt'), '-pubkey', '-noout']));
    const opensslVerifies = (sig: Buffer): boolean => {
      writeFileSync(f('sig.der'), sig);
      const r = spawnSync('openssl', [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        f('sm2.pub'),
        '-rawin',
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:1234567812345678',
        '-in',
        f('si.c14n'),
        '-sigfile',
        f('sig.der'),
      ]);
      return r.status === 0;
    };
    const ours = signatureValue(signed);
    assert.equal(ours.length, 64, 'r‖s, as e-port Ukeys write it');
    assert.equal(opensslVerifies(rawToDer(ours)), true, 'openssl verifies the platform’s SM2 signature over the C14N SignedInfo');
    const flipped = Buffer.from(ours);
    flipped[40]! ^= 1;
    assert.equal(opensslVerifies(rawToDer(flipped)), false, 'openssl refuses a changed signature (so the check can fail)');

    execFileSync('openssl', [
      'pkeyutl',
      '-sign',
      '-rawin',
      '-digest',
      'sm3',
      '-pkeyopt',
      'distid:1234567812345678',
      '-inkey',
      f('platform-sm2.key'),
      '-in',
      f('si.c14n'),
      '-out',
      f('theirs.der'),
    ]);
    const theirs = readFileSync(f('theirs.der'));
    assert.equal(theirs[0], 0x30, 'openssl writes DER');
    const viaDer = verifyXml(withSignatureValue(signed, theirs), [sm2.cert]);
    assert.equal(viaDer.ok, true, JSON.stringify(viaDer));
    const raw = sm2DerToRaw(theirs)!;
    assert.equal(verifyXml(withSignatureValue(signed, raw), [sm2.cert]).ok, true, 'the same r and s as r‖s');
    // openssl's signature over this SignedInfo does not cover another message's digest
    const other = signXml(xmlOf(), sm2.key, sm2.cert);
    const r = verifyXml(withSignatureValue(other, theirs), [sm2.cert]);
    assert.equal(!r.ok && r.reason, 'invalid');
  });

  test('SM2 DER signature values are read strictly', () => {
    const rs = Buffer.alloc(64, 0x11);
    const der = rawToDer(rs);
    assert.deepEqual(sm2DerToRaw(der), rs);
    assert.equal(sm2DerToRaw(Buffer.concat([der, Buffer.from([0])])), null, 'trailing bytes');
    const padded = Buffer.from(der);
    padded[1] = der.length - 2 + 1;
    assert.equal(sm2DerToRaw(padded), null, 'wrong length');
    // a non-minimal integer (a leading 00 before a byte < 0x80)
    const nonMinimal = Buffer.from([0x30, 0x26, 0x02, 0x21, 0x00, ...Buffer.alloc(32, 0x11), 0x02, 0x01, 0x01]);
    assert.equal(sm2DerToRaw(nonMinimal), null);
    assert.equal(sm2DerToRaw(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01])), null, 'r = 0');
    assert.equal(sm2DerToRaw(rs), null, 'r‖s is not DER');
  });

  test('the signature goes before ceb:ExtendMessage: `cbec sign` output validates against the CEB schema (xmllint)', (t) => {
    const missing = xmllintMissing();
    if (missing) return t.skip(missing);
    for (const pair of [rsa, sm2]) {
      const signed = cbecSign(withExtend(xmlOf()), pair);
      assert.match(signed, /<\/ds:Signature><ceb:ExtendMessage>[\s\S]*<\/ceb:ExtendMessage><\/ceb:CEB303Message>\s*$/);
      assert.equal(verifyXml(signed, [pair.cert]).ok, true);
      assertXsdValid([{ name: 'signed-with-extend', xml: signed }]);
      signedWithExtend.push(signed);
      // without ExtendMessage the signature is the root's last child, also valid
      const plain = signXml(xmlOf(), pair.key, pair.cert);
      assert.match(plain, /<\/ds:Signature><\/ceb:CEB303Message>\s*$/);
      assertXsdValid([{ name: 'signed', xml: plain }]);
    }
  });

  test('other algorithms are refused, not tried', () => {
    const signed = signXml(xmlOf(), rsa.key, rsa.cert);
    const sha256 = signed.replace('xmldsig#sha1"', 'xmlenc#sha256"');
    const r = verifyXml(sha256, [rsa.cert]);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'algorithm');
  });
});

describe('signed declarations at the intake', () => {
  test('without a registered certificate, unsigned declarations are accepted (control)', async () => {
    await accepted(xmlOf());
  });

  test('register an RSA certificate: stored and audited', async () => {
    const c = await register(rsa.cert);
    assert.equal(c.algorithm, 'rsa');
    const rows = await sql<{
      n: number;
    }>`select count(*)::int as n from sig_certificate where id = ${c.id} and revoked_at is null`.execute(tp.platform.database.db);
    assert.equal(rows.rows[0]!.n, 1);
    await tp.platform.settle();
    const audit = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_log where action = 'certificate.register' and entity_id = ${c.id}`.execute(
      tp.platform.database.db,
    );
    assert.equal(audit.rows[0]!.n, 1);
  });

  test('now an unsigned declaration is refused, a signed one accepted', async () => {
    await refused(xmlOf(), 'missing');
    await accepted(signXml(xmlOf(), rsa.key, rsa.cert));
  });

  test('a tampered message, or one signed by an unregistered key, is refused and not stored', async () => {
    const signed = signXml(xmlOf(), rsa.key, rsa.cert);
    await refused(signed.replace(/<ceb:goodsValue>([^<]*)</, '<ceb:goodsValue>1$1<'), 'invalid');
    await refused(signXml(xmlOf(), stranger.key, stranger.cert), 'unknown_certificate');
    // the stranger's key, but claiming the registered certificate in KeyInfo
    const forged = signXml(xmlOf(), stranger.key, stranger.cert).replace(
      /<ds:X509Certificate>[^<]*</,
      `<ds:X509Certificate>${rsa.cert.replace(/-----[^-]+-----|\s+/g, '')}<`,
    );
    await refused(forged, 'invalid');
  });

  test('a DxpMsg: the signature is checked on the Data the decoder reads, never on a Data hidden in a comment', async () => {
    await accepted(dxp(`<Data>${b64(signXml(xmlOf(), rsa.key, rsa.cert))}</Data>`));
    const genuine = signXml(xmlOf(), rsa.key, rsa.cert);
    const altered = genuine.replace(/<ceb:goodsValue>([^<]*)</, '<ceb:goodsValue>9$1<');
    assert.notEqual(altered, genuine);
    const orderNo = /<ceb:orderNo>([^<]*)</.exec(altered)![1]!;
    // The genuine message in a comment (or in an element of another namespace), the altered one in Data.
    await refused(dxp(`<!-- <Data>${b64(genuine)}</Data> --><Data>${b64(altered)}</Data>`), 'invalid');
    await refused(dxp(`<x:Data xmlns:x="urn:smuggle">${b64(genuine)}</x:Data><Data>${b64(altered)}</Data>`), 'invalid');
    await refused(dxp(`<Data>${b64(altered)}</Data><!-- <Data>${b64(genuine)}</Data> -->`), 'invalid');
    // an unsigned message in Data, a signed one in the comment
    const unsigned = xmlOf();
    await refused(dxp(`<!-- <Data>${b64(genuine)}</Data> --><Data>${b64(unsigned)}</Data>`), 'missing');
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from clr_document where kind = 'order' and head->>'orderNo' = ${orderNo}`.execute(
      tp.platform.database.db,
    );
    assert.equal(stored.rows[0]!.n, 0, 'the altered order is not stored');
  });

  test('a draft (appStatus 1) cannot slip past the signature: intake refuses drafts (400), nothing stored', async () => {
    const before = await counts();
    const r = await post(xmlOf('1'));
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.match(JSON.stringify(r.body), /appStatus/);
    assert.deepEqual(await counts(), before);
  });

  test('SM2: register, sign with sm2-sm3, accepted; tampered refused', async () => {
    const c = await register(sm2.cert);
    assert.equal(c.algorithm, 'sm2');
    await accepted(signXml(xmlOf(), sm2.key, sm2.cert));
    const signed = signXml(xmlOf(), sm2.key, sm2.cert);
    await refused(signed.replace(/<ceb:orderNo>SIG/, '<ceb:orderNo>SIH'), 'invalid');
  });

  test('`cbec sign` produces a message the intake accepts: RSA and SM2 keys, with and without ExtendMessage', async () => {
    await accepted(cbecSign(xmlOf(), rsa));
    const bySm2 = cbecSign(xmlOf(), sm2);
    assert.match(bySm2, /<ds:SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#sm2-sm3"/);
    await accepted(bySm2);
    // the two `cbec sign` outputs with ExtendMessage the schema test made (RSA, SM2), not yet sent
    for (const signed of signedWithExtend) await accepted(signed);
  });

  test('a certificate that has expired since registration: refused (no_valid_certificate), valid before', async () => {
    const person = await tp.platform.auth.authenticate(token);
    assert.ok(person);
    const signed = signXml(xmlOf(), rsa.key, rsa.cert);
    const decoded = decodeCeb(signed);
    const at = (clock: ReturnType<typeof fixedClock>) =>
      createSignatureService({ db: tp.platform.database.db, clock, audit: tp.platform.audit })
        .requireSignature(person, decoded.message, 'xml', Buffer.from(decoded.xml, 'utf8'))
        .then(
          () => 'allowed',
          (e: { code?: string; details?: { reason?: string }; bilingual?: { zh: string; en: string } }) => {
            assert.equal(e.code, 'signature.unprocessable');
            assert.match(e.bilingual?.zh ?? '', /过期/);
            assert.match(e.bilingual?.en ?? '', /expired/);
            return e.details?.reason ?? String(e);
          },
        );
    const now = Date.now();
    assert.equal(await at(fixedClock(new Date(now))), 'allowed', 'control: signed with a valid registered certificate');
    // The test certificates are issued for 10 days: 11 days on, every one has expired.
    assert.equal(await at(fixedClock(new Date(now + 11 * 86_400_000))), 'no_valid_certificate');
    // …and before their validity starts none is valid either.
    assert.equal(await at(fixedClock(new Date(now - 2 * 86_400_000))), 'no_valid_certificate');
  });

  test('unsigned JSON declarations: refused from an API key and from a bearer log-in token, accepted in a cookie web session', async () => {
    const keyRes = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'erp' },
    });
    assert.equal(keyRes.statusCode, 201, keyRes.body);
    const apiKey = (keyRes.json() as { key: string }).key;
    const orderBody = () => {
      const order = makeParcel(++n, 'SIG').order;
      return { orderNo: order.head.orderNo!, body: { items: [{ ...order.head, lines: order.lists.OrderList }] } };
    };
    const stored = async (orderNo: string): Promise<number> => {
      const r = await sql<{ n: number }>`
        select count(*)::int as n from clr_document where kind = 'order' and head->>'orderNo' = ${orderNo}`.execute(
        tp.platform.database.db,
      );
      return r.rows[0]!.n;
    };
    const httpPost = (headers: Record<string, string>, body: unknown) =>
      fetch(new URL('/api/v1/orders', tp.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    // A program: an API key, or the token /auth/login answers, sent as a bearer header.
    const viaLogin = await login(tp.platform, 'platform');
    for (const [who, credential] of [
      ['API key', apiKey],
      ['log-in token', viaLogin],
    ] as const) {
      const { orderNo, body } = orderBody();
      const before = await counts();
      const res = await tp.platform.app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { authorization: `Bearer ${credential}` },
        payload: body,
      });
      assert.equal(res.statusCode, 422, `${who}: ${res.body}`);
      const problem = res.json() as { code: string; reason: string; detailZh: string };
      assert.equal(problem.code, 'signature.unprocessable', who);
      assert.equal(problem.reason, 'json_unsigned', who);
      assert.match(problem.detailZh, /签名的 XML/, who);
      assert.deepEqual(await counts(), before, `${who}: nothing stored`);
      assert.equal(await stored(orderNo), 0, who);
    }

    // An API key put into the session cookie is still a key, not a person's session.
    {
      const { orderNo, body } = orderBody();
      const res = await httpPost({ cookie: `cbec_session=${apiKey}`, origin: tp.baseUrl }, body);
      assert.equal(res.status, 422, await res.text());
      assert.equal(await stored(orderNo), 0);
    }

    // A person in the web UI: the session cookie, from this site's pages (the CSRF check).
    const signIn = await fetch(new URL('/api/v1/auth/login', tp.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: tp.baseUrl },
      body: JSON.stringify({ username: 'platform', password: 'cbec-demo' }),
    });
    assert.equal(signIn.status, 200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^cbec_session=/);
    {
      const { orderNo, body } = orderBody();
      const crossSite = await httpPost({ cookie, origin: 'https://evil.example' }, body);
      assert.equal(crossSite.status, 403, 'the cookie from another site is refused by the CSRF check');
      assert.equal(await stored(orderNo), 0);
      const before = await counts();
      const res = await httpPost({ cookie, origin: tp.baseUrl }, body);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal((JSON.parse(text) as { accepted: number }).accepted, 1);
      assert.equal((await counts()).documents, before.documents + 1);
      assert.equal(await stored(orderNo), 1, 'the web session’s declaration is stored');
    }
  });

  test('SM2: a foreign certificate, a forged KeyInfo and a missing KeyInfo are refused, nothing stored', async () => {
    await refused(signXml(xmlOf(), strangerSm2.key, strangerSm2.cert), 'unknown_certificate');
    const sm2Body = sm2.cert.replace(/-----[^-]+-----|\s+/g, '');
    // the stranger's SM2 key, claiming the registered SM2 certificate in KeyInfo
    const forged = signXml(xmlOf(), strangerSm2.key, strangerSm2.cert).replace(
      /<ds:X509Certificate>[^<]*</,
      `<ds:X509Certificate>${sm2Body}<`,
    );
    await refused(forged, 'invalid');
    // …and labelled rsa-sha1, claiming the registered RSA certificate
    const relabelled = signXml(xmlOf(), strangerSm2.key, strangerSm2.cert)
      .replace('xmldsig#sm2-sm3', 'xmldsig#rsa-sha1')
      .replace(/<ds:X509Certificate>[^<]*</, `<ds:X509Certificate>${rsa.cert.replace(/-----[^-]+-----|\s+/g, '')}<`);
    await refused(relabelled, 'invalid');
    // no KeyInfo at all: every registered certificate is tried, none matches
    const bare = signXml(xmlOf(), strangerSm2.key, strangerSm2.cert).replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '');
    await refused(bare, 'invalid');
  });

  test('the port itself: unsigned JSON from a cookie session or the platform’s organisation principal only', async () => {
    const service = createSignatureService({
      db: tp.platform.database.db,
      clock: tp.platform.clock,
      audit: tp.platform.audit,
    });
    const person = await tp.platform.auth.authenticate(token);
    assert.ok(person?.organisation);
    const order = makeParcel(++n, 'SIG').order;
    const declaration = message('CEB303', `00000303-0000-4000-8000-${String(n).padStart(12, '0')}`, PARTIES.platform, [order]);
    const outcome = async (p: Principal): Promise<string> => {
      try {
        await service.requireSignature(p, declaration, 'json');
        return 'allowed';
      } catch (e) {
        return (e as { details?: { reason?: string } }).details?.reason ?? String(e);
      }
    };
    // The broker declaring a seller's orders sends them as the seller: no user, no key.
    const platformMade: Principal = { ...person, via: 'api_key', userId: null, apiKeyId: null, roles: [] };
    assert.equal(await outcome({ ...person, viaCookie: true }), 'allowed');
    assert.equal(await outcome(platformMade), 'allowed');
    assert.equal(await outcome(person), 'json_unsigned');
    assert.equal(await outcome({ ...person, via: 'api_key', userId: null, apiKeyId: NIL_ID, viaCookie: true }), 'json_unsigned');
    // A draft (appStatus 1) needs no signature from anyone.
    order.head.appStatus = '1';
    assert.equal(await outcome(person), 'allowed');
  });

  test('revoking every certificate lifts the obligation; another organisation cannot revoke', async () => {
    const list = await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/certificates',
      headers: { authorization: `Bearer ${token}` },
    });
    const items = (list.json() as { items: { id: string }[] }).items;
    assert.equal(items.length, 2);
    const seller = await login(tp.platform, 'seller');
    const foreign = await tp.platform.app.inject({
      method: 'DELETE',
      url: `/api/v1/certificates/${items[0]!.id}`,
      headers: { authorization: `Bearer ${seller}` },
    });
    assert.equal(foreign.statusCode, 404);
    const still = await sql<{ n: number }>`select count(*)::int as n from sig_certificate where revoked_at is null`.execute(
      tp.platform.database.db,
    );
    assert.equal(still.rows[0]!.n, 2);
    for (const c of items) {
      const res = await tp.platform.app.inject({
        method: 'DELETE',
        url: `/api/v1/certificates/${c.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    await accepted(xmlOf());
  });

  test('a certificate that is not X.509, or not RSA/SM2, is refused', async () => {
    const res = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/certificates',
      headers: { authorization: `Bearer ${token}` },
      payload: { certificate: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(200)}\n-----END CERTIFICATE-----` },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /certificate/);
  });
});
