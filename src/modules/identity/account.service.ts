import { verify as argonVerify } from '@node-rs/argon2';
import type { Actor, AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { SessionRow } from './identity.tables.ts';
import { actorOf, requirePrincipal, type Principal } from './principal.ts';
import { commonPasswords } from './rules/common-passwords.ts';
import { hashPassword, sha256 } from './rules/credentials.ts';
import { checkPassword } from './rules/password.rules.ts';
import { createUserRepository } from './user.repository.ts';

const SESSION = { zh: '会话', en: 'session' };

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export function toSessionView(r: SessionRow, currentHash: Buffer | null): SessionView {
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
    current: currentHash !== null && r.token_hash.equals(currentHash),
  };
}

/** The policy as field problems: bilingual, naming the field and the rule broken. */
export function passwordProblems(field: string, password: string, username: string): FieldProblem[] {
  return checkPassword(password, username, commonPasswords()).map((p) => ({
    field,
    rule: p.rule,
    message: { zh: p.zh, en: p.en },
  }));
}

export interface SessionPort {
  endSessions(
    trx: Executor,
    actor: Actor,
    userId: string,
    reason: string,
    opts?: { ids?: string[]; exceptTokenHash?: Buffer },
  ): Promise<string[]>;
  evictUser(userId: string): void;
}

/** Deletes sessions of one user in the caller's transaction and audits which ended, and why. */
export async function endUserSessions(
  audit: AuditLog,
  trx: Executor,
  actor: Actor,
  userId: string,
  reason: string,
  opts: { ids?: string[]; exceptTokenHash?: Buffer } = {},
): Promise<string[]> {
  const ended = await createCredentialRepository(trx).deleteSessions(userId, opts);
  if (ended.length) {
    await audit.append(trx, actor, [
      { action: 'session.revoke', entity: 'user', entityId: userId, after: { reason, sessionIds: ended } },
    ]);
  }
  return ended;
}

function personOf(p: Principal | null): asserts p is Principal & { userId: string } {
  requirePrincipal(p);
  if (!p.userId) {
    throw new DomainError('identity.bad_request', {
      zh: 'API 密钥没有会话或密码，请用登录会话操作',
      en: 'An API key has no sessions or password; use a logged-in session',
    });
  }
}

/** What a person does to their own account: sessions and password. */
export function createAccountService(deps: { db: Db; clock: Clock; audit: AuditLog; sessions: SessionPort }) {
  const { db, clock, audit, sessions } = deps;
  return {
    async listSessions(p: Principal | null, currentToken: string | null): Promise<SessionView[]> {
      personOf(p);
      const rows = await createCredentialRepository(db).listSessions(p.userId, clock.now());
      return rows.map((r) => toSessionView(r, currentToken ? sha256(currentToken) : null));
    },

    /** Ends one of the caller's own sessions; another user's session id answers 404. */
    async revokeSession(p: Principal | null, id: string): Promise<void> {
      personOf(p);
      const ended = await db
        .transaction()
        .execute((trx) => sessions.endSessions(trx, actorOf(p), p.userId, 'user', { ids: [id] }));
      if (ended.length === 0) throw notFound(SESSION);
      sessions.evictUser(p.userId);
    },

    /** "Log out everywhere else": every session of the caller but the one making the call. */
    async revokeOtherSessions(p: Principal | null, currentToken: string | null): Promise<{ revoked: number }> {
      personOf(p);
      const ended = await db.transaction().execute((trx) =>
        sessions.endSessions(trx, actorOf(p), p.userId, 'user_others', {
          ...(currentToken ? { exceptTokenHash: sha256(currentToken) } : {}),
        }),
      );
      sessions.evictUser(p.userId);
      return { revoked: ended.length };
    },

    /** Needs the current password; ends every other session of the user. */
    async changePassword(
      p: Principal | null,
      currentToken: string | null,
      input: { currentPassword: string; newPassword: string },
    ): Promise<{ revokedSessions: number }> {
      personOf(p);
      const users = createUserRepository(db);
      const user = await users.findById(p.userId);
      if (!user) throw notFound({ zh: '用户', en: 'user' });
      const ok = await argonVerify(user.password_hash, input.currentPassword).catch(() => false);
      if (!ok) {
        await audit.append(db, actorOf(p), [
          {
            action: 'user.password_change_failed',
            entity: 'user',
            entityId: user.id,
            after: { reason: 'wrong_current_password' },
          },
        ]);
        throw validationError([
          {
            field: 'currentPassword',
            rule: 'matchesCurrent',
            message: { zh: '当前密码不正确', en: 'the current password is wrong' },
          },
        ]);
      }
      const problems = passwordProblems('newPassword', input.newPassword, user.username);
      if (input.newPassword === input.currentPassword) {
        problems.push({
          field: 'newPassword',
          rule: 'differentFromCurrent',
          message: { zh: '新密码不能与当前密码相同', en: 'the new password must differ from the current one' },
        });
      }
      if (problems.length) throw validationError(problems);
      const hash = await hashPassword(input.newPassword);
      const now = clock.now();
      const ended = await db.transaction().execute(async (trx) => {
        await createUserRepository(trx).update(user.id, { password_hash: hash, password_changed_at: now }, now);
        await audit.append(trx, actorOf(p), [
          { action: 'user.password_change', entity: 'user', entityId: user.id, after: { changedAt: now.toISOString() } },
        ]);
        return sessions.endSessions(trx, actorOf(p), user.id, 'password_changed', {
          ...(currentToken ? { exceptTokenHash: sha256(currentToken) } : {}),
        });
      });
      sessions.evictUser(user.id);
      return { revokedSessions: ended.length };
    },
  };
}
