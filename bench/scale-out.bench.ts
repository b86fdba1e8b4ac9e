/**
 * Scale-out benchmark (issue #4 point 4): N API and M worker processes (`cbec start --role …`)
 * on the PostgreSQL server (`DATABASE_URL`) and NATS JetStream (`NATS_URL`), parcels sent over
 * real HTTP as CEB XML by a client in this process, until every parcel is closed (899). Prints
 * one JSON object as the last line: throughput, and CPU seconds per role (from /proc), which gives
 * the per-process capacity `docs/scaling.md` sizes deployments with.
 *
 *   npm run bench:scale -- --apis 2 --workers 2 --parcels 20000
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { encodeCeb, type CebMessage } from '../src/ceb/index.ts';
import { connectBus } from '../src/kernel/bus.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { connect } from '../src/kernel/db.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { createPlatform, seedDemo } from '../src/server/platform.ts';
import { serverDatabase } from '../test/support/db.ts';
import { postgresCpuMs, processCpuMs } from './proc-cpu.ts';
import { blockMessages, makeParcel, sendBlock, type Parcel } from '../test/support/parcels.ts';
import { httpLogin, startPlatformProcess, type PlatformProcess } from '../test/support/processes.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      apis: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      parcels: { type: 'string', default: '10000' },
      clients: { type: 'string', default: '4' },
    },
  });
  const apis = Number(values.apis);
  const workers = Number(values.workers);
  const parcelCount = Number(values.parcels);
  const clients = Number(values.clients);
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `cbecb${randomBytes(4).toString('hex')}`;
  const database = await serverDatabase();
  const procs: (PlatformProcess & { role: string })[] = [];
  const log = createLogger('silent');
  try {
    const setup = await createPlatform({
      config: loadConfig({ NODE_ENV: 'production', DEMO: '0' }),
      databaseUrl: database.url,
      log,
    });
    await seedDemo(setup);
    await setup.close();
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      NATS_PREFIX: prefix,
      DEMO: '0',
      LOG_LEVEL: 'warn',
      LOGIN_MAX_FAILURES: '1000',
    };
    const start = async (role: 'api' | 'worker'): Promise<void> => {
      procs.push({ ...(await startPlatformProcess(env, ['--role', role])), role });
    };
    await Promise.all([
      ...Array.from({ length: apis }, () => start('api')),
      ...Array.from({ length: workers }, () => start('worker')),
    ]);
    const apiUrls = procs.filter((p) => p.role === 'api').map((p) => p.url);
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await httpLogin(apiUrls[0]!, u);
    const post = async (
      url: string,
      user: string,
      m: CebMessage,
    ): Promise<{ entities: { index: number; invtNo?: string }[] }> => {
      const res = await fetch(`${url}/api/v1/ceb`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/xml' },
        body: encodeCeb(m),
      });
      const text = await res.text();
      const outcome =
        res.status === 200 ? (JSON.parse(text) as { rejected: number; entities: { index: number; invtNo?: string }[] }) : null;
      if (!outcome || outcome.rejected > 0) {
        throw new Error(`${m.messageType}: HTTP ${res.status} ${text.slice(0, 300)}`);
      }
      return outcome;
    };

    const blocks = Math.ceil(parcelCount / 100);
    const cpuBefore = new Map(procs.map((p) => [p.child.pid!, processCpuMs(p.child.pid!) / 1000]));
    const pgBefore = postgresCpuMs() / 1000;
    const t0 = performance.now();
    let next = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= blocks) return;
        const url = apiUrls[i % apiUrls.length]!;
        const b: Parcel[] = Array.from({ length: Math.min(100, parcelCount - i * 100) }, (_, k) =>
          makeParcel(i * 100 + k + 1, 'B'),
        );
        // the broker's bill names the inventories by the numbers of their CEB603 outcome
        await sendBlock(blockMessages(i, b, 'B'), (user, m) => post(url, user, m));
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    const submittedSeconds = (performance.now() - t0) / 1000;
    const db = connect(database.url, { max: 2 });
    for (;;) {
      const n = (
        await sql<{ n: number }>`select count(*)::int as n from clr_document where kind = 'inventory' and status = '899'`.execute(
          db.db,
        )
      ).rows[0]!.n;
      process.stderr.write(`\rclosed ${n}/${parcelCount}`);
      if (n >= parcelCount) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stderr.write('\n');
    const seconds = (performance.now() - t0) / 1000;
    await db.close();
    const cpu = { api: 0, worker: 0 };
    for (const p of procs) cpu[p.role as 'api' | 'worker'] += processCpuMs(p.child.pid!) / 1000 - cpuBefore.get(p.child.pid!)!;
    const pgCpu = postgresCpuMs() / 1000 - pgBefore;
    const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
    process.stdout.write(
      `${JSON.stringify({
        db: 'server',
        apis,
        workers,
        parcels: parcelCount,
        seconds: round(seconds),
        submitSeconds: round(submittedSeconds),
        parcelsPerSecond: Math.round(parcelCount / seconds),
        cpuSeconds: { api: round(cpu.api), worker: round(cpu.worker), postgres: round(pgCpu) },
        // What one core of each role carries: how deployments are sized (docs/scaling.md).
        parcelsPerCpuSecond: {
          api: Math.round(parcelCount / Math.max(cpu.api, 0.001)),
          worker: Math.round(parcelCount / Math.max(cpu.worker, 0.001)),
          postgres: Math.round(parcelCount / Math.max(pgCpu, 0.001)),
        },
        cores: os.availableParallelism(),
        loadAverage: os.loadavg().map((x) => round(x, 2)),
      })}\n`,
    );
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    const bus = await connectBus({ url: natsUrl, prefix, ackWaitMs: 30_000, log });
    await bus.destroy();
    await bus.close();
    await database.drop();
  }
}

await main();
