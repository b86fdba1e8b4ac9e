/**
 * The month-end queries over 1,000,000 closed inventories (issue #4 target: each ≤ 30 s): the
 * monthly summary grouping (汇总申报 preview, through its HTTP route as the seller) and the
 * statistics (read-model rebuild from closed inventories, then queries through their routes as
 * the commerce officer: by country, by HS heading, the Excel export of every table; then the
 * incremental fold of new closed inventories into the full cubes). 1,000 parcels go through the
 * real intake and pipeline to closure (899); their inventories are then cloned in SQL to the
 * requested count, spread over one month, five destination countries and — so that the cubes
 * have the cardinality of a real province — over `--sellers` sellers in 39 regions of Jiangxi
 * (the demo seller keeps every second clone, so its monthly summary is still a large month),
 * 26 customs offices of district 4000, 20 carriers and 48 HS headings (one per line).
 *
 * The baseline is the HS-heading table summed straight from the closed documents (jsonb lines,
 * no read model), in the same run; it must give the same inventories and CNY values per heading.
 * The last line of output is one JSON object.
 *
 *   npm run bench:aggregates -- --inventories 1000000 --db embedded|server [--sellers 500] [--incremental 10000]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import cliProgress from 'cli-progress';
import { encodeCeb } from '../src/ceb/index.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { TOPIC_CLOSED } from '../src/modules/clearance/index.ts';
import { fixedClock } from '../src/kernel/clock.ts';
import type { OutboxEvent } from '../src/kernel/outbox.ts';
import { DIMENSIONS, rebuildStatistics, statisticsFolder } from '../src/modules/statistics/index.ts';
import { createPlatform, seedDemo } from '../src/server/platform.ts';
import { blockMessages, makeParcel, sendBlock } from '../test/support/parcels.ts';
import { login } from '../test/support/platform.ts';
import { openBenchDb } from './bench-db.ts';

const TEMPLATE = 1_000;
const PERIOD = '2026-10';
const MONTH_START = '2026-10-01T00:00:00+08:00';

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;
const seconds2 = (t0: number): number => Math.round((performance.now() - t0) / 10) / 100;

/** Where the clones are spread (see the header). */
const REGIONS = [
  '36012',
  '36013',
  '36015',
  '36016',
  '36019',
  '3601W',
  '36023',
  '36029',
  '36032',
  '36039',
  '36042',
  '36043',
  '36045',
  '36046',
  '36049',
  '36053',
  '36059',
  '36063',
  '36069',
  '36072',
  '36073',
  '36075',
  '36076',
  '36079',
  '3607W',
  '36082',
  '36083',
  '36089',
  '36092',
  '36099',
  '36102',
  '36103',
  '36105',
  '36106',
  '36109',
  '36113',
  '36119',
  '36129',
  '36909',
];
const OFFICES = Array.from({ length: 26 }, (_, i) => `40${String(i + 1).padStart(2, '0')}`);
const CARRIERS = Array.from({ length: 20 }, (_, i) => `36019800${String(i + 10).padStart(2, '0')}`);
// one 10-digit code under each of 48 headings, chapters 01-91 (from the customs CIQ code table)
const HS_CODES = [
  '0101210010',
  '0401100000',
  '0703101000',
  '0814000000',
  '1107100000',
  '1505000000',
  '1704100000',
  '2105000000',
  '2502000000',
  '2528001000',
  '2702100000',
  '2811111000',
  '2836200000',
  '2911000000',
  '2936210000',
  '3208100010',
  '3504001000',
  '3809100000',
  '3907101010',
  '4006100000',
  '4203100010',
  '4419110000',
  '4810130001',
  '5002001100',
  '5207100000',
  '5502101000',
  '5702100000',
  '5911101000',
  '6202200010',
  '6310100010',
  '6806101000',
  '7003120000',
  '7109000000',
  '7216101000',
  '7312100000',
  '7411101100',
  '7612100000',
  '8108202100',
  '8305100000',
  '8419110000',
  '8444001000',
  '8470100000',
  '8508110000',
  '8534001000',
  '8701100000',
  '8904000000',
  '9022120000',
  '9114300000',
];
const sqlArray = (xs: readonly string[]) => `array[${xs.map((x) => `'${x}'`).join(', ')}]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inventories: { type: 'string', default: '1000000' },
      db: { type: 'string', default: 'embedded' },
      // keep the (server) database for EXPLAIN ANALYZE afterwards; its URL goes to stderr
      keep: { type: 'boolean', default: false },
      // also submit the month (writes a lineage row per line)
      submit: { type: 'boolean', default: false },
      // sellers the odd clones are spread over (the even ones stay with the demo seller)
      sellers: { type: 'string', default: '500' },
      // new closed inventories folded incrementally into the full cubes at the end
      incremental: { type: 'string', default: '10000' },
    },
  });
  const target = Number(values.inventories);
  const sellers = Number(values.sellers);
  const incremental = Number(values.incremental);
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
    // Per clone of a template inventory (keyed by its logistics number, in each table): a spread
    // key, the same in the document, the inventory and the source lines, so the three tables tell
    // one story, and the same in every run (the ids are random, the numbers are not).
    const spread = (logisticsNo: string) => `abs(hashtext(${logisticsNo} || ':' || g))`;
    const seller = (t: string) =>
      `case when g % 2 = 0 then ebc.code else (${sqlArray(REGIONS)})[1 + (${spread(t)} % ${sellers}) % ${REGIONS.length}] || lpad((${spread(t)} % ${sellers})::text, 5, '0') end`;
    const office = (t: string) => `(${sqlArray(OFFICES)})[1 + (${spread(t)} / 7) % ${OFFICES.length}]`;
    const carrier = (t: string) => `(${sqlArray(CARRIERS)})[1 + (${spread(t)} / 11) % ${CARRIERS.length}]`;
    const gcode = (t: string, gnum: string) => `(${sqlArray(HS_CODES)})[1 + (${spread(t)} / 13 + ${gnum}) % ${HS_CODES.length}]`;
    const ebc = `(select head->>'ebcCode' as code from bench_template_doc limit 1) ebc`;
    const docKey = "(d.head->>'logisticsNo')";
    const copyDocs = await copyOf('clr_document', 'd', {
      id: `md5(d.id::text || ':' || g)::uuid`,
      business_key: `d.business_key || '#' || g`,
      pre_no: `d.pre_no || '-' || g`,
      customs_code: office(docKey),
      head: `d.head || jsonb_build_object('country', ${country}, 'ebcCode', ${seller(docKey)}, 'ownerCode', ${seller(docKey)},
        'customsCode', ${office(docKey)}, 'portCode', ${office(docKey)}, 'logisticsCode', ${carrier(docKey)})`,
      lines: `(select jsonb_agg(jsonb_set(l, '{gcode}', to_jsonb(${gcode(docKey, "(l->>'gnum')::int")})) order by o)
        from jsonb_array_elements(d.lines) with ordinality x(l, o))`,
    });
    const copyInvs = await copyOf('clr_inventory', 'i', {
      document_id: `md5(i.document_id::text || ':' || g)::uuid`,
      invt_no: `i.invt_no || '-' || g`,
      order_key: `i.order_key || '#' || g`,
      waybill_key: `i.waybill_key || '#' || g`,
      ebc_code: seller('i.logistics_no'),
      closed_at: closedAt('i.invt_no'),
    });
    // The source lines of the copies: what the handler would have copied at their closure.
    const copySrc = await copyOf('sum_source_line', 's', {
      inventory_id: `md5(s.inventory_id::text || ':' || g)::uuid`,
      invt_no: `s.invt_no || '-' || g`,
      ebc_code: seller('s.logistics_no'),
      owner_code: seller('s.logistics_no'),
      customs_code: office('s.logistics_no'),
      port_code: office('s.logistics_no'),
      gcode: gcode('s.logistics_no', 's.gnum'),
      closed_at: closedAt('s.invt_no'),
      head_country: country,
    });
    const cloneRange = async (trx: typeof db, from: number, to: number) => {
      await sql`${copyDocs} from bench_template_doc d cross join ${sql.raw(ebc)} cross join generate_series(${from}::int, ${to}::int) g`.execute(
        trx,
      );
      await sql`${copyInvs} from bench_template_inv i cross join ${sql.raw(ebc)} cross join generate_series(${from}::int, ${to}::int) g`.execute(
        trx,
      );
      await sql`${copySrc} from bench_template_src s cross join ${sql.raw(ebc)} cross join generate_series(${from}::int, ${to}::int) g`.execute(
        trx,
      );
    };
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
        await cloneRange(trx, from, to);
      });
      bar.update((to - 0) * TEMPLATE);
    }
    bar.stop();
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
    const querySeconds = seconds2(t3);
    if (stats.statusCode !== 200) throw new Error(`statistics: ${stats.statusCode} ${stats.body.slice(0, 300)}`);
    const cubes = (
      await sql<{
        inventory_rows: number;
        goods_rows: number;
        sellers: number;
        offices: number;
        carriers: number;
        headings: number;
      }>`
        select (select count(*)::int from stat_inventory_cube) as inventory_rows, (select count(*)::int from stat_goods_cube) as goods_rows,
          (select count(distinct ebc_code)::int from stat_inventory_cube) as sellers,
          (select count(distinct customs_code)::int from stat_inventory_cube) as offices,
          (select count(distinct carrier_code)::int from stat_inventory_cube) as carriers,
          (select count(distinct hs_heading)::int from stat_goods_cube) as headings`.execute(db)
    ).rows[0]!;

    // The HS-heading table (the goods cube), then every table as one workbook, as commerce.
    const range = `from=${PERIOD}-01&to=${PERIOD}-31`;
    const t7 = performance.now();
    const byHeading = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/statistics?by=hs_heading&${range}`,
      headers: { authorization: `Bearer ${tokens.commerce}` },
    });
    const hsSeconds = seconds2(t7);
    if (byHeading.statusCode !== 200) throw new Error(`hs_heading: ${byHeading.statusCode} ${byHeading.body.slice(0, 300)}`);
    const hsTable = byHeading.json() as { rows: { key: string; inventories: number; valueCny: string }[] };
    const t8 = performance.now();
    const xlsx = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/statistics/export.xlsx?${range}`,
      headers: { authorization: `Bearer ${tokens.commerce}` },
    });
    const exportSeconds = seconds2(t8);
    if (xlsx.statusCode !== 200) throw new Error(`export.xlsx: ${xlsx.statusCode} ${xlsx.body.slice(0, 300)}`);

    // Baseline: the same HS-heading table summed straight from the closed documents' jsonb lines
    // (no read model), over the same month and jurisdiction (offices 40xx).
    const t9 = performance.now();
    const direct = await sql<{ key: string; inventories: number; cny: string }>`
      select left(l->>'gcode', 4) as key, count(distinct d.id)::int as inventories,
        sum(round((l->>'totalPrice')::numeric, 2))::numeric(20, 2)::text as cny
      from clr_inventory i join clr_document d on d.id = i.document_id cross join jsonb_array_elements(d.lines) l
      where d.status = '899' and i.closed_at >= ${`${PERIOD}-01T00:00:00+08:00`}::timestamptz
        and i.closed_at < ${`${PERIOD}-01T00:00:00+08:00`}::timestamptz + interval '1 month' and d.customs_code like '40%'
      group by 1`.execute(db);
    const baselineSeconds = seconds2(t9);
    const want = new Map(direct.rows.map((r) => [r.key, `${r.inventories}/${r.cny}`]));
    const got = new Map(hsTable.rows.map((r) => [r.key, `${r.inventories}/${r.valueCny}`]));
    const baselineMatches = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);

    // Incremental: more inventories close (cloned as above, after the rebuild, so not folded), and
    // the statistics.fold handler folds them into the full cubes in its batches of 200 events,
    // one transaction each, as the outbox runs it.
    const incCopies = Math.max(1, Math.ceil(incremental / TEMPLATE));
    await db.transaction().execute((trx) => cloneRange(trx, copies + 1, copies + incCopies));
    const fresh = (
      await sql<{ id: string }>`
        select i.document_id::text as id from clr_inventory i
        where i.closed_at is not null and not exists (select 1 from stat_folded f where f.inventory_id = i.document_id)
        order by i.closed_at`.execute(db)
    ).rows.map((r) => r.id);
    const folder = statisticsFolder({ clock: fixedClock(new Date()) });
    const batch = folder.batchSize ?? 200;
    const batchMs: number[] = [];
    const t10 = performance.now();
    for (let i = 0; i < fresh.length; i += batch) {
      const events: OutboxEvent[] = [
        {
          id: i,
          topic: TOPIC_CLOSED,
          key: null,
          payload: { ids: fresh.slice(i, i + batch) },
          createdAt: new Date(),
          attempts: 0,
        },
      ];
      const tb = performance.now();
      await db.transaction().execute((trx) => folder.handle(events, trx));
      batchMs.push(performance.now() - tb);
    }
    const incrementalSeconds = seconds2(t10);
    const afterFold = (
      await sql<{ n: number; cube: number; pending: number }>`
        select (select count(*)::int from clr_inventory where closed_at is not null) as n,
          (select coalesce(sum(inventories), 0)::int from stat_inventory_cube) as cube,
          (select count(*)::int from stat_fold_pending) as pending`.execute(db)
    ).rows[0]!;
    if (afterFold.cube !== afterFold.n || afterFold.pending !== 0)
      throw new Error(
        `incremental: ${afterFold.cube} inventories in the cube of ${afterFold.n} closed, ${afterFold.pending} pending`,
      );
    batchMs.sort((a, b) => a - b);
    await sql`drop table bench_template_doc, bench_template_inv, bench_template_src`.execute(db);

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
        spread: {
          sellers: cubes.sellers,
          offices: cubes.offices,
          carriers: cubes.carriers,
          headings: cubes.headings,
          demoSellerShare: 0.5,
        },
        statistics: {
          rebuildSeconds,
          cubes: { inventoryRows: cubes.inventory_rows, goodsRows: cubes.goods_rows },
          querySeconds,
          hsHeading: { seconds: hsSeconds, rows: hsTable.rows.length },
          exportXlsx: { seconds: exportSeconds, bytes: xlsx.rawPayload.length, sheets: DIMENSIONS.length },
          incremental: {
            inventories: fresh.length,
            batches: batchMs.length,
            seconds: incrementalSeconds,
            inventoriesPerSecond: Math.round(fresh.length / Math.max(incrementalSeconds, 0.001)),
            msPerBatch: {
              p50: Math.round(batchMs[Math.floor(batchMs.length / 2)] ?? 0),
              max: Math.round(batchMs[batchMs.length - 1] ?? 0),
            },
          },
        },
        baseline: {
          what: 'the hs_heading table summed straight from the closed documents (jsonb lines, no read model)',
          seconds: baselineSeconds,
          matches: baselineMatches,
        },
        hsHeadingOverBaseline: Math.round((hsSeconds / Math.max(baselineSeconds, 0.001)) * 1000) / 1000,
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
