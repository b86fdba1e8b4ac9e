import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pickLanguage, renderVerification } from './trace.page.ts';
import type { TraceService } from './trace.service.ts';

const TAGS = ['trace'];
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) });
const EventKind = Type.Union(['producer', 'warehouse', 'inspection', 'departure', 'delivery'].map((k) => Type.Literal(k)));

export function registerTraceRoutes(app: FastifyInstance, deps: { trace: TraceService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { trace } = deps;

  r.post(
    '/api/v1/trace/codes',
    {
      config: { permission: 'trace.manage' },
      schema: {
        tags: TAGS,
        summary: '生成追溯码 / Create trace codes for a filed product (per batch or per unit)',
        body: Type.Object({
          kind: Type.Union([Type.Literal('unit'), Type.Literal('batch')]),
          itemNo: Type.String({ minLength: 1, maxLength: 50 }),
          batchNo: Type.String({ minLength: 1, maxLength: 50 }),
          quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          producer: Type.String({ minLength: 1, maxLength: 200, description: 'producer and place of production' }),
          productNames: Type.Optional(
            Type.Record(Type.String({ pattern: '^[a-z]{2}$' }), Type.String({ maxLength: 200 }), {
              description: 'names in buyers\' languages, e.g. {"fr": "…"}',
            }),
          ),
        }),
      },
    },
    async (req, reply) => reply.code(201).send({ items: await trace.create(req.principal, req.body) }),
  );

  r.get(
    '/api/v1/trace/codes',
    { config: { permission: 'trace.manage' }, schema: { tags: TAGS, summary: '本企业追溯码 / My trace codes' } },
    async (req) => ({ items: await trace.list(req.principal) }),
  );

  r.post(
    '/api/v1/trace/codes/:code/events',
    {
      config: { permission: 'trace.manage' },
      schema: {
        tags: TAGS,
        summary: '记录追溯环节 / Add a link to the chain (seller: logistics steps; customs: inspection result)',
        params: CodeParams,
        body: Type.Object({
          kind: EventKind,
          place: Type.Optional(Type.String({ maxLength: 200 })),
          country: Type.Optional(Type.String({ maxLength: 2, description: 'ISO 3166 alpha-2' })),
          note: Type.Optional(Type.String({ maxLength: 1000 })),
          logisticsNo: Type.Optional(
            Type.String({
              maxLength: 60,
              description: 'departure: the parcel customs closed (899); its time and exit port are recorded',
            }),
          ),
        }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await trace.addEvent(req.principal, req.params.code, req.body as Parameters<TraceService['addEvent']>[2])),
  );

  r.get(
    '/api/v1/trace/codes/:code/qr.svg',
    {
      config: { permission: 'trace.manage' },
      schema: { tags: TAGS, summary: '二维码标签（SVG）/ QR label (SVG) pointing to the verification page', params: CodeParams },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'image/svg+xml')
        .send(await trace.qrSvg(req.principal, req.params.code, `${req.protocol}://${req.host}`)),
  );

  r.get(
    '/api/v1/public/trace/:code',
    {
      config: { permission: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: TAGS,
        summary: '扫码验证 / Verify a trace code (each call counts as a scan)',
        description:
          'Country of the scan: the `X-Geo-Country` header set by the reverse proxy (GeoIP), else `country` (ISO 3166 alpha-2).',
        params: CodeParams,
        querystring: Type.Object({
          lang: Type.Optional(Type.String({ maxLength: 10 })),
          country: Type.Optional(Type.String({ maxLength: 2 })),
        }),
      },
    },
    async (req) => {
      const geo = req.headers['x-geo-country'];
      const country = (typeof geo === 'string' ? geo : (req.query.country ?? null))?.toUpperCase() ?? null;
      return trace.verify(req.params.code, { lang: req.query.lang ?? 'en', country });
    },
  );

  // The address printed in the QR label: an HTML page for the buyer (and a form post for reports).
  r.get(
    '/t/:code',
    {
      config: { permission: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        hide: true,
        params: CodeParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), reported: Type.Optional(Type.String()) }),
      },
    },
    async (req, reply) => {
      const geo = req.headers['x-geo-country'];
      const first = await trace.languagesOf(req.params.code);
      const lang = pickLanguage(first, req.query.lang, req.headers['accept-language']);
      const v = await trace.verify(req.params.code, { lang, country: typeof geo === 'string' ? geo.toUpperCase() : null });
      return reply.header('content-type', 'text/html; charset=utf-8').send(renderVerification(v, req.query.reported === '1'));
    },
  );
  // The page's form posts urlencoded; the parser is scoped to this one route.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16_384 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/t/:code/report',
      {
        config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          hide: true,
          params: CodeParams,
          querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
          body: Type.Object({
            summary: Type.String({ minLength: 5, maxLength: 4000 }),
            contact: Type.Optional(Type.String({ maxLength: 200 })),
          }),
        },
      },
      async (req, reply) => {
        await trace.reportCounterfeit(req.params.code, {
          summary: req.body.summary,
          ...(req.body.contact ? { contact: req.body.contact } : {}),
        });
        return reply.redirect(
          `/t/${encodeURIComponent(req.params.code)}?lang=${encodeURIComponent(req.query.lang ?? 'en')}&reported=1`,
          303,
        );
      },
    );
  });

  r.post(
    '/api/v1/public/trace/:code/report',
    {
      config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: TAGS,
        summary: '举报假冒 / Report a counterfeit (opens a credit case)',
        params: CodeParams,
        body: Type.Object({
          summary: Type.String({ minLength: 5, maxLength: 4000 }),
          contact: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await trace.reportCounterfeit(req.params.code, req.body)),
  );
}
