import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AuditLog } from '../kernel/audit.ts';
import { ping, type Db } from '../kernel/db.ts';
import type { Outbox } from '../kernel/outbox.ts';
import { requirePermission } from '../modules/identity/index.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: { db: Db; audit: AuditLog; outbox: Outbox }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: '健康检查（含数据库）/ Health, including the database',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), db: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('unavailable'), db: Type.String() }),
        },
      },
    },
    async (_req, reply) => {
      try {
        await ping(deps.db);
        return { status: 'ok' as const, db: 'ok' as const };
      } catch (e) {
        return reply.code(503).send({ status: 'unavailable' as const, db: e instanceof Error ? e.message : 'unreachable' });
      }
    },
  );

  r.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['system'],
        summary: '审计日志 / Audit log, newest first',
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          entity: Type.Optional(Type.String({ maxLength: 64 })),
          entityId: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                at: Type.String({ format: 'date-time' }),
                actorUserId: Type.Union([Type.String(), Type.Null()]),
                actorOrgId: Type.Union([Type.String(), Type.Null()]),
                action: Type.String(),
                entity: Type.String(),
                entityId: Type.Union([Type.String(), Type.Null()]),
                before: Type.Unknown(),
                after: Type.Unknown(),
              }),
            ),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      requirePermission(req.principal, 'audit.read');
      const limit = req.query.limit ?? 50;
      const rows = await deps.audit.list(deps.db, {
        limit,
        ...(req.query.before !== undefined ? { beforeSeq: req.query.before } : {}),
        ...(req.query.entity !== undefined ? { entity: req.query.entity } : {}),
        ...(req.query.entityId !== undefined ? { entityId: req.query.entityId } : {}),
      });
      const last = rows[rows.length - 1];
      return {
        items: rows.map((r) => ({
          seq: r.seq,
          at: r.at.toISOString(),
          actorUserId: r.actor_user_id,
          actorOrgId: r.actor_org_id,
          action: r.action,
          entity: r.entity,
          entityId: r.entity_id,
          before: r.before,
          after: r.after,
        })),
        nextBefore: rows.length === limit && last ? last.seq : null,
      };
    },
  );

  r.get(
    '/api/v1/system/outbox',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['system'],
        summary: '事件投递状态 / Outbox backlog per handler',
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ handler: Type.String(), pending: Type.Integer(), dead: Type.Integer() })),
          }),
        },
      },
    },
    async () => ({ items: await deps.outbox.stats() }),
  );
}
