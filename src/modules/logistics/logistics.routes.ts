import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../../kernel/errors.ts';
import {
  CarrierService,
  EventsBody,
  IngestResult,
  LogisticsExport,
  ProblemParcels,
  ServiceInput,
  ServiceKindSchema,
  Timeline,
  TrackingHook,
  TrackingHookWithSecret,
} from './logistics.schema.ts';
import type { LogisticsService } from './logistics.service.ts';
import type { TrackingHookService } from './tracking-hooks.service.ts';

const CSV_LIMIT = 10 * 1024 * 1024;

/** A CSV body as text, whichever parser (ours or one registered earlier for text/csv) read it. */
export async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body && typeof (body as Readable).on === 'function') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of body as Readable) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
      size += b.length;
      if (size > CSV_LIMIT)
        throw new DomainError('logistics.payload_too_large', { zh: '文件超过 10 MB', en: 'file is larger than 10 MB' });
      chunks.push(b);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new DomainError('logistics.unsupported_media_type', { zh: '请以 text/csv 提交', en: 'send the file as text/csv' });
}

export function registerLogisticsRoutes(
  app: FastifyInstance,
  deps: { logistics: LogisticsService; hooks?: TrackingHookService },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { logistics, hooks } = deps;
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_LIMIT }, (_req, body, done) => done(null, body));
  }

  r.get(
    '/api/v1/logistics/services',
    {
      config: { permission: 'logistics.read' },
      schema: {
        tags: ['logistics'],
        summary: '物流服务与线路 / Carrier services and their destination countries',
        querystring: Type.Object({
          country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
          kind: Type.Optional(ServiceKindSchema),
          mine: Type.Optional(Type.Boolean({ description: "the carrier's own services, inactive ones too" })),
        }),
        response: { 200: Type.Array(CarrierService) },
      },
    },
    async (req) => logistics.listServices(req.principal, req.query),
  );

  r.put(
    '/api/v1/logistics/services',
    {
      config: { permission: 'logistics.manage' },
      schema: {
        tags: ['logistics'],
        summary: '登记或修改物流服务 / Create or update one of my services (by code)',
        body: ServiceInput,
        response: { 200: CarrierService, 201: CarrierService },
      },
    },
    async (req, reply) => {
      const res = await logistics.saveService(req.principal, req.body);
      return reply.code(res.created ? 201 : 200).send(res.service);
    },
  );

  r.post(
    '/api/v1/logistics/events',
    {
      config: { permission: 'logistics.manage' },
      schema: {
        tags: ['logistics'],
        summary: '上传轨迹事件 / Send tracking events (API or webhook from the carrier system)',
        description:
          'Good rows are stored, bad rows reported with row (1-based index), column and rule. A repeated scan is counted as a duplicate.',
        body: EventsBody,
        response: { 200: IngestResult },
      },
    },
    async (req) => logistics.ingestEvents(req.principal, req.body.events),
  );

  r.post(
    '/api/v1/logistics/events/csv',
    {
      config: { permission: 'logistics.manage' },
      schema: {
        tags: ['logistics'],
        summary: '上传轨迹文件 / Send tracking events as CSV',
        description:
          'text/csv with header logisticsNo,code,at[,location,country,description,serviceCode]; row numbers as in a spreadsheet (header = 1).',
        response: { 200: IngestResult },
      },
    },
    async (req) => logistics.ingestCsv(req.principal, await bodyText(req.body)),
  );

  r.get(
    '/api/v1/logistics/parcels/:logisticsNo/timeline',
    {
      config: { permission: 'logistics.read' },
      schema: {
        tags: ['logistics'],
        summary: '包裹全程轨迹 / One timeline per parcel: carrier scans and customs states',
        params: Type.Object({ logisticsNo: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: Type.Object({ logisticsCode: Type.Optional(Type.String({ maxLength: 18 })) }),
        response: { 200: Timeline },
      },
    },
    async (req) => logistics.timeline(req.principal, req.params.logisticsNo, req.query.logisticsCode),
  );

  r.get(
    '/api/v1/logistics/problems',
    {
      config: { permission: 'logistics.read' },
      schema: {
        tags: ['logistics'],
        summary: '问题包裹 / Problem parcels: no scan for N days, returned, held',
        description:
          'Parcels not delivered whose latest scan is within the last `window` days (default 90), oldest scan first; ' +
          'held = held by the carrier, or the inventory under customs review (300) or inspection (500). ' +
          "A page at a time: `after` = the previous page's `next`.",
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'no scan for this many days (default 5)' })),
          window: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 365,
              description: 'look back this many days since the latest scan (default 90)',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: ProblemParcels },
      },
    },
    async (req) => logistics.problems(req.principal, req.query),
  );

  r.get(
    '/api/v1/logistics/export',
    {
      config: { permission: 'logistics.read' },
      schema: {
        tags: ['logistics'],
        summary: '物流信息导出 / Logistics information export (docs/logistics-export.md)',
        querystring: Type.Object({
          from: Type.String({ format: 'date-time' }),
          to: Type.String({ format: 'date-time' }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
          after: Type.Optional(Type.String({ maxLength: 40, description: "the previous page's `next`" })),
        }),
        response: { 200: LogisticsExport },
      },
    },
    async (req) => logistics.exportJson(req.principal, req.query),
  );

  r.get(
    '/api/v1/logistics/events/stream',
    {
      config: { permission: 'logistics.read' },
      schema: {
        tags: ['logistics'],
        summary: '轨迹实时推送（SSE）/ Live tracking events as server-sent events',
        description:
          "text/event-stream; event `tracking`, `id` = the position in the caller's tracking feed, data as the events of a timeline with the event `id` and `seq`. " +
          'Events of parcels the caller carries or is a party to, whichever process stored them. A new stream starts at the end of the feed; ' +
          'reconnects resume from Last-Event-ID (or ?after=) with every event missed.',
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) }),
      },
    },
    async (req, reply) => {
      const stream = logistics.trackingStream(req.principal);
      const lastId = Number(req.headers['last-event-id']);
      let cursor =
        Number.isSafeInteger(lastId) && lastId >= 0 && String(req.headers['last-event-id']).trim() !== ''
          ? lastId
          : (req.query.after ?? (await stream.end()));
      let busy = false;
      let again = false;
      let closed = false;
      const res = reply.raw;
      const write = async (chunk: string): Promise<void> => {
        if (res.write(chunk) || closed) return;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      };
      // Reads the caller's own feed after the cursor; a wake-up during a read runs another.
      const push = async (): Promise<void> => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            for (;;) {
              const page = await stream.page(cursor, 200);
              for (const item of page.items) {
                if (closed) return;
                await write(`id: ${item.seq}\nevent: tracking\ndata: ${JSON.stringify(item)}\n\n`);
              }
              cursor = page.next;
              if (page.items.length < 200 || closed) break;
            }
          } while (again && !closed);
        } catch (e) {
          req.log.warn({ err: e }, 'tracking stream failed');
        } finally {
          busy = false;
        }
      };
      const unsubscribe = stream.onMoved(() => void push());
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // Comments keep proxies from closing an idle stream; the poll covers a wake-up lost on the way.
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

  if (!hooks) return;
  r.post(
    '/api/v1/logistics/webhooks',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags: ['logistics'],
        summary: '新增轨迹推送地址 / Add a tracking webhook (signed like receipt webhooks; secret shown once)',
        body: Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 201: TrackingHookWithSecret },
      },
    },
    async (req, reply) => reply.code(201).send(await hooks.create(req.principal, req.body)),
  );

  r.get(
    '/api/v1/logistics/webhooks',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags: ['logistics'],
        summary: '轨迹推送地址 / Tracking webhooks',
        response: { 200: Type.Array(TrackingHook) },
      },
    },
    async (req) => hooks.list(req.principal),
  );

  r.delete(
    '/api/v1/logistics/webhooks/:id',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags: ['logistics'],
        summary: '删除轨迹推送地址 / Remove a tracking webhook',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await hooks.remove(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
