import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiOrder } from './rules/api-orders.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { DraftsService } from './drafts.service.ts';
import { CSV_TYPES, fileKindOf, templateCsv, templateXlsx, XLSX_TYPE } from './orders.files.ts';
import {
  BuildInput,
  BuildResult,
  DeclareInput,
  DeclareResult,
  DraftPatch,
  DraftStatusSchema,
  ImportQuery,
  ImportResult,
  InventoryDraft,
  Page,
  SalesOrder,
  SalesOrderStatusSchema,
} from './orders.schema.ts';
import type { OrdersService } from './orders.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const cursorQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
};

export function registerOrdersRoutes(app: FastifyInstance, deps: { orders: OrdersService; drafts: DraftsService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { orders, drafts } = deps;

  // Order files arrive as a stream: the import reads them row by row (size and row limits in orders.files.ts).
  app.addContentTypeParser([...CSV_TYPES, XLSX_TYPE], (_req, payload, done) => done(null, payload));

  r.post(
    '/api/v1/orders/import',
    {
      config: { permission: 'orders.import' },
      schema: {
        tags: ['orders'],
        summary: '导入订单文件 / Import an order file (AliExpress, eBay or the generic template; CSV or XLSX)',
        description:
          'The body is the file: Content-Type text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, ≤ 20 MB, ≤ 50,000 rows. Rows with the same order number are the lines of one order. All or nothing: any bad row answers 400 listing every error (row, column, rule); partial=1 stores the good orders and reports the bad rows.',
        querystring: ImportQuery,
        response: { 201: ImportResult },
      },
    },
    async (req, reply) => {
      const kind = fileKindOf(req.headers['content-type']);
      const body = req.body as unknown;
      if (!kind || !(body instanceof Readable)) {
        throw new DomainError('orders.unsupported_media_type', {
          zh: '订单文件须以 text/csv 或 .xlsx 提交',
          en: `send the order file as text/csv or ${XLSX_TYPE}`,
        });
      }
      const res = await orders.importFile(req.principal, {
        body,
        kind,
        platformCode: req.query.platformCode,
        partial: req.query.partial === '1' || req.query.partial === 'true',
        ...(req.query.layout ? { layout: req.query.layout } : {}),
      });
      return reply.code(201).send(res);
    },
  );

  r.post(
    '/api/v1/sales-orders',
    {
      config: { permission: 'orders.import' },
      schema: {
        tags: ['orders'],
        summary: '推送订单（API）/ Push sales orders by API (JSON), for building inventories',
        description:
          'The generic template as JSON: each order with its lines. The same checks and per-row errors as a file import (row n + 1 = the n-th line of the request); all or nothing unless partial is true.',
        body: Type.Object(
          {
            platformCode: Type.String({ minLength: 10, maxLength: 18 }),
            partial: Type.Optional(Type.Boolean()),
            orders: Type.Array(ApiOrder, { minItems: 1, maxItems: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ImportResult },
      },
    },
    async (req, reply) =>
      reply.code(201).send(
        await orders.pushOrders(req.principal, {
          platformCode: req.body.platformCode,
          partial: req.body.partial ?? false,
          orders: req.body.orders,
        }),
      ),
  );

  r.get(
    '/api/v1/orders/import/template.xlsx',
    {
      config: { permission: 'orders.import' },
      schema: { tags: ['orders'], summary: '通用订单模板（Excel）/ The generic order template (XLSX)' },
    },
    async (_req, reply) =>
      reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="cbec-order-template.xlsx"')
        .send(await templateXlsx()),
  );

  r.get(
    '/api/v1/orders/import/template.csv',
    {
      config: { permission: 'orders.import' },
      schema: { tags: ['orders'], summary: '通用订单模板（CSV）/ The generic order template (CSV, UTF-8)' },
    },
    async (_req, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="cbec-order-template.csv"')
        .send(templateCsv()),
  );

  r.get(
    '/api/v1/sales-orders',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['orders'],
        summary: '本企业销售订单 / My sales orders',
        querystring: Type.Object({ status: Type.Optional(SalesOrderStatusSchema), ...cursorQuery }),
        response: { 200: Page(SalesOrder) },
      },
    },
    async (req) => orders.listOrders(req.principal, req.query),
  );

  r.get(
    '/api/v1/sales-orders/:id',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['orders'],
        summary: '销售订单详情 / One of my sales orders',
        params: IdParams,
        response: { 200: SalesOrder },
      },
    },
    async (req) => orders.getOrder(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/orders/build-inventories',
    {
      config: { permission: 'orders.import' },
      schema: {
        tags: ['orders'],
        summary: '由订单生成申报清单草稿 / Build inventory drafts from my orders and filed products',
        description:
          'orderIds, or every imported order. agentCode: the declaring agent (the seller itself by default, or a broker with role agent). customsCode/portCode default 4006, tradeMode 9610 (9710 for B2B), trafMode 5. A draft missing weights, waybill or legal quantities is "draft" with its problems listed.',
        body: BuildInput,
        response: { 200: BuildResult },
      },
    },
    async (req) => drafts.buildInventories(req.principal, req.body),
  );

  r.get(
    '/api/v1/inventory-drafts',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['orders'],
        summary: '申报清单草稿 / Inventory drafts (mine as the seller, or naming me as the declaring agent)',
        querystring: Type.Object({ status: Type.Optional(DraftStatusSchema), ...cursorQuery }),
        response: { 200: Page(InventoryDraft) },
      },
    },
    async (req) => drafts.listDrafts(req.principal, req.query),
  );

  r.get(
    '/api/v1/inventory-drafts/:id',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['orders'],
        summary: '清单草稿详情 / One inventory draft',
        params: IdParams,
        response: { 200: InventoryDraft },
      },
    },
    async (req) => drafts.getDraft(req.principal, req.params.id),
  );

  r.patch(
    '/api/v1/inventory-drafts/:id',
    {
      // A write: the permission that declares drafts, not the one that reads them.
      config: { permission: 'orders.declare' },
      schema: {
        tags: ['orders'],
        summary: '补填清单草稿 / Fill in a draft (weights, waybill, carrier, legal quantities); checked again',
        params: IdParams,
        body: DraftPatch,
        response: { 200: InventoryDraft },
      },
    },
    async (req) => drafts.patchDraft(req.principal, req.params.id, req.body),
  );

  r.post(
    '/api/v1/inventory-drafts/declare',
    {
      config: { permission: 'orders.declare' },
      schema: {
        tags: ['orders'],
        summary: '批量申报清单 / Declare complete drafts in bulk (CEB303 as the seller where needed, CEB603 as the agent)',
        body: DeclareInput,
        response: { 200: DeclareResult },
      },
    },
    async (req) => drafts.declare(req.principal, req.body.ids, req.id),
  );
}
