import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ParksService } from './parks.service.ts';

const TAGS = ['parks'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Kind = Type.Union([Type.Literal('course'), Type.Literal('event')]);

export function registerParksRoutes(app: FastifyInstance, deps: { parks: ParksService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { parks } = deps;

  // --- public pages: parks, courses and events, programmes ----------------------------------------
  r.get(
    '/api/v1/public/parks',
    {
      config: { permission: 'public' },
      schema: { tags: TAGS, summary: '产业园区与海外仓分拨中心 / Parks and distribution centres' },
    },
    async () => ({
      items: await parks.parks(),
    }),
  );
  r.get(
    '/api/v1/public/offerings',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAGS,
        summary: '培训课程与对接会 / Courses and events',
        querystring: Type.Object({ kind: Type.Optional(Kind) }),
      },
    },
    async (req) => ({ items: await parks.offerings(req.query.kind) }),
  );
  r.get(
    '/api/v1/public/programmes',
    { config: { permission: 'public' }, schema: { tags: TAGS, summary: '扶持项目 / Support programmes' } },
    async () => ({
      items: await parks.programmes(),
    }),
  );

  // --- commerce department -------------------------------------------------------------------------
  r.post(
    '/api/v1/parks',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '登记园区 / Register a park or distribution centre with its enterprises',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          nameEn: Type.Optional(Type.String({ maxLength: 200 })),
          region: Type.String({ minLength: 1, maxLength: 10 }),
          kind: Type.Union([Type.Literal('park'), Type.Literal('distribution_centre')]),
          address: Type.Optional(Type.String({ maxLength: 300 })),
          memberCodes: Type.Optional(Type.Array(Type.String({ maxLength: 18 }), { maxItems: 1000 })),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await parks.createPark(req.principal, req.body)),
  );
  r.post(
    '/api/v1/offerings',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '发布课程或活动 / Schedule a course or event',
        body: Type.Object({
          kind: Kind,
          title: Type.String({ minLength: 1, maxLength: 200 }),
          titleEn: Type.Optional(Type.String({ maxLength: 200 })),
          startsAt: Type.String({ format: 'date-time' }),
          endsAt: Type.String({ format: 'date-time' }),
          place: Type.String({ minLength: 1, maxLength: 200 }),
          capacity: Type.Integer({ minimum: 1, maximum: 100_000 }),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await parks.createOffering(req.principal, req.body)),
  );
  r.post(
    '/api/v1/offerings/:id/attendance',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '签到与结业证书 / Record attendance (attendees get a certificate number)',
        params: IdParams,
        body: Type.Object({ userIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10_000 }) }),
      },
    },
    async (req) => parks.recordAttendance(req.principal, req.params.id, req.body.userIds),
  );
  r.post(
    '/api/v1/programmes',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '发布扶持项目（资格规则为数据）/ Publish a support programme (eligibility rules as data)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          category: Type.Union(['park', 'training', 'overseas_service', 'new_model'].map((c) => Type.Literal(c))),
          rules: Type.Array(Type.Unknown(), { maxItems: 50 }),
          opensOn: Type.String({ format: 'date' }),
          closesOn: Type.String({ format: 'date' }),
        }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await parks.createProgramme(req.principal, req.body as Parameters<ParksService['createProgramme']>[1])),
  );
  r.get(
    '/api/v1/review/applications',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '扶持申报评审列表 / All applications (commerce)',
        querystring: Type.Object({ programmeId: Type.Optional(Type.String({ format: 'uuid' })) }),
      },
    },
    async (req) => ({ items: await parks.applications(req.principal, req.query.programmeId) }),
  );
  r.post(
    '/api/v1/applications/:id/decision',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '评审扶持申报 / Score and decide an application',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
          score: Type.Integer({ minimum: 0, maximum: 100 }),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req) => parks.decide(req.principal, req.params.id, req.body),
  );

  // --- enterprises ----------------------------------------------------------------------------------
  r.post(
    '/api/v1/offerings/:id/enrol',
    {
      config: { permission: 'parks.apply' },
      schema: { tags: TAGS, summary: '报名 / Enrol in a course or register for an event', params: IdParams },
    },
    async (req) => parks.enrol(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/programmes/:id/apply',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: '申报扶持资金（自动附平台数据）/ Apply (platform figures attached automatically)',
        params: IdParams,
        body: Type.Object({ statement: Type.String({ minLength: 1, maxLength: 4000 }) }),
      },
    },
    async (req, reply) => reply.code(201).send(await parks.apply(req.principal, req.params.id, req.body.statement)),
  );
  r.get(
    '/api/v1/applications',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: '本企业扶持申报 / My applications',
        querystring: Type.Object({ programmeId: Type.Optional(Type.String({ format: 'uuid' })) }),
      },
    },
    async (req) => ({ items: await parks.applications(req.principal, req.query.programmeId) }),
  );
}
