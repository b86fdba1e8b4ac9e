import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { createPlatform, type Platform } from './platform.ts';
import { createRateLimitRepository } from './rate-limit.repository.ts';
import { pgRateLimitStore } from './rate-limit.store.ts';
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts';

/**
 * Rate limits count in PostgreSQL (ADR 0026): two API processes on one database share one count
 * per route and client, so N processes do not multiply a limit.
 */
let tp: TestPlatform;
let second: Platform;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  // a second API process on the same database, as `cbec start --role api` twice would be
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_DIST: path.resolve('web/dist') });
  second = await createPlatform({ config, databaseUrl: tp.database.url, log: createLogger('silent') });
  await second.app.ready();
});

after(async () => {
  await second?.close();
  await tp?.stop();
});

const hitsOf = async (route: string, key: string): Promise<number | null> => {
  const r = await sql<{ hits: number }>`select hits from rate_limit_hit where route = ${route} and key = ${key}`.execute(
    tp.platform.database.db,
  );
  return r.rows[0]?.hits ?? null;
};

test('two platform processes on one database share the log-in limit: 20 a minute per address in all, not 20 each', async () => {
  const attempt = (p: Platform, remoteAddress: string) =>
    p.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress });
  const ip = '203.0.113.77';
  const statuses: number[] = [];
  // alternating between the two processes: 10 each, within the limit of 20
  for (let i = 0; i < 20; i++) statuses.push((await attempt(i % 2 ? second : tp.platform, ip)).statusCode);
  assert.deepEqual(statuses, Array(20).fill(401));
  assert.equal(await hitsOf('POST /api/v1/auth/login', ip), 20, 'one shared count in the database');
  // the 21st, on either process, is over the limit
  const over1 = await attempt(tp.platform, ip);
  const over2 = await attempt(second, ip);
  assert.equal(over1.statusCode, 429, over1.body);
  assert.equal(over2.statusCode, 429, over2.body);
  assert.equal((over2.json() as { code: string }).code, 'rate_limited');
  assert.equal(await hitsOf('POST /api/v1/auth/login', ip), 22);
  // another client keeps its own budget on both
  assert.equal((await attempt(second, '203.0.113.78')).statusCode, 401);
  assert.equal(await hitsOf('POST /api/v1/auth/login', '203.0.113.78'), 1);
});

test('the store: a count per route and key, shared by two apps, a new window after the old one passes, old rows pruned', async () => {
  const db = tp.platform.database.db;
  const apps: FastifyInstance[] = [];
  for (let i = 0; i < 2; i++) {
    const app = Fastify();
    await app.register(fastifyRateLimit, { global: false, store: pgRateLimitStore(db) });
    app.get('/a', { config: { rateLimit: { max: 3, timeWindow: 60_000 } } }, async () => ({ app: i }));
    app.get('/b', { config: { rateLimit: { max: 3, timeWindow: 60_000 } } }, async () => ({ app: i }));
    await app.ready();
    apps.push(app);
  }
  try {
    const get = (i: number, url: string, remoteAddress = '192.0.2.1') => apps[i]!.inject({ method: 'GET', url, remoteAddress });
    const first = await Promise.all([get(0, '/a'), get(1, '/a'), get(0, '/a'), get(1, '/a')]);
    assert.deepEqual(
      first.map((r) => r.statusCode).sort(),
      [200, 200, 200, 429],
      'four concurrent requests: one over the shared max of 3',
    );
    assert.equal(await hitsOf('GET /a', '192.0.2.1'), 4, 'no request lost under concurrency');
    const over = first.find((r) => r.statusCode === 429)!;
    assert.equal(over.headers['x-ratelimit-limit'], '3');
    assert.ok(Number(over.headers['retry-after']) >= 1, String(over.headers['retry-after']));
    // another route and another client count apart
    assert.equal((await get(1, '/b')).statusCode, 200);
    assert.equal((await get(0, '/a', '192.0.2.2')).statusCode, 200);
    assert.equal(await hitsOf('GET /b', '192.0.2.1'), 1);

    // after the window the count starts again at 1 (the windows of /a and /b are made to have
    // passed on the database's clock; the other client's /a row stays live)
    await sql`update rate_limit_hit set window_start = window_start - interval '61 seconds'
              where key = '192.0.2.1' and route in ('GET /a', 'GET /b')`.execute(db);
    assert.equal((await get(1, '/a')).statusCode, 200);
    assert.equal(await hitsOf('GET /a', '192.0.2.1'), 1);
    // the rows of passed windows go; the live ones stay
    const pruned = await createRateLimitRepository(db).prune();
    assert.ok(pruned >= 1, `pruned ${pruned}`);
    assert.equal(await hitsOf('GET /b', '192.0.2.1'), null);
    assert.equal(await hitsOf('GET /a', '192.0.2.1'), 1);
    assert.equal(await hitsOf('GET /a', '192.0.2.2'), 1);
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
});
