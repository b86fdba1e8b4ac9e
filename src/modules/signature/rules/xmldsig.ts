/**
 * Enveloped XML-DSig as the China e-port uses it on CEB messages: one `ds:Signature`, a child of
 * the root where the CEB schema puts it (the last child, or just before ceb:ExtendMessage),
 * SignedInfo canonicalised with C14N 1.0 (20010315), one Reference URI="" with the
 * enveloped-signature transform and a SHA-1 digest, signed with rsa-sha1 or sm2-sm3 (GM/T 0003
 * SM2 over SM3 with the default user id; the signature value r‖s, DER read too), the signer's
 * certificate in KeyInfo/X509Data. Only these algorithms are accepted: anything else is refused,
 * not tried.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { sm2 } from 'sm-crypto-v2';
import { SignedXml } from 'xml-crypto';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SM2_SM3 = 'http://www.w3.org/2000/09/xmldsig#sm2-sm3';

export type KeyAlgorithm = 'rsa' | 'sm2';

// GM/T 0009: the user id when none is agreed.
const SM2_USER_ID = '1234567812345678';

/** The 32-byte private scalar and the 65-byte uncompressed public point of an SM2 key, as hex. */
function sm2PrivateHex(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  // ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING (32) d, … }
  const at = der.indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]));
  if (at < 0) throw new Error('not an SM2 private key');
  return der.subarray(at + 5, at + 37).toString('hex');
}

function sm2PublicHex(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 65).toString('hex');
}

/** Node reports SM2 keys with no type; the curve OID (1.2.156.10197.1.301) in the DER tells. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | null {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  const der = key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
  return der.includes(Buffer.from('06082a811ccf5501822d', 'hex')) ? 'sm2' : null;
}

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }` (short lengths, minimal integers, 0 < r, s < 2^256) → r‖s; else null. */
export function sm2DerToRaw(der: Buffer): Buffer | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out: Buffer[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const len = der[at + 1];
    if (der[at] !== 0x02 || len === undefined || len < 1 || len > 33 || at + 2 + len > der.length) return null;
    let int = der.subarray(at + 2, at + 2 + len);
    if (int[0]! & 0x80) return null; // negative
    if (int[0] === 0 && (len === 1 || !(int[1]! & 0x80))) return null; // not minimal (or zero)
    if (int[0] === 0) int = int.subarray(1);
    if (int.length > 32) return null;
    out.push(Buffer.concat([Buffer.alloc(32 - int.length), int]));
    at += 2 + len;
  }
  return at === der.length ? Buffer.concat(out) : null;
}

class Sm2Sm3 {
  getSignature(signedInfo: string | Buffer, privateKey: string | Buffer | KeyObject): string {
    const key = typeof privateKey === 'object' && 'export' in privateKey ? privateKey : createPrivateKey(privateKey);
    const hex = sm2.doSignature(typeof signedInfo === 'string' ? signedInfo : new Uint8Array(signedInfo), sm2PrivateHex(key), {
      hash: true,
      der: false,
      userId: SM2_USER_ID,
    });
    return Buffer.from(hex, 'hex').toString('base64');
  }

  /**
   * The value as e-port Ukeys write it, r‖s (64 bytes), or DER `SEQUENCE { INTEGER r, INTEGER s }`
   * as JCE/BouncyCastle (`SM3withSM2`) and `openssl pkeyutl` write it: both carry the same r and s.
   */
  verifySignature(material: string, key: string | Buffer | KeyObject, signatureValue: string): boolean {
    const pub = typeof key === 'object' && 'export' in key ? key : createPublicKey(key);
    const value = Buffer.from(signatureValue, 'base64');
    const candidates = [value.length === 64 ? value : null, sm2DerToRaw(value)].filter((v): v is Buffer => v !== null);
    return candidates.some((rs) =>
      sm2.doVerifySignature(material, rs.toString('hex'), sm2PublicHex(pub), { hash: true, der: false, userId: SM2_USER_ID }),
    );
  }

  getAlgorithmName(): string {
    return SM2_SM3;
  }
}

function newSignedXml(opts: ConstructorParameters<typeof SignedXml>[0]): SignedXml {
  const sx = new SignedXml(opts);
  (sx.SignatureAlgorithms as Record<string, unknown>)[SM2_SM3] = Sm2Sm3;
  return sx;
}

function certBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
}

const CEB_NS = 'http://www.chinaport.gov.cn/ceb';
const EXTEND_XPATH = `/*/*[local-name()='ExtendMessage' and namespace-uri()='${CEB_NS}'][1]`;

function hasExtendMessage(xml: string): boolean {
  const root = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml').documentElement;
  return !!root && childrenNamed(root, CEB_NS, 'ExtendMessage').length > 0;
}

/** Signs a CEB message (or any XML) with the enveloped signature customs expects. */
export function signXml(xml: string, keyPem: string, certPem: string): string {
  const key = createPrivateKey(keyPem);
  const algorithm = keyAlgorithmOf(key);
  if (!algorithm) throw new Error('only RSA and SM2 keys can sign CEB messages');
  const cert = new X509Certificate(certPem);
  const sx = newSignedXml({
    privateKey: keyPem,
    publicCert: certPem,
    signatureAlgorithm: algorithm === 'rsa' ? RSA_SHA1 : SM2_SM3,
    canonicalizationAlgorithm: C14N,
    getKeyInfoContent: (args) => {
      const p = args?.prefix ? `${args.prefix}:` : '';
      return `<${p}KeyName>${cert.serialNumber}</${p}KeyName><${p}X509Data><${p}X509Certificate>${certBody(certPem)}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  sx.addReference({ xpath: '/*', transforms: [ENVELOPED, C14N], digestAlgorithm: SHA1, isEmptyUri: true });
  // The CEB schema's sequence ends `…, ds:Signature?, ceb:ExtendMessage?`: the signature goes
  // before an ExtendMessage when the message has one, else it is the root's last child.
  const extend = hasExtendMessage(xml);
  sx.computeSignature(xml, {
    prefix: 'ds',
    location: extend ? { reference: EXTEND_XPATH, action: 'before' } : { reference: '/*', action: 'append' },
  });
  return sx.getSignedXml();
}

export type VerifyResult =
  | { ok: true; certificate: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'algorithm' | 'unknown_certificate' | 'invalid'; detail: string };

const childrenNamed = (parent: Element, ns: string, local: string): Element[] => {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
};

const attr = (el: Element | undefined, name: string): string | null => el?.getAttribute(name) ?? null;

/**
 * Verifies the enveloped signature of `xml` against the certificates registered for the sender
 * (PEM, any of them may have signed). The caller has already refused DOCTYPE and entities.
 */
export function verifyXml(xml: string, certificates: string[]): VerifyResult {
  let doc: Document;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: e instanceof Error ? e.message : String(e) };
  }
  const root = doc.documentElement;
  if (!root) return { ok: false, reason: 'malformed', detail: 'no root element' };
  // Exactly one signature, a child of the root: a second one, or one elsewhere, is a wrapping attempt.
  const all = doc.getElementsByTagNameNS(DSIG_NS, 'Signature');
  const direct = childrenNamed(root, DSIG_NS, 'Signature');
  if (all.length === 0) return { ok: false, reason: 'missing', detail: 'no ds:Signature' };
  if (all.length !== 1 || direct.length !== 1) {
    return { ok: false, reason: 'malformed', detail: 'exactly one ds:Signature, a child of the root element, is allowed' };
  }
  const signature = direct[0]!;
  const signedInfo = childrenNamed(signature, DSIG_NS, 'SignedInfo')[0];
  const c14n = attr(childrenNamed(signedInfo ?? signature, DSIG_NS, 'CanonicalizationMethod')[0], 'Algorithm');
  const method = attr(childrenNamed(signedInfo ?? signature, DSIG_NS, 'SignatureMethod')[0], 'Algorithm');
  const refs = signedInfo ? childrenNamed(signedInfo, DSIG_NS, 'Reference') : [];
  if (!signedInfo || refs.length !== 1)
    return { ok: false, reason: 'malformed', detail: 'SignedInfo must hold exactly one Reference' };
  const ref = refs[0]!;
  const transforms = childrenNamed(childrenNamed(ref, DSIG_NS, 'Transforms')[0] ?? ref, DSIG_NS, 'Transform').map((t) =>
    attr(t, 'Algorithm'),
  );
  const digest = attr(childrenNamed(ref, DSIG_NS, 'DigestMethod')[0], 'Algorithm');
  if (attr(ref, 'URI') !== '')
    return { ok: false, reason: 'malformed', detail: 'the Reference must cover the whole message (URI="")' };
  if (c14n !== C14N) return { ok: false, reason: 'algorithm', detail: `canonicalization ${c14n ?? '(none)'} is not C14N 1.0` };
  if (method !== RSA_SHA1 && method !== SM2_SM3) {
    return { ok: false, reason: 'algorithm', detail: `signature method ${method ?? '(none)'} is neither rsa-sha1 nor sm2-sm3` };
  }
  if (digest !== SHA1) return { ok: false, reason: 'algorithm', detail: `digest ${digest ?? '(none)'} is not SHA-1` };
  if (!transforms.includes(ENVELOPED) || transforms.some((t) => t !== ENVELOPED && t !== C14N)) {
    return { ok: false, reason: 'algorithm', detail: 'transforms must be enveloped-signature (and C14N 1.0)' };
  }
  // The certificate in KeyInfo must be one of the registered ones; a registered one is tried otherwise.
  const embedded = signature.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, '') ?? null;
  const candidates = embedded ? certificates.filter((c) => certBody(c) === embedded) : certificates;
  if (candidates.length === 0) {
    return {
      ok: false,
      reason: 'unknown_certificate',
      detail: 'the signing certificate is not registered for this organisation',
    };
  }
  for (const cert of candidates) {
    const isSm2 = keyAlgorithmOf(new X509Certificate(cert).publicKey) === 'sm2';
    if (isSm2 !== (method === SM2_SM3)) continue;
    const sx = newSignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    try {
      sx.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      if (sx.checkSignature(xml)) return { ok: true, certificate: cert };
    } catch {
      // a digest mismatch throws in xml-crypto 6: try the next certificate, then refuse
    }
  }
  return { ok: false, reason: 'invalid', detail: 'the signature or the digest does not match the message' };
}
