import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  EnterpriseFiling,
  EnterpriseFilingInput,
  FilingStatusSchema,
  Page,
  Product,
  ProductBulkInput,
  ProductInput,
  ReviewDecision,
} from './filing.schema.ts';
import type { FilingService } from './filing.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ListQuery = Type.Object({
  status: Type.Optional(FilingStatusSchema),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export function registerFilingRoutes(app: FastifyInstance, deps: { filings: FilingService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { filings } = deps;

  // --- 企业备案: the enterprise's own application ----------------------------------------------------
  r.get(
    '/api/v1/filings/enterprise',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['filings'],
        summary: '本企业备案申请 / My enterprise filing',
        response: { 200: EnterpriseFiling },
      },
    },
    async (req) => filings.getOwnEnterpriseFiling(req.principal),
  );

  r.post(
    '/api/v1/filings/enterprise',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['filings'],
        summary: '填写企业备案（草稿）/ Create or edit my enterprise filing (draft, or rejected for correction)',
        description: 'Customs code, USCC, name and jurisdiction come from the organisation. 201 when created, 200 when edited.',
        body: EnterpriseFilingInput,
        response: { 200: EnterpriseFiling, 201: EnterpriseFiling },
      },
    },
    async (req, reply) => {
      const res = await filings.saveEnterpriseFiling(req.principal, req.body);
      return reply.code(res.created ? 201 : 200).send(res.filing);
    },
  );

  r.post(
    '/api/v1/filings/enterprise/:id/submit',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['filings'],
        summary: '提交企业备案 / Submit (or resubmit after rejection) my enterprise filing',
        params: IdParams,
        response: { 200: EnterpriseFiling },
      },
    },
    async (req) => filings.submitEnterpriseFiling(req.principal, req.params.id),
  );

  // --- 企业备案审核: customs, within jurisdiction ---------------------------------------------------
  r.get(
    '/api/v1/customs/enterprise-filings',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['filings'],
        summary: '企业备案审核列表 / Enterprise filings within my jurisdiction',
        querystring: ListQuery,
        response: { 200: Page(EnterpriseFiling) },
      },
    },
    async (req) => filings.listEnterpriseFilings(req.principal, req.query),
  );

  r.get(
    '/api/v1/customs/enterprise-filings/:id',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['filings'],
        summary: '企业备案详情 / One enterprise filing (within jurisdiction)',
        params: IdParams,
        response: { 200: EnterpriseFiling },
      },
    },
    async (req) => filings.getEnterpriseFiling(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/customs/enterprise-filings/:id/approve',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['filings'],
        summary: '企业备案通过 / Approve an enterprise filing',
        params: IdParams,
        response: { 200: EnterpriseFiling },
      },
    },
    async (req) => filings.approveEnterpriseFiling(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/customs/enterprise-filings/:id/reject',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['filings'],
        summary: '企业备案退回 / Reject an enterprise filing with a reason',
        params: IdParams,
        body: ReviewDecision,
        response: { 200: EnterpriseFiling },
      },
    },
    async (req) => filings.rejectEnterpriseFiling(req.principal, req.params.id, req.body.reason),
  );

  // --- 商品备案: the seller's products --------------------------------------------------------------
  r.get(
    '/api/v1/products',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['products'],
        summary: '本企业备案商品 / My filed products',
        querystring: ListQuery,
        response: { 200: Page(Product) },
      },
    },
    async (req) => filings.listProducts(req.principal, req.query),
  );

  r.post(
    '/api/v1/products',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['products'],
        summary: '商品备案 / File a product',
        body: ProductInput,
        response: { 201: Product },
      },
    },
    async (req, reply) => reply.code(201).send(await filings.fileProduct(req.principal, req.body)),
  );

  r.post(
    '/api/v1/products/bulk',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['products'],
        summary: '批量商品备案（≤500）/ File up to 500 products at once: all or nothing, per-row errors',
        body: ProductBulkInput,
        response: { 201: Type.Object({ items: Type.Array(Product) }) },
      },
    },
    async (req, reply) => reply.code(201).send({ items: await filings.fileProducts(req.principal, req.body.items) }),
  );

  r.get(
    '/api/v1/products/:id',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['products'],
        summary: '备案商品详情 / One of my products',
        params: IdParams,
        response: { 200: Product },
      },
    },
    async (req) => filings.getProduct(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/products/:id/resubmit',
    {
      config: { permission: 'filings.submit' },
      schema: {
        tags: ['products'],
        summary: '修改并重新提交被退回的商品备案 / Correct and resubmit a rejected product filing',
        params: IdParams,
        body: ProductInput,
        response: { 200: Product },
      },
    },
    async (req) => filings.resubmitProduct(req.principal, req.params.id, req.body),
  );

  // --- 商品备案审核: customs, within jurisdiction ---------------------------------------------------
  r.get(
    '/api/v1/customs/product-filings',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['products'],
        summary: '商品备案审核列表 / Product filings within my jurisdiction',
        querystring: ListQuery,
        response: { 200: Page(Product) },
      },
    },
    async (req) => filings.listProductFilings(req.principal, req.query),
  );

  r.get(
    '/api/v1/customs/product-filings/:id',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['products'],
        summary: '商品备案详情 / One product filing (within jurisdiction)',
        params: IdParams,
        response: { 200: Product },
      },
    },
    async (req) => filings.getProductFiling(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/customs/product-filings/:id/approve',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['products'],
        summary: '商品备案通过 / Approve a product filing',
        params: IdParams,
        response: { 200: Product },
      },
    },
    async (req) => filings.approveProductFiling(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/customs/product-filings/:id/reject',
    {
      config: { permission: 'filings.review' },
      schema: {
        tags: ['products'],
        summary: '商品备案退回 / Reject a product filing with a reason',
        params: IdParams,
        body: ReviewDecision,
        response: { 200: Product },
      },
    },
    async (req) => filings.rejectProductFiling(req.principal, req.params.id, req.body.reason),
  );
}
