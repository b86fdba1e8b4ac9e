import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../kernel/config.ts';
import { isPermission } from '../modules/identity/index.ts';
import { createPlatform, type Platform } from './platform.ts';

// The route table needs no database: the pool never connects unless a handler runs a query,
// and the access hook refuses anonymous callers before any handler does.
let platform: Platform;
before(async () => {
  platform = await createPlatform({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    migrate: false,
  });
  await platform.app.ready();
});
after(async () => {
  await platform.close();
});

test('every registered route declares a known permission', () => {
  const routes = platform.app.routeList;
  assert.ok(routes.length >= 15, `expected the platform's routes, found ${routes.length}`);
  const missing = routes.filter((r) => r.permission === undefined).map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(missing, [], `routes without a permission: ${missing.join(', ')}`);
  const unknown = routes
    .filter((r) => r.permission !== 'public' && r.permission !== 'authenticated' && !isPermission(r.permission ?? ''))
    .map((r) => `${r.method} ${r.url} → ${r.permission}`);
  assert.deepEqual(unknown, [], `routes naming an unknown permission: ${unknown.join(', ')}`);
});

test('every non-public route refuses an anonymous caller with 401 problem+json', async () => {
  const guarded = platform.app.routeList.filter((r) => r.permission !== 'public' && r.method !== 'HEAD');
  assert.ok(guarded.length > 0);
  for (const r of guarded) {
    const url = r.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' ? '00000000-0000-7000-8000-000000000000' : 'x'));
    const res = await platform.app.inject({
      method: r.method as 'GET',
      url,
      payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
    });
    assert.equal(res.statusCode, 401, `${r.method} ${r.url} answered ${res.statusCode} to an anonymous caller`);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  }
});

test('a route added without a permission is denied, not served', async () => {
  const p = await createPlatform({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    migrate: false,
  });
  try {
    p.app.get('/api/v1/forgotten', async () => ({ secret: true }));
    await p.app.ready();
    const res = await p.app.inject({ method: 'GET', url: '/api/v1/forgotten' });
    assert.equal(res.statusCode, 500);
    assert.doesNotMatch(res.body, /secret/);
    assert.ok(p.app.routeList.some((r) => r.url === '/api/v1/forgotten' && r.permission === undefined));
  } finally {
    await p.close();
  }
});
