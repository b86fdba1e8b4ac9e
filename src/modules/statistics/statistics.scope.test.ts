import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { DIMENSIONS } from './rules/dimensions.rules.ts';

/**
 * Whose figures a commerce department sees (issue #9, tenancy): those of its jurisdiction, the
 * way customs does — the inventories declared at the customs offices whose code starts with the
 * district's prefix (district 4000 → offices 40xx). Parcels closed at a Nanchang office (4006) and
 * at a Shanghai one (2244); commerce departments of district 4000 (the demo's), 2200 (Shanghai) and
 * 5100 (Guangzhou, nothing declared there) each see their own offices' figures only.
 */
let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-10T02:00:00Z'));
const tokens: Record<string, string> = {};
const NANCHANG = 4;
const SHANGHAI = 2;
const PASSWORD = 'Commerce-Elsewhere-22!';

interface Row {
  key: string;
  inventories: number;
  valueCny: string;
}
interface Table {
  rows: Row[];
  totals: Row;
  scope: string;
}

async function api(user: string, url: string) {
  const res = await tp.platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[user]}` } });
  return { status: res.statusCode, body: res.body, json: () => res.json() as Table, raw: res.rawPayload };
}

async function table(user: string, by: string, extra = ''): Promise<Table> {
  const r = await api(user, `/api/v1/statistics?by=${by}&from=2026-11-01&to=2026-11-30${extra}`);
  assert.equal(r.status, 200, r.body);
  return r.json();
}

/** Closed inventories counted straight from the clearance tables, by office prefix. */
async function closedAt(prefix: string): Promise<{ n: number; cny: string }> {
  const r = await sql<{ n: number; cny: string | null }>`
    select count(*)::int as n,
      sum((select sum(round((l->>'totalPrice')::numeric, 2)) from jsonb_array_elements(d.lines) l))::numeric(20,2)::text as cny
    from clr_document d where d.kind = 'inventory' and d.status = '899' and d.customs_code like ${`${prefix}%`}`.execute(
    tp.platform.database.db,
  );
  return { n: r.rows[0]!.n, cny: r.rows[0]!.cny ?? '0.00' };
}

/** A commerce department of another district and its officer, registered by the operator. */
async function commerceOf(username: string, jurisdiction: string): Promise<void> {
  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await tp.platform.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload,
    });
    assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
    return res.json() as { id: string };
  };
  const org = await post('/api/v1/organisations', {
    kind: 'agency',
    name: `商务主管部门（关区 ${jurisdiction}）`,
    nameEn: `Department of Commerce (district ${jurisdiction})`,
    roles: ['commerce'],
    jurisdiction,
  });
  await post('/api/v1/users', {
    username,
    displayName: `商务 ${jurisdiction}`,
    password: PASSWORD,
    roles: ['commerce_officer'],
    organisationId: org.id,
  });
  tokens[username] = await login(tp.platform, username, PASSWORD);
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'customs', 'commerce', 'admin', 'seller'])
    tokens[u] = await login(tp.platform, u);
  const parcels = Array.from({ length: NANCHANG + SHANGHAI }, (_, i) => {
    const p = makeParcel(i + 1, 'J');
    // the last ones declared at a Shanghai office: outside district 4000
    if (i >= NANCHANG) p.inventory.head.customsCode = '2244';
    return p;
  });
  await closeParcels(tp, tokens, parcels, 1, 'J');
  assert.deepEqual(
    [(await closedAt('40')).n, (await closedAt('22')).n],
    [NANCHANG, SHANGHAI],
    'the pipeline closed the parcels of both districts',
  );
  await commerceOf('commerce.sh', '2200');
  await commerceOf('commerce.gz', '5100');
});
after(async () => {
  await tp.stop();
});

test('a commerce department sees the figures of its jurisdiction, the way customs does', async () => {
  for (const by of DIMENSIONS) {
    const commerce = await table('commerce', by);
    const customs = await table('customs', by);
    assert.equal(commerce.scope, 'jurisdiction:40', by);
    assert.deepEqual(commerce.rows, customs.rows, by);
    assert.deepEqual(commerce.totals, customs.totals, by);
  }
  const nanchang = await closedAt('40');
  const byOffice = await table('commerce', 'customs');
  assert.deepEqual(
    byOffice.rows.map((r) => [r.key, r.inventories]),
    [['4006', NANCHANG]],
  );
  assert.deepEqual([byOffice.totals.inventories, byOffice.totals.valueCny], [nanchang.n, nanchang.cny]);

  // Shanghai's department: the Shanghai office only
  const shanghai = await closedAt('22');
  const sh = await table('commerce.sh', 'customs');
  assert.equal(sh.scope, 'jurisdiction:22');
  assert.deepEqual(
    sh.rows.map((r) => [r.key, r.inventories]),
    [['2244', SHANGHAI]],
  );
  assert.deepEqual([sh.totals.inventories, sh.totals.valueCny], [shanghai.n, shanghai.cny]);

  // Guangzhou's: nothing was declared there, in any table
  for (const by of DIMENSIONS) {
    const gz = await table('commerce.gz', by);
    assert.equal(gz.scope, 'jurisdiction:51', by);
    assert.deepEqual(gz.rows, [], by);
    assert.equal(gz.totals.inventories, 0, by);
  }

  // The operator sees both districts; a filter never widens a department's scope.
  assert.equal((await table('admin', 'mode')).totals.inventories, NANCHANG + SHANGHAI);
  assert.equal((await table('admin', 'mode')).scope, 'all');
  assert.equal((await table('commerce', 'mode', '&customs=2244')).totals.inventories, 0);
  assert.equal((await table('commerce.gz', 'mode', '&customs=4006')).totals.inventories, 0);
  // the seller's own figures are its own, wherever declared
  assert.equal((await table('seller', 'mode')).totals.inventories, NANCHANG + SHANGHAI);
});

test('the Excel export carries the same scope', async () => {
  const sheetTotal = async (user: string): Promise<unknown> => {
    const r = await api(user, '/api/v1/statistics/export.xlsx?by=mode,customs&from=2026-11-01&to=2026-11-30');
    assert.equal(r.status, 200, r.body.slice(0, 300));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('customs')!;
    assert.match(String(ws.getRow(1).getCell(3).value), /^scope: /);
    return [ws.getRow(1).getCell(3).value, ws.getRow(ws.rowCount).getCell(3).value];
  };
  assert.deepEqual(await sheetTotal('commerce'), ['scope: jurisdiction:40', NANCHANG]);
  assert.deepEqual(await sheetTotal('commerce.sh'), ['scope: jurisdiction:22', SHANGHAI]);
  assert.deepEqual(await sheetTotal('commerce.gz'), ['scope: jurisdiction:51', 0]);
});
