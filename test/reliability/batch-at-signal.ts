import { sql } from 'kysely';
import { connect } from '../../src/kernel/db.ts';
import { signalPlatformProcess, type PlatformProcess, type ProcessExit } from '../support/processes.ts';

const PIPELINE = 'clearance.pipeline';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pipeline batch that was open when the signal went, and what became of the process. */
export interface BatchAtSignal {
  /** how the process exited (null: still running at the bound) */
  exit: ProcessExit | null;
  /** the batch's transaction (xid8), to ask pg_xact_status after the exit */
  xid: string;
  /** the backend that ran the batch */
  backendPid: number;
  /** pg_xact_status of the batch once the process had begun shutting down: 'in progress' */
  statusAfterSignal: string;
  /** how the process answered once signalled (ECONNREFUSED, 503…): proof it was shutting down */
  shuttingDown: string;
}

/**
 * Sends SIGTERM to `target` at an instant one of its pipeline batches is open, and keeps that
 * batch open until the process has begun shutting down — deterministically, not by luck of timing.
 *
 * A second connection takes `lock table outbox_delivery in share mode`: reads and the batch's
 * claim (`for update skip locked`) go on, but the batch's last statement (the delete that marks its
 * events delivered) waits. Found like worker-kill.test.ts finds its instant — the backend holding
 * the pipeline's transaction-scoped advisory lock (kernel/outbox.repository.ts) — and it must be
 * blocked by that lock and already have written (a transaction id). Then SIGTERM; once the process
 * refuses connections (it is closing) the batch is checked still in progress, the lock released,
 * and the process left to exit. The caller asks `pg_xact_status(xid)` afterwards: 'committed'
 * means the shutdown finished the batch it was running.
 *
 * Every connection of this helper is closed before the exit is awaited: an embedded PostgreSQL
 * owned by `target` stops with it and must not wait for clients.
 */
export async function signalWithBatchOpen(
  dbUrl: string,
  target: PlatformProcess,
  exitBoundMs: number,
  opts: { attempts?: number; onSignal?: () => void } = {},
): Promise<BatchAtSignal> {
  const watcher = connect(dbUrl, { max: 1, applicationName: 'cbec-test-watcher' });
  const locker = connect(dbUrl, { max: 1, applicationName: 'cbec-test-locker' });
  try {
    for (let attempt = 0; attempt < (opts.attempts ?? 40); attempt++) {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let lockerPid = 0;
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holding = locker.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        try {
          lockerPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
          await sql`lock table outbox_delivery in share mode`.execute(conn);
          locked();
          await released;
        } finally {
          await sql`rollback`.execute(conn);
        }
      });
      holding.catch(() => undefined);
      await isLocked;
      let found: { pid: number; xid: string } | undefined;
      const until = Date.now() + 3_000;
      while (!found && Date.now() < until) {
        const r = await sql<{ pid: number; xid: string }>`
          select a.pid,
            (((pg_snapshot_xmax(pg_current_snapshot())::text::bigint >> 32) << 32) + a.backend_xid::text::bigint)::text as xid
          from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.granted and l.objsubid = 1
            and l.objid::bigint = (hashtext(${'outbox:' + PIPELINE})::bigint & 4294967295)
            and l.classid::bigint = ((hashtext(${'outbox:' + PIPELINE})::bigint >> 32) & 4294967295)
            and a.backend_xid is not null and ${lockerPid}::int = any(pg_blocking_pids(a.pid))
          limit 1`.execute(watcher.db);
        found = r.rows[0];
        if (!found) await sleep(20);
      }
      if (!found) {
        // no batch reached its write while the lock was held: let the platform go on, try again
        release();
        await holding;
        await sleep(100);
        continue;
      }
      const exiting = signalPlatformProcess(target, 'SIGTERM', exitBoundMs);
      opts.onSignal?.();
      // Closing: new connections refused (or 503 while requests drain).
      let shuttingDown = '';
      const closingBy = Date.now() + 10_000;
      while (!shuttingDown && Date.now() < closingBy) {
        try {
          const res = await fetch(`${target.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
          await res.arrayBuffer();
          if (res.status === 503) shuttingDown = '503';
        } catch (e) {
          const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
          shuttingDown = code;
        }
        if (!shuttingDown) await sleep(10);
      }
      const status = await sql<{ s: string | null }>`select pg_xact_status(${found.xid}::xid8) as s`.execute(watcher.db);
      release();
      await holding;
      await watcher.close();
      await locker.close();
      return {
        exit: await exiting,
        xid: found.xid,
        backendPid: found.pid,
        statusAfterSignal: status.rows[0]!.s ?? '',
        shuttingDown,
      };
    }
    throw new Error('no pipeline batch reached its last statement while the outbox was locked');
  } finally {
    await watcher.close().catch(() => undefined);
    await locker.close().catch(() => undefined);
  }
}
