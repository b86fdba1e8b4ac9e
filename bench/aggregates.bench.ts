/**
 * The month-end queries over 1,000,000 closed inventories (issue #4 target: each ≤ 30 s): the
 * monthly summary grouping (汇总申报 preview, through its HTTP route as the seller) and the
 * statistics (read-model rebuild from closed inventories, then a query through its route as the
 * commerce officer). 1,000 parcels go through the real intake and pipeline to closure (899);
 * their inventories are then cloned in SQL, spread over one month and five destination
 * countries, to the requested count. The last line of output is one JSON object.
 *
 *   npm run bench:aggregates -- --inventories 1000000 --db embedded|server
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import cliProgress from 'cli-progress';
import { encodeCeb } from '../src/ceb/index.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { rebuildStatistics } from '../src/modules/statistics/index.ts';
import { createPlatform, seedDemo } from '../src/server/platform.ts';
import { blockMessages, makeParcel, sendBlock } from '../test/support/parcels.ts';
import { login } from '../test/support/platform.ts';
import { openBenchDb } from './bench-db.ts';

const TEMPLATE = 1_000;
const PERIOD = '2026-10';
const MONTH_START = '2026-10-01T00:00:00+08:00';

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inventories: { type: 'string', default: '1000000' },
      db: { type: 'string', default: 'embedded' },
      // keep the (server) database for EXPLAIN ANALYZE afterwards; its URL goes to stderr
      keep: { type: 'boolean', default: false },
      // also submit the month (writes a lineage row per line)
      submit: { type: 'boolean', default: false },
    },
  });
  const target = Number(values.inventories);
  const database = await openBenchDb(values.db === 'server' ? 'server' : 'embedded', 'cbec-bench-agg');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DEMO: '0', LOGIN_MAX_FAILURES: '1000' });
  const platform = await createPlatform({ config, databaseUrl: database.url, log: createLogger('warn') });
  const db = platform.database.db;
  try {
    await seedDemo(platform);
    const tokens: Record<string, string> = {};
    for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'commerce'])
      tokens[u] = await login(platform, u);

    // 1. The template: real parcels through the real intake and pipeline, to closure.
    const tt = performance.now();
    for (let b = 0; b < TEMPLATE / 100; b++) {
      const parcels = Array.from({ length: 100 }, (_, i) => makeParcel(b * 100 + i + 1, 'G'));
      // the broker's bill names the inventories by the numbers of their CEB603 outcome
      await sendBlock(blockMessages(b, parcels, 'G'), async (user, message) => {
        const res = await platform.app.inject({
          method: 'POST',
          url: '/api/v1/ceb',
          headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/xml' },
          payload: encodeCeb(message),
        });
        if (res.statusCode !== 200) throw new Error(`${message.messageType}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res.json() as { entities: { index: number; invtNo?: string }[] };
      });
      await platform.settle();
    }
    await platform.settle();
    const closed = await sql<{ n: number }>`select count(*)::int as n from clr_inventory where closed_at is not null`.execute(db);
    if (closed.rows[0]!.n !== TEMPLATE) throw new Error(`template: ${closed.rows[0]!.n} of ${TEMPLATE} closed`);
    // The summary's source lines were copied by its clearance.closed handler, as in production.
    const folded = await sql<{ n: number }>`select count(*)::int as n from sum_source_line where first_line`.execute(db);
    if (folded.rows[0]!.n !== TEMPLATE) throw new Error(`template: ${folded.rows[0]!.n} of ${TEMPLATE} in sum_source_line`);
    const templateSeconds = seconds(tt);

    // 2. Clones: new ids and numbers, closing times spread over the month, five countries.
    await sql`update clr_inventory set closed_at = ${MONTH_START}::timestamptz + (random() * interval '29 days')`.execute(db);
    // (the source table copies closed_at when an inventory closes; this rewrite happens only here)
    await sql`update sum_source_line s set closed_at = i.closed_at from clr_inventory i where i.document_id = s.inventory_id`.execute(
      db,
    );
    const copies = Math.ceil(target / TEMPLATE) - 1;
    // Secondary indexes are dropped for the bulk copy and built again afterwards (as a restore
    // would): the queries then run with every index the platform has.
    const indexes = await sql<{ name: string; def: string }>`
      select i.indexname as name, i.indexdef as def from pg_indexes i
      join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
      where i.tablename in ('clr_document', 'clr_inventory', 'sum_source_line') and not x.indisprimary and not x.indisunique`.execute(
      db,
    );
    for (const ix of indexes.rows) await sql`drop index ${sql.id(ix.name)}`.execute(db);
    // Copies are made from the template only (never from earlier copies).
    await sql`create table bench_template_doc as select * from clr_document where kind = 'inventory'`.execute(db);
    await sql`create table bench_template_inv as select * from clr_inventory`.execute(db);
    await sql`create table bench_template_src as select * from sum_source_line`.execute(db);
    // Explicit column lists (the copied columns as they are, a few rewritten) rather than a jsonb
    // round trip per row: the copy of a million documents is then mostly writing.
    const copyOf = async (table: string, alias: string, rewrite: Record<string, string>) => {
      const c = await sql<{ name: string }>`
        select column_name as name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
      const names = c.rows.map((r) => r.name);
      for (const k of Object.keys(rewrite)) if (!names.includes(k)) throw new Error(`${table}.${k}: no such column`);
      return sql.raw(
        `insert into ${table} (${names.join(', ')}) select ${names.map((n) => rewrite[n] ?? `${alias}.${n}`).join(', ')}`,
      );
    };
    const closedAt = (invtNo: string) =>
      `'${MONTH_START}'::timestamptz + ((g * 7919 + hashtext(${invtNo})::bigint % 1000) % (29 * 86400)) * interval '1 second'`;
    const country = `(array['502', '303', '116', '133', '344'])[1 + g % 5]`;
    const copyDocs = await copyOf('clr_document', 'd', {
      id: `md5(d.id::text || ':' || g)::uuid`,
      business_key: `d.business_key || '#' || g`,
      pre_no: `d.pre_no || '-' || g`,
      head: `jsonb_set(d.head, '{country}', to_jsonb(${country}))`,
    });
    const copyInvs = await copyOf('clr_inventory', 'i', {
      document_id: `md5(i.document_id::text || ':' || g)::uuid`,
      invt_no: `i.invt_no || '-' || g`,
      order_key: `i.order_key || '#' || g`,
      waybill_key: `i.waybill_key || '#' || g`,
      closed_at: closedAt('i.invt_no'),
    });
    // The source lines of the copies: what the handler would have copied at their closure.
    const copySrc = await copyOf('sum_source_line', 's', {
      inventory_id: `md5(s.inventory_id::text || ':' || g)::uuid`,
      invt_no: `s.invt_no || '-' || g`,
      closed_at: closedAt('s.invt_no'),
      head_country: country,
    });
    const bar = new cliProgress.SingleBar(
      { format: 'cloning [{bar}] {value}/{total} inventories' },
      cliProgress.Presets.shades_classic,
    );
    bar.start(copies * TEMPLATE, 0);
    const t0 = performance.now();
    for (let from = 1; from <= copies; from += 50) {
      const to = Math.min(copies, from + 49);
      await db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await sql`${copyDocs} from bench_template_doc d cross join generate_series(${from}::int, ${to}::int) g`.execute(trx);
        await sql`${copyInvs} from bench_template_inv i cross join generate_series(${from}::int, ${to}::int) g`.execute(trx);
        await sql`${copySrc} from bench_template_src s cross join generate_series(${from}::int, ${to}::int) g`.execute(trx);
      });
      bar.update((to - 0) * TEMPLATE);
    }
    bar.stop();
    await sql`drop table bench_template_doc, bench_template_inv, bench_template_src`.execute(db);
    const copySeconds = seconds(t0);
    const t4 = performance.now();
    for (const ix of indexes.rows) await sql.raw(ix.def).execute(db);
    await sql`analyze clr_document`.execute(db);
    await sql`analyze clr_inventory`.execute(db);
    await sql`analyze sum_source_line`.execute(db);
    const indexSeconds = seconds(t4);
    const cloneSeconds = seconds(t0);
    const counts = await sql<{ inventories: number; lines: number; source_lines: number }>`
      select count(*)::int as inventories, coalesce(sum(jsonb_array_length(d.lines)), 0)::int as lines,
        (select count(*)::int from sum_source_line) as source_lines
      from clr_inventory i join clr_document d on d.id = i.document_id where i.closed_at is not null`.execute(db);
    if (counts.rows[0]!.lines !== counts.rows[0]!.source_lines)
      throw new Error(`sum_source_line: ${counts.rows[0]!.source_lines} rows for ${counts.rows[0]!.lines} lines`);

    // 3. The monthly summary grouping, as the seller previews it.
    const t1 = performance.now();
    const preview = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/summary/preview',
      headers: { authorization: `Bearer ${tokens.seller}` },
      payload: { period: PERIOD },
    });
    const summarySeconds = seconds(t1);
    if (preview.statusCode !== 200) throw new Error(`summary preview: ${preview.statusCode} ${preview.body.slice(0, 300)}`);
    const p = preview.json() as { inventoryCount: number; lineCount: number; declarations: unknown[]; resultHash: string };

    // The deadlines page (pending inventories per month, six months).
    const t5 = performance.now();
    const deadlines = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/summary/deadlines',
      headers: { authorization: `Bearer ${tokens.seller}` },
    });
    const deadlinesSeconds = seconds(t5);
    if (deadlines.statusCode !== 200)
      throw new Error(`summary deadlines: ${deadlines.statusCode} ${deadlines.body.slice(0, 300)}`);

    let submit: { seconds: number; resultHash: string } | undefined;
    if (values.submit) {
      const t6 = performance.now();
      const res = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/summary/applications',
        headers: { authorization: `Bearer ${tokens.seller}` },
        payload: { period: PERIOD },
      });
      if (res.statusCode !== 200 && res.statusCode !== 201)
        throw new Error(`summary submit: ${res.statusCode} ${res.body.slice(0, 300)}`);
      submit = { seconds: seconds(t6), resultHash: (res.json() as { resultHash: string }).resultHash };
    }

    // 4. Statistics: the read model rebuilt from every closed inventory, then queried.
    const t2 = performance.now();
    await rebuildStatistics(db);
    const rebuildSeconds = seconds(t2);
    const t3 = performance.now();
    const stats = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/statistics?by=country&from=${PERIOD}-01&to=${PERIOD}-31`,
      headers: { authorization: `Bearer ${tokens.commerce}` },
    });
    const querySeconds = seconds(t3);
    if (stats.statusCode !== 200) throw new Error(`statistics: ${stats.statusCode} ${stats.body.slice(0, 300)}`);

    process.stdout.write(
      `${JSON.stringify({
        db: values.db,
        inventories: counts.rows[0]!.inventories,
        lines: counts.rows[0]!.lines,
        templateSeconds,
        cloneSeconds,
        clone: { copySeconds, indexSeconds },
        summaryPreview: {
          seconds: summarySeconds,
          inventories: p.inventoryCount,
          lines: p.lineCount,
          declarations: p.declarations.length,
          resultHash: p.resultHash,
        },
        summaryDeadlines: { seconds: deadlinesSeconds },
        ...(submit ? { summarySubmit: submit } : {}),
        statistics: { rebuildSeconds, querySeconds },
        targetSeconds: 30,
        cores: os.availableParallelism(),
        loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      })}\n`,
    );
  } finally {
    await platform.close();
    if (values.keep && values.db === 'server') process.stderr.write(`kept ${database.url}\n`);
    else await database.drop();
  }
}

await main();
process.exit(0);
