import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PurchasesSchema, RefundViewSchema, TaxProfileSchema } from './tax.schema.ts';
import type { TaxService } from './tax.service.ts';

const Limit = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) });

export function registerTaxRoutes(app: FastifyInstance, deps: { tax: TaxService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { tax } = deps;

  r.get(
    '/api/v1/tax/my-refunds',
    {
      config: { permission: 'tax.refunds' },
      schema: {
        tags: ['tax'],
        summary: '我的退税 / My declarations: refund or exemption, with the reason for each unmet condition',
        querystring: Limit,
        response: { 200: Type.Array(RefundViewSchema) },
      },
    },
    async (req) => tax.myRefunds(req.principal, req.query.limit),
  );

  r.get(
    '/api/v1/tax/declarations',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '退税数据（税务） / Tax desk: declarations of the jurisdiction with refund eligibility',
        querystring: Limit,
        response: { 200: Type.Array(RefundViewSchema) },
      },
    },
    async (req) => tax.desk(req.principal, req.query.limit),
  );

  r.get(
    '/api/v1/tax/declarations/:id',
    {
      config: { permission: 'tax.refunds' },
      schema: {
        tags: ['tax'],
        summary: '报关单退税电子信息 / A declaration’s refund data and eligibility',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: RefundViewSchema },
      },
    },
    async (req) => tax.refund(req.principal, req.params.id),
  );

  r.put(
    '/api/v1/tax/declarations/:id/purchases',
    {
      config: { permission: 'tax.refunds' },
      schema: {
        tags: ['tax'],
        summary: '进货凭证 / Purchase invoices of my declaration (replaces the set)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: PurchasesSchema,
        response: { 200: RefundViewSchema },
      },
    },
    async (req) => tax.recordPurchases(req.principal, req.params.id, req.body.items),
  );

  r.put(
    '/api/v1/tax/profiles/:orgId',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '出口企业退税资格 / Record an exporter’s tax status (tax officer)',
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        body: TaxProfileSchema,
        response: { 200: TaxProfileSchema },
      },
    },
    async (req) => tax.setProfile(req.principal, req.params.orgId, req.body),
  );
}
