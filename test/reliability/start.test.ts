// The README's first command (issue #2 point 1): `npm start` runs `cbec start`, which starts its
// embedded PostgreSQL in DATA_DIR, seeds the demo and prints the demo log-ins; a second start on
// the same directory refuses and names the process that holds it; SIGTERM stops both the
// platform and its database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEMO_USERS } from '../../src/modules/identity/index.ts';
import { platformStore, signalPlatformProcess, startPlatformProcess } from '../support/processes.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test(
  'cbec start: prints the demo log-ins, refuses a second start on the same data directory, stops on SIGTERM',
  { timeout: 240_000 },
  async () => {
    const store = await platformStore('embedded', 'cbec-start-');
    const p = await startPlatformProcess(store.env);
    try {
      const deadline = Date.now() + 10_000;
      while (!p.stdout().includes(`${p.url}/api/docs`) && Date.now() < deadline) await sleep(100);
      const out = p.stdout();
      assert.match(out, /演示账号 Demo log-ins \(password 密码: cbec-demo\)/);
      for (const u of DEMO_USERS) assert.ok(out.includes(`  ${u.username} `), `the log-in ${u.username} is printed`);
      const health = await fetch(`${p.url}/readyz`);
      assert.equal(health.status, 200);
      const login = await fetch(`${p.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'seller', password: 'cbec-demo' }),
      });
      assert.equal(login.status, 200, 'a printed log-in works');

      // A second platform on the same DATA_DIR must not start a second postmaster on the cluster.
      const second = spawn(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', 'start'], {
        env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...store.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      second.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
      assert.notEqual(code, 0, 'the second start fails');
      assert.match(err, new RegExp(`in use by process ${p.child.pid}`), `it names the holder: ${err}`);
      assert.equal((await fetch(`${p.url}/readyz`)).status, 200, 'the first platform keeps running');

      const exit = await signalPlatformProcess(p, 'SIGTERM', 60_000);
      assert.ok(exit, 'SIGTERM stops the platform');
      assert.equal(exit.code, 0);
      assert.equal(existsSync(path.join(store.dataDir!, 'cbec.lock')), false, 'the data directory is released');
      assert.equal(existsSync(path.join(store.dataDir!, 'pg', 'postmaster.pid')), false, 'its database stopped with it');
    } finally {
      await p.kill();
      await store.remove();
    }
  },
);
