/**
 * The database a benchmark runs on: a fresh embedded PostgreSQL in a temp directory, or a new
 * database on the server `DATABASE_URL` names (`--db server`); `drop()` removes either.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDb } from '../src/kernel/embedded-db.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { serverDatabase } from '../test/support/db.ts';

export async function openBenchDb(kind: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'server') {
    const db = await serverDatabase();
    // BENCH_KEEP_DB=1 leaves the server database for EXPLAIN after the run (its name goes to stderr).
    if (process.env.BENCH_KEEP_DB !== '1') return db;
    return { url: db.url, drop: async () => void process.stderr.write(`kept ${db.url}\n`) };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  await chmod(dir, 0o755);
  const emb = await startEmbeddedDb({ dataDir: dir, port: 0, log: createLogger('silent') });
  return {
    url: emb.url,
    async drop() {
      await emb.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
