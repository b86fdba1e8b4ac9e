import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { AGENCY_DUTIES, DIRECTORY_ROLES, ENTERPRISE_ROLES } from './access.rules.ts';
import { endUserSessions, passwordProblems, type SessionPort } from './account.service.ts';
import { createUserAdminService, roleProblems, toUser } from './user-admin.service.ts';
import type { DirectoryEntry, DirectoryQuery, NewOrganisation, NewUser, Organisation, User } from './identity.schema.ts';
import type { OrganisationRow } from './identity.tables.ts';
import { createOrganisationRepository, type OrgScope } from './organisation.repository.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, requirePrincipal, type Principal } from './principal.ts';
import { checkCustomsCode, checkUscc } from './rules/enterprise-codes.ts';
import { createUserRepository } from './user.repository.ts';
import { hashPassword } from './rules/credentials.ts';

const ORG = { zh: '机构', en: 'organisation' };
const USER = { zh: '用户', en: 'user' };

export function toOrganisation(r: OrganisationRow): Organisation {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    nameEn: r.name_en,
    code: r.customs_code ?? r.uscc ?? r.jurisdiction,
    uscc: r.uscc,
    customsCode: r.customs_code,
    roles: r.roles,
    jurisdiction: r.jurisdiction,
    createdAt: r.created_at.toISOString(),
  };
}

/** What an organisation may see of others: admin all; an agency its jurisdiction; others themselves. */
export function orgScopeOf(p: Principal): OrgScope {
  if (isAdmin(p)) return { all: true };
  const org = p.organisation;
  if (!org) return { all: false, orgId: '00000000-0000-0000-0000-000000000000', jurisdictionPrefix: null };
  return {
    all: false,
    orgId: org.id,
    jurisdictionPrefix: org.kind === 'agency' ? jurisdictionPrefix(org.jurisdiction) : null,
  };
}

function canSee(scope: OrgScope, row: OrganisationRow): boolean {
  if (scope.all) return true;
  if (row.id === scope.orgId) return true;
  return scope.jurisdictionPrefix !== null && (row.jurisdiction ?? '').startsWith(scope.jurisdictionPrefix);
}

export function checkNewOrganisation(input: NewOrganisation): FieldProblem[] {
  const errors: FieldProblem[] = [];
  if (input.uscc !== undefined) {
    const r = checkUscc(input.uscc);
    if (!r.ok) errors.push({ field: 'uscc', rule: r.rule, message: { zh: r.zh, en: r.en }, value: input.uscc });
  }
  if (input.customsCode !== undefined) {
    const r = checkCustomsCode(input.customsCode);
    if (!r.ok) errors.push({ field: 'customsCode', rule: r.rule, message: { zh: r.zh, en: r.en }, value: input.customsCode });
  }
  const allowed: readonly string[] =
    input.kind === 'enterprise' ? ENTERPRISE_ROLES : input.kind === 'agency' ? AGENCY_DUTIES : [];
  for (const [i, role] of input.roles.entries()) {
    if (!allowed.includes(role)) {
      errors.push({
        field: `roles[${i}]`,
        rule: 'roleForKind',
        message: { zh: `“${role}”不是${input.kind}可有的角色`, en: `"${role}" is not a role a ${input.kind} can hold` },
        value: role,
      });
    }
  }
  if (input.kind === 'enterprise' && !input.uscc && !input.customsCode) {
    errors.push({
      field: 'uscc',
      rule: 'required',
      message: { zh: '企业须有统一社会信用代码或海关编码', en: 'an enterprise needs a USCC or a customs code' },
    });
  }
  if (input.kind === 'enterprise' && input.roles.length === 0) {
    errors.push({
      field: 'roles',
      rule: 'minItems',
      message: { zh: '企业至少有一个角色', en: 'an enterprise holds at least one role' },
    });
  }
  if (input.kind === 'agency' && !input.jurisdiction) {
    errors.push({
      field: 'jurisdiction',
      rule: 'required',
      message: { zh: '监管机构须有管辖关区代码', en: 'an agency needs a jurisdiction (customs district code)' },
    });
  }
  return errors;
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;

export function createOrganisationService(deps: { db: Db; clock: Clock; audit: AuditLog; sessions?: SessionPort }) {
  const { db, clock, audit } = deps;
  // Without the auth service's port (a test wiring the services by hand) sessions still end in the
  // database; only the in-process principal cache is not told.
  const sessions: SessionPort = deps.sessions ?? {
    endSessions: (trx, actor, userId, reason, opts) => endUserSessions(audit, trx, actor, userId, reason, opts),
    evictUser: () => undefined,
  };
  return {
    ...createUserAdminService({ db, clock, audit, sessions }),

    async list(p: Principal | null, opts: { q?: string; kind?: string; cursor?: string; limit?: number }) {
      requirePermission(p, 'organisations.read_all');
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
      let after: { name: string; id: string } | undefined;
      if (opts.cursor) {
        try {
          after = JSON.parse(Buffer.from(opts.cursor, 'base64url').toString('utf8')) as { name: string; id: string };
        } catch {
          throw validationError([{ field: 'cursor', rule: 'format', message: { zh: '游标无效', en: 'invalid cursor' } }]);
        }
      }
      const rows = await createOrganisationRepository(db).list({
        scope: orgScopeOf(p),
        limit: limit + 1,
        ...(opts.q ? { q: opts.q } : {}),
        ...(opts.kind ? { kind: opts.kind } : {}),
        ...(after ? { after } : {}),
      });
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map(toOrganisation),
        nextCursor: more && last ? Buffer.from(JSON.stringify({ name: last.name, id: last.id })).toString('base64url') : null,
      };
    },

    /**
     * The register of filed enterprises by role, as single windows publish it: code, name and roles
     * of every enterprise holding `role`, to whoever may name one on a document or booking (50 at most).
     */
    async directory(p: Principal | null, query: DirectoryQuery): Promise<{ items: DirectoryEntry[] }> {
      requirePermission(p, 'organisations.directory');
      if (!(DIRECTORY_ROLES as readonly string[]).includes(query.role)) {
        throw validationError([
          {
            field: 'role',
            rule: 'enum',
            message: {
              zh: `角色须为 ${DIRECTORY_ROLES.join('、')} 之一`,
              en: `role must be one of ${DIRECTORY_ROLES.join(', ')}`,
            },
            value: query.role,
          },
        ]);
      }
      const q = query.q?.trim();
      const rows = await createOrganisationRepository(db).directory({ role: query.role, limit: 50, ...(q ? { q } : {}) });
      return {
        items: rows.map((r) => ({
          code: r.customs_code!,
          name: r.name,
          ...(r.name_en ? { nameEn: r.name_en } : {}),
          roles: r.roles,
        })),
      };
    },

    async get(p: Principal | null, id: string): Promise<Organisation> {
      requirePrincipal(p);
      const row = await createOrganisationRepository(db).findById(id);
      // A foreign id answers exactly like an unknown one: existence is not disclosed.
      if (!row || !canSee(orgScopeOf(p), row)) throw notFound(ORG);
      return toOrganisation(row);
    },

    async create(p: Principal | null, input: NewOrganisation): Promise<Organisation> {
      requirePermission(p, 'organisations.manage');
      const errors = checkNewOrganisation(input);
      if (errors.length) throw validationError(errors);
      return db.transaction().execute(async (trx) => {
        const repo = createOrganisationRepository(trx);
        for (const code of [input.uscc, input.customsCode]) {
          if (code && (await repo.findByCode(code))) {
            throw new DomainError('identity.duplicate', {
              zh: `代码 ${code} 已被使用`,
              en: `code ${code} is already registered`,
            });
          }
        }
        const row = await repo.insert({
          id: newId(),
          kind: input.kind,
          name: input.name,
          name_en: input.nameEn ?? null,
          uscc: input.uscc ?? null,
          customs_code: input.customsCode ?? null,
          roles: input.roles,
          jurisdiction: input.jurisdiction ?? null,
          dxp_id: input.customsCode ? `DXPENT${input.customsCode}` : null,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'organisation.create', entity: 'organisation', entityId: row.id, after: toOrganisation(row) },
        ]);
        return toOrganisation(row);
      });
    },

    async listUsers(p: Principal | null): Promise<User[]> {
      requirePermission(p, 'users.manage');
      const orgId = isAdmin(p) ? undefined : p.organisation?.id;
      if (!isAdmin(p) && !orgId) throw forbidden();
      const rows = await createUserRepository(db).list({ limit: 500, ...(orgId ? { organisationId: orgId } : {}) });
      return rows.map(toUser);
    },

    async createUser(p: Principal | null, input: NewUser): Promise<User> {
      requirePermission(p, 'users.manage');
      // An enterprise admin adds users to its own organisation only; the operator to any.
      const orgId = isAdmin(p) ? input.organisationId : p.organisation?.id;
      if (!isAdmin(p) && input.organisationId && input.organisationId !== orgId) throw notFound(ORG);
      return db.transaction().execute(async (trx) => {
        const org = orgId ? await createOrganisationRepository(trx).findById(orgId) : undefined;
        if (orgId && !org) throw notFound(ORG);
        const kind = org?.kind ?? 'operator';
        const errors = [...roleProblems(p, input.roles, kind), ...passwordProblems('password', input.password, input.username)];
        if (errors.length) throw validationError(errors);
        const users = createUserRepository(trx);
        if (await users.findByUsername(input.username)) {
          throw new DomainError('identity.duplicate', {
            zh: `用户名 ${input.username} 已存在`,
            en: `username ${input.username} is taken`,
          });
        }
        const row = await users.insert({
          id: newId(),
          organisation_id: orgId ?? null,
          username: input.username,
          display_name: input.displayName,
          password_hash: await hashPassword(input.password),
          roles: input.roles,
          locale: input.locale ?? 'zh-CN',
        });
        await audit.append(trx, actorOf(p), [{ action: 'user.create', entity: 'user', entityId: row.id, after: toUser(row) }]);
        return toUser(row);
      });
    },

    async getUser(p: Principal | null, id: string): Promise<User> {
      requirePermission(p, 'users.manage');
      const row = await createUserRepository(db).findById(id);
      if (!row || (!isAdmin(p) && row.organisation_id !== p.organisation?.id)) throw notFound(USER);
      return toUser(row);
    },

    async unlockUser(p: Principal | null, id: string): Promise<User> {
      requirePermission(p, 'users.manage');
      return db.transaction().execute(async (trx) => {
        const users = createUserRepository(trx);
        const row = await users.findById(id);
        if (!row || (!isAdmin(p) && row.organisation_id !== p.organisation?.id)) throw notFound(USER);
        await users.update(id, { failed_logins: 0, locked_until: null }, clock.now());
        await audit.append(trx, actorOf(p), [{ action: 'user.unlock', entity: 'user', entityId: id }]);
        return toUser({ ...row, failed_logins: 0, locked_until: null });
      });
    },
  };
}
