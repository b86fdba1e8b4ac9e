import { createHash, X509Certificate } from 'node:crypto';
import type { CebMessage } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { keyAlgorithmOf, verifyXml } from './rules/xmldsig.ts';
import { createSignatureRepository } from './signature.repository.ts';
import type { CertificateRow } from './signature.tables.ts';

const CERT = { zh: '证书', en: 'certificate' };

export interface CertificateView {
  id: string;
  algorithm: 'rsa' | 'sm2';
  serialNumber: string;
  subject: string;
  issuer: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  revokedAt: string | null;
}

const view = (r: CertificateRow): CertificateView => ({
  id: r.id,
  algorithm: r.algorithm,
  serialNumber: r.serial_number,
  subject: r.subject,
  issuer: r.issuer,
  fingerprint: r.fingerprint,
  notBefore: r.not_before.toISOString(),
  notAfter: r.not_after.toISOString(),
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

function ownOrg(p: Principal | null): { p: Principal; orgId: string } {
  requirePermission(p, 'signatures.manage');
  if (p.organisation?.kind !== 'enterprise') throw forbidden();
  return { p, orgId: p.organisation.id };
}

const refuse = (reason: string, zh: string, en: string, detail?: string): DomainError =>
  new DomainError('signature.unprocessable', { zh, en }, { reason, ...(detail ? { detail } : {}) });

/**
 * A person in the web UI: a user's session authenticated by the cookie alone, which for any change
 * has passed the CSRF origin check. A bearer token (log-in token or API key) is what a program holds.
 */
const isPerson = (p: Pick<Principal, 'via' | 'viaCookie' | 'userId'>): boolean =>
  p.via === 'session' && p.viaCookie === true && p.userId !== null;

export type SignatureService = ReturnType<typeof createSignatureService>;

/**
 * Certificates of an organisation, and the check the clearance intake runs through its port: a
 * declaration (appStatus 2) of an organisation with a registered certificate must be signed.
 */
export function createSignatureService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  return {
    async register(principal: Principal | null, pem: string): Promise<CertificateView> {
      const { p, orgId } = ownOrg(principal);
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        throw validationError([
          {
            field: 'certificate',
            rule: 'x509',
            message: { zh: '不是有效的 X.509 证书（PEM）', en: 'not a valid X.509 certificate (PEM)' },
          },
        ]);
      }
      const algorithm = keyAlgorithmOf(cert.publicKey);
      if (!algorithm) {
        throw validationError([
          {
            field: 'certificate',
            rule: 'algorithm',
            message: { zh: '只接受 RSA 或 SM2 证书', en: 'only RSA and SM2 certificates are accepted' },
          },
        ]);
      }
      const notAfter = new Date(cert.validTo);
      const now = clock.now();
      if (notAfter <= now) {
        throw validationError([
          {
            field: 'certificate',
            rule: 'expired',
            message: { zh: `证书已于 ${cert.validTo} 过期`, en: `the certificate expired on ${cert.validTo}` },
          },
        ]);
      }
      const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
      return db.transaction().execute(async (trx) => {
        const repo = createSignatureRepository(trx);
        if (await repo.findByFingerprint(orgId, fingerprint)) {
          throw new DomainError(
            'signature.duplicate',
            { zh: '该证书已登记', en: 'this certificate is already registered' },
            { fingerprint },
          );
        }
        const row = await repo.insert({
          id: newId(),
          organisation_id: orgId,
          algorithm,
          certificate_pem: cert.toString(),
          fingerprint,
          serial_number: cert.serialNumber,
          subject: cert.subject,
          issuer: cert.issuer,
          not_before: new Date(cert.validFrom),
          not_after: notAfter,
          created_at: now,
          created_by: p.userId,
          revoked_at: null,
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'certificate.register',
            entity: 'sig_certificate',
            entityId: row.id,
            after: { algorithm, fingerprint, serial: cert.serialNumber },
          },
        ]);
        return view(row);
      });
    },

    async list(principal: Principal | null): Promise<CertificateView[]> {
      const { orgId } = ownOrg(principal);
      return (await createSignatureRepository(db).list(orgId)).map(view);
    },

    async revoke(principal: Principal | null, id: string): Promise<CertificateView> {
      const { p, orgId } = ownOrg(principal);
      return db.transaction().execute(async (trx) => {
        const repo = createSignatureRepository(trx);
        const row = await repo.find(id, orgId);
        if (!row) throw notFound(CERT);
        if (row.revoked_at) return view(row);
        const at = clock.now();
        await repo.revoke(id, at);
        await audit.append(trx, actorOf(p), [
          {
            action: 'certificate.revoke',
            entity: 'sig_certificate',
            entityId: id,
            before: { revokedAt: null },
            after: { revokedAt: at.toISOString() },
          },
        ]);
        return view({ ...row, revoked_at: at });
      });
    },

    /**
     * Before the platform sends, on `initiator`'s request, unsigned JSON it builds from stored data
     * as these organisations (a broker declaring drafts: the sellers' CEB303, its own CEB603):
     * refused (`json_unsigned`, nothing sent) when one of them has an unrevoked certificate and
     * the initiator is not a person in the web UI. The same rule as `requireSignature`, asked up
     * front so that no message of the batch is stored.
     */
    async requireUnsignedAllowed(initiator: Principal, orgIds: readonly string[]): Promise<void> {
      if (isPerson(initiator)) return;
      const repo = createSignatureRepository(db);
      const signing: string[] = [];
      for (const id of new Set(orgIds)) if (await repo.anyUnrevoked(id)) signing.push(id);
      if (signing.length === 0) return;
      throw new DomainError(
        'signature.unprocessable',
        {
          zh: '申报涉及已登记证书的企业：平台代其生成的未签名报文（如卖家订单 CEB303）只接受网页会话发起，不接受接口（登录令牌或 API 密钥）调用；请在网页上申报，或由该企业发送签名的 XML 报文',
          en: 'the declaration involves organisations with a registered certificate: the unsigned messages the platform builds for them (a seller’s orders, CEB303) are sent only on a web session’s request, not through the API (bearer token or API key); declare in the web UI, or have the organisation send signed XML',
        },
        { reason: 'json_unsigned', organisations: signing },
      );
    },

    /**
     * The intake's signature port: throws `signature.unprocessable` when a required signature is
     * missing or wrong. `raw`: the bytes of the CEB message the decoder produced `message` from.
     */
    async requireSignature(p: Principal, message: CebMessage, format: 'xml' | 'json', raw?: Buffer): Promise<void> {
      const orgId = p.organisation?.id;
      const declares = message.entities.some((e) => (e.head.appStatus ?? message.appStatus) === '2');
      if (!orgId || !declares) return;
      const repo = createSignatureRepository(db);
      if (!(await repo.anyUnrevoked(orgId))) return;
      if (format === 'json' || !raw) {
        // Unsigned only from a person in the web UI — a session cookie whose request passed the
        // CSRF origin check — or from the platform's own organisation principal (no user, no key:
        // a seller's orders sent when its broker declares, a centre's arrival at dispatch), whose
        // message the platform builds itself. A bearer token, log-in token or API key alike, is
        // what a program holds, and a program of a signing organisation sends signed XML.
        // The platform's own principal acting on someone's request is as free as that someone.
        const person = isPerson(p);
        const platformMade = p.userId === null && p.apiKeyId === null && (!p.initiatedBy || isPerson(p.initiatedBy));
        if (!person && !platformMade) {
          throw refuse(
            'json_unsigned',
            '已登记证书的企业通过接口（登录令牌或 API 密钥）申报（appStatus=2）须发送签名的 XML 报文，未签名的 JSON 只接受网页会话',
            'an organisation with a registered certificate declares (appStatus 2) through the API (bearer token or API key) with signed XML messages; unsigned JSON only from a web session',
          );
        }
        return;
      }
      const certs = await repo.active(orgId, clock.now());
      if (certs.length === 0) {
        throw refuse(
          'no_valid_certificate',
          '登记的证书均已过期或尚未生效',
          'every registered certificate has expired or is not yet valid',
        );
      }
      // `raw` is the CEB message exactly as the decoder read it (for a DxpMsg, its Data): the
      // signature is checked on what was decoded, not on the envelope or a second reading of it.
      const r = verifyXml(
        raw.toString('utf8'),
        certs.map((c) => c.certificate_pem),
      );
      if (r.ok) return;
      const why: Record<typeof r.reason, [string, string]> = {
        missing: ['申报报文（appStatus=2）缺少数字签名 ds:Signature', 'the declaration (appStatus 2) carries no ds:Signature'],
        malformed: ['数字签名结构不符合要求', 'the signature is not an enveloped XML-DSig of the whole message'],
        algorithm: [
          '数字签名算法不被接受（须 C14N、enveloped、SHA-1 摘要、rsa-sha1 或 sm2-sm3）',
          'signature algorithms not accepted (C14N, enveloped, SHA-1 digest, rsa-sha1 or sm2-sm3)',
        ],
        unknown_certificate: ['签名证书未在本企业登记', 'the signing certificate is not registered for this organisation'],
        invalid: [
          '数字签名验证失败：报文被篡改或签名错误',
          'signature verification failed: the message was altered or wrongly signed',
        ],
      };
      const [zh, en] = why[r.reason];
      throw refuse(r.reason, zh, en, r.detail);
    },
  };
}
