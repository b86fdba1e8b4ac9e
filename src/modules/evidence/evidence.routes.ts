import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { EvidenceService } from './evidence.service.ts';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
// CEB303 orderNo is C..60; the platform code a 10-character customs code or an 18-character USCC.
const OrderParams = Type.Object({ orderNo: Type.String({ minLength: 1, maxLength: 60 }) });
const OrderQuery = Type.Object({
  ebpCode: Type.Optional(
    Type.String({
      pattern: '^[0-9A-Z]{10}([0-9A-Z]{8})?$',
      description: '电商平台代码（卖家本人可省略）/ platform code; a seller may leave it out',
    }),
  ),
});

export function registerEvidenceRoutes(app: FastifyInstance, deps: { evidence: EvidenceService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { evidence } = deps;

  r.get(
    '/api/v1/evidence/declarations/:id',
    {
      config: { permission: 'evidence.read' },
      schema: {
        tags: ['evidence'],
        summary:
          '证据包（JSON）/ Evidence pack of a declaration, every parcel: order ↔ receipt ↔ waybill ↔ inventory ↔ departure ↔ summary, each part hashed',
        params: Params,
      },
    },
    async (req, reply) => {
      // Streamed from the pack's temporary files (every parcel of the declaration, however many).
      const pack = await evidence.json(req.principal, req.params.id);
      return reply
        .header('content-disposition', `attachment; filename="evidence-${evidence.fileName(pack)}.json"`)
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-pack-sha256', pack.packSha256)
        .send(pack.stream());
    },
  );

  r.get(
    '/api/v1/evidence/declarations/:id/pdf',
    {
      config: { permission: 'evidence.read' },
      schema: { tags: ['evidence'], summary: '证据包（PDF）/ Evidence pack of a declaration as PDF (Chinese)', params: Params },
    },
    async (req, reply) => {
      const out = await evidence.pdf(req.principal, req.params.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="evidence-${out.fileName}.pdf"`)
        .header('x-pack-sha256', out.packSha256)
        .send(out.pdf);
    },
  );

  r.get(
    '/api/v1/evidence/orders/:orderNo',
    {
      config: { permission: 'evidence.read' },
      schema: {
        tags: ['evidence'],
        summary:
          '订单证据包（JSON）/ Evidence pack of one order: order ↔ collection ↔ waybill ↔ inventory ↔ departure ↔ receipts ↔ summary ↔ declaration ↔ proceeds, each part hashed',
        params: OrderParams,
        querystring: OrderQuery,
      },
    },
    async (req, reply) => {
      const pack = await evidence.orderJson(req.principal, { orderNo: req.params.orderNo, ebpCode: req.query.ebpCode });
      return reply
        .header('content-disposition', `attachment; filename="evidence-${encodeURIComponent(evidence.fileName(pack))}.json"`)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(pack, null, 2));
    },
  );

  r.get(
    '/api/v1/evidence/orders/:orderNo/pdf',
    {
      config: { permission: 'evidence.read' },
      schema: {
        tags: ['evidence'],
        summary: '订单证据包（PDF）/ Evidence pack of one order as PDF (Chinese)',
        params: OrderParams,
        querystring: OrderQuery,
      },
    },
    async (req, reply) => {
      const out = await evidence.orderPdf(req.principal, { orderNo: req.params.orderNo, ebpCode: req.query.ebpCode });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="evidence-${encodeURIComponent(out.fileName)}.pdf"`)
        .header('x-pack-sha256', out.packSha256)
        .send(out.pdf);
    },
  );
}
