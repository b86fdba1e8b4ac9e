import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { seedDemo } from '../../server/platform.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};

async function get<T>(user: string, url: string): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[user]}` } });
  return { status: res.statusCode, body: res.json() as T };
}

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'seller2', 'pboc']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('demo: the PBoC desk shows the settlement without evidence, not the one with its order', async () => {
  const desk = await get<{ refNo: string }[]>('pboc', '/api/v1/pboc/settlements-lacking-evidence');
  assert.equal(desk.status, 200);
  assert.deepEqual(
    desk.body.map((r) => r.refNo),
    ['DEMO-RMB-0002'],
  );
});

test('demo: the sellers see their bank and payment receipts, not yet matched to a declaration, each only their own', async () => {
  // No month is summarised on first start: the receipts are listed apart, not received for a period.
  type Recon = { periods: unknown[]; unmatched: { totals: { currency: string; amount: string }[] } };
  const bank = (r: Recon, cur: string) =>
    r.unmatched.totals.filter((p) => p.currency === cur).reduce((s, p) => s + Number(p.amount), 0);
  const mine = (await get<Recon>('seller', '/api/v1/forex/reconciliation')).body;
  assert.deepEqual(mine.periods, []);
  assert.equal(bank(mine, '502'), 214.5);
  assert.equal(bank(mine, '142'), 15800);
  const other = (await get<Recon>('seller2', '/api/v1/forex/reconciliation')).body;
  assert.equal(bank(other, '502'), 2450);
  assert.equal(bank(other, '142'), 0);
});

test('demo: the seller has a dollar settlement account with part of its dollar receipts settled', async () => {
  type Figures = { received: string; settled: string; unsettled: string };
  type Overview = {
    accounts: (Figures & { accountNo: string; currency: string })[];
    currencies: (Figures & { currency: string })[];
  };
  const mine = await get<Overview>('seller', '/api/v1/forex/settlement-accounts');
  assert.equal(mine.status, 200);
  const usd = mine.body.accounts.find((a) => a.accountNo === '191234567890');
  assert.ok(usd, 'the demo account is listed');
  assert.equal(usd.currency, '502');
  assert.equal(Number(usd.settled), 100);
  // The dollar receipts name no account: they count for the seller's dollars as a whole.
  const dollars = mine.body.currencies.find((c) => c.currency === '502');
  assert.ok(dollars);
  assert.deepEqual([Number(dollars.received), Number(dollars.settled), Number(dollars.unsettled)], [214.5, 100, 114.5]);
  const other = await get<Overview>('seller2', '/api/v1/forex/settlement-accounts');
  assert.equal(other.body.accounts.length, 0);
});

test('demo: seeding again adds no receipts or settlements', async () => {
  const count = async () =>
    (
      await sql<{ n: number }>`select (select count(*) from fx_receipt) + (select count(*) from fx_rmb_settlement)
        + (select count(*) from fx_settlement_account) + (select count(*) from fx_settlement) as n`.execute(
        tp.platform.database.db,
      )
    ).rows[0]!.n;
  const before = Number(await count());
  assert.equal(before, 8);
  await seedDemo(tp.platform);
  assert.equal(Number(await count()), before);
});
