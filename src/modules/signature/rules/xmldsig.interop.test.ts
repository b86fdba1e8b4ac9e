import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { encodeCeb } from '../../../ceb/index.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../../test/support/parcels.ts';
import { C14N, DSIG_NS, ENVELOPED, RSA_SHA1, SHA1, signXml, verifyXml } from './xmldsig.ts';

/**
 * Interoperability of the RSA signatures with an independent implementation: xmlsec1 (libxmlsec1,
 * the tool e-port client vendors test with). A message xmlsec1 signs from the customs template
 * verifies here, and one signed here verifies in xmlsec1, so the canonicalisation, the
 * enveloped transform and the digest agree with more than this code's own reading of them.
 * (xmlsec1 1.2 has no SM2: the sm2-sm3 path is checked against the openssl-made SM2 test CA in signature.test.ts.)
 */
const INSTALL_HINT = 'install xmlsec1: apt-get install -y xmlsec1';
const missing = spawnSync('xmlsec1', ['--version']).status !== 0;
if (missing && process.env.CI) throw new Error(INSTALL_HINT);

const dir = mkdtempSync(path.join(tmpdir(), 'cbec-xmlsec-'));
const f = (name: string): string => path.join(dir, name);
after(() => rmSync(dir, { recursive: true, force: true }));

function rsaPair(): { key: string; cert: string } {
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('ent.key')], {
    stdio: 'pipe',
  });
  execFileSync(
    'openssl',
    ['req', '-x509', '-new', '-key', f('ent.key'), '-sha256', '-subj', '/CN=3601960001', '-days', '30', '-out', f('ent.crt')],
    {
      stdio: 'pipe',
    },
  );
  return { key: readFileSync(f('ent.key'), 'utf8'), cert: readFileSync(f('ent.crt'), 'utf8') };
}

const cebXml = (): string => {
  const p = makeParcel(1, 'Z');
  return encodeCeb(message('CEB303', guidOf(3030, 901), PARTIES.platform, [p.order]));
};

/** The signature template the e-port clients fill: one enveloped reference to the whole message. */
const TEMPLATE = `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${C14N}"/><ds:SignatureMethod Algorithm="${RSA_SHA1}"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="${ENVELOPED}"/></ds:Transforms><ds:DigestMethod Algorithm="${SHA1}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`;

function xmlsecSign(xml: string): string {
  const close = xml.lastIndexOf('</');
  writeFileSync(f('tmpl.xml'), `${xml.slice(0, close)}${TEMPLATE}${xml.slice(close)}`);
  execFileSync(
    'xmlsec1',
    ['--sign', '--privkey-pem', `${f('ent.key')},${f('ent.crt')}`, '--output', f('signed-by-xmlsec.xml'), f('tmpl.xml')],
    {
      stdio: 'pipe',
    },
  );
  return readFileSync(f('signed-by-xmlsec.xml'), 'utf8');
}

function xmlsecVerifies(xml: string): boolean {
  writeFileSync(f('to-verify.xml'), xml);
  const r = spawnSync('xmlsec1', [
    '--verify',
    '--pubkey-cert-pem',
    f('ent.crt'),
    '--enabled-reference-uris',
    'empty',
    f('to-verify.xml'),
  ]);
  return r.status === 0;
}

test(
  'RSA: what xmlsec1 signs verifies here, what this code signs verifies in xmlsec1, tampering fails in both',
  { skip: missing && INSTALL_HINT },
  () => {
    const { key, cert } = rsaPair();
    const xml = cebXml();

    const theirs = xmlsecSign(xml);
    assert.match(theirs, /<ds:SignatureValue>[A-Za-z0-9+/=\s]{300,}<\/ds:SignatureValue>/, 'xmlsec1 filled the template');
    const checked = verifyXml(theirs, [cert]);
    assert.equal(checked.ok, true, JSON.stringify(checked));

    const ours = signXml(xml, key, cert);
    assert.equal(xmlsecVerifies(ours), true, 'xmlsec1 verifies the platform’s signature');

    const tamperedTheirs = theirs.replace('<ceb:goodsValue>', '<ceb:goodsValue>1');
    assert.notEqual(tamperedTheirs, theirs);
    const refused = verifyXml(tamperedTheirs, [cert]);
    assert.equal(refused.ok, false);
    assert.equal(xmlsecVerifies(ours.replace('<ceb:goodsValue>', '<ceb:goodsValue>1')), false, 'xmlsec1 refuses a changed value');
  },
);
