import path from 'node:path';
import { loadConfig } from '../../src/kernel/config.ts';
import { fixedClock, type Clock } from '../../src/kernel/clock.ts';
import type { OutboxHandler } from '../../src/kernel/outbox.ts';
import { createPlatform, seedDemo, type Platform } from '../../src/server/platform.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export interface TestPlatform {
  baseUrl: string;
  platform: Platform;
  database: TestDatabase;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  opts: { demo?: boolean; clock?: Clock; handlers?: OutboxHandler[]; env?: NodeJS.ProcessEnv; listen?: boolean } = {},
): Promise<TestPlatform> {
  const database = await testDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WEB_DIST: path.resolve('web/dist'),
    ...opts.env,
  });
  const platform = await createPlatform({
    config,
    databaseUrl: database.url,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.handlers ? { handlers: opts.handlers } : {}),
  });
  if (opts.demo !== false) await seedDemo(platform);
  let baseUrl = '';
  if (opts.listen !== false) {
    baseUrl = await platform.app.listen({ port: 0, host: '127.0.0.1' });
  } else {
    await platform.app.ready();
  }
  return {
    baseUrl,
    platform,
    database,
    async stop() {
      await platform.close();
      await database.drop();
    },
  };
}

export { fixedClock };

/** Logs a demo user in through the real route; answers the bearer token. */
let loginCount = 0;

export async function login(p: Platform, username: string, password = 'cbec-demo'): Promise<string> {
  // A distinct client address per log-in keeps tests clear of the per-address log-in rate limit.
  const remoteAddress = `10.77.${Math.floor(loginCount / 250) % 250}.${(loginCount++ % 250) + 1}`;
  const res = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}
