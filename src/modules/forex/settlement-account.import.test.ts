import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

// A settlement import of some hundred rows over HTTP on real PostgreSQL: more rows than one
// look-up / INSERT batch (500), one row in the middle overdrawing, a retry and a reused reference.
const clock = fixedClock(new Date('2026-11-10T02:00:00Z'));
const ROWS = 640;
const ACCOUNT_NO = '622200000000000042';
let tp: TestPlatform;
let seller: string;

interface Outcome {
  imported: number;
  replayed: number;
  rejected: number;
  errors: { row: number; problems: { field: string; rule: string; message: { zh: string; en: string } }[] }[];
}

async function post<T>(url: string, payload: Record<string, unknown>): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${seller}` }, payload });
  return { status: res.statusCode, body: res.json() as T };
}

/** Settlement i (and its receipt) on 2026-01-02 + ⌊i/3⌋ days: three a day. */
const dayOf = (i: number): string => new Date(Date.UTC(2026, 0, 2 + Math.floor(i / 3))).toISOString().slice(0, 10);
const MIDDLE = 300;
const settlementLine = (i: number, amount = '100') =>
  `FXS-${i},${ACCOUNT_NO},${dayOf(i)},502,${amount},7.1,${(Number(amount) * 7.1).toFixed(2)}`;
const HEADER = 'settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount';
// Row MIDDLE asks 350 where 300 is left on its day (its own receipt and its two day-mates' are
// there, 100 each, beyond what the rows before it took); a retry of row 5 and a different use of FXS-6 at
// the end, in the second batch.
const lines = Array.from({ length: ROWS }, (_, i) => settlementLine(i, i === MIDDLE ? '350' : '100'));
const csv = [HEADER, ...lines, settlementLine(5), settlementLine(6, '99')].join('\n');

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  // The demo's receipts, account and settlement would blur the sums asserted here.
  for (const t of ['fx_receipt', 'fx_settlement', 'fx_settlement_account'])
    await sql`delete from ${sql.table(t)}`.execute(tp.platform.database.db);
  seller = await login(tp.platform, 'seller');
  const reg = await post('/api/v1/forex/settlement-accounts', {
    accountKind: 'current',
    bankName: '中国银行江西省分行',
    bankCode: 'BKCHCNBJ550',
    accountNo: ACCOUNT_NO,
    currency: '502',
    openedOn: '2026-01-01',
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const receipts = Array.from(
    { length: ROWS },
    (_, i) =>
      `RCV-${i},bank,${PARTIES.seller.code},${PARTIES.seller.code},O-${i},502,100,${dayOf(i)},Buyer,${i % 2 ? ACCOUNT_NO : ''}`,
  );
  const imp = await post<{ imported: number }>('/api/v1/forex/receipts/import', {
    csv: [
      'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName,accountNo',
      ...receipts,
    ].join('\n'),
  });
  assert.equal(imp.body.imported, ROWS, JSON.stringify(imp.body).slice(0, 500));
});
after(async () => {
  await tp.stop();
});

const stored = async (): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from fx_settlement`.execute(tp.platform.database.db)).rows[0]!.n;

test('one overdrawing row in the middle is answered with its error; the rows around it are imported', async () => {
  const res = await post<Outcome>('/api/v1/forex/settlements/import', { csv });
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
  assert.deepEqual(
    { imported: res.body.imported, replayed: res.body.replayed, rejected: res.body.rejected },
    { imported: ROWS - 1, replayed: 1, rejected: 2 },
  );
  const [over, reused] = res.body.errors;
  assert.equal(over!.row, MIDDLE + 2, 'spreadsheet row (header is row 1)');
  assert.deepEqual(
    over!.problems.map((p) => `${p.field}/${p.rule}`),
    [`rows[${MIDDLE + 2}].amount/received`],
  );
  assert.equal(over!.problems[0]!.message.zh, `结汇金额超过该账户已收汇未结汇余额（${dayOf(MIDDLE)}可结汇300.00）`);
  assert.match(over!.problems[0]!.message.en, new RegExp(`300\\.00 available on ${dayOf(MIDDLE)}\\)$`));
  assert.equal(reused!.row, ROWS + 3);
  assert.deepEqual(
    reused!.problems.map((p) => `${p.field}/${p.rule}`),
    [`rows[${ROWS + 3}].settlementRef/forex.conflict`],
  );
  assert.equal(await stored(), ROWS - 1);

  const overview = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/forex/settlement-accounts',
    headers: { authorization: `Bearer ${seller}` },
  });
  const c = (overview.json() as { currencies: { currency: string; received: string; settled: string; unsettled: string }[] })
    .currencies[0]!;
  assert.deepEqual([c.currency, c.received, c.settled, c.unsettled], ['502', '64000.00', '63900.00', '100.00']);
});

test('the same file again: every stored row replayed (looked up in batches), nothing stored twice', async () => {
  const res = await post<Outcome>('/api/v1/forex/settlements/import', { csv });
  assert.equal(res.status, 200);
  assert.deepEqual(
    { imported: res.body.imported, replayed: res.body.replayed, rejected: res.body.rejected },
    { imported: 0, replayed: ROWS, rejected: 2 },
  );
  // Row MIDDLE now meets every later day's settlements: 100 is left (its own receipt) on each.
  assert.match(res.body.errors[0]!.problems[0]!.message.en, /100\.00 available/);
  assert.equal(await stored(), ROWS - 1);
  // The single path sees the import: 100 left, 100.01 is too much, 100 fits.
  const url = `/api/v1/forex/settlement-accounts/${
    (await sql<{ id: string }>`select id from fx_settlement_account`.execute(tp.platform.database.db)).rows[0]!.id
  }/settlements`;
  const one = (amount: string, cny: string) => ({
    settlementRef: `ONE-${amount}`,
    settledOn: '2026-11-09',
    currency: '502',
    amount,
    rate: '7.1',
    cnyAmount: cny,
  });
  assert.equal((await post(url, one('100.01', '710.07'))).status, 400);
  assert.equal((await post(url, one('100', '710.00'))).status, 201);
});
