import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { SUMMARY_RULE_SETS } from './rules/summary.rulesets.ts';
import {
  Ceb701OutcomeSchema,
  Ceb701Schema,
  DeadlineSchema,
  LineageSchema,
  ReminderFeedSchema,
  RuleSetSchema,
  SummaryApplicationSchema,
  SummaryPreviewSchema,
  SummaryRequestSchema,
} from './summary.schema.ts';
import type { SummaryService } from './summary.service.ts';
import type { Ceb701Service } from './ceb701.service.ts';
import { registerHolidayCalendarRoutes } from './holiday-calendar.routes.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function registerSummaryRoutes(app: FastifyInstance, deps: { summaries: SummaryService; ceb701: Ceb701Service }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { summaries, ceb701 } = deps;
  registerHolidayCalendarRoutes(app, summaries.calendar);

  r.post(
    '/api/v1/summary/ceb701',
    {
      config: { permission: 'summary.submit' },
      schema: {
        tags: ['summary'],
        summary: '汇总申请单 CEB701 / Summary application from the consignor or its agent; answers CEB702',
        description:
          'JSON form of CEB701 (SummaryApplyHead + SummaryApplyList). With startTime/endTime the list is ignored. Answers the CEB702 receipt (399 formed, 100 refused); CEB792 results: GET …/declarations/{id}/ceb792.',
        body: Ceb701Schema,
        response: { 200: Ceb701OutcomeSchema },
      },
    },
    async (req) =>
      ceb701.apply(
        req.principal,
        req.body.head,
        req.body.list.map((l) => l.invtNo),
      ),
  );

  r.get(
    '/api/v1/summary/applications/:id/declarations/:declarationId/ceb792',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '汇总结果单 CEB792 / Summary result of a declaration as CEB XML (paged by message)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), declarationId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ msg: Type.Optional(Type.Integer({ minimum: 1 })) }),
      },
    },
    async (req, reply) => {
      const out = await ceb701.ceb792(req.principal, req.params.id, req.params.declarationId, req.query.msg);
      return reply
        .header('content-type', 'application/xml; charset=utf-8')
        .header('x-ceb-messages', String(out.messages))
        .send(out.xml);
    },
  );

  r.get(
    '/api/v1/summary/rule-sets',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '汇总规则版本 / Summary rule sets (versioned data)',
        response: { 200: RuleSetSchema },
      },
    },
    async () => SUMMARY_RULE_SETS.map((s) => ({ ...s, headKey: [...s.headKey], lineKey: [...s.lineKey] })),
  );

  r.get(
    '/api/v1/summary/deadlines',
    {
      config: { permission: 'summary.submit' },
      schema: {
        tags: ['summary'],
        summary: '汇总申报期限与提醒 / Deadlines and reminders of my monthly summaries',
        querystring: Type.Object({ months: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 })) }),
        response: { 200: DeadlineSchema },
      },
    },
    async (req) => summaries.deadlines(req.principal, req.query.months),
  );

  r.get(
    '/api/v1/summary/reminders',
    {
      config: { permission: 'summary.submit' },
      schema: {
        tags: ['summary'],
        summary: '汇总申报期限提醒 / Deadline reminders sent to my enterprise (summary.deadline_reminder), after a feed position',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: ReminderFeedSchema },
      },
    },
    async (req) => summaries.reminders(req.principal, req.query.after, req.query.limit),
  );

  r.post(
    '/api/v1/summary/preview',
    {
      config: { permission: 'summary.submit' },
      schema: {
        tags: ['summary'],
        summary: '汇总预览 / Preview the summary of a month (changes nothing)',
        body: SummaryRequestSchema,
        response: { 200: SummaryPreviewSchema },
      },
    },
    async (req) => summaries.preview(req.principal, req.body),
  );

  r.post(
    '/api/v1/summary/applications',
    {
      config: { permission: 'summary.submit' },
      schema: {
        tags: ['summary'],
        summary: '提交汇总申报 / Submit the summary of a month: forms the declarations (报关单)',
        description:
          'Summarises the closed B-type inventories of the month no earlier application took (a month may take several). With resultHash (from the preview) a different result now answers 409 summary.conflict and stores nothing.',
        body: SummaryRequestSchema,
        response: { 201: SummaryApplicationSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await summaries.submit(req.principal, req.body)),
  );

  r.get(
    '/api/v1/summary/applications',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '汇总申请列表 / Summary applications (own, or of the office)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: { 200: Type.Array(SummaryApplicationSchema) },
      },
    },
    async (req) => summaries.list(req.principal, req.query.limit),
  );

  r.get(
    '/api/v1/summary/applications/:id',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '汇总申请 / A summary application',
        params: IdParams,
        response: { 200: SummaryApplicationSchema },
      },
    },
    async (req) => summaries.get(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/summary/applications/:id/declarations/:declarationId/lineage',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '报关单来源清单 / Which inventory lines fed a declaration (CEB792 list)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), declarationId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          lineNo: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: LineageSchema },
      },
    },
    async (req) => summaries.lineage(req.principal, req.params.id, req.params.declarationId, req.query),
  );
}
