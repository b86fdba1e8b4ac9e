import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Delivery, NewSubscription, Subscription, SubscriptionPatch, SubscriptionWithSecret } from './webhooks.schema.ts';
import type { WebhookService } from './webhooks.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PERMISSION = 'webhooks.manage';
const TAGS = ['webhooks'];

export function registerWebhookRoutes(app: FastifyInstance, deps: { webhooks: WebhookService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks } = deps;

  r.get(
    '/api/v1/webhooks',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: 'Webhook 订阅 / My organisation’s webhook subscriptions',
        response: { 200: Type.Object({ items: Type.Array(Subscription) }) },
      },
    },
    async (req) => ({ items: await webhooks.list(req.principal) }),
  );

  r.post(
    '/api/v1/webhooks',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: '新建 Webhook 订阅（密钥只显示一次）/ Subscribe a URL to my receipts or reminders (secret shown once)',
        description:
          'Topics (`topics`, default `["receipts"]`): `receipts` (items as in GET /api/v1/ceb/receipts) and `summary.deadline_reminder` ' +
          '(items as in GET /api/v1/summary/reminders). Each topic is POSTed in its feed order as JSON `{ subscriptionId, deliveryId, topic, items }` ' +
          '(one topic per delivery, ≤ 100 items), topic also in `X-CBEC-Topic`, ' +
          'signed `X-CBEC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, delivery id in `X-CBEC-Delivery`. ' +
          'At least once: dedupe by topic and item id. Any 2xx acknowledges; otherwise retried with back-off (5 s doubling to 1 h), ' +
          'and after 15 consecutive failures the subscription turns `failing` until resumed. ' +
          'Each topic starts at the current end of its feed unless `from` is given.',
        body: NewSubscription,
        response: { 201: SubscriptionWithSecret },
      },
    },
    async (req, reply) => reply.code(201).send(await webhooks.create(req.principal, req.body)),
  );

  r.get(
    '/api/v1/webhooks/:id',
    {
      config: { permission: PERMISSION },
      schema: { tags: TAGS, summary: 'Webhook 订阅详情 / One subscription', params: IdParams, response: { 200: Subscription } },
    },
    async (req) => webhooks.get(req.principal, req.params.id),
  );

  r.patch(
    '/api/v1/webhooks/:id',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: '修改订阅的主题、地址或启用状态 / Change a subscription’s topics, URL or whether it is active',
        description:
          'Any of `topics`, `url`, `active`. A topic added starts at the current end of its feed (no history is replayed); ' +
          'a topic removed forgets its cursor (added again later, it starts at the end again); a topic kept keeps its cursor. ' +
          'A new URL is checked as at creation and tried at once. `active: true` resumes a paused or failing subscription, ' +
          '`false` pauses it. The secret is unchanged.',
        params: IdParams,
        body: SubscriptionPatch,
        response: { 200: Subscription },
      },
    },
    async (req) => webhooks.update(req.principal, req.params.id, req.body),
  );

  r.delete(
    '/api/v1/webhooks/:id',
    {
      config: { permission: PERMISSION },
      schema: { tags: TAGS, summary: '删除订阅 / Delete a subscription', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await webhooks.remove(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: '更换签名密钥（只显示一次）/ Rotate the signing secret (effective at once, shown once)',
        params: IdParams,
        response: { 200: SubscriptionWithSecret },
      },
    },
    async (req) => webhooks.rotateSecret(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/webhooks/:id/resume',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: '恢复推送 / Resume a paused or failing subscription (retries at once)',
        params: IdParams,
        response: { 200: Subscription },
      },
    },
    async (req) => webhooks.resume(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/webhooks/:id/pause',
    {
      config: { permission: PERMISSION },
      schema: { tags: TAGS, summary: '暂停推送 / Pause a subscription', params: IdParams, response: { 200: Subscription } },
    },
    async (req) => webhooks.pause(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { permission: PERMISSION },
      schema: {
        tags: TAGS,
        summary: '推送记录 / Recent delivery attempts, newest first',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ items: Type.Array(Delivery) }) },
      },
    },
    async (req) => ({ items: await webhooks.deliveries(req.principal, req.params.id, req.query.limit ?? 50) }),
  );
}
