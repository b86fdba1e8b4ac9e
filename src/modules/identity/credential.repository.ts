import { tables, type Executor } from '../../kernel/db.ts';
import type { ApiKeyRow, IdentityTables, OrganisationRow, SessionRow, UserRow } from './identity.tables.ts';

export interface SessionLookup {
  session: SessionRow;
  user: UserRow;
  org: OrganisationRow | null;
}

export function createCredentialRepository(exec: Executor) {
  const db = tables<IdentityTables>(exec);
  return {
    async insertSession(row: SessionRow): Promise<void> {
      await db.insertInto('user_session').values(row).execute();
    },
    async deleteSession(tokenHash: Buffer): Promise<void> {
      await db.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
    },
    async deleteExpiredSessions(now: Date): Promise<number> {
      const r = await db.deleteFrom('user_session').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async findSession(tokenHash: Buffer): Promise<SessionRow | undefined> {
      return db.selectFrom('user_session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    async insertApiKey(row: Omit<ApiKeyRow, 'created_at' | 'last_used_at' | 'revoked_at'>): Promise<ApiKeyRow> {
      return db.insertInto('api_key').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async findApiKeyBySecretHash(hash: Buffer): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_key').selectAll().where('secret_hash', '=', hash).executeTakeFirst();
    },
    async findApiKey(id: string, organisationId: string): Promise<ApiKeyRow | undefined> {
      return db
        .selectFrom('api_key')
        .selectAll()
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
    },
    async listApiKeys(organisationId: string): Promise<ApiKeyRow[]> {
      return db
        .selectFrom('api_key')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .orderBy('created_at', 'desc')
        .execute();
    },
    async revokeApiKey(id: string, now: Date): Promise<void> {
      await db.updateTable('api_key').set({ revoked_at: now }).where('id', '=', id).execute();
    },
    async touchApiKey(id: string, now: Date): Promise<void> {
      await db.updateTable('api_key').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
