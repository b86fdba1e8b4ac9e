import { tables, type Executor } from '../../kernel/db.ts';
import type { CertificateRow, SignatureTables } from './signature.tables.ts';

/** The signature module's SQL. */
export function createSignatureRepository(exec: Executor) {
  const db = tables<SignatureTables>(exec);
  return {
    async insert(row: CertificateRow): Promise<CertificateRow> {
      return db.insertInto('sig_certificate').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async findByFingerprint(orgId: string, fingerprint: string): Promise<CertificateRow | undefined> {
      return db
        .selectFrom('sig_certificate')
        .selectAll()
        .where('organisation_id', '=', orgId)
        .where('fingerprint', '=', fingerprint)
        .executeTakeFirst();
    },

    async list(orgId: string): Promise<CertificateRow[]> {
      return db
        .selectFrom('sig_certificate')
        .selectAll()
        .where('organisation_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .execute();
    },

    async find(id: string, orgId: string): Promise<CertificateRow | undefined> {
      return db
        .selectFrom('sig_certificate')
        .selectAll()
        .where('id', '=', id)
        .where('organisation_id', '=', orgId)
        .executeTakeFirst();
    },

    /** Not revoked and valid at `at`: the certificates a declaration may be signed with. */
    async active(orgId: string, at: Date): Promise<CertificateRow[]> {
      return db
        .selectFrom('sig_certificate')
        .selectAll()
        .where('organisation_id', '=', orgId)
        .where('revoked_at', 'is', null)
        .where('not_before', '<=', at)
        .where('not_after', '>', at)
        .execute();
    },

    /** Any certificate not revoked, expired or not: an expired one still obliges the organisation to sign. */
    async anyUnrevoked(orgId: string): Promise<boolean> {
      const r = await db
        .selectFrom('sig_certificate')
        .select('id')
        .where('organisation_id', '=', orgId)
        .where('revoked_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return r !== undefined;
    },

    async revoke(id: string, at: Date): Promise<void> {
      await db.updateTable('sig_certificate').set({ revoked_at: at }).where('id', '=', id).execute();
    },
  };
}
