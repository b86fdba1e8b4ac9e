import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { passwordProblems, toSessionView, type SessionPort, type SessionView } from './account.service.ts';
import { ROLES_BY_ORG_KIND } from './access.rules.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { User } from './identity.schema.ts';
import type { UserRow } from './identity.tables.ts';
import { createOrganisationRepository } from './organisation.repository.ts';
import { actorOf, isAdmin, requirePermission, type Principal } from './principal.ts';
import { hashPassword } from './rules/credentials.ts';
import { createUserRepository } from './user.repository.ts';

const USER = { zh: '用户', en: 'user' };

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    locale: r.locale,
    roles: r.roles,
    organisationId: r.organisation_id,
    lockedUntil: r.locked_until ? r.locked_until.toISOString() : null,
    disabled: r.disabled,
    passwordChangedAt: r.password_changed_at ? r.password_changed_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  };
}

/** A user the caller administers: the operator any, an enterprise administrator their own organisation's. */
export function canAdminister(p: Principal, row: UserRow | undefined): row is UserRow {
  return !!row && (isAdmin(p) || (row.organisation_id !== null && row.organisation_id === p.organisation?.id));
}

export function roleProblems(p: Principal, roles: readonly string[], kind: 'enterprise' | 'agency' | 'operator'): FieldProblem[] {
  const allowed: readonly string[] = ROLES_BY_ORG_KIND[kind];
  if (!isAdmin(p) && roles.includes('admin')) throw forbidden();
  return roles
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !allowed.includes(r))
    .map(({ r, i }) => ({
      field: `roles[${i}]`,
      rule: 'roleForKind',
      message: { zh: `角色“${r}”不适用于此类机构`, en: `role "${r}" does not fit a ${kind}` },
      value: r,
    }));
}

/**
 * What an administrator does to another user's access. Every change that alters what a user may
 * do — roles, enabled, password — ends all their sessions at once, so no session carries the old
 * rights.
 */
export function createUserAdminService(deps: { db: Db; clock: Clock; audit: AuditLog; sessions: SessionPort }) {
  const { db, clock, audit, sessions } = deps;

  async function target(p: Principal, id: string, exec: Parameters<typeof createUserRepository>[0] = db) {
    const row = await createUserRepository(exec).findById(id);
    if (!canAdminister(p, row)) throw notFound(USER);
    return row;
  }

  return {
    async listUserSessions(p: Principal | null, id: string): Promise<SessionView[]> {
      requirePermission(p, 'users.manage');
      const row = await target(p, id);
      return (await createCredentialRepository(db).listSessions(row.id, clock.now())).map((r) => toSessionView(r, null));
    },

    async revokeUserSessions(p: Principal | null, id: string): Promise<{ revoked: number }> {
      requirePermission(p, 'users.manage');
      const ended = await db.transaction().execute(async (trx) => {
        const row = await target(p, id, trx);
        return sessions.endSessions(trx, actorOf(p), row.id, 'admin');
      });
      sessions.evictUser(id);
      return { revoked: ended.length };
    },

    async updateUser(p: Principal | null, id: string, patch: { roles?: string[]; disabled?: boolean }): Promise<User> {
      requirePermission(p, 'users.manage');
      const out = await db.transaction().execute(async (trx) => {
        const row = await target(p, id, trx);
        if (row.id === p.userId) {
          throw new DomainError('identity.forbidden', {
            zh: '不能修改自己的角色或停用自己，请由另一位管理员操作',
            en: 'You cannot change your own roles or disable yourself; ask another administrator',
          });
        }
        const kind = row.organisation_id
          ? ((await createOrganisationRepository(trx).findById(row.organisation_id))?.kind ?? 'operator')
          : 'operator';
        if (patch.roles) {
          const errors = roleProblems(p, patch.roles, kind);
          if (errors.length) throw validationError(errors);
          if (!isAdmin(p) && row.roles.includes('admin')) throw forbidden();
        }
        const now = clock.now();
        const users = createUserRepository(trx);
        const entries = [];
        const rolesChanged = patch.roles !== undefined && [...patch.roles].sort().join() !== [...row.roles].sort().join();
        const disabledChanged = patch.disabled !== undefined && patch.disabled !== row.disabled;
        if (rolesChanged) {
          entries.push({
            action: 'user.roles',
            entity: 'user',
            entityId: id,
            before: { roles: row.roles },
            after: { roles: patch.roles },
          });
        }
        if (disabledChanged) {
          entries.push({ action: patch.disabled ? 'user.disable' : 'user.enable', entity: 'user', entityId: id });
        }
        if (entries.length === 0) return toUser(row);
        const next = { ...row, roles: patch.roles ?? row.roles, disabled: patch.disabled ?? row.disabled };
        await users.update(id, { roles: next.roles, disabled: next.disabled }, now);
        await audit.append(trx, actorOf(p), entries);
        await sessions.endSessions(trx, actorOf(p), id, patch.disabled ? 'disabled' : 'roles_changed');
        return toUser(next);
      });
      sessions.evictUser(id);
      return out;
    },

    /** An administrator sets a new password (the policy applies) and ends the user's sessions. */
    async resetPassword(p: Principal | null, id: string, password: string): Promise<User> {
      requirePermission(p, 'users.manage');
      const row = await target(p, id);
      const problems = passwordProblems('password', password, row.username);
      if (problems.length) throw validationError(problems);
      const hash = await hashPassword(password);
      const now = clock.now();
      const out = await db.transaction().execute(async (trx) => {
        await target(p, id, trx);
        await createUserRepository(trx).update(
          id,
          { password_hash: hash, password_changed_at: now, failed_logins: 0, locked_until: null },
          now,
        );
        await audit.append(trx, actorOf(p), [
          { action: 'user.password_reset', entity: 'user', entityId: id, after: { changedAt: now.toISOString() } },
        ]);
        await sessions.endSessions(trx, actorOf(p), id, 'password_reset');
        return toUser({ ...row, password_changed_at: now, failed_logins: 0, locked_until: null });
      });
      sessions.evictUser(id);
      return out;
    },
  };
}
