import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { RouteOptions } from 'fastify';
import { DomainError, httpStatusOf, toProblem } from '../kernel/errors.ts';
import { allCodes, hsElements, registerCodeRoutes } from './index.ts';

const routes: RouteOptions[] = [];

async function buildApp() {
  const app = Fastify();
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  // The real error handler lives in the server; this is just enough to see DomainError → status.
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof DomainError) return reply.status(httpStatusOf(err.code)).send(toProblem(err));
    return reply.send(err);
  });
  registerCodeRoutes(app);
  await app.ready();
  return app;
}

test('code routes', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());

  await t.test('every route declares permission and an OpenAPI schema', () => {
    const gets = routes.filter((r) => r.method === 'GET');
    assert.deepEqual(gets.map((r) => r.url).sort(), ['/api/v1/codes', '/api/v1/codes/:table', '/api/v1/codes/:table/:code']);
    for (const r of gets) {
      assert.equal(r.config?.permission, 'authenticated', r.url);
      const schema = r.schema as { tags?: string[]; summary?: string; response?: Record<string, unknown> } | undefined;
      assert.deepEqual(schema?.tags, ['codes'], r.url);
      assert.ok(schema?.summary, r.url);
      assert.ok(schema?.response?.[200], r.url);
    }
  });

  await t.test('GET /api/v1/codes lists the tables', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/codes' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { items: { table: string; nameZh: string; nameEn: string; count: number }[] };
    const country = body.items.find((i) => i.table === 'country');
    assert.ok(country && country.count > 200 && country.nameZh && country.nameEn);
    assert.ok(body.items.some((i) => i.table === 'hs' && i.count > 10000));
  });

  await t.test('GET /api/v1/codes/:table searches', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/codes/country?q=${encodeURIComponent('美国')}` });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { table: string; total: number; items: { code: string; iso: string }[] };
    assert.equal(body.table, 'country');
    assert.ok(
      body.items.some((i) => i.code === '502' && i.iso === 'USA'),
      'extra fields are serialised',
    );

    const paged = await app.inject({ method: 'GET', url: '/api/v1/codes/customs?q=40&limit=3&offset=1' });
    const pb = paged.json() as { total: number; items: { code: string; district: string }[] };
    assert.equal(pb.items.length, 3);
    assert.ok(pb.total > 3);
    assert.equal(pb.items[0]?.code, '4001');
    assert.equal(pb.items[0]?.district, '4000');

    const dflt = await app.inject({ method: 'GET', url: '/api/v1/codes/hs' });
    assert.equal((dflt.json() as { items: unknown[] }).items.length, 50);

    const bad = await app.inject({ method: 'GET', url: '/api/v1/codes/hs?limit=501' });
    assert.equal(bad.statusCode, 400);
    const longQ = await app.inject({ method: 'GET', url: `/api/v1/codes/hs?q=${'a'.repeat(101)}` });
    assert.equal(longQ.statusCode, 400);
  });

  await t.test('GET /api/v1/codes/:table/:code returns one entry', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/codes/hs-elements/6911101' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { code: string; elements: { element: string; required: boolean }[] };
    assert.ok(body.elements.some((e) => e.required));

    const missing = await app.inject({ method: 'GET', url: '/api/v1/codes/country/999' });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { code: string }).code, 'codes.not_found');
  });

  await t.test('GET /api/v1/codes/hs/:code carries its declaration elements (longest published prefix)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/codes/hs/6911101100' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as {
      code: string;
      nameZh: string;
      elements: { element: string; required: boolean }[];
      elementsFrom: string;
    };
    assert.equal(body.code, '6911101100');
    assert.ok(body.nameZh);
    assert.equal(body.elementsFrom, '6911101');
    assert.deepEqual(body.elements, hsElements('6911101100'));
    assert.ok(body.elements.length > 0 && body.elements.some((e) => e.required), JSON.stringify(body.elements));
    // every element is a name and a flag, as the schema says
    for (const e of body.elements) assert.deepEqual(Object.keys(e).sort(), ['element', 'required']);
    // an HS code without published elements answers an empty list, not a missing field
    const none = allCodes('hs').find((h) => hsElements(h.code).length === 0);
    assert.ok(none, 'the table has HS codes without published elements');
    const bare = (await app.inject({ method: 'GET', url: `/api/v1/codes/hs/${none.code}` })).json() as Record<string, unknown>;
    assert.deepEqual(bare.elements, []);
    assert.equal(bare.elementsFrom, undefined);
  });

  await t.test('GET /api/v1/codes/hs-elements/:code takes a full 10-digit HS code: the longest prefix answers', async () => {
    const exact = (await app.inject({ method: 'GET', url: '/api/v1/codes/hs-elements/6911101' })).json() as unknown;
    const res = await app.inject({ method: 'GET', url: '/api/v1/codes/hs-elements/6911101100' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), exact);
    assert.equal((res.json() as { code: string }).code, '6911101');
    // a 10-digit code that is no HS code is not found, even where a prefix has elements
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/codes/hs-elements/6911101199' });
    assert.equal(unknown.statusCode, 404);
    assert.equal((unknown.json() as { code: string }).code, 'codes.not_found');
    // other tables stay exact
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/codes/hs/6911101' })).statusCode, 404);
  });

  await t.test('unknown table → codes.not_found (404)', async () => {
    for (const url of ['/api/v1/codes/nope', '/api/v1/codes/nope/142']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      const body = res.json() as { code: string; detailZh: string; detailEn: string };
      assert.equal(body.code, 'codes.not_found');
      assert.equal(body.detailZh, '代码表 nope 不存在');
      assert.equal(body.detailEn, 'Code table nope not found');
    }
  });
});
