import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DatabaseStartError, DataDirLockedError, readLock, startEmbeddedDb } from './embedded-db.ts';
import { createLogger } from './logger.ts';
import { connect, ping } from './db.ts';

const log = createLogger('silent');

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbec-emb-'));
  await chmod(dir, 0o755);
  return dir;
}

test('embedded PostgreSQL starts, persists, and refuses a second owner of the data directory', async () => {
  const dir = await tempDir();
  const first = await startEmbeddedDb({ dataDir: dir, port: 0, log });
  try {
    const database = connect(first.url, { max: 1 });
    await ping(database.db);
    await database.close();
    assert.equal(readLock(dir)?.pid, process.pid);
    await assert.rejects(startEmbeddedDb({ dataDir: dir, port: 0, log }), (e: unknown) => {
      assert.ok(e instanceof DataDirLockedError);
      assert.match(e.message, /in use by process \d+/);
      return true;
    });
  } finally {
    await first.stop();
  }
  assert.equal(readLock(dir), undefined, 'the lock is released on stop');
  // Restart on the same directory: the data is still there.
  const again = await startEmbeddedDb({ dataDir: dir, port: 0, log });
  await again.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a failed database start reports the real reason', async () => {
  const dir = await tempDir();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(startEmbeddedDb({ dataDir: dir, port, log }), (e: unknown) => {
      assert.ok(e instanceof DatabaseStartError, String(e));
      assert.match(e.message, /could not bind|Address already in use|could not create any TCP\/IP sockets/i);
      return true;
    });
    assert.equal(readLock(dir), undefined, 'a failed start leaves no lock behind');
  } finally {
    blocker.close();
    await rm(dir, { recursive: true, force: true });
  }
});
