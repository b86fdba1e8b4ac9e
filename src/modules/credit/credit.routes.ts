import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Appeal, CaseStatusSchema, CaseTransition, NewCase, PublicReport } from './credit.schema.ts';
import { XLSX_TYPE } from './credit.export.ts';
import type { CreditService } from './credit.service.ts';

const TAGS = ['credit'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Lang = Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: '表头语言 / header language' }));

export function registerCreditRoutes(app: FastifyInstance, deps: { credit: CreditService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { credit } = deps;

  r.get(
    '/api/v1/credit/ratings',
    {
      config: { permission: 'credit.read' },
      schema: {
        tags: TAGS,
        summary: '辖区企业当前信用等级（官员）/ Current ratings of the enterprises in the officer’s jurisdiction',
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 18, description: '海关编码或统一社会信用代码 / customs code or USCC' })),
        }),
      },
    },
    async (req) => ({ items: await credit.ratings(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/credit/ratings/:id',
    {
      config: { permission: 'credit.read' },
      schema: {
        tags: TAGS,
        summary: '企业信用等级及历史 / Credit rating of an organisation with its history and factors',
        params: IdParams,
      },
    },
    async (req) => credit.rating(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/credit/ratings/compute',
    {
      config: { permission: 'credit.manage' },
      schema: {
        tags: TAGS,
        summary: '重新评级 / Recompute ratings of enterprises',
        body: Type.Object({ orgIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000 }) }),
      },
    },
    async (req) => ({ items: await credit.recompute(req.principal, req.body.orgIds) }),
  );

  r.get(
    '/api/v1/credit/cases',
    {
      config: { permission: 'credit.read' },
      schema: {
        tags: TAGS,
        summary: '信用案件 / Credit cases (an enterprise sees its own)',
        querystring: Type.Object({ status: Type.Optional(CaseStatusSchema) }),
      },
    },
    async (req) => ({ items: await credit.listCases(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/credit/cases/export.xlsx',
    {
      config: { permission: 'credit.manage' },
      schema: {
        tags: TAGS,
        summary: '导出信用案件（Excel）/ Export the credit cases of the officer’s jurisdiction to Excel',
        querystring: Type.Object({ status: Type.Optional(CaseStatusSchema), lang: Lang }),
      },
    },
    async (req, reply) =>
      reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="cbec-credit-cases.xlsx"')
        .send(await credit.exportCases(req.principal, req.query)),
  );

  r.post(
    '/api/v1/credit/cases',
    { config: { permission: 'credit.manage' }, schema: { tags: TAGS, summary: '立案 / Open a credit case', body: NewCase } },
    async (req, reply) => reply.code(201).send(await credit.openCase(req.principal, req.body)),
  );

  r.get(
    '/api/v1/credit/cases/:id',
    {
      config: { permission: 'credit.read' },
      schema: { tags: TAGS, summary: '案件详情及过程 / A case with its history', params: IdParams },
    },
    async (req) => credit.getCase(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/credit/cases/:id/transition',
    {
      config: { permission: 'credit.manage' },
      schema: {
        tags: TAGS,
        summary: '案件办理：调查、不予处理、决定、公示、维持、撤销 / Investigate, dismiss, decide, publish, uphold or overturn',
        params: IdParams,
        body: CaseTransition,
      },
    },
    async (req) => credit.transition(req.principal, req.params.id, req.body),
  );

  r.post(
    '/api/v1/credit/cases/:id/appeal',
    {
      config: { permission: 'credit.read' },
      schema: { tags: TAGS, summary: '企业申诉 / The enterprise appeals a decision', params: IdParams, body: Appeal },
    },
    async (req) => credit.appeal(req.principal, req.params.id, req.body.reason),
  );

  r.get(
    '/api/v1/credit/blacklist',
    { config: { permission: 'credit.read' }, schema: { tags: TAGS, summary: '失信名单 / The blacklist (officers)' } },
    async (req) => ({ items: await credit.blacklist(req.principal) }),
  );

  r.get(
    '/api/v1/credit/blacklist/export.xlsx',
    {
      config: { permission: 'credit.manage' },
      schema: {
        tags: TAGS,
        summary: '导出失信名单（Excel）/ Export the blacklist to Excel',
        querystring: Type.Object({ lang: Lang }),
      },
    },
    async (req, reply) =>
      reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="cbec-credit-blacklist.xlsx"')
        .send(await credit.exportBlacklist(req.principal, req.query)),
  );

  r.get(
    '/api/v1/public/credit/notices',
    {
      config: { permission: 'public' },
      schema: { tags: TAGS, summary: '信用公示 / Public credit notices: published cases and the blacklist' },
    },
    async () => credit.publicNotices(),
  );

  r.post(
    '/api/v1/public/credit/reports',
    {
      // anyone may report, so reports are rate-limited per address like log-ins
      config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: TAGS,
        summary: '举报（任何人）/ Report fraud, infringement, counterfeit or quality problems (anyone)',
        body: PublicReport,
      },
    },
    async (req, reply) => {
      const c = await credit.reportPublic({ ...req.body, kind: req.body.kind ?? 'counterfeit' });
      return reply.code(201).send({ id: c.id, status: c.status });
    },
  );
}
