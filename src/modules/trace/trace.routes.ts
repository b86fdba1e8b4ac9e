import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { contentSecurityPolicy } from '../../kernel/csp.ts';
import { LABEL_STYLE_SOURCE, renderLabelSheet } from './trace.labels.ts';
import { negotiateLanguage, PAGE_STYLE_SOURCE, renderVerification } from './trace.page.ts';
import { offeredLanguages, type TraceService } from './trace.service.ts';

const TAGS = ['trace'];
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) });
const EventKind = Type.Union(['producer', 'warehouse', 'inspection', 'departure', 'delivery'].map((k) => Type.Literal(k)));

export interface TraceRouteOptions {
  trace: TraceService;
  /** the header (lower case) a trusted reverse proxy sets to the client's country (TRUSTED_GEO_HEADER) */
  trustedGeoHeader?: string | undefined;
  /** the address printed in QR labels (PUBLIC_BASE_URL); unset = this request's protocol and host */
  publicBaseUrl?: string | undefined;
}

/**
 * What the start-up log says when scans' countries cannot be known: in production without
 * TRUSTED_GEO_HEADER every scan is ZZ, and the rules on countries (too many, away from where the
 * goods went) never fire. Undefined when there is nothing to say.
 */
export function scanGeoWarning(config: { env: string; trustedGeoHeader?: string | undefined }): string | undefined {
  if (config.env !== 'production' || config.trustedGeoHeader) return undefined;
  return (
    '未设置 TRUSTED_GEO_HEADER：追溯码扫码国家一律记为 ZZ（未知），扫码国家过多、在目的国以外被扫描的提示不会出现；' +
    '请让反向代理设置 GeoIP 国家请求头（见 docs/operations.md） / TRUSTED_GEO_HEADER is unset: every trace scan is recorded ' +
    'as country ZZ (unknown), so codes scanned in too many countries or away from where the goods went are never flagged; ' +
    'have the reverse proxy set a GeoIP country header (docs/operations.md)'
  );
}

/**
 * Who scanned, from where. Without a trusted proxy nothing the client sends is believed: the
 * country is unknown and the client is the connecting address. Behind one (TRUSTED_GEO_HEADER set),
 * the country is its header and the client the address it appended last to X-Forwarded-For
 * (entries before it are the client's own word); the connecting address is the proxy.
 */
export function scanOrigin(
  req: FastifyRequest,
  trustedGeoHeader: string | undefined,
): { country: string | null; client: string } {
  if (!trustedGeoHeader) return { country: null, client: req.ip };
  const geo = req.headers[trustedGeoHeader];
  const forwarded = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return { country: typeof geo === 'string' ? geo.trim().toUpperCase() : null, client: hops.at(-1) ?? req.ip };
}

export function registerTraceRoutes(app: FastifyInstance, deps: TraceRouteOptions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { trace, trustedGeoHeader, publicBaseUrl } = deps;

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
    async (req) => ({
      items: await trace.list(req.principal),
      // the page says so when scans' countries are unknown (no trusted proxy configured)
      scanCountries: trustedGeoHeader ? ('proxy' as const) : ('unknown' as const),
    }),
  );

  r.get(
    '/api/v1/trace/codes/:code',
    {
      config: { permission: 'trace.manage' },
      schema: {
        tags: TAGS,
        summary: '追溯码及其追溯链 / One trace code and its chain (its seller; customs and inspection within jurisdiction)',
        params: CodeParams,
      },
    },
    async (req) => trace.detail(req.principal, req.params.code),
  );

  r.get(
    '/api/v1/trace/labels',
    {
      config: { permission: 'trace.manage' },
      schema: {
        tags: TAGS,
        summary: "批次标签页（打印）/ Printable sheet of a batch's QR labels (HTML with a print style sheet, ≤ 500 labels)",
        querystring: Type.Object({
          batchNo: Type.String({ minLength: 1, maxLength: 50 }),
          itemNo: Type.Optional(Type.String({ maxLength: 50 })),
        }),
      },
    },
    async (req, reply) => {
      const sheet = await trace.labels(
        req.principal,
        { batchNo: req.query.batchNo, ...(req.query.itemNo ? { itemNo: req.query.itemNo } : {}) },
        publicBaseUrl ?? `${req.protocol}://${req.host}`,
      );
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', contentSecurityPolicy(LABEL_STYLE_SOURCE))
        .send(renderLabelSheet(sheet));
    },
  );

  r.post(
    '/api/v1/trace/codes/:code/events',
    {
      config: { permission: 'trace.manage' },
      schema: {
        tags: TAGS,
        summary:
          "记录追溯环节 / Add a link to the chain (seller: producer, and a parcel's warehouse receipt, departure, delivery; customs and inspection: an inspection result)",
        description:
          "warehouse, departure, delivery: name the parcel (`logisticsNo`), a parcel the seller declared with this code's " +
          "product; time, place and country come from the supervision centre's receipt scan, customs' closure (899) and " +
          "the carrier's delivered event, and the parcel's inspection results join the chain. inspection: `result` " +
          '(a failure needs a `note`), by customs or inspection officers on codes within their jurisdiction.',
        params: CodeParams,
        body: Type.Object({
          kind: EventKind,
          place: Type.Optional(Type.String({ maxLength: 200, description: 'producer only' })),
          country: Type.Optional(Type.String({ maxLength: 2, description: 'producer only: ISO 3166 alpha-2' })),
          note: Type.Optional(Type.String({ maxLength: 1000 })),
          logisticsNo: Type.Optional(
            Type.String({
              maxLength: 60,
              description: 'warehouse, departure, delivery: the parcel (logistics number)',
            }),
          ),
          result: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('fail')], { description: 'inspection only' })),
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
        .send(await trace.qrSvg(req.principal, req.params.code, publicBaseUrl ?? `${req.protocol}://${req.host}`)),
  );

  r.get(
    '/api/v1/public/trace/:code',
    {
      config: { permission: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: TAGS,
        summary: '扫码验证 / Verify a trace code (a call counts as a scan, once per client and day)',
        description:
          'Country of the scan: the header named by `TRUSTED_GEO_HEADER`, which the trusted reverse proxy sets (GeoIP); ' +
          'without that setting `ZZ` (unknown). A country the client sends itself is never taken.',
        params: CodeParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
      },
    },
    async (req) => trace.verify(req.params.code, { lang: req.query.lang ?? 'en', ...scanOrigin(req, trustedGeoHeader) }),
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
      // ?lang=, else the browser's Accept-Language, else the destination country's language, else English
      const ctx = await trace.pageContext(req.params.code);
      const lang = negotiateLanguage({
        offered: offeredLanguages(ctx.productLanguages),
        requested: req.query.lang,
        acceptLanguage: req.headers['accept-language'],
        destination: ctx.destinationLanguage,
      });
      const v = await trace.verify(req.params.code, { lang, ...scanOrigin(req, trustedGeoHeader) });
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('vary', 'Accept-Language')
        .header('content-security-policy', contentSecurityPolicy(PAGE_STYLE_SOURCE))
        .send(renderVerification(v, req.query.reported === '1'));
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
