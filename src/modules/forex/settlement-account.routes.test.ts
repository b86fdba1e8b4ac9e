import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

// FX settlement accounts (结汇账户) and settlements (结汇) over HTTP on real PostgreSQL.
const clock = fixedClock(new Date('2026-11-10T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};

interface Problem {
  field: string;
  rule: string;
  message: { zh: string; en: string };
}
interface ProblemBody {
  code: string;
  detailZh: string;
  detailEn: string;
  errors?: Problem[];
}
interface Account {
  id: string;
  accountNo: string;
  currency: string;
  status: string;
  received: string;
  settled: string;
  unsettled: string;
  fromUnassigned: string;
  periods: { period: string; received: string; settled: string; unsettled: string }[];
}
interface CurrencyBalance {
  currency: string;
  received: string;
  settled: string;
  unsettled: string;
  unassigned: string;
  unattributed: string;
}
interface Overview {
  accounts: Account[];
  currencies: CurrencyBalance[];
  settlements: { id: string; settlementRef: string; amount: string; receiptIds: string[] }[];
}

async function api<T>(
  user: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.json() as T };
}

const count = async (table: 'fx_settlement_account' | 'fx_settlement'): Promise<number> =>
  Number(
    (await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(tp.platform.database.db)).rows[0]!.n,
  );

const rules = (b: ProblemBody): string[] => (b.errors ?? []).map((e) => `${e.field}/${e.rule}`);

const USD_ACCOUNT = {
  accountKind: 'current',
  bankName: '中国银行江西省分行',
  bankCode: 'BKCHCNBJ550',
  accountNo: '4430 0000 0000 0123 45',
  currency: '502',
  openedOn: '2026-10-01',
};
let usd: Account;
let eur: Account;

const settlement = (ref: string, amount: string, extra: Record<string, unknown> = {}) => ({
  settlementRef: ref,
  settledOn: '2026-11-05',
  currency: '502',
  amount,
  rate: '7.1',
  cnyAmount: (Math.round(Number(amount) * 710) / 100).toFixed(2),
  ...extra,
});

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  // The demo's receipts and its settlement account would blur the sums asserted here.
  await sql`delete from fx_settlement`.execute(tp.platform.database.db);
  await sql`delete from fx_settlement_account`.execute(tp.platform.database.db);
  await sql`delete from fx_receipt`.execute(tp.platform.database.db);
  for (const u of ['seller', 'seller2', 'payer', 'forex', 'customs']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('registration: every bad field answered in Chinese and English with its rule, nothing stored', async () => {
  const bad = await api<ProblemBody>('seller', 'POST', '/api/v1/forex/settlement-accounts', {
    accountKind: 'savings',
    bankName: ' ',
    bankCode: 'BOC',
    accountNo: 'GB82 WEST 1234 5698 7654 33',
    currency: '142',
    openedOn: '2026-12-01',
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(rules(bad.body), [
    'accountKind/enum',
    'bankName/required',
    'bankCode/format',
    'accountNo/ibanCheck',
    'currency/foreign',
    'openedOn/notFuture',
  ]);
  assert.match(bad.body.detailZh, /IBAN校验位错误/);
  assert.match(bad.body.detailEn, /IBAN check digits/);
  const short = await api<ProblemBody>('seller', 'POST', '/api/v1/forex/settlement-accounts', {
    ...USD_ACCOUNT,
    accountNo: '12#45',
    currency: '999',
    openedOn: '2026-02-30',
  });
  assert.deepEqual(rules(short.body), ['accountNo/format', 'currency/codeTable', 'openedOn/date']);
  assert.equal(await count('fx_settlement_account'), 0);

  const ok = await api<Account>('seller', 'POST', '/api/v1/forex/settlement-accounts', USD_ACCOUNT);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.accountNo, '443000000000012345', 'stored without spaces');
  assert.equal(ok.body.status, 'active');
  usd = ok.body;
  // A valid IBAN (ISO 13616 example) in euro, with a CNAPS bank code.
  const iban = await api<Account>('seller', 'POST', '/api/v1/forex/settlement-accounts', {
    ...USD_ACCOUNT,
    accountKind: 'pending_check',
    bankCode: '104421000015',
    accountNo: 'GB82 WEST 1234 5698 7654 32',
    currency: '300',
  });
  assert.equal(iban.status, 201, JSON.stringify(iban.body));
  eur = iban.body;
  const again = await api<ProblemBody>('seller', 'POST', '/api/v1/forex/settlement-accounts', USD_ACCOUNT);
  assert.equal(again.status, 409);
  assert.equal((await api('payer', 'POST', '/api/v1/forex/settlement-accounts', USD_ACCOUNT)).status, 403, 'sellers only');
  assert.equal(await count('fx_settlement_account'), 2);
});

test('settlements draw on what was received: named to the account first, then receipts naming no account', async () => {
  const header = 'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName,accountNo';
  const imp = await api<{ imported: number; errors: unknown[] }>('seller', 'POST', '/api/v1/forex/receipts/import', {
    csv: [
      header,
      `RCV-1,bank,${PARTIES.seller.code},${PARTIES.seller.code},O-1,502,1000,2026-11-02,Buyer A,4430-0000-0000-0123-45`,
      `RCV-2,bank,${PARTIES.seller.code},${PARTIES.seller.code},O-2,502,500,2026-11-03,Buyer B,`,
      `RCV-3,bank,${PARTIES.seller.code},${PARTIES.seller.code},O-3,502,300,2026-11-03,Buyer C,99990000111`,
    ].join('\n'),
  });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  assert.equal(imp.body.imported, 3, JSON.stringify(imp.body));

  const url = `/api/v1/forex/settlement-accounts/${usd.id}/settlements`;
  // before any money arrived
  const early = await api<ProblemBody>('seller', 'POST', url, settlement('S-0', '10', { settledOn: '2026-11-01' }));
  assert.equal(early.status, 400);
  assert.deepEqual(rules(early.body), ['amount/received']);
  const mismatch = await api<ProblemBody>('seller', 'POST', url, settlement('S-0', '100', { cnyAmount: '710.50' }));
  assert.deepEqual(rules(mismatch.body), ['cnyAmount/amountTimesRate']);
  assert.match(mismatch.body.errors![0]!.message.zh, /710\.00/);
  const wrongCurrency = await api<ProblemBody>(
    'seller',
    'POST',
    url,
    settlement('S-0', '100', { currency: '300', receiptRefNos: ['NOPE'] }),
  );
  assert.deepEqual(rules(wrongCurrency.body), ['currency/accountCurrency', 'receiptRefNos[0]/known']);
  assert.equal(await count('fx_settlement'), 0, 'refused settlements change nothing');

  // 1,000 named to the account + 200 of the 500 naming none; RCV-3 names an unregistered account.
  const first = await api<{ replayed: boolean; settlement: { id: string; receiptIds: string[] } }>(
    'seller',
    'POST',
    url,
    settlement('S-1', '1200', { receiptRefNos: ['RCV-1'] }),
  );
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.replayed, false);
  assert.equal(first.body.settlement.receiptIds.length, 1);
  const retry = await api<{ replayed: boolean; settlement: { id: string } }>(
    'seller',
    'POST',
    url,
    settlement('S-1', '1200.00', { receiptRefNos: ['RCV-1'], rate: '7.10000' }),
  );
  assert.equal(retry.status, 200);
  assert.equal(retry.body.replayed, true);
  assert.equal(retry.body.settlement.id, first.body.settlement.id);
  assert.equal(await count('fx_settlement'), 1, 'a retry does not settle twice');
  const reused = await api<ProblemBody>('seller', 'POST', url, settlement('S-1', '10'));
  assert.equal(reused.status, 409);

  const over = await api<ProblemBody>('seller', 'POST', url, settlement('S-2', '300.01'));
  assert.equal(over.status, 400);
  assert.deepEqual(rules(over.body), ['amount/received']);
  assert.match(over.body.errors![0]!.message.zh, /可结汇300\.00/);
  assert.match(over.body.errors![0]!.message.en, /300\.00 available/);
  // Back-dated: on 11-02 the account had its own 1,000 and nothing else; taking 100 then leaves
  // the 11-05 settlement (1,200) short of 100 only if the pool cannot cover it — it can (300 left).
  const backdated = await api('seller', 'POST', url, settlement('S-3', '100', { settledOn: '2026-11-02' }));
  assert.equal(backdated.status, 201, JSON.stringify(backdated.body));
  const tooMuchBack = await api<ProblemBody>('seller', 'POST', url, settlement('S-4', '250', { settledOn: '2026-11-04' }));
  assert.equal(tooMuchBack.status, 400, 'would leave the 11-05 settlement overdrawn');
  assert.match(tooMuchBack.body.errors![0]!.message.en, /2026-11-05/);
  assert.equal(await count('fx_settlement'), 2);

  const mine = (await api<Overview>('seller', 'GET', '/api/v1/forex/settlement-accounts')).body;
  const a = mine.accounts.find((x) => x.id === usd.id)!;
  assert.deepEqual([a.received, a.settled, a.unsettled, a.fromUnassigned], ['1000.00', '1300.00', '0.00', '300.00']);
  assert.deepEqual(a.periods, [{ period: '2026-11', received: '1000.00', settled: '1300.00', unsettled: '0.00' }]);
  const c = mine.currencies.find((x) => x.currency === '502')!;
  assert.deepEqual(
    [c.received, c.settled, c.unsettled, c.unassigned, c.unattributed],
    ['1500.00', '1300.00', '200.00', '500.00', '300.00'],
  );
});

test('CSV import of settlements: good rows stored in order, retries replayed, each bad row answered', async () => {
  const before = await count('fx_settlement');
  const header = 'settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount,receiptRefNos';
  const res = await api<{
    imported: number;
    replayed: number;
    rejected: number;
    errors: { row: number; problems: Problem[] }[];
  }>('seller', 'POST', '/api/v1/forex/settlements/import', {
    csv: [
      header,
      `S-CSV-1,4430 0000 0000 0123 45,2026-11-06,502,150,7.0812,1062.18,RCV-2`,
      `S-1,443000000000012345,2026-11-05,502,1200,7.1,8520.00,RCV-1`,
      `S-CSV-2,000000000000,2026-11-06,502,10,7.1,71.00,`,
      `S-CSV-3,443000000000012345,2026-11-06,502,10,7.1,71.50,`,
      `S-CSV-4,443000000000012345,2026-11-06,502,50.01,7.1,355.07,`,
      `S-CSV-5,443000000000012345,2026-11-06,502,50,7.1,355.00,`,
    ].join('\r\n'),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 2);
  assert.equal(res.body.replayed, 1);
  assert.deepEqual(
    res.body.errors.map((e) => `${e.row}:${e.problems.map((p) => `${p.field}/${p.rule}`).join('+')}`),
    ['4:rows[4].accountNo/known', '5:rows[5].cnyAmount/amountTimesRate', '6:rows[6].amount/received'],
  );
  assert.equal(await count('fx_settlement'), before + 2);
  const missing = await api<ProblemBody>('seller', 'POST', '/api/v1/forex/settlements/import', {
    csv: 'settlementRef,amount\nA,1',
  });
  assert.equal(missing.status, 400);
  assert.deepEqual(rules(missing.body), ['header/columns']);
  const c = (await api<Overview>('seller', 'GET', '/api/v1/forex/settlement-accounts')).body.currencies.find(
    (x) => x.currency === '502',
  )!;
  assert.equal(c.unsettled, '0.00', 'the 200 left were settled by the import');
});

test('tenancy: another enterprise’s account answers 404 and sees nothing', async () => {
  const foreign = `/api/v1/forex/settlement-accounts/${usd.id}`;
  const before = await count('fx_settlement');
  assert.equal((await api('seller2', 'GET', foreign)).status, 404);
  assert.equal((await api('seller2', 'POST', `${foreign}/settlements`, settlement('X-1', '1'))).status, 404);
  assert.equal((await api('seller2', 'POST', `${foreign}/close`, { closedOn: '2026-11-09' })).status, 404);
  assert.equal((await api('seller', 'GET', '/api/v1/forex/settlement-accounts/not-a-uuid')).status, 404);
  const theirs = await api<Overview>('seller2', 'GET', '/api/v1/forex/settlement-accounts');
  assert.equal(theirs.status, 200);
  assert.deepEqual(theirs.body.accounts, []);
  assert.deepEqual(theirs.body.settlements, []);
  const csv = await api<{ imported: number; errors: { problems: Problem[] }[] }>(
    'seller2',
    'POST',
    '/api/v1/forex/settlements/import',
    {
      csv: 'settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount\nX-2,443000000000012345,2026-11-06,502,1,7.1,7.10',
    },
  );
  assert.equal(csv.body.imported, 0);
  assert.equal(csv.body.errors[0]!.problems[0]!.rule, 'known');
  assert.equal(await count('fx_settlement'), before);
  const own = await api<{ account: Account; settlements: unknown[] }>('seller', 'GET', foreign);
  assert.equal(own.status, 200);
  assert.equal(own.body.settlements.length, 4);
});

test('closing: an account holding nothing closes, then refuses settlements', async () => {
  const closed = await api<Account>('seller', 'POST', `/api/v1/forex/settlement-accounts/${eur.id}/close`, {
    closedOn: '2026-11-09',
  });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal(closed.body.status, 'closed');
  assert.equal(
    (await api('seller', 'POST', `/api/v1/forex/settlement-accounts/${eur.id}/close`, { closedOn: '2026-11-09' })).status,
    409,
  );
  const refused = await api<ProblemBody>(
    'seller',
    'POST',
    `/api/v1/forex/settlement-accounts/${eur.id}/settlements`,
    settlement('E-1', '1', { currency: '300', cnyAmount: '7.10' }),
  );
  assert.equal(refused.status, 400);
  assert.ok(rules(refused.body).includes('accountId/active'), JSON.stringify(refused.body));
});

test('the forex officer sees the accounts and balances of the jurisdiction’s enterprises; others may not', async () => {
  const desk = await api<{ ebcCode: string; accounts: Account[]; currencies: CurrencyBalance[] }[]>(
    'forex',
    'GET',
    '/api/v1/forex/desk/settlement-accounts',
  );
  assert.equal(desk.status, 200, JSON.stringify(desk.body));
  const s = desk.body.find((e) => e.ebcCode === PARTIES.seller.code);
  assert.ok(s, 'the seller is on the desk');
  assert.deepEqual(s.accounts.map((a) => `${a.currency}:${a.status}:${a.settled}`).sort(), [
    '300:closed:0.00',
    '502:active:1500.00',
  ]);
  assert.equal(s.currencies.find((c) => c.currency === '502')!.received, '1500.00');
  assert.equal((await api('customs', 'GET', '/api/v1/forex/desk/settlement-accounts')).status, 403);
  assert.equal((await api('seller', 'GET', '/api/v1/forex/desk/settlement-accounts')).status, 403);
});
