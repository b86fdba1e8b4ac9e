import { timingSafeEqual } from 'node:crypto';
import { verify as argonVerify } from '@node-rs/argon2';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import { newId, newSecret } from '../../kernel/ids.ts';
import { API_KEY_ROLES, permissionsOf } from './access.rules.ts';
import { createAccountService, endUserSessions, type SessionPort } from './account.service.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { OrganisationRow, UserRow } from './identity.tables.ts';
import type { Me } from './identity.schema.ts';
import { createOrganisationRepository } from './organisation.repository.ts';
import { actorOf, requirePrincipal, type Principal } from './principal.ts';
import { createUserRepository } from './user.repository.ts';
import { API_KEY_PREFIX, hashPassword, SESSION_PREFIX, sha256 } from './rules/credentials.ts';

export interface AuthSettings {
  sessionTtlHours: number;
  /** A session unused this long ends before its absolute expiry (SESSION_IDLE_MINUTES). */
  sessionIdleMinutes?: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
}

export const DEFAULT_SESSION_IDLE_MINUTES = 60;

// Verifying against this when the user does not exist keeps unknown and known names equally slow.
let dummyHash: Promise<string> | undefined;

const invalidCredentials = (): DomainError =>
  new DomainError('invalid_credentials', { zh: '用户名或密码错误', en: 'Wrong username or password' });

function orgCode(org: OrganisationRow | null): string | null {
  if (!org) return null;
  return org.customs_code ?? org.uscc ?? org.jurisdiction;
}

export function principalOf(
  user: UserRow,
  org: OrganisationRow | null,
  via: Principal['via'],
  apiKeyId: string | null,
): Principal {
  const roles = via === 'api_key' ? [...API_KEY_ROLES] : user.roles;
  return {
    via,
    userId: via === 'session' ? user.id : null,
    apiKeyId,
    username: user.username,
    roles,
    permissions: permissionsOf(roles),
    organisation: org && {
      id: org.id,
      kind: org.kind,
      name: org.name,
      roles: org.roles,
      jurisdiction: org.jurisdiction,
      code: orgCode(org),
    },
  };
}

interface CacheEntry {
  principal: Principal | null;
  /** Wall-clock ms after which the entry is re-read from the database. */
  expires: number;
  /** The user whose sessions or keys this entry stands for: evicted when they are revoked. */
  ownerId: string | null;
  session: { tokenHash: Buffer; expiresAt: Date; lastSeenAt: Date } | null;
}

/** Where a log-in came from, recorded in the audit log. */
export interface LoginContext {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: { db: Db; clock: Clock; audit: AuditLog; settings: AuthSettings }) {
  const { db, clock, audit, settings } = deps;
  // Authenticating every request against the database would cost a query per call; a short
  // cache bounds that. Log-out and revocation evict locally; other processes see it within TTL.
  // A revocation in this process evicts at once (`evictUser`); another process keeps serving a
  // cached principal for at most CACHE_MS, then reads the deleted session and refuses it.
  const cache = new Map<string, CacheEntry>();
  const CACHE_MS = 10_000;
  const CACHE_MAX = 20_000;
  const idleMs = (settings.sessionIdleMinutes ?? DEFAULT_SESSION_IDLE_MINUTES) * 60_000;
  // last_seen_at is written at most every quarter of the idle limit (15 minutes at the default
  // 60): not a write per request, and an idle session may end up to that much early, never late.
  const touchMs = Math.max(60_000, Math.floor(idleMs / 4));

  function remember(key: string, entry: Omit<CacheEntry, 'expires'>): void {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { ...entry, expires: Date.now() + CACHE_MS });
  }

  function evictUser(userId: string): void {
    for (const [token, entry] of cache) if (entry.ownerId === userId) cache.delete(token);
  }

  const sessionLive = (s: { expiresAt: Date; lastSeenAt: Date }, now: Date): boolean =>
    s.expiresAt > now && now.getTime() - s.lastSeenAt.getTime() <= idleMs;

  async function auditLogin(
    ctx: LoginContext,
    actor: { userId: string | null; orgId: string | null },
    action: string,
    entityId: string | null,
    after: Record<string, unknown>,
  ): Promise<void> {
    await audit.append(db, { ...actor, requestId: ctx.requestId ?? null }, [
      {
        action,
        entity: 'user',
        entityId,
        after: { ...after, ip: ctx.ip ?? null, userAgent: ctx.userAgent?.slice(0, 300) ?? null },
      },
    ]);
  }

  /**
   * Ends sessions of one user inside the caller's transaction and audits it. The caller calls
   * `evictUser` after commit so this process refuses the tokens at once.
   */
  const endSessions: SessionPort['endSessions'] = (trx, actor, userId, reason, opts) =>
    endUserSessions(audit, trx, actor, userId, reason, opts);

  async function loadUserPrincipal(userId: string, via: Principal['via'], apiKeyId: string | null, orgId?: string) {
    const users = createUserRepository(db);
    const orgs = createOrganisationRepository(db);
    const user = await users.findById(userId);
    if (!user || user.disabled) return null;
    const org = (orgId ?? user.organisation_id) ? ((await orgs.findById((orgId ?? user.organisation_id)!)) ?? null) : null;
    return principalOf(user, org, via, apiKeyId);
  }

  async function me(p: Principal | null): Promise<Me> {
    requirePrincipal(p);
    const users = createUserRepository(db);
    const orgs = createOrganisationRepository(db);
    const user = p.userId ? await users.findById(p.userId) : undefined;
    const org = p.organisation ? await orgs.findById(p.organisation.id) : undefined;
    return {
      user: {
        id: user?.id ?? p.apiKeyId ?? '',
        username: p.username,
        displayName: user?.display_name ?? p.username,
        locale: user?.locale ?? 'zh-CN',
        roles: p.roles,
        organisation: org
          ? {
              id: org.id,
              name: org.name,
              nameEn: org.name_en,
              kind: org.kind,
              code: orgCode(org),
              roles: org.roles,
              jurisdiction: org.jurisdiction,
            }
          : null,
      },
      permissions: [...p.permissions].sort(),
    };
  }

  return {
    async login(input: { username: string; password: string } & LoginContext) {
      const username = input.username.trim().toLowerCase();
      const users = createUserRepository(db);
      const user = await users.findByUsername(username);
      const now = clock.now();
      const failed = (reason: string, u?: UserRow) =>
        auditLogin(input, { userId: null, orgId: u?.organisation_id ?? null }, 'auth.login_failed', u?.id ?? null, {
          username: username.slice(0, 64),
          reason,
        });
      if (!user || user.disabled) {
        dummyHash ??= hashPassword('not-a-real-password');
        await argonVerify(await dummyHash, input.password).catch(() => false);
        await failed(user ? 'disabled' : 'unknown_user', user);
        throw invalidCredentials();
      }
      if (user.locked_until && user.locked_until > now) {
        await failed('locked', user);
        throw new DomainError(
          'identity.locked',
          {
            zh: `登录失败次数过多，账户已锁定至 ${user.locked_until.toISOString()}`,
            en: `Too many failed log-ins; the account is locked until ${user.locked_until.toISOString()}`,
          },
          { lockedUntil: user.locked_until.toISOString() },
        );
      }
      const ok = await argonVerify(user.password_hash, input.password).catch(() => false);
      if (!ok) {
        const lockUntil = new Date(now.getTime() + settings.loginLockMinutes * 60_000);
        const state = await db.transaction().execute(async (trx) => {
          const s = await createUserRepository(trx).recordFailure(user.id, settings.loginMaxFailures, lockUntil, now);
          if (s.locked_until && s.locked_until > now) {
            await audit.append(trx, { userId: null, orgId: user.organisation_id, requestId: input.requestId ?? null }, [
              {
                action: 'user.locked',
                entity: 'user',
                entityId: user.id,
                after: { failedLogins: s.failed_logins, lockedUntil: s.locked_until.toISOString(), ip: input.ip ?? null },
              },
            ]);
          }
          return s;
        });
        await failed('wrong_password', user);
        if (state.locked_until && state.locked_until > now) {
          throw new DomainError(
            'identity.locked',
            {
              zh: `登录失败次数过多，账户已锁定 ${settings.loginLockMinutes} 分钟`,
              en: `Too many failed log-ins; the account is locked for ${settings.loginLockMinutes} minutes`,
            },
            { lockedUntil: state.locked_until.toISOString() },
          );
        }
        throw invalidCredentials();
      }
      const token = SESSION_PREFIX + newSecret(32);
      const expires = new Date(now.getTime() + settings.sessionTtlHours * 3_600_000);
      const sessionId = newId();
      await db.transaction().execute(async (trx) => {
        if (user.failed_logins > 0 || user.locked_until) {
          await createUserRepository(trx).update(user.id, { failed_logins: 0, locked_until: null }, now);
        }
        await createCredentialRepository(trx).insertSession({
          id: sessionId,
          token_hash: sha256(token),
          user_id: user.id,
          created_at: now,
          expires_at: expires,
          last_seen_at: now,
          ip: input.ip ?? null,
          user_agent: input.userAgent?.slice(0, 300) ?? null,
        });
      });
      await auditLogin(input, { userId: user.id, orgId: user.organisation_id }, 'auth.login', user.id, {
        sessionId,
        expiresAt: expires.toISOString(),
      });
      const principal = (await loadUserPrincipal(user.id, 'session', null))!;
      return { token, expiresAt: expires, principal, me: await me(principal) };
    },

    async logout(token: string, p: Principal | null): Promise<void> {
      cache.delete(token);
      const ended = await createCredentialRepository(db).deleteSession(sha256(token));
      if (ended && p) {
        await audit.append(db, actorOf(p), [
          { action: 'auth.logout', entity: 'user', entityId: ended.user_id, after: { sessionId: ended.id } },
        ]);
      }
    },

    /** Session token or API key → principal; null when unknown, expired, idle too long or revoked. */
    async authenticate(token: string): Promise<Principal | null> {
      const now = clock.now();
      const hit = cache.get(token);
      if (hit && hit.expires > Date.now() && (!hit.session || sessionLive(hit.session, now))) {
        if (hit.session && now.getTime() - hit.session.lastSeenAt.getTime() >= touchMs) {
          hit.session.lastSeenAt = now;
          await createCredentialRepository(db).touchSession(hit.session.tokenHash, now);
        }
        return hit.principal;
      }
      const creds = createCredentialRepository(db);
      let principal: Principal | null = null;
      let ownerId: string | null = null;
      let session: CacheEntry['session'] = null;
      if (token.startsWith(SESSION_PREFIX)) {
        const hash = sha256(token);
        const s = await creds.findSession(hash);
        if (s && sessionLive({ expiresAt: s.expires_at, lastSeenAt: s.last_seen_at }, now)) {
          principal = await loadUserPrincipal(s.user_id, 'session', null);
          ownerId = s.user_id;
          session = { tokenHash: hash, expiresAt: s.expires_at, lastSeenAt: s.last_seen_at };
          if (now.getTime() - s.last_seen_at.getTime() >= touchMs) {
            session.lastSeenAt = now;
            await creds.touchSession(hash, now);
          }
        } else if (s) {
          // Past its end or idle too long: gone for good, not merely refused.
          await creds.deleteSession(hash);
        }
      } else if (token.startsWith(API_KEY_PREFIX)) {
        const key = await creds.findApiKeyBySecretHash(sha256(token));
        if (key && !key.revoked_at && key.created_by) {
          // timingSafeEqual guards the comparison the index lookup already made exact.
          if (timingSafeEqual(key.secret_hash, sha256(token))) {
            principal = await loadUserPrincipal(key.created_by, 'api_key', key.id, key.organisation_id);
            ownerId = key.created_by;
            await creds.touchApiKey(key.id, now);
          }
        }
      }
      remember(token, { principal, ownerId, session });
      return principal;
    },

    evictUser,
    endSessions,
    ...createAccountService({ db, clock, audit, sessions: { endSessions, evictUser } }),
    /** The absolute and idle limits, for the account page. */
    sessionLimits: { ttlHours: settings.sessionTtlHours, idleMinutes: idleMs / 60_000 },

    forgetApiKey(apiKeyId: string): void {
      for (const [token, entry] of cache) if (entry.principal?.apiKeyId === apiKeyId) cache.delete(token);
    },

    me,

    async setLocale(p: Principal | null, locale: 'zh-CN' | 'en'): Promise<void> {
      requirePrincipal(p);
      if (!p.userId) {
        throw new DomainError('identity.bad_request', { zh: 'API 密钥没有界面语言', en: 'An API key has no UI language' });
      }
      const userId = p.userId;
      await db.transaction().execute(async (trx) => {
        await createUserRepository(trx).update(userId, { locale }, clock.now());
        await audit.append(trx, actorOf(p), [{ action: 'user.locale', entity: 'user', entityId: userId, after: { locale } }]);
      });
    },
  };
}
