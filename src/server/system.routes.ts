import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import type { AuditLog } from '../kernel/audit.ts';
import { ping, type Db } from '../kernel/db.ts';
import type { HandlerWork, Outbox } from '../kernel/outbox.ts';
import { requirePermission } from '../modules/identity/index.ts';
import { createMetricsRepository } from './metrics.repository.ts';

/** Prometheus metrics of one platform (its own registry: tests run several platforms in a process). */
export interface PlatformMetrics {
  registry: Registry;
  intake: Counter<'format' | 'outcome'>;
  responses: Counter<'method' | 'route' | 'status'>;
  errors: Counter<'code'>;
  duration: Histogram<'route'>;
}

export function createPlatformMetrics(): PlatformMetrics {
  const registry = new Registry();
  return {
    registry,
    intake: new Counter({
      name: 'cbec_intake_messages_total',
      help: 'CEB messages received, by format (xml|json) and outcome (accepted|refused)',
      labelNames: ['format', 'outcome'],
      registers: [registry],
    }),
    responses: new Counter({
      name: 'cbec_http_responses_total',
      help: 'HTTP responses by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'cbec_errors_total',
      help: 'Server errors (5xx) by problem code',
      labelNames: ['code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'cbec_http_request_duration_seconds',
      help: 'Request duration by route pattern',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** A request from a loopback address that no proxy relayed (no forwarding header). */
function fromThisHostDirectly(req: FastifyRequest): boolean {
  return (
    LOOPBACK.has(req.socket.remoteAddress ?? '') &&
    req.headers['x-forwarded-for'] === undefined &&
    req.headers.forwarded === undefined
  );
}

export function registerSystemRoutes(
  app: FastifyInstance,
  deps: {
    db: Db;
    audit: AuditLog;
    outbox: Outbox;
    metrics?: PlatformMetrics;
    /** When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus `authorization`). */
    metricsToken?: string | undefined;
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const metrics = deps.metrics ?? createPlatformMetrics();
  const repo = createMetricsRepository(deps.db);
  // Database-derived gauges are read at scrape time, at most every 5 s.
  let cached: { at: number; value: Promise<void> } | null = null;
  const lag = new Gauge({
    name: 'cbec_pipeline_lag_seconds',
    help: 'Age of the oldest undelivered outbox event, per handler',
    labelNames: ['handler'],
    registers: [metrics.registry],
  });
  const pending = new Gauge({
    name: 'cbec_outbox_pending',
    help: 'Undelivered outbox events, per handler',
    labelNames: ['handler'],
    registers: [metrics.registry],
  });
  const dead = new Gauge({
    name: 'cbec_outbox_dead',
    help: 'Outbox deliveries given up after all retries (errors), per handler',
    labelNames: ['handler'],
    registers: [metrics.registry],
  });
  const lanes = new Gauge({
    name: 'cbec_decisions_by_lane',
    help: 'Inventories decided, by lane (green 399, review 300)',
    labelNames: ['lane'],
    registers: [metrics.registry],
  });
  // This process's own work per handler, read from memory at each scrape (no database): with
  // rate(), the share of time a handler is busy; a serial handler near 1 is the pipeline's limit.
  const handlerWork: [string, string, (w: HandlerWork) => number][] = [
    [
      'cbec_outbox_handler_busy_seconds_total',
      'Wall time spent in committed outbox batches, per handler (this process)',
      (w) => w.busySeconds,
    ],
    [
      'cbec_outbox_handler_events_total',
      'Events delivered in committed outbox batches, per handler (this process)',
      (w) => w.events,
    ],
    ['cbec_outbox_handler_batches_total', 'Committed outbox batches, per handler (this process)', (w) => w.batches],
  ];
  for (const [name, help, value] of handlerWork) {
    metrics.registry.registerMetric(
      new Counter({
        name,
        help,
        labelNames: ['handler'],
        registers: [],
        collect() {
          this.reset();
          for (const w of deps.outbox.work()) this.inc({ handler: w.handler }, value(w));
        },
      }),
    );
  }
  const refresh = async (): Promise<void> => {
    const [ob, dl] = await Promise.all([repo.outboxLag(), repo.decisionsByLane()]);
    lag.reset();
    pending.reset();
    dead.reset();
    // "all" is always present (0 when nothing waits), so an alert rule never sees an absent series.
    lag.set({ handler: 'all' }, Math.max(0, ...ob.map((h) => h.lag_seconds)));
    pending.set(
      { handler: 'all' },
      ob.reduce((a, h) => a + h.pending, 0),
    );
    dead.set(
      { handler: 'all' },
      ob.reduce((a, h) => a + h.dead, 0),
    );
    for (const h of ob) {
      lag.set({ handler: h.handler }, h.lag_seconds);
      pending.set({ handler: h.handler }, h.pending);
      dead.set({ handler: h.handler }, h.dead);
    }
    lanes.set({ lane: 'green' }, dl.find((x) => x.lane === 'green')?.n ?? 0);
    lanes.set({ lane: 'review' }, dl.find((x) => x.lane === 'review')?.n ?? 0);
  };
  let ready = true;
  app.addHook('preClose', async () => {
    ready = false;
  });

  r.get(
    '/livez',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: '存活检查（不含数据库）/ Liveness: the process answers (restart it when this fails)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  r.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: '就绪检查 / Readiness: database reachable and not shutting down (send traffic only when 200)',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), db: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('unavailable'), db: Type.String(), reason: Type.String() }),
        },
      },
    },
    async (_req, reply) => {
      if (!ready) return reply.code(503).send({ status: 'unavailable' as const, db: 'unknown', reason: 'shutting down' });
      try {
        await ping(deps.db);
        return { status: 'ready' as const, db: 'ok' as const };
      } catch (e) {
        return reply
          .code(503)
          .send({ status: 'unavailable' as const, db: e instanceof Error ? e.message : 'unreachable', reason: 'database' });
      }
    },
  );

  r.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Prometheus 指标 / Prometheus metrics (text exposition format)',
        description:
          'intake rate (cbec_intake_messages_total), pipeline lag (cbec_pipeline_lag_seconds), decisions by lane (cbec_decisions_by_lane), errors (cbec_errors_total, cbec_outbox_dead). Without METRICS_TOKEN only requests made directly from the host itself are answered (403 otherwise); with it, Authorization: Bearer <token> is required.',
      },
    },
    async (req, reply) => {
      if (deps.metricsToken) {
        const given = Buffer.from(req.headers.authorization ?? '');
        const want = Buffer.from(`Bearer ${deps.metricsToken}`);
        if (given.length !== want.length || !timingSafeEqual(given, want)) {
          return reply.code(401).type('text/plain').send('metrics token required\n');
        }
      } else if (!fromThisHostDirectly(req)) {
        // Secure by default: with no token the counts stay on the machine (a scraper on the host,
        // or a proxy that passes no forwarding header); anything relayed or remote is refused.
        return reply
          .code(403)
          .type('text/plain; charset=utf-8')
          .send(
            '未设置 METRICS_TOKEN：/metrics 只回答本机直接发来的请求；请设置 METRICS_TOKEN 并以 Authorization: Bearer <token> 抓取 / ' +
              'METRICS_TOKEN is unset: /metrics answers only requests made directly from this host; set METRICS_TOKEN and scrape with Authorization: Bearer <token>\n',
          );
      }
      if (!cached || Date.now() - cached.at > 5_000) cached = { at: Date.now(), value: refresh() };
      try {
        await cached.value;
      } catch (e) {
        cached = null;
        req.log.warn({ err: e }, 'metrics refresh failed');
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
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
