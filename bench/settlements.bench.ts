/**
 * FX settlement (结汇) import at scale: the demo seller registers a dollar settlement account
 * through its route, gets receipts enough to cover N settlements (one per settlement, on its day,
 * half naming the account and half naming none, inserted in SQL: they are the setting, not what
 * is measured), then imports N settlements spread over `--days` days as one CSV through the real
 * route (`POST /api/v1/forex/settlements/import`), imports the same CSV again (every row
 * replayed), and records `--single` more settlements one by one through the single-settlement
 * route with the N rows in the ledger. The baseline is a plain batched INSERT of the same N rows
 * (500 a statement) into a copy of fx_settlement with its indexes, in the same run. The last line
 * of output is one JSON object.
 *
 *   npm run bench:settlements -- --rows 10000 --db embedded|server [--days 365] [--order chronological|reverse]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/kernel/config.ts';
import { newId } from '../src/kernel/ids.ts';
import { createLogger } from '../src/kernel/logger.ts';
import { createPlatform, seedDemo } from '../src/server/platform.ts';
import { PARTIES } from '../test/support/parcels.ts';
import { login } from '../test/support/platform.ts';
import { openBenchDb } from './bench-db.ts';

const ACCOUNT_NO = '622200000000000077';
const CHUNK = 500;

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 10) / 100;
const perSecond = (n: number, s: number): number => Math.round(n / Math.max(s, 0.001));
/** China date `days` before now */
const dayBefore = (days: number): string => new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '10000' },
      db: { type: 'string', default: 'embedded' },
      days: { type: 'string', default: '365' },
      // reverse: every row back-dated before the ones already imported (the balance is then
      // checked on every later settlement day)
      order: { type: 'string', default: 'chronological' },
      single: { type: 'string', default: '200' },
    },
  });
  const n = Number(values.rows);
  const spanDays = Number(values.days);
  const singles = Number(values.single);
  const database = await openBenchDb(values.db === 'server' ? 'server' : 'embedded', 'cbec-bench-fxs');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DEMO: '0', LOGIN_MAX_FAILURES: '1000' });
  const platform = await createPlatform({ config, databaseUrl: database.url, log: createLogger('warn') });
  const db = platform.database.db;
  const post = async (token: string, url: string, payload: Record<string, unknown>) =>
    platform.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  try {
    await seedDemo(platform);
    const seller = await login(platform, 'seller');

    const reg = await post(seller, '/api/v1/forex/settlement-accounts', {
      accountKind: 'current',
      bankName: '中国银行江西省分行',
      bankCode: 'BKCHCNBJ550',
      accountNo: ACCOUNT_NO,
      currency: '502',
      openedOn: dayBefore(spanDays + 1),
    });
    if (reg.statusCode !== 201) throw new Error(`register: ${reg.statusCode} ${reg.body.slice(0, 300)}`);
    const accountId = (reg.json() as { id: string }).id;

    // Settlement i on day i·days/N (oldest first), 100.00 each; receipt i of 101.00 on the same day.
    const dayOf = (i: number): string => dayBefore(spanDays - Math.floor((i * spanDays) / n));
    const org = await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(db);
    const orgId = org.rows[0]!.id;
    const payer = await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.payer.code}`.execute(db);
    const t0 = performance.now();
    for (let from = 0; from < n; from += CHUNK) {
      const rows = [];
      for (let i = from; i < Math.min(n, from + CHUNK); i++)
        rows.push({
          id: newId(),
          org_id: orgId,
          ebc_code: PARTIES.seller.code,
          institution_kind: 'bank',
          institution_code: '3601000001',
          ref_no: `BENCH-RCV-${i}`,
          order_no: '',
          currency: '502',
          amount: '101.00',
          usd_amount: '101.00',
          received_on: dayOf(i),
          payer_name: 'Bench Buyer',
          reported_by: payer.rows[0]!.id,
          created_at: new Date(),
          account_no: i % 2 === 0 ? ACCOUNT_NO : null,
        });
      await sql`insert into fx_receipt ${sql.raw(`(${Object.keys(rows[0]!).join(', ')})`)}
        select * from jsonb_populate_recordset(null::fx_receipt, ${JSON.stringify(rows)}::jsonb)`.execute(db);
    }
    await sql`analyze fx_receipt`.execute(db);
    const receiptSeconds = seconds(t0);

    const order = Array.from({ length: n }, (_, i) => i);
    if (values.order === 'reverse') order.reverse();
    const line = (i: number) => `BENCH-FXS-${i},${ACCOUNT_NO},${dayOf(i)},502,100,7.1,710.00`;
    const csv = ['settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount', ...order.map(line)].join('\n');

    const importCsv = async (): Promise<{ s: number; out: { imported: number; replayed: number; rejected: number } }> => {
      const t = performance.now();
      const res = await post(seller, '/api/v1/forex/settlements/import', { csv });
      const s = seconds(t);
      if (res.statusCode !== 200) throw new Error(`import: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return { s, out: res.json() as { imported: number; replayed: number; rejected: number } };
    };
    const first = await importCsv();
    if (first.out.imported !== n) throw new Error(`import: ${JSON.stringify(first.out).slice(0, 600)}`);
    const again = await importCsv();
    if (again.out.replayed !== n) throw new Error(`replay: ${JSON.stringify(again.out).slice(0, 600)}`);

    // Single settlements with N settlements in the ledger: 1.00 each, from the receipts' slack.
    const t2 = performance.now();
    for (let i = 0; i < singles; i++) {
      const res = await post(seller, `/api/v1/forex/settlement-accounts/${accountId}/settlements`, {
        settlementRef: `BENCH-ONE-${i}`,
        settledOn: dayBefore(1),
        currency: '502',
        amount: '1',
        rate: '7.1',
        cnyAmount: '7.10',
      });
      if (res.statusCode !== 201) throw new Error(`settle: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    const singleSeconds = (performance.now() - t2) / 1000;

    // Baseline: the same N rows, plain INSERT 500 a statement, into a copy with the same indexes.
    await sql`create table bench_fx_settlement (like fx_settlement including all)`.execute(db);
    const t3 = performance.now();
    await db.transaction().execute(async (trx) => {
      for (let from = 0; from < n; from += CHUNK) {
        const rows = order.slice(from, from + CHUNK).map((i) => ({
          id: newId(),
          org_id: orgId,
          account_id: accountId,
          settlement_ref: `BENCH-FXS-${i}`,
          settled_on: dayOf(i),
          currency: '502',
          amount: '100',
          rate: '7.1',
          cny_amount: '710.00',
          receipt_ids: [] as string[],
          created_by: null,
          created_at: new Date(),
        }));
        await trx
          .insertInto('bench_fx_settlement' as never)
          .values(rows as never)
          .execute();
      }
    });
    const baselineSeconds = seconds(t3);
    const stored = await sql<{ n: number }>`select count(*)::int as n from fx_settlement where account_id = ${accountId}`.execute(
      db,
    );
    if (stored.rows[0]!.n !== n + singles) throw new Error(`stored: ${stored.rows[0]!.n} of ${n + singles}`);

    process.stdout.write(
      `${JSON.stringify({
        db: values.db,
        rows: n,
        days: spanDays,
        order: values.order,
        receipts: { rows: n, seedSeconds: receiptSeconds },
        import: {
          seconds: first.s,
          rowsPerSecond: perSecond(n, first.s),
          imported: first.out.imported,
          rejected: first.out.rejected,
        },
        replay: { seconds: again.s, rowsPerSecond: perSecond(n, again.s), replayed: again.out.replayed },
        single: { count: singles, msPerSettlement: Math.round((singleSeconds * 1000 * 10) / Math.max(singles, 1)) / 10 },
        baseline: {
          what: 'plain INSERT, 500 rows a statement',
          seconds: baselineSeconds,
          rowsPerSecond: perSecond(n, baselineSeconds),
        },
        importOverBaseline: Math.round((first.s / Math.max(baselineSeconds, 0.001)) * 10) / 10,
        cores: os.availableParallelism(),
        loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      })}\n`,
    );
  } finally {
    await platform.close();
    await database.drop();
  }
}

await main();
process.exit(0);
