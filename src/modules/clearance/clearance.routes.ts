import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { decodeCeb, type CebMessage, type DecodedCeb, type ExportMessageType } from '../../ceb/index.ts';
import { DomainError } from '../../kernel/errors.ts';
import { requirePrincipal, type Principal } from '../identity/index.ts';
import type { ClearanceService } from './clearance.service.ts';
import type { IntakeService } from './intake.service.ts';
import type { ReceiptSequencer } from './receipt.sequencer.ts';
import { unreadableMessage } from './intake.checks.ts';
import { DOC_KINDS } from './rules/documents.rules.ts';
import { appTime } from './rules/numbering.rules.ts';

/** REST resources for the JSON form of each message; the path names the message. */
export const JSON_RESOURCES: Readonly<Record<string, ExportMessageType>> = {
  orders: 'CEB303',
  'payment-collections': 'CEB403',
  waybills: 'CEB505',
  arrivals: 'CEB507',
  departures: 'CEB509',
  inventories: 'CEB603',
  'inventory-cancellations': 'CEB605',
  consolidations: 'CEB607',
};

const Outcome = Type.Object({
  messageGuid: Type.String(),
  messageType: Type.String(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  replayed: Type.Boolean(),
  entities: Type.Array(
    Type.Object({
      index: Type.Integer(),
      guid: Type.String(),
      businessKey: Type.String(),
      accepted: Type.Boolean(),
      documentId: Type.Union([Type.String(), Type.Null()]),
      returnStatus: Type.String(),
      returnInfo: Type.String(),
      preNo: Type.Optional(Type.String()),
      invtNo: Type.Optional(Type.String()),
    }),
  ),
});

const Receipt = Type.Object({
  id: Type.Integer(),
  seq: Type.Union([Type.Integer(), Type.Null()]),
  messageType: Type.String(),
  documentId: Type.Union([Type.String(), Type.Null()]),
  guid: Type.String(),
  returnStatus: Type.String(),
  returnInfo: Type.String(),
  returnTime: Type.String(),
  fields: Type.Record(Type.String(), Type.String()),
  xml: Type.String(),
});

const Document = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    guid: Type.String(),
    businessKey: Type.String(),
    copNo: Type.Union([Type.String(), Type.Null()]),
    preNo: Type.Union([Type.String(), Type.Null()]),
    invtNo: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    live: Type.Boolean(),
    customsCode: Type.Union([Type.String(), Type.Null()]),
    returnInfo: Type.Union([Type.String(), Type.Null()]),
    head: Type.Record(Type.String(), Type.String()),
    lines: Type.Array(Type.Record(Type.String(), Type.String())),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: true },
);

const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number()]);
const JsonItem = Type.Object(
  { lines: Type.Optional(Type.Array(Type.Record(Type.String(), Scalar), { maxItems: 100 })) },
  { additionalProperties: Scalar, description: 'the head fields of the message entity; its list under "lines"' },
);

function str(v: unknown): string {
  return typeof v === 'number' ? String(v) : (v as string);
}

/** The JSON form decodes to the same message as the XML form; missing envelope fields are filled. */
export function jsonToMessage(
  messageType: ExportMessageType,
  body: { guid?: string; items: Record<string, unknown>[] },
  p: Principal,
  now: Date,
  newGuid: () => string,
): CebMessage {
  const spec = DOC_KINDS[messageType];
  const entities = body.items.map((item) => {
    const head: Record<string, string> = {};
    let lines: Record<string, string>[] = [];
    for (const [k, v] of Object.entries(item)) {
      if (k === 'lines' && Array.isArray(v)) {
        lines = (v as Record<string, unknown>[]).map((l) =>
          Object.fromEntries(Object.entries(l).map(([lk, lv]) => [lk, str(lv)])),
        );
      } else head[k] = str(v);
    }
    head.guid ??= newGuid();
    head.appType ??= '1';
    head.appStatus ??= '2';
    head.appTime ??= appTime(now);
    return { head, lists: spec.list ? { [spec.list]: lines } : {} };
  });
  const org = p.organisation;
  return {
    messageType,
    guid: body.guid ?? newGuid(),
    version: '1.0',
    entities,
    baseTransfer: {
      copCode: org?.code ?? '',
      copName: org?.name ?? '',
      dxpMode: 'DXP',
      dxpId: `DXPENT${(org?.code ?? '').slice(0, 10)}`,
    },
  };
}

export function registerClearanceRoutes(
  app: FastifyInstance,
  deps: { intake: IntakeService; clearance: ClearanceService; sequencer: Pick<ReceiptSequencer, 'onReceipts'> },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { intake, clearance } = deps;

  // CEB XML arrives as bytes: the decoder checks the encoding itself (UTF-8 only, GBK refused).
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  r.post(
    '/api/v1/ceb',
    {
      config: { permission: 'ceb.submit' },
      schema: {
        tags: ['ceb'],
        summary: '提交 CEB 报文 / Submit a CEB message (raw CEBxxxMessage or DxpMsg envelope, ≤ 100 entities)',
        description:
          'Content-Type application/xml. The whole message is refused with 400 (problem+json listing every error) when invalid; otherwise each entity is accepted or rejected with its receipt status.',
        response: { 200: Outcome },
      },
    },
    async (req) => {
      requirePrincipal(req.principal);
      if (!Buffer.isBuffer(req.body)) {
        throw new DomainError('clearance.unsupported_media_type', {
          zh: 'CEB 报文须以 application/xml 提交',
          en: 'Send CEB messages as application/xml',
        });
      }
      let decoded: DecodedCeb;
      try {
        decoded = decodeCeb(req.body);
      } catch (e) {
        throw e instanceof DomainError && !e.details?.receipt ? unreadableMessage(e, req.body) : e;
      }
      // The CEB message exactly as the decoder read it (a DxpMsg's Data): its signature is checked
      // on these bytes, never on a second reading of the body that could find another message.
      return intake.submit(req.principal, decoded.message, 'xml', req.id, Buffer.from(decoded.xml, 'utf8'));
    },
  );

  for (const [resource, messageType] of Object.entries(JSON_RESOURCES)) {
    const spec = DOC_KINDS[messageType];
    r.post(
      `/api/v1/${resource}`,
      {
        config: { permission: 'ceb.submit' },
        schema: {
          tags: ['ceb'],
          summary: `${spec.zh}（${messageType}，JSON）/ Submit ${spec.en}s as JSON (${messageType})`,
          description: `Fields as in ${messageType} (${spec.en}), values as strings or numbers; lines under "lines". guid, appType (1), appStatus (2) and appTime are filled when absent. The message guid (or the Idempotency-Key header) makes a retry harmless.`,
          body: Type.Object(
            {
              guid: Type.Optional(Type.String({ minLength: 36, maxLength: 36 })),
              items: Type.Array(JsonItem, { minItems: 1, maxItems: 100 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Outcome },
        },
      },
      async (req) => {
        requirePrincipal(req.principal);
        const key = req.headers['idempotency-key'];
        const guid = req.body.guid ?? (typeof key === 'string' && key.length === 36 ? key.toUpperCase() : undefined);
        const message = jsonToMessage(
          messageType,
          { ...req.body, ...(guid ? { guid } : {}) },
          req.principal,
          new Date(),
          clearance.newMessageGuid,
        );
        return intake.submit(req.principal, message, 'json', req.id);
      },
    );
  }

  r.get(
    '/api/v1/ceb/receipts',
    {
      config: { permission: 'clearance.read' },
      schema: {
        tags: ['ceb'],
        summary: '拉取回执 / Pull my receipts after a cursor (oldest first)',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Receipt), next: Type.Integer() }) },
      },
    },
    async (req) => clearance.receipts(req.principal, req.query.after ?? 0, req.query.limit ?? 200),
  );

  r.get(
    '/api/v1/ceb/receipts/stream',
    {
      config: { permission: 'clearance.read' },
      schema: {
        tags: ['ceb'],
        summary: '回执实时推送（SSE）/ Live receipts as server-sent events',
        description:
          'text/event-stream; each event has `id` = the receipt feed position (seq) and JSON data as in /api/v1/ceb/receipts. Reconnects resume from Last-Event-ID (or ?after=).',
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) }),
      },
    },
    async (req, reply) => {
      requirePrincipal(req.principal);
      const principal = req.principal;
      const lastId = Number(req.headers['last-event-id']);
      let cursor = Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : (req.query.after ?? 0);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let busy = false;
      let closed = false;
      const push = async (): Promise<void> => {
        if (busy || closed) return;
        busy = true;
        try {
          for (;;) {
            const page = await clearance.receipts(principal, cursor, 200);
            for (const item of page.items) res.write(`id: ${item.seq}\nevent: receipt\ndata: ${JSON.stringify(item)}\n\n`);
            cursor = page.next;
            if (page.items.length < 200 || closed) break;
          }
        } catch (e) {
          req.log.warn({ err: e }, 'receipt stream failed');
        } finally {
          busy = false;
        }
      };
      const unsubscribe = deps.sequencer.onReceipts(() => void push());
      // Comments keep proxies from closing an idle stream; the poll covers receipts sequenced by other processes.
      const keepAlive = setInterval(() => {
        res.write(': keep-alive\n\n');
        void push();
      }, 5_000);
      req.raw.on('close', () => {
        closed = true;
        clearInterval(keepAlive);
        unsubscribe();
      });
      res.write(': connected\n\n');
      await push();
    },
  );

  r.get(
    '/api/v1/clearance/documents/:id/xml',
    {
      config: { permission: 'clearance.read' },
      schema: {
        tags: ['clearance'],
        summary: '单证 CEB 报文 / The document as standard CEB XML (for forwarding to the national system)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (req, reply) => {
      const xml = await clearance.documentXml(req.principal, req.params.id);
      return reply.type('application/xml; charset=utf-8').send(xml);
    },
  );

  r.get(
    '/api/v1/clearance/documents',
    {
      config: { permission: 'clearance.read' },
      schema: {
        tags: ['clearance'],
        summary: '单证列表 / Documents I am party to (customs: its jurisdiction)',
        querystring: Type.Object({
          kind: Type.Optional(
            Type.Union(
              ['order', 'payment', 'waybill', 'inventory', 'cancellation', 'arrival', 'consolidation', 'departure'].map((k) =>
                Type.Literal(k),
              ),
            ),
          ),
          status: Type.Optional(Type.String({ maxLength: 10 })),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Document), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => clearance.list(req.principal, req.query as Parameters<ClearanceService['list']>[1]),
  );

  r.get(
    '/api/v1/clearance/documents/:id',
    {
      config: { permission: 'clearance.read' },
      schema: {
        tags: ['clearance'],
        summary: '单证详情与回执 / One document with its receipts',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Intersect([
            Document,
            Type.Object({
              review: Type.Union([
                Type.Object({ lane: Type.Union([Type.String(), Type.Null()]), reason: Type.Union([Type.String(), Type.Null()]) }),
                Type.Null(),
              ]),
              receipts: Type.Array(Receipt),
            }),
          ]),
        },
      },
    },
    async (req) => clearance.get(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/customs/reviews',
    {
      config: { permission: 'clearance.review' },
      schema: {
        tags: ['customs'],
        summary: '人工审核队列 / Inventories held for manual review, with order, waybill and payment side by side',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                inventory: Document,
                review: Type.Object({
                  lane: Type.Union([Type.String(), Type.Null()]),
                  reason: Type.Union([Type.String(), Type.Null()]),
                }),
                order: Type.Union([Document, Type.Null()]),
                waybill: Type.Union([Document, Type.Null()]),
                payment: Type.Union([Document, Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ items: await clearance.reviewQueue(req.principal) }),
  );

  r.post(
    '/api/v1/customs/reviews/bulk',
    {
      config: { permission: 'clearance.review' },
      schema: {
        tags: ['customs'],
        summary: '批量审核（逐票结果）/ Approve or reject several held inventories, with the outcome of each',
        body: Type.Object(
          {
            ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500 }),
            action: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
            reason: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                ok: Type.Boolean(),
                status: Type.Union([Type.String(), Type.Null()], { description: 'the new status (399 or 100) when ok' }),
                code: Type.Union([Type.String(), Type.Null()], { description: 'error code when not ok' }),
                zh: Type.Union([Type.String(), Type.Null()]),
                en: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (req) =>
      clearance.reviewBulk(req.principal, req.body.ids, {
        approve: req.body.action === 'approve',
        ...(req.body.reason !== undefined ? { reason: req.body.reason } : {}),
      }),
  );

  for (const action of ['approve', 'reject'] as const) {
    r.post(
      `/api/v1/customs/reviews/:id/${action}`,
      {
        config: { permission: 'clearance.review' },
        schema: {
          tags: ['customs'],
          summary: action === 'approve' ? '审核通过 / Approve a held inventory' : '退单 / Reject a held inventory with a reason',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          body: Type.Optional(
            Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
          ),
          response: { 200: Type.Object({ id: Type.String(), status: Type.String() }) },
        },
      },
      async (req) =>
        clearance.review(req.principal, req.params.id, {
          approve: action === 'approve',
          ...(req.body?.reason !== undefined ? { reason: req.body.reason } : {}),
        }),
    );
  }
}
