import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../kernel/config.ts';
import type { Db } from '../kernel/db.ts';
import { contentSecurityPolicy, CSP_DIRECTIVES, withStyleNonce } from '../kernel/csp.ts';
import { DomainError, forbidden } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Logger } from '../kernel/logger.ts';
import { isPermission, SESSION_COOKIE, type AuthService, type Principal } from '../modules/identity/index.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { pgRateLimitStore } from './rate-limit.store.ts';
import './route-config.ts';
import type { PlatformMetrics } from './system.routes.ts';

export interface RegisteredRoute {
  method: string;
  url: string;
  permission: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its declared permission: the route-permission walk reads it. */
    routeList: RegisteredRoute[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The raw session token or API key the caller presented. */
    credential: string | null;
  }
}

export interface AppDeps {
  config: Config;
  log: Logger;
  auth: AuthService;
  /** Module route registrations; each route declares `config.permission`. */
  routes: ((app: FastifyInstance) => void)[];
  /** Request counters for /metrics. */
  metrics?: PlatformMetrics;
  /**
   * The database the rate limits count in, shared by every API process (ADR 0026). The platform
   * always passes it; only route tests that build a bare app leave it out (in-memory counts).
   */
  rateLimitDb?: Db;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a request that changes something and is authenticated only by the session cookie must
 * come from a page of this site — its Origin (or, failing that, its Referer) names this host or a
 * configured CORS origin. The cookie is SameSite=Strict as well; this check also holds for old
 * browsers and same-site subdomains. Bearer tokens and API keys are not sent by browsers on their
 * own, so they are exempt.
 */
function sameOrigin(req: FastifyRequest, allowed: readonly string[]): boolean {
  const origin =
    req.headers.origin ??
    (() => {
      try {
        return req.headers.referer ? new URL(req.headers.referer).origin : undefined;
      } catch {
        return undefined;
      }
    })();
  if (!origin || origin === 'null') return false;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const PACKAGE_VERSION = '0.1.0';

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

function markPublic(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), permission: 'public' };
  });
}

/** N hops: the N nearest addresses are proxies (what proxy-addr does for a number). */
function trustProxyOption(t: number | string[]): string[] | ((addr: string, hop: number) => boolean) {
  return typeof t === 'number' ? (_addr, hop) => hop < t : t;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, auth } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    // req.ip (rate limits, audit of log-ins) is the client only where a trusted proxy says so.
    ...(config.trustProxy !== undefined ? { trustProxy: trustProxyOption(config.trustProxy) } : {}),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : newId();
    },
    requestIdHeader: false,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const routeList: RegisteredRoute[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Read lazily: a scope's own onRoute hook (markPublic) may set the permission after this one runs.
      routeList.push({
        method,
        url: route.url,
        get permission() {
          return (route.config as { permission?: string } | undefined)?.permission;
        },
      });
    }
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('credential', null);
  app.setErrorHandler(errorHandler);

  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  const metrics = deps.metrics;
  if (metrics) {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      metrics.responses.inc({ method: req.method, route, status: String(status) });
      metrics.duration.observe({ route }, reply.elapsedTime / 1000);
      if (status >= 500) metrics.errors.inc({ code: `http_${status}` });
      if (req.routeOptions.config.permission === 'ceb.submit' && req.method === 'POST') {
        metrics.intake.inc({ format: route === '/api/v1/ceb' ? 'xml' : 'json', outcome: status < 300 ? 'accepted' : 'refused' });
      }
    });
  }

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { directives: { ...CSP_DIRECTIVES, upgradeInsecureRequests: null } },
    crossOriginEmbedderPolicy: false,
  });
  if (config.corsOrigins.length > 0) {
    // CORS is off unless an operator lists origins; the web UI is same-origin.
    const allowed = new Set(config.corsOrigins);
    app.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (origin && allowed.has(origin)) {
        void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
        if (req.method === 'OPTIONS') {
          void reply
            .header('access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE')
            .header('access-control-allow-headers', 'authorization,content-type,idempotency-key');
        }
      }
    });
  }
  await app.register(fastifyRateLimit, {
    global: false,
    ...(deps.rateLimitDb ? { store: pgRateLimitStore(deps.rateLimitDb) } : {}),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'CBEC Window API 跨境电商出口单一窗口',
        version: PACKAGE_VERSION,
        description:
          'Cross-border e-commerce export single window. Errors are application/problem+json with bilingual detail (detailZh, detailEn).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'session token or API key' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: ({ schema, url, route }) => {
      const permission = (route.config as { permission?: string } | undefined)?.permission;
      const s = { ...(schema ?? {}) } as Record<string, unknown>;
      if (permission) s['x-permission'] = permission;
      if (permission === 'public') s.security = [];
      return { schema: s as never, url };
    },
  });
  // API documentation is public, like the standard it documents.
  await app.register(async (scope) => {
    markPublic(scope);
    await scope.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  });

  // Access: deny by default. A route without a declared permission answers 500 and the
  // route-walk test fails, so an undeclared route never serves anyone.
  app.addHook('onRequest', async (req, reply) => {
    const fromHeader = bearer(req.headers.authorization);
    const token = fromHeader ?? req.cookies[SESSION_COOKIE] ?? null;
    if (token && !fromHeader && !SAFE_METHODS.has(req.method) && !sameOrigin(req, config.corsOrigins)) {
      return sendProblem(
        reply,
        new DomainError('csrf.forbidden', {
          zh: '跨站请求被拒绝：请从本站页面操作（Origin 不符）',
          en: 'Cross-site request refused: the Origin of a cookie-authenticated change must be this site',
        }),
        req,
      );
    }
    if (token) {
      req.credential = token;
      const principal = await auth.authenticate(token);
      // A per-request copy: the cached principal is shared, the request id and the cookie mark are not.
      req.principal = principal && { ...principal, requestId: req.id, ...(fromHeader ? {} : { viaCookie: true }) };
    }
    if (req.is404) return;
    const permission = req.routeOptions.config.permission;
    if (permission === undefined) {
      req.log.error({ url: req.routeOptions.url }, 'route declares no permission');
      return sendProblem(reply, new DomainError('internal', { zh: '路由未声明权限', en: 'Route declares no permission' }), req);
    }
    if (permission === 'public') return;
    if (!req.principal) {
      return sendProblem(
        reply,
        new DomainError(token ? 'unauthenticated' : 'unauthenticated', {
          zh: token ? '登录已失效，请重新登录' : '请先登录',
          en: token ? 'Session expired or key revoked; log in again' : 'Log in first',
        }),
        req,
      );
    }
    if (permission === 'authenticated') return;
    if (!isPermission(permission) || !req.principal.permissions.has(permission)) {
      return sendProblem(reply, forbidden(), req);
    }
  });

  for (const register of deps.routes) register(app);

  const webDist = config.webDist;
  const hasWeb = existsSync(path.join(webDist, 'index.html'));
  const indexHtml = hasWeb ? readFileSync(path.join(webDist, 'index.html'), 'utf8') : '';
  // The web bundle is public: the log-in page must load before anyone logs in. Without a
  // built bundle the not-found handler still serves the API.
  await app.register(async (scope) => {
    markPublic(scope);
    await scope.register(fastifyStatic, {
      root: hasWeb ? webDist : path.resolve('.'),
      wildcard: false,
      index: false,
      serve: hasWeb,
      prefix: '/',
      maxAge: '1h',
    });
  });
  app.setNotFoundHandler({ preHandler: undefined }, (req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    if (
      hasWeb &&
      req.method === 'GET' &&
      !url.startsWith('/api/') &&
      !['/healthz', '/livez', '/readyz', '/metrics'].includes(url) &&
      !path.extname(url)
    ) {
      // Client-side routes (/login, /codes …) all load the single-page app, each copy with its own
      // style nonce: Ant Design writes its CSS-in-JS into <style> elements at run time, and only
      // those carrying the nonce the policy names are applied (no 'unsafe-inline' for elements).
      const nonce = randomBytes(16).toString('base64');
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', contentSecurityPolicy(`'nonce-${nonce}'`))
        .send(withStyleNonce(indexHtml, nonce));
    }
    return sendProblem(
      reply,
      new DomainError('not_found', { zh: `没有 ${req.method} ${url}`, en: `No route ${req.method} ${url}` }),
      req,
    );
  });
  return app;
}
