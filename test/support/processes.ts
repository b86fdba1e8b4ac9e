import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runningEmbeddedUrl } from '../../src/kernel/embedded-db.ts';
import { serverDatabase } from './db.ts';

export interface PlatformProcess {
  child: ChildProcess;
  /** http://localhost:port the process listens on */
  url: string;
  stderr: string[];
  /** everything the process wrote to stdout so far */
  stdout(): string;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `cbec start` as a child process (the real entry point, as `npm start` runs it) and
 * resolves once it listens. PORT=0 unless the environment says otherwise.
 */
export function startPlatformProcess(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 90_000): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/cbec.ts', 'start', ...args], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process did not start: ${stderr.join('')}`)), timeoutMs);
    let out = '';
    const onExit = (code: number | null): void =>
      reject(new Error(`process exited (${code}) before listening: ${stderr.join('')}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/localhost:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        child,
        url: m[1]!,
        stderr,
        stdout: () => out,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** Logs a demo user in over HTTP; answers the bearer token. */
export async function httpLogin(url: string, username: string, password = 'cbec-demo'): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** from the signal to the exit */
  millis: number;
}

/**
 * Sends `signal` (SIGTERM: a graceful stop) and waits up to `timeoutMs` for the process to exit;
 * answers how it exited, or null when it was still running at the deadline.
 */
export function signalPlatformProcess(
  p: PlatformProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<ProcessExit | null> {
  const started = Date.now();
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, millis: 0 });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, millis: Date.now() - started });
    });
    child.kill(signal);
  });
}

/** Where a `cbec start` child keeps its data: a temp DATA_DIR (embedded PostgreSQL) or a fresh server database. */
export interface PlatformStore {
  /** the environment for startPlatformProcess (demo data seeded on start) */
  env: NodeJS.ProcessEnv;
  dataDir?: string;
  /** the database URL while a platform process runs */
  url(): string;
  /** removes the data directory or drops the database */
  remove(): Promise<void>;
}

export async function platformStore(kind: 'embedded' | 'server', prefix = 'cbec-proc-'): Promise<PlatformStore> {
  if (kind === 'server') {
    const database = await serverDatabase();
    return { env: { DATABASE_URL: database.url, DEMO: '1' }, url: () => database.url, remove: () => database.drop() };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dataDir, 0o755); // the embedded server runs as the postgres user under root
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: '', DEMO: '1' },
    dataDir,
    url: () => runningEmbeddedUrl(dataDir) ?? '',
    remove: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/**
 * Stops the embedded PostgreSQL a SIGKILLed `cbec start` left running in `dataDir` (its postmaster
 * outlives the platform process), so the directory can be removed. Does nothing when none runs.
 */
export async function stopOrphanPostgres(dataDir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let pid = 0;
  try {
    pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return; // never started, or stopped cleanly
  }
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // gone
  }
}
