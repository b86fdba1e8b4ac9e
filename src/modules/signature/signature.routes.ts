import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Certificate, NewCertificate } from './signature.schema.ts';
import type { SignatureService } from './signature.service.ts';

export function registerSignatureRoutes(app: FastifyInstance, deps: { signatures: SignatureService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { signatures } = deps;

  r.get(
    '/api/v1/certificates',
    {
      config: { permission: 'signatures.manage' },
      schema: {
        tags: ['signatures'],
        summary: '本企业的签名证书 / My organisation’s signing certificates',
        response: { 200: Type.Object({ items: Type.Array(Certificate) }) },
      },
    },
    async (req) => ({ items: await signatures.list(req.principal) }),
  );

  r.post(
    '/api/v1/certificates',
    {
      config: { permission: 'signatures.manage' },
      schema: {
        tags: ['signatures'],
        summary: '登记签名证书 / Register a signing certificate (RSA or SM2)',
        description:
          'From then on every declaration (appStatus 2) of the organisation must carry an enveloped XML-DSig (C14N, SHA-1 digest, rsa-sha1 or sm2-sm3) made with a registered certificate.',
        body: NewCertificate,
        response: { 201: Certificate },
      },
    },
    async (req, reply) => reply.code(201).send(await signatures.register(req.principal, req.body.certificate)),
  );

  r.delete(
    '/api/v1/certificates/:id',
    {
      config: { permission: 'signatures.manage' },
      schema: {
        tags: ['signatures'],
        summary: '吊销签名证书 / Revoke a signing certificate',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Certificate },
      },
    },
    async (req) => signatures.revoke(req.principal, req.params.id),
  );
}
