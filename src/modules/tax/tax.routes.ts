import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  EnterpriseSummarySchema,
  PurchasesSchema,
  RateImportBody,
  RateVersionSchema,
  RefundCopySchema,
  RefundViewSchema,
  RuleVersionBody,
  RuleVersionSchema,
  TaxProfileSchema,
} from './tax.schema.ts';
import type { TaxRulesService } from './tax-rules.service.ts';
import type { TaxService } from './tax.service.ts';

const Limit = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) });

export function registerTaxRoutes(app: FastifyInstance, deps: { tax: TaxService; rules: TaxRulesService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { tax, rules } = deps;

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

  r.get(
    '/api/v1/tax/declarations/:id/refund-copy',
    {
      config: { permission: 'tax.refunds' },
      schema: {
        tags: ['tax'],
        summary:
          '报关单退税联电子数据 / A declaration’s refund copy for the tax bureau: head, lines, real exit date and refund verdict',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: RefundCopySchema },
      },
    },
    async (req) => tax.refundCopy(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/tax/enterprises',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '退税企业汇总 / Tax desk per enterprise: declarations, outcomes, refund estimate, unmet conditions',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }),
        response: { 200: EnterpriseSummarySchema },
      },
    },
    async (req) => tax.enterprises(req.principal, req.query.limit),
  );

  r.get(
    '/api/v1/tax/rules',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '无票免税规则版本 / Versions of the pilot-zone no-invoice exemption rule (财税〔2018〕103号)',
        response: { 200: Type.Array(RuleVersionSchema) },
      },
    },
    async (req) => rules.listRules(req.principal),
  );

  r.put(
    '/api/v1/tax/rules/:effectiveFrom',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary:
          '设定无票免税规则版本（全国或某关区、隶属海关） / Enter the rule version in force from a date, national or for a customs district or office (`jurisdiction`; tax officer; a version in force is not replaced)',
        params: Type.Object({ effectiveFrom: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }) }),
        body: RuleVersionBody,
        response: { 200: RuleVersionSchema },
      },
    },
    async (req) => rules.putRule(req.principal, req.params.effectiveFrom, req.body),
  );

  r.get(
    '/api/v1/tax/refund-rates',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '退税率版本 / Refund-rate table versions',
        response: { 200: Type.Array(RateVersionSchema) },
      },
    },
    async (req) => rules.listRates(req.principal),
  );

  r.post(
    '/api/v1/tax/refund-rates/import',
    {
      config: { permission: 'tax.review' },
      schema: {
        tags: ['tax'],
        summary: '导入退税率（CSV） / Import a refund-rate table version (tax officer): all rows or none, per-row errors',
        body: RateImportBody,
        response: { 201: RateVersionSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await rules.importRates(req.principal, req.body)),
  );
}
