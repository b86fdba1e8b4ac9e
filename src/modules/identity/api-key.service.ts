import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, notFound } from '../../kernel/errors.ts';
import { newId, newSecret } from '../../kernel/ids.ts';
import { API_KEY_PREFIX, sha256 } from './rules/credentials.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { ApiKey } from './identity.schema.ts';
import type { ApiKeyRow } from './identity.tables.ts';
import { actorOf, requirePermission } from './principal.ts';
import type { Principal } from './principal.ts';

const KEY = { zh: 'API 密钥', en: 'API key' };

function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at ? r.last_used_at.toISOString() : null,
    revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

export function createApiKeyService(deps: { db: Db; clock: Clock; audit: AuditLog; onRevoke: (keyId: string) => void }) {
  const { db, clock, audit } = deps;
  function orgOf(p: Principal): string {
    // Keys are made by people, for their organisation; a key cannot mint keys.
    if (p.via !== 'session' || !p.organisation) throw forbidden();
    return p.organisation.id;
  }
  return {
    async list(p: Principal | null): Promise<ApiKey[]> {
      requirePermission(p, 'apikeys.manage');
      return (await createCredentialRepository(db).listApiKeys(orgOf(p))).map(toApiKey);
    },

    /** The full key is returned once, here; only its SHA-256 is stored. */
    async create(p: Principal | null, name: string): Promise<ApiKey & { key: string }> {
      requirePermission(p, 'apikeys.manage');
      const orgId = orgOf(p);
      const prefix = newSecret(6).replace(/[-_]/g, 'x').slice(0, 8);
      const key = `${API_KEY_PREFIX}${prefix}_${newSecret(32)}`;
      return db.transaction().execute(async (trx) => {
        const row = await createCredentialRepository(trx).insertApiKey({
          id: newId(),
          organisation_id: orgId,
          created_by: p.userId,
          name,
          prefix,
          secret_hash: sha256(key),
        });
        await audit.append(trx, actorOf(p), [
          { action: 'apikey.create', entity: 'api_key', entityId: row.id, after: toApiKey(row) },
        ]);
        return { ...toApiKey(row), key };
      });
    },

    async revoke(p: Principal | null, id: string): Promise<void> {
      requirePermission(p, 'apikeys.manage');
      const orgId = orgOf(p);
      await db.transaction().execute(async (trx) => {
        const repo = createCredentialRepository(trx);
        const row = await repo.findApiKey(id, orgId);
        if (!row) throw notFound(KEY);
        if (row.revoked_at) return;
        await repo.revokeApiKey(id, clock.now());
        await audit.append(trx, actorOf(p), [
          { action: 'apikey.revoke', entity: 'api_key', entityId: id, before: toApiKey(row) },
        ]);
      });
      deps.onRevoke(id);
    },
  };
}
