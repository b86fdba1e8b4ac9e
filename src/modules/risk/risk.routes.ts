import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Credit, DecisionDetail, DecisionView, DryRun, Measures, Rule, RuleInput, RuleWithState } from './risk.schema.ts';
import type { RiskService } from './risk.service.ts';
import { CREDIT_LEVELS } from './rules/risk.rules.ts';

const TAGS = ['risk'];

export function registerRiskRoutes(app: FastifyInstance, deps: { risk: RiskService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { risk } = deps;

  r.get(
    '/api/v1/risk/rules',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags: TAGS,
        summary: '风险规则（全部版本）/ Risk rules, every version',
        response: { 200: Type.Object({ items: Type.Array(RuleWithState) }) },
      },
    },
    async (req) => ({ items: await risk.rules(req.principal) }),
  );

  r.post(
    '/api/v1/risk/rules',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags: TAGS,
        summary: '保存风险规则（新版本）/ Save a risk rule as a new version',
        body: RuleInput,
        response: { 201: Rule },
      },
    },
    async (req, reply) => reply.code(201).send(await risk.saveRule(req.principal, req.body)),
  );

  r.post(
    '/api/v1/risk/rules/dry-run',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags: TAGS,
        summary:
          '规则试运行：近 30 天全部清单中会命中多少 / Dry run: how many of last month’s inventories (all of them) would hit',
        body: RuleInput,
        response: { 200: DryRun },
      },
    },
    async (req) => risk.dryRun(req.principal, req.body),
  );

  r.get(
    '/api/v1/risk/hits',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags: TAGS,
        summary:
          '风险命中队列（仍被扣留的包裹，先进先出，分页）/ Risk-hit queue: parcels still held, oldest first, paged, with explanations',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(DecisionView),
            total: Type.Integer({ description: 'held parcels in the queue, all pages' }),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) =>
      risk.hitQueue(req.principal, {
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
        ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}),
      }),
  );

  r.get(
    '/api/v1/risk/decisions/:inventoryId',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags: TAGS,
        summary: '清单的风险判定（命中规则及原因）/ Which rules decided an inventory, and why',
        params: Type.Object({ inventoryId: Type.String({ format: 'uuid' }) }),
        response: { 200: DecisionDetail },
      },
    },
    async (req) => risk.decision(req.principal, req.params.inventoryId),
  );

  r.get(
    '/api/v1/risk/credit',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags: TAGS,
        summary: '企业信用等级 / Enterprise credit levels',
        response: { 200: Type.Object({ items: Type.Array(Credit) }) },
      },
    },
    async (req) => ({ items: await risk.credit(req.principal) }),
  );

  r.put(
    '/api/v1/risk/credit/:enterpriseCode',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags: TAGS,
        summary: '设置企业信用等级（有期限）/ Set an enterprise’s credit level, until a date',
        params: Type.Object({ enterpriseCode: Type.String() }),
        body: Type.Object(
          {
            level: Type.Union(
              CREDIT_LEVELS.map((l) => Type.Literal(l)),
              { description: '信用等级 / credit level' },
            ),
            validUntil: Type.Optional(
              Type.String({
                format: 'date-time',
                description:
                  '有效期至（须晚于当前时间，缺省为一年后）；到期后以信用系统的评级为准 / valid until (after now; default a year from now): past it, the credit system’s rating applies',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            enterpriseCode: Type.String(),
            level: Type.String(),
            validUntil: Type.String({ format: 'date-time' }),
          }),
        },
      },
    },
    async (req) => risk.setCredit(req.principal, req.params.enterpriseCode, req.body.level, req.body.validUntil),
  );

  r.get(
    '/api/v1/risk/measures',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags: TAGS,
        summary: '风险指标：自动放行比例、各规则命中 / Measures: share auto-released, hits per rule',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) }),
        response: { 200: Measures },
      },
    },
    async (req) => risk.measures(req.principal, req.query.days),
  );
}
