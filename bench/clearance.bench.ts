/**
 * End-to-end clearance benchmark (issue #4): realistic parcels through the real intake (CEB XML
 * messages of 100 entities, or JSON batches), the real pipeline and receipts, until every parcel
 * is closed (899); and, on the same database in the same run, a baseline of the same documents
 * written as plain multi-row INSERTs with no validation or matching. The last line of output is
 * one JSON object.
 *
 *   npm run bench -- --parcels 20000 --db embedded --format xml --rate 0
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { sql } from 'kysely';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { createPlatform, seedDemo, type Platform } from '../src/server/platform.ts';
import { PARTIES } from '../test/support/parcels.ts';
import { enrolBenchParties } from './bench-parties.ts';
import { makeBenchParcel } from './parcel-messages.ts';
import type { WireMessage } from './parcel-source.worker.ts';
import { openBenchDb } from './bench-db.ts';
import { machineCpuMs, ownThreadsCpuMs, postgresCpuMs } from './proc-cpu.ts';
import type { HandlerWork } from '../src/kernel/outbox.ts';
import { receiptFeedEntriesAfter } from '../src/modules/clearance/index.ts';
import { soakVerdict, type SoakVerdict } from './soak-verdict.ts';

export interface BenchOptions {
  parcels: number;
  rate: number;
  db: 'embedded' | 'server';
  format: 'xml' | 'json';
  concurrency: number;
  /** print the statements that took the most database time (needs pg_stat_statements loaded) */
  statements?: boolean;
  /**
   * Generate and encode every parcel message before the clock into a spool file (default): the
   * senders' work is then not on the two cores under test. Off for a soak, whose spool would be
   * gigabytes: the senders then generate on the fly in their thread.
   */
  spool?: boolean;
  /** A soak of this many minutes at `rate`: the result then carries its verdict. */
  minutes?: number;
}

export interface BenchResult {
  db: string;
  format: string;
  parcels: number;
  documents: number;
  parcelsPerSecond: number;
  documentsPerSecond: number;
  seconds: number;
  offeredRate: number;
  latencyMs: { p50: number; p95: number; p99: number };
  baselineParcelsPerSecond: number;
  ratio: number;
  rowsWritten: Record<string, number>;
  peakRssMb: number;
  /**
   * Peak RSS and V8 heap in use after a full collection (V8's own latest; a forced one in a soak),
   * per tenth of the run, with the benchmark client's own backlog (decided orders waiting for its carriers, held in this process).
   */
  memoryTimelineMb: { rss: number; heapUsed: number; clientBacklog: number }[];
  cores: number;
  /**
   * CPU time of the whole machine (every process: Node, PostgreSQL, the client's threads; from
   * /proc/stat) per parcel, end to end and for the baseline's INSERTs, and the share of the
   * machine's cores busy during the run. Steadier than parcels/s across machines and loads: a
   * change that removes work shows here even when the wall clock's noise hides it.
   */
  cpu?: {
    pipelineMsPerParcel: number;
    baselineMsPerParcel: number;
    busyShare: number;
    /**
     * The pipeline's CPU per parcel by who spent it (ms, from /proc per thread and process): the
     * platform's main thread (HTTP, intake, the pipeline's JavaScript, the read models), its other
     * threads (V8's garbage collection and compilers, libuv), the benchmark's senders, every
     * PostgreSQL process on the machine, and the rest of the machine.
     */
    byRole?: CpuByRole;
  };
  /**
   * The serial clearance pipeline over the run: its batches, the events they carried and the
   * share of the wall time it was inside a batch (near 1: the pipeline is the limit).
   */
  pipeline: { batches: number; events: number; busyShare: number };
  /** With --minutes: whether the soak held (offered load kept, no error, heap flat). */
  soak?: SoakVerdict;
}

const RESOURCE: Record<string, string> = {
  CEB303: 'orders',
  CEB403: 'payment-collections',
  CEB505: 'waybills',
  CEB603: 'inventories',
  CEB507: 'arrivals',
  CEB607: 'consolidations',
  CEB509: 'departures',
};

function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}   `);
  if (done >= total) process.stderr.write('\n');
}

/** Bearer credentials by sender customs code: the demo parties' log-ins, the benchmark's parties' API keys. */
async function tokens(p: Platform, keys: Map<string, string>): Promise<Map<string, string>> {
  const out = new Map(keys);
  let i = 0;
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse'] as const) {
    const r = await p.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: u, password: 'cbec-demo' },
      remoteAddress: `10.99.0.${++i}`,
    });
    out.set(PARTIES[u].code, (r.json() as { token: string }).token);
  }
  return out;
}

type CpuByRole = { nodeMain: number; nodeHelpers: number; client: number; postgres: number; other: number };

/** CPU time so far (ms) of this process's main thread, its other threads, the senders' thread and PostgreSQL. */
function cpuByRole(clientTid: number | null): Omit<CpuByRole, 'other'> | null {
  const threads = ownThreadsCpuMs();
  if (threads === null) return null;
  const out = { nodeMain: 0, nodeHelpers: 0, client: 0, postgres: postgresCpuMs() };
  for (const [tid, ms] of threads) {
    if (tid === process.pid) out.nodeMain += ms;
    else if (tid === clientTid) out.client += ms;
    else out.nodeHelpers += ms;
  }
  return out;
}

function perParcelByRole(
  a: Omit<CpuByRole, 'other'>,
  b: Omit<CpuByRole, 'other'>,
  machineBusyMs: number,
  parcels: number,
): CpuByRole {
  const per = (ms: number): number => Math.round((ms / parcels) * 100) / 100;
  const d = {
    nodeMain: b.nodeMain - a.nodeMain,
    nodeHelpers: b.nodeHelpers - a.nodeHelpers,
    client: b.client - a.client,
    postgres: b.postgres - a.postgres,
  };
  const other = Math.max(0, machineBusyMs - d.nodeMain - d.nodeHelpers - d.client - d.postgres);
  return {
    nodeMain: per(d.nodeMain),
    nodeHelpers: per(d.nodeHelpers),
    client: per(d.client),
    postgres: per(d.postgres),
    other: per(other),
  };
}

/** Plain multi-row INSERTs of the same documents (up to 50,000 parcels' worth), no validation or matching. */
async function baseline(p: Platform, count: number): Promise<{ perSecond: number; cpuMs: number | null }> {
  const db = p.database.db;
  await sql`create table bench_baseline (id bigint generated always as identity primary key, kind text, business_key text, head jsonb, lines jsonb)`.execute(
    db,
  );
  // Generated 250 parcels (1,000 rows) at a time, as the pipeline's client does: memory stays flat.
  // Generation is outside the clock; only the INSERTs are timed.
  let ms = 0;
  let cpuMs: number | null = 0;
  for (let from = 0; from < count; from += 250) {
    const c = Array.from({ length: Math.min(250, count - from) }, (_, i) => makeBenchParcel(from + i + 1)).flatMap(
      (x) =>
        [
          ['order', `${x.order.head.ebpCode}|${x.orderNo}`, x.order.head, x.order.lists.OrderList],
          ['payment', `${x.payment.head.ebpCode}|${x.orderNo}`, x.payment.head, []],
          ['waybill', `${x.waybill.head.logisticsCode}|${x.logisticsNo}`, x.waybill.head, []],
          ['inventory', `${x.inventory.head.ebpCode}|${x.orderNo}`, x.inventory.head, x.inventory.lists.InventoryList],
        ] as const,
    );
    const t = performance.now();
    const c0 = machineCpuMs();
    await sql`insert into bench_baseline (kind, business_key, head, lines)
      select * from unnest(${c.map((r) => r[0])}::text[], ${c.map((r) => r[1])}::text[], ${c.map((r) => JSON.stringify(r[2]))}::jsonb[], ${c.map(
        (r) => JSON.stringify(r[3]),
      )}::jsonb[])`.execute(db);
    ms += performance.now() - t;
    const c1 = machineCpuMs();
    cpuMs = c0 && c1 && cpuMs !== null ? cpuMs + c1.busy - c0.busy : null;
  }
  await sql`drop table bench_baseline`.execute(db);
  return { perSecond: count / (ms / 1000), cpuMs };
}

export async function runClearanceBench(opts: BenchOptions): Promise<BenchResult> {
  const database = await openBenchDb(opts.db, 'cbec-bench');
  let peakRss = 0;
  let slicePeak = 0;
  const timeline: { rss: number; heapUsed: number; clientBacklog: number }[] = [];
  // The heap figure of a tenth is the heap in use after a full collection. A throughput run takes
  // it after V8's own latest full collection: a forced one (gc()) in reduce-memory mode discards
  // the optimised code of every function, and re-optimising after each of ten cost ~7 % of the
  // run's CPU (0.25-0.3 ms a parcel, 2,450 TurboFan compilations against 1,640). A soak, whose
  // verdict is the heap, forces one per tenth for the exact figure.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let heapAfterFullGc: number | null = null;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR)
        heapAfterFullGc = v8.getHeapStatistics().used_heap_size;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const rssTimer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    slicePeak = Math.max(slicePeak, rss);
  }, 100);
  /** Closes a tenth of the run: its peak RSS, and the heap in use after a full collection. */
  const sliceDone = (clientBacklog: number): void => {
    if (opts.minutes !== undefined) gc();
    const heap =
      opts.minutes !== undefined ? process.memoryUsage().heapUsed : (heapAfterFullGc ?? process.memoryUsage().heapUsed);
    timeline.push({
      rss: Math.round(slicePeak / 1024 / 1024),
      heapUsed: Math.round(heap / 1024 / 1024),
      clientBacklog,
    });
    slicePeak = 0;
  };
  let spoolFile: string | null = null;
  // PREPARED_STATEMENTS=0 in the environment compares a run without named statements (ADR 0027).
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DEMO: '0',
    LOGIN_MAX_FAILURES: '1000',
    PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS,
  });
  const platform = await createPlatform({ config, databaseUrl: database.url, log: createLogger('warn') });
  try {
    await seedDemo(platform);
    if (opts.statements) await sql`create extension if not exists pg_stat_statements`.execute(platform.database.db);
    if (opts.statements) await sql`select pg_stat_statements_reset()`.execute(platform.database.db);
    const tok = await tokens(platform, await enrolBenchParties(platform));
    // Parcels are generated block by block (and again, deterministically, for the carrier), so
    // memory does not grow with N.
    const blockCount = Math.ceil(opts.parcels / 100);
    const parcels = { length: opts.parcels };
    const submit = async (messageType: string, sender: string, bytes: Uint8Array): Promise<void> => {
      const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const res = await platform.app.inject({
        method: 'POST',
        url: opts.format === 'xml' ? '/api/v1/ceb' : `/api/v1/${RESOURCE[messageType]}`,
        headers: {
          authorization: `Bearer ${tok.get(sender)}`,
          'content-type': opts.format === 'xml' ? 'application/xml' : 'application/json',
        },
        payload,
      });
      if (res.statusCode !== 200) throw new Error(`${messageType}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
      const out = res.json() as { rejected: number; entities: { returnInfo: string }[] };
      if (out.rejected > 0)
        throw new Error(`${messageType}: ${out.rejected} rejected: ${out.entities.find((e) => e.returnInfo)?.returnInfo}`);
    };

    // The senders' thread: with a spool it generates every message now, before the clock.
    // Worker threads do not inherit tsx's loader: the thread registers it, then loads the module.
    const spool = opts.spool === false ? null : path.join(os.tmpdir(), `cbec-bench-spool-${process.pid}.bin`);
    spoolFile = spool;
    const workerUrl = new URL('./parcel-source.worker.ts', import.meta.url).href;
    const source = new Worker(
      `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(workerUrl)}); });`,
      { eval: true, workerData: { format: opts.format, total: opts.parcels, spool } },
    );
    let clientTid: number | null = null;
    const waiting = new Map<number, (m: WireMessage[]) => void>();
    const ready = new Map<number, WireMessage[]>();
    const siteWaiting = new Map<number, (m: WireMessage[]) => void>();
    let sourceReady!: () => void;
    const sourceIsReady = new Promise<void>((res) => (sourceReady = res));
    let sourceClosed!: () => void;
    const sourceIsClosed = new Promise<void>((res) => (sourceClosed = res));
    source.on(
      'message',
      (
        r:
          | { kind: 'progress'; done: number }
          | { kind: 'ready'; tid: number | null }
          | { kind: 'closed' }
          | { kind: 'block'; block: number; messages: WireMessage[] }
          | { kind: 'site'; id: number; messages: WireMessage[] },
      ) => {
        if (r.kind === 'progress') progress('generated', r.done, opts.parcels);
        else if (r.kind === 'ready') {
          clientTid = r.tid;
          sourceReady();
        } else if (r.kind === 'closed') sourceClosed();
        else if (r.kind === 'site') {
          siteWaiting.get(r.id)?.(r.messages);
          siteWaiting.delete(r.id);
        } else {
          const w = waiting.get(r.block);
          if (w) {
            waiting.delete(r.block);
            w(r.messages);
          } else ready.set(r.block, r.messages);
        }
      },
    );
    source.on('error', (e) => {
      throw e;
    });
    await sourceIsReady;
    let siteRequest = 0;
    const siteMessages = (batch: number, orders: { orderNo: string; invtNo: string }[]): Promise<WireMessage[]> =>
      new Promise((res) => {
        const id = ++siteRequest;
        siteWaiting.set(id, res);
        source.postMessage({ kind: 'site', id, batch, orders });
      });

    platform.startWorkers();
    const db = platform.database.db;
    const start = performance.now();
    const cpuAtStart = machineCpuMs();
    const rolesAtStart = cpuByRole(clientTid);
    const pipelineWork = (): HandlerWork => platform.outbox.work().find((w) => w.handler === 'clearance.pipeline')!;
    const pipelineAtStart = pipelineWork();
    let submitted = 0;
    let done = false;

    // The declaring agent follows its receipt feed (CEB604 399 = decided, 899 = closed), as a real
    // one would, and tells the carrier: every 1,000 decided parcels, an arrival, a bill and a
    // departure for them. Reading the feed by cursor costs the same at any volume (a scan of the
    // documents by status, as an earlier version did, grew with the run and slowed it).
    const brokerOrg = (
      await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.broker.code}`.execute(db)
    ).rows[0]!.id;
    let feedCursor = 0;
    let closedCount = 0;
    // decided parcels by order number, with the inventory number their bill names (CEB604 invtNo)
    const decidedOrders: { orderNo: string; invtNo: string }[] = [];
    const followFeed = async (): Promise<void> => {
      for (;;) {
        // The page of feed entries first (its index, its limit), then each entry's receipt and
        // document probed by key (lateral): as joins, the planner hashed every receipt and
        // document of the run (105 ms a read at 200,000 parcels, 110 s of database time). The
        // cursor moves past every entry read, whatever its kind.
        const r = await sql<{ seq: number; type: string; status: string; order_no: string | null; invt_no: string | null }>`
          select f.seq, r.message_type as type, r.return_status as status,
            case when r.message_type = 'CEB604' and r.return_status = '399' then d.head->>'orderNo' end as order_no,
            r.invt_no
          from (${receiptFeedEntriesAfter(brokerOrg, feedCursor, 5000)}) f
          cross join lateral (
            select message_type, return_status, document_id, fields->>'invtNo' as invt_no from clr_receipt r
            where r.id = f.receipt_id and r.created_at = f.receipt_created_at limit 1
          ) r
          left join lateral (select head from clr_document d where d.id = r.document_id limit 1) d on true
          order by f.seq`.execute(db);
        for (const x of r.rows) {
          if (x.order_no) decidedOrders.push({ orderNo: x.order_no, invtNo: x.invt_no ?? '' });
          else if (x.type === 'CEB604' && x.status === '899') closedCount++;
        }
        if (r.rows.length) feedCursor = r.rows[r.rows.length - 1]!.seq;
        if (r.rows.length < 5000) return;
      }
    };
    let siteBatch = 0;
    let siteDocuments = 0;
    const carrier = (async () => {
      while (!done) {
        await followFeed();
        const ready =
          decidedOrders.length >= 1000 || (submitted >= parcels.length && decidedOrders.length > 0)
            ? decidedOrders.splice(0, 5000)
            : [];
        if (ready.length) {
          // Up to five flights at once, each site's messages in parallel (arrivals, then bills, then
          // departures), as several carriers and warehouses would send them: one carrier sending
          // 30 messages one after another was slower than the pipeline and set the pace of the
          // whole run.
          const site: WireMessage[] = [];
          for (let i = 0; i < ready.length; i += 1000) site.push(...(await siteMessages(++siteBatch, ready.slice(i, i + 1000))));
          siteDocuments += site.length;
          for (const type of ['CEB507', 'CEB607', 'CEB509'])
            await Promise.all(site.filter((m) => m.messageType === type).map((m) => submit(type, m.sender, m.payload)));
        } else await new Promise((res) => setTimeout(res, 100));
      }
    })();

    // The senders: blocks of 100 parcels, `concurrency` requests in flight, paced to `rate`, each
    // block read (or, in a soak, generated) by the senders' thread a few blocks ahead.
    let requested = 0;
    const ahead = opts.concurrency * 3;
    const requestUpTo = (b: number): void => {
      for (; requested <= Math.min(b + ahead, blockCount - 1); requested++)
        source.postMessage({ kind: 'block', block: requested });
    };
    const blockMessages = (b: number): Promise<WireMessage[]> => {
      requestUpTo(b);
      const r = ready.get(b);
      if (r) {
        ready.delete(b);
        return Promise.resolve(r);
      }
      return new Promise((res) => waiting.set(b, res));
    };
    let next = 0;
    const perBlockMs = opts.rate > 0 ? (100 / opts.rate) * 1000 : 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const b = next++;
        if (b >= blockCount) return;
        if (perBlockMs) {
          const due = start + b * perBlockMs;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        }
        for (const m of await blockMessages(b)) await submit(m.messageType, m.sender, m.payload);
        submitted += 100;
        progress('submitted', Math.min(submitted, parcels.length), parcels.length);
        if (submitted % Math.max(100, Math.ceil(blockCount / 10) * 100) === 0) sliceDone(decidedOrders.length);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const submitSeconds = (performance.now() - start) / 1000;

    while (closedCount < parcels.length) {
      progress('closed', closedCount, parcels.length);
      await new Promise((res) => setTimeout(res, 100));
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuAtEnd = machineCpuMs();
    const rolesAtEnd = cpuByRole(clientTid);
    const pipelineAtEnd = pipelineWork();
    done = true;
    await carrier;
    source.postMessage({ kind: 'close' });
    await sourceIsClosed;
    await source.terminate();

    const lat = await sql<{ p50: number; p95: number; p99: number }>`
      select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95,
             percentile_cont(0.99) within group (order by ms) as p99
      from (select extract(epoch from (i.decided_at - d.created_at)) * 1000 as ms
            from clr_inventory i join clr_document d on d.id = i.document_id where i.decided_at is not null) x`.execute(db);
    const counts = await sql<{ t: string; n: number }>`
      select 'clr_document' as t, count(*)::int as n from clr_document union all
      select 'clr_inventory', count(*)::int from clr_inventory union all
      select 'clr_receipt', count(*)::int from clr_receipt union all
      select 'clr_parcel_event', count(*)::int from clr_parcel_event union all
      select 'clr_message', count(*)::int from clr_message union all
      select 'outbox_event', count(*)::int from outbox_event union all
      select 'audit_log', count(*)::int from audit_log`.execute(db);
    await platform.outbox.stop();
    if (opts.statements) {
      // WAL per statement: every byte is built, checksummed and written by a backend, and a
      // full-page image (fpi) copies a whole 8 kB page the first time it changes after a checkpoint.
      const top = await sql<{ ms: number; calls: number; rows: number; walMb: number; fpi: number; q: string }>`
        select round(total_exec_time)::int as ms, calls::int, rows::int, round(wal_bytes / 1048576.0, 1)::float8 as "walMb",
          wal_fpi::int as fpi, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 140) as q
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit 24`.execute(db);
      for (const r of top.rows)
        process.stderr.write(
          `${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(6)} calls ${String(r.rows).padStart(8)} rows ${String(r.walMb).padStart(7)} MB WAL ${String(r.fpi).padStart(6)} fpi  ${r.q}\n`,
        );
      const wal = await sql<{ walMb: number; fpi: number; ms: number }>`
        select round(sum(wal_bytes) / 1048576.0)::float8 as "walMb", sum(wal_fpi)::float8 as fpi, round(sum(total_exec_time))::float8 as ms
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`.execute(db);
      const w = wal.rows[0]!;
      process.stderr.write(`all statements: ${w.ms} ms, ${w.walMb} MB WAL, ${w.fpi} full-page images\n`);
      // A status change that touches an indexed column (or one an index predicate reads) cannot be
      // HOT: it writes an entry in every index of the table.
      const hot = await sql<{ t: string; upd: number; hot: number }>`
        select relname as t, n_tup_upd::int as upd, n_tup_hot_upd::int as hot from pg_stat_user_tables
        where n_tup_upd > 0 order by n_tup_upd desc limit 8`.execute(db);
      for (const h of hot.rows) process.stderr.write(`${h.t.padEnd(24)} updates ${h.upd}, HOT ${h.hot}\n`);
      // Row widths decide whether PostgreSQL compresses or moves head and lines out of line (2 kB).
      const widths = await sql<{ kind: string; row: number; head: number; lines: number; over: number }>`
        select kind, avg(pg_column_size(d.*))::int as row, avg(pg_column_size(head))::int as head,
          avg(pg_column_size(lines))::int as lines, count(*) filter (where pg_column_size(d.*) > 2000)::int as over
        from clr_document d group by kind order by kind`.execute(db);
      for (const w of widths.rows)
        process.stderr.write(`${w.kind.padEnd(14)} row ${w.row} B (head ${w.head}, lines ${w.lines}); over 2 kB: ${w.over}\n`);
    }
    const baseCount = Math.min(opts.parcels, 50_000);
    const { perSecond: base, cpuMs: baseCpuMs } = await baseline(platform, baseCount);
    const documents = parcels.length * 4 + siteDocuments;
    const pps = parcels.length / seconds;
    const l = lat.rows[0]!;
    return {
      db: opts.db,
      format: opts.format,
      parcels: parcels.length,
      documents,
      parcelsPerSecond: Math.round(pps),
      documentsPerSecond: Math.round(documents / seconds),
      seconds: Math.round(seconds * 10) / 10,
      offeredRate: opts.rate,
      latencyMs: { p50: Math.round(l.p50), p95: Math.round(l.p95), p99: Math.round(l.p99) },
      baselineParcelsPerSecond: Math.round(base),
      ratio: Math.round((pps / base) * 1000) / 1000,
      rowsWritten: Object.fromEntries(counts.rows.map((r) => [r.t, r.n])),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      memoryTimelineMb: timeline,
      cores: os.availableParallelism(),
      pipeline: {
        batches: pipelineAtEnd.batches - pipelineAtStart.batches,
        events: pipelineAtEnd.events - pipelineAtStart.events,
        busyShare: Math.round(((pipelineAtEnd.busySeconds - pipelineAtStart.busySeconds) / seconds) * 100) / 100,
      },
      ...(cpuAtStart && cpuAtEnd && baseCpuMs !== null
        ? {
            cpu: {
              pipelineMsPerParcel: Math.round(((cpuAtEnd.busy - cpuAtStart.busy) / parcels.length) * 100) / 100,
              baselineMsPerParcel: Math.round((baseCpuMs / baseCount) * 100) / 100,
              busyShare: Math.round(((cpuAtEnd.busy - cpuAtStart.busy) / (cpuAtEnd.total - cpuAtStart.total)) * 100) / 100,
              ...(rolesAtStart && rolesAtEnd
                ? { byRole: perParcelByRole(rolesAtStart, rolesAtEnd, cpuAtEnd.busy - cpuAtStart.busy, parcels.length) }
                : {}),
            },
          }
        : {}),
      ...(opts.minutes === undefined ? {} : { soak: soakVerdict(opts.minutes, submitSeconds, timeline) }),
    };
  } finally {
    clearInterval(rssTimer);
    gcObserver.disconnect();
    if (spoolFile) await rm(spoolFile, { force: true });
    await platform.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      parcels: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '0' },
      db: { type: 'string', default: 'embedded' },
      format: { type: 'string', default: 'xml' },
      concurrency: { type: 'string', default: '4' },
      statements: { type: 'boolean', default: false },
      // A soak: --rate R for M minutes (parcels = R × 60 × M).
      minutes: { type: 'string' },
    },
  });
  if (values.minutes !== undefined) {
    if (Number(values.rate) <= 0) throw new Error('--minutes needs --rate > 0');
    values.parcels = String(Math.round(Number(values.rate) * 60 * Number(values.minutes)));
  }
  const result = await runClearanceBench({
    parcels: Number(values.parcels),
    rate: Number(values.rate),
    db: values.db === 'server' ? 'server' : 'embedded',
    format: values.format === 'json' ? 'json' : 'xml',
    concurrency: Number(values.concurrency),
    statements: values.statements,
    spool: values.minutes === undefined,
    ...(values.minutes === undefined ? {} : { minutes: Number(values.minutes) }),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.soak && !result.soak.passed ? 1 : 0);
}
