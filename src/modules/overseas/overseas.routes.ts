import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PointsService } from './points.service.ts';
import { SERVICE_KINDS } from './rules/returns.rules.ts';
import type { StockService } from './stock.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Lines = Type.Array(
  Type.Object({ sku: Type.String({ minLength: 1, maxLength: 60 }), qty: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }),
  { minItems: 1, maxItems: 500 },
);
const ServiceKind = Type.Enum(SERVICE_KINDS);
const PointBody = Type.Object({
  name: Type.String({ maxLength: 100 }),
  country: Type.String({ maxLength: 2 }),
  city: Type.String({ maxLength: 60 }),
  services: Type.Array(Type.String({ maxLength: 30 }), { maxItems: 10 }),
  contact: Type.String({ maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
});
const tags = ['overseas'];

export function registerOverseasRoutes(app: FastifyInstance, deps: { stock: StockService; points: PointsService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { stock, points } = deps;

  r.put(
    '/api/v1/overseas/warehouses',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '登记海外仓 / Register an overseas warehouse (by code)',
        body: Type.Object({
          code: Type.String({ minLength: 1, maxLength: 20 }),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          country: Type.String({ minLength: 2, maxLength: 2 }),
          city: Type.String({ minLength: 1, maxLength: 60 }),
        }),
      },
    },
    async (req) => stock.saveWarehouse(req.principal, req.body),
  );
  r.get(
    '/api/v1/overseas/warehouses',
    { config: { permission: 'overseas.read' }, schema: { tags, summary: '海外仓 / Overseas warehouses' } },
    async (req) => stock.listWarehouses(req.principal),
  );
  r.post(
    '/api/v1/overseas/consignments',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '出口入仓 / Receive a consignment exported under one declaration',
        description:
          '9810/9610: declarationNo must be an export inventory (invtNo) or summary declaration (entryId) the platform holds for the seller, of that trade mode and released by customs (else 422 naming the field); the release time is taken from customs, a typed releasedAt is kept for the record only. 0110: declared outside the platform, releasedAt required, recorded as external (unverified).',
        body: Type.Object({
          warehouseId: Type.String({ format: 'uuid' }),
          sellerCode: Type.String({ minLength: 10, maxLength: 18 }),
          declarationNo: Type.String({ minLength: 1, maxLength: 40 }),
          tradeMode: Type.Union([Type.Literal('9810'), Type.Literal('9610'), Type.Literal('0110')]),
          releasedAt: Type.Optional(Type.String({ format: 'date-time' })),
          lines: Lines,
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await stock.receiveConsignment(req.principal, req.body)),
  );
  r.get(
    '/api/v1/overseas/consignments',
    {
      config: { permission: 'overseas.read' },
      schema: {
        tags,
        summary: '入仓批次及其出口申报（已核验/外部）/ Consignments with their export declarations (verified or external)',
      },
    },
    async (req) => stock.consignments(req.principal),
  );
  r.get(
    '/api/v1/overseas/stock',
    {
      config: { permission: 'overseas.read' },
      schema: {
        tags,
        summary: '海外仓库存台账 / Stock ledger per SKU',
        querystring: Type.Object({ warehouseId: Type.Optional(Type.String({ format: 'uuid' })) }),
      },
    },
    async (req) => stock.stock(req.principal, req.query),
  );
  r.post(
    '/api/v1/overseas/sales',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '海外零售订单（锁定库存）/ Retail order abroad: reserves stock',
        body: Type.Object({
          warehouseId: Type.String({ format: 'uuid' }),
          orderNo: Type.String({ minLength: 1, maxLength: 60 }),
          lines: Lines,
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await stock.reserve(req.principal, req.body)),
  );
  r.get(
    '/api/v1/overseas/sales',
    {
      config: { permission: 'overseas.read' },
      schema: { tags, summary: '海外零售订单及其出口报关单 / Sales with their export declarations' },
    },
    async (req) => stock.sales(req.principal),
  );
  r.post(
    '/api/v1/overseas/sales/:id/ship',
    { config: { permission: 'overseas.manage' }, schema: { tags, summary: '发货 / Ship a reserved sale', params: IdParams } },
    async (req) => stock.ship(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/overseas/sales/:id/cancel',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '取消未发货订单（释放库存）/ Cancel a reserved sale: its units become available again',
        description:
          'By the seller of the sale or the provider of its warehouse. Only a reserved (not shipped) sale: a shipped one comes back as a return (409 otherwise).',
        params: IdParams,
      },
    },
    async (req) => stock.cancel(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/overseas/consignments/:id/return-to-china',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '未售库存退运回国（海关总署公告2020年第44号）/ Return unsold stock of a consignment to China',
        description:
          'Within one year of the export release, never more than the consignment still holds unsold (else 422 naming the field); customsRecordNo is the customs record or declaration number of the return. The units leave the ledger for good.',
        params: IdParams,
        body: Type.Object({
          customsRecordNo: Type.String({ minLength: 1, maxLength: 40 }),
          lines: Lines,
        }),
      },
    },
    async (req) => stock.returnToChina(req.principal, req.params.id, req.body),
  );
  r.post(
    '/api/v1/overseas/returns',
    {
      config: { permission: 'overseas.manage' },
      schema: {
        tags,
        summary: '退货（放行后一年内）/ Returns within one year of release: restock or back to China',
        body: Type.Object({
          items: Type.Array(
            Type.Object({
              saleId: Type.String({ format: 'uuid' }),
              sku: Type.String({ maxLength: 60 }),
              qty: Type.Integer({ minimum: 1 }),
            }),
            { minItems: 1, maxItems: 500 },
          ),
          disposition: Type.Union([Type.Literal('restock'), Type.Literal('to_china')]),
          customsRecordNo: Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
    },
    async (req) => stock.returns(req.principal, req.body),
  );

  r.get(
    '/api/v1/overseas/movements',
    {
      config: { permission: 'overseas.read' },
      schema: {
        tags,
        summary: '单个 SKU 的库存流水 / Stock movements of one SKU in one warehouse',
        description:
          'Newest first, with the export declaration of the lot and the retail order behind each. A seller sees its own stock only; a provider its own warehouse only (another provider’s is 404).',
        querystring: Type.Object({
          warehouseId: Type.String({ format: 'uuid' }),
          sku: Type.String({ minLength: 1, maxLength: 60 }),
        }),
      },
    },
    async (req) => stock.movements(req.principal, req.query),
  );

  r.post(
    '/api/v1/service-points',
    {
      config: { permission: 'servicepoints.manage' },
      schema: { tags, summary: '登记境外服务网点 / Register an overseas service point', body: PointBody },
    },
    async (req, reply) => reply.code(201).send(await points.register(req.principal, req.body)),
  );
  r.get(
    '/api/v1/service-points/mine',
    {
      config: { permission: 'servicepoints.manage' },
      schema: { tags, summary: '我的服务网点（含已停用）/ My service points, retired ones too' },
    },
    async (req) => points.mine(req.principal),
  );
  r.put(
    '/api/v1/service-points/:id',
    {
      config: { permission: 'servicepoints.manage' },
      schema: {
        tags,
        summary: '修改服务网点 / Edit my service point',
        description: 'Same rules as registering. Another provider’s point is 404; a retired one 409.',
        params: IdParams,
        body: PointBody,
      },
    },
    async (req) => points.edit(req.principal, req.params.id, req.body),
  );
  r.post(
    '/api/v1/service-points/:id/deactivate',
    {
      config: { permission: 'servicepoints.manage' },
      schema: {
        tags,
        summary: '停用服务网点 / Retire my service point',
        description:
          'It leaves the public directory and takes no new requests; open requests can still be answered. Another provider’s point is 404; an already retired one 409.',
        params: IdParams,
      },
    },
    async (req) => points.deactivate(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/public/service-points',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: '境外服务网点目录（公开）/ Public directory of overseas service points',
        querystring: Type.Object({
          country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
          city: Type.Optional(Type.String({ maxLength: 60 })),
          service: Type.Optional(ServiceKind),
          q: Type.Optional(Type.String({ maxLength: 60 })),
        }),
      },
    },
    async (req) => points.directory(req.query),
  );
  r.post(
    '/api/v1/service-requests',
    {
      config: { permission: 'servicepoints.request' },
      schema: {
        tags,
        summary: '向网点提出服务请求 / Send a service request',
        body: Type.Object({
          pointId: Type.String({ format: 'uuid' }),
          service: ServiceKind,
          message: Type.String({ maxLength: 2000 }),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await points.request(req.principal, req.body)),
  );
  r.get(
    '/api/v1/service-requests',
    {
      config: { permission: 'servicepoints.request' },
      schema: { tags, summary: '服务请求 / My requests (SME) or requests to my points' },
    },
    async (req) => points.requests(req.principal),
  );
  r.post(
    '/api/v1/service-requests/:id/answer',
    {
      config: { permission: 'servicepoints.manage' },
      schema: {
        tags,
        summary: '答复服务请求 / Accept, decline or complete a request',
        params: IdParams,
        body: Type.Object({
          action: Type.Union([Type.Literal('accept'), Type.Literal('decline'), Type.Literal('complete')]),
          reply: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req) => points.answer(req.principal, req.params.id, req.body),
  );
}
