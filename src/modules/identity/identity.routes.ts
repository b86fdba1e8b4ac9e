import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiKeyService } from './api-key.service.ts';
import type { AuthService } from './auth.service.ts';
import {
  ApiKey,
  DirectoryEntry,
  DirectoryQuery,
  Me,
  NewOrganisation,
  NewUser,
  Organisation,
  PasswordChange,
  PasswordReset,
  SessionList,
  User,
  UserPatch,
} from './identity.schema.ts';
import type { OrganisationService } from './organisation.service.ts';

export const SESSION_COOKIE = 'cbec_session';

const Problem = Type.Object(
  { status: Type.Number(), code: Type.String(), detail: Type.String() },
  { additionalProperties: true },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function registerIdentityRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; orgs: OrganisationService; apiKeys: ApiKeyService; secureCookies: boolean; sessionTtlHours: number },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth, orgs, apiKeys } = deps;

  r.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: '登录 / Log in',
        description: 'Sets an httpOnly session cookie; the token also works as `Authorization: Bearer TOKEN`.',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            token: Type.String(),
            expiresAt: Type.String(),
            user: Me.properties.user,
            permissions: Type.Array(Type.String()),
          }),
          401: Problem,
          423: Problem,
          429: Problem,
        },
      },
    },
    async (req, reply) => {
      const res = await auth.login({
        ...req.body,
        ip: req.ip,
        requestId: req.id,
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      });
      void reply.setCookie(SESSION_COOKIE, res.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        maxAge: deps.sessionTtlHours * 3600,
      });
      return { token: res.token, expiresAt: res.expiresAt.toISOString(), user: res.me.user, permissions: res.me.permissions };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], summary: '退出 / Log out', response: { 204: Type.Null() } },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const token = req.credential;
      if (token) await auth.logout(token, req.principal);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], summary: '当前用户 / Who am I', response: { 200: Me } },
    },
    async (req) => auth.me(req.principal),
  );

  r.put(
    '/api/v1/auth/me/locale',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: '界面语言 / Remember my UI language',
        body: Type.Object({ locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]) }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await auth.setLocale(req.principal, req.body.locale);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/auth/sessions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: '我的会话 / My sessions (signed-in browsers and scripts)',
        response: { 200: SessionList },
      },
    },
    async (req) => ({ items: await auth.listSessions(req.principal, req.credential ?? null), ...auth.sessionLimits }),
  );

  r.delete(
    '/api/v1/auth/sessions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: '退出其他会话 / End all my other sessions',
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (req) => auth.revokeOtherSessions(req.principal, req.credential ?? null),
  );

  r.delete(
    '/api/v1/auth/sessions/:sessionId',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: '结束一个会话 / End one of my sessions',
        params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await auth.revokeSession(req.principal, req.params.sessionId);
      return reply.code(204).send(null);
    },
  );

  r.put(
    '/api/v1/auth/me/password',
    {
      config: { permission: 'authenticated', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: '修改密码 / Change my password (needs the current one; ends my other sessions)',
        body: PasswordChange,
        response: { 200: Type.Object({ revokedSessions: Type.Integer() }) },
      },
    },
    async (req) => auth.changePassword(req.principal, req.credential ?? null, req.body),
  );

  r.get(
    '/api/v1/organisations',
    {
      config: { permission: 'organisations.read_all' },
      schema: {
        tags: ['organisations'],
        summary: '机构列表 / List organisations (admin: all; agencies: their jurisdiction)',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          kind: Type.Optional(Type.Union([Type.Literal('enterprise'), Type.Literal('agency'), Type.Literal('operator')])),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Organisation), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => orgs.list(req.principal, req.query),
  );

  r.get(
    '/api/v1/organisations/directory',
    {
      config: { permission: 'organisations.directory' },
      schema: {
        tags: ['organisations'],
        summary: '企业名录 / Directory of filed enterprises by role (code, name, roles; 50 at most)',
        description:
          'What the customs filing publishes of enterprises holding one role (supervision centres, carriers, payment ' +
          'companies, brokers, platforms), so a seller can pick the party it books or declares with. No ids, users or contacts.',
        querystring: DirectoryQuery,
        response: { 200: Type.Object({ items: Type.Array(DirectoryEntry) }) },
      },
    },
    async (req) => orgs.directory(req.principal, req.query),
  );

  r.post(
    '/api/v1/organisations',
    {
      config: { permission: 'organisations.manage' },
      schema: {
        tags: ['organisations'],
        summary: '登记机构 / Register an organisation',
        body: NewOrganisation,
        response: { 201: Organisation },
      },
    },
    async (req, reply) => reply.code(201).send(await orgs.create(req.principal, req.body)),
  );

  r.get(
    '/api/v1/organisations/:id',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['organisations'],
        summary: '机构详情 / One organisation (own, or within jurisdiction)',
        params: IdParams,
        response: { 200: Organisation },
      },
    },
    async (req) => orgs.get(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/users',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: '用户列表 / Users of my organisation',
        response: { 200: Type.Object({ items: Type.Array(User) }) },
      },
    },
    async (req) => ({ items: await orgs.listUsers(req.principal) }),
  );

  r.post(
    '/api/v1/users',
    {
      config: { permission: 'users.manage' },
      schema: { tags: ['users'], summary: '新建用户 / Create a user', body: NewUser, response: { 201: User } },
    },
    async (req, reply) => reply.code(201).send(await orgs.createUser(req.principal, req.body)),
  );

  r.get(
    '/api/v1/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: { tags: ['users'], summary: '用户详情 / One user', params: IdParams, response: { 200: User } },
    },
    async (req) => orgs.getUser(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/users/:id/unlock',
    {
      config: { permission: 'users.manage' },
      schema: { tags: ['users'], summary: '解锁 / Unlock a locked user', params: IdParams, response: { 200: User } },
    },
    async (req) => orgs.unlockUser(req.principal, req.params.id),
  );

  r.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: '修改角色或停用 / Change roles, disable or enable a user (ends their sessions)',
        params: IdParams,
        body: UserPatch,
        response: { 200: User },
      },
    },
    async (req) => orgs.updateUser(req.principal, req.params.id, req.body),
  );

  r.put(
    '/api/v1/users/:id/password',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: '重置密码 / Set a new password for a user (ends their sessions)',
        params: IdParams,
        body: PasswordReset,
        response: { 200: User },
      },
    },
    async (req) => orgs.resetPassword(req.principal, req.params.id, req.body.password),
  );

  r.get(
    '/api/v1/users/:id/sessions',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: '用户的会话 / A user’s sessions',
        params: IdParams,
        response: { 200: Type.Object({ items: SessionList.properties.items }) },
      },
    },
    async (req) => ({ items: await orgs.listUserSessions(req.principal, req.params.id) }),
  );

  r.delete(
    '/api/v1/users/:id/sessions',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: '强制下线 / End all of a user’s sessions',
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (req) => orgs.revokeUserSessions(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'apikeys.manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'API 密钥 / My organisation’s API keys',
        response: { 200: Type.Object({ items: Type.Array(ApiKey) }) },
      },
    },
    async (req) => ({ items: await apiKeys.list(req.principal) }),
  );

  r.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'apikeys.manage' },
      schema: {
        tags: ['api-keys'],
        summary: '新建 API 密钥（只显示一次）/ Create an API key (shown once)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Intersect([ApiKey, Type.Object({ key: Type.String() })]) },
      },
    },
    async (req, reply) => reply.code(201).send(await apiKeys.create(req.principal, req.body.name)),
  );

  r.delete(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'apikeys.manage' },
      schema: { tags: ['api-keys'], summary: '吊销 / Revoke an API key', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await apiKeys.revoke(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
