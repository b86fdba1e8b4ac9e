import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { EvidenceService } from './evidence.service.ts';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });

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
          '证据包（JSON）/ Evidence pack of a declaration: order ↔ receipt ↔ waybill ↔ inventory ↔ departure ↔ summary, each part hashed',
        params: Params,
      },
    },
    async (req, reply) => {
      const pack = await evidence.json(req.principal, req.params.id);
      return reply
        .header('content-disposition', `attachment; filename="evidence-${pack.subject.entryId}.json"`)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(pack, null, 2));
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
        .header('content-disposition', `attachment; filename="evidence-${out.entryId}.pdf"`)
        .header('x-pack-sha256', out.packSha256)
        .send(out.pdf);
    },
  );
}
