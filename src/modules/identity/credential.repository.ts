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
    async deleteSession(tokenHash: Buffer): Promise<{ id: string; user_id: string } | undefined> {
      return db.deleteFrom('user_session').where('token_hash', '=', tokenHash).returning(['id', 'user_id']).executeTakeFirst();
    },
    async deleteExpiredSessions(now: Date): Promise<number> {
      const r = await db.deleteFrom('user_session').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async touchSession(tokenHash: Buffer, now: Date): Promise<void> {
      await db.updateTable('user_session').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
    },
    async listSessions(userId: string, now: Date): Promise<SessionRow[]> {
      return db
        .selectFrom('user_session')
        .selectAll()
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .orderBy('last_seen_at', 'desc')
        .execute();
    },
    /** Deletes the user's sessions (all, or those ids, or all but one token); answers the ids ended. */
    async deleteSessions(userId: string, opts: { ids?: string[]; exceptTokenHash?: Buffer } = {}): Promise<string[]> {
      let q = db.deleteFrom('user_session').where('user_id', '=', userId);
      if (opts.ids) q = q.where('id', 'in', opts.ids.length ? opts.ids : ['00000000-0000-0000-0000-000000000000']);
      if (opts.exceptTokenHash) q = q.where('token_hash', '<>', opts.exceptTokenHash);
      return (await q.returning('id').execute()).map((r) => r.id);
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
