import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

// The officer's side of the credit page: the ratings of the jurisdiction's enterprises (by code,
// rated or not) and the Excel exports of cases and the blacklist, refused to enterprises.

let tp: TestPlatform;
const tokens: Record<string, string> = {};
let sellerId = '';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['commerce', 'customs', 'seller', 'tax']) tokens[u] = await login(tp.platform, u);
  sellerId = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

async function call(user: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return res;
}

async function sheetRows(body: Buffer, sheet: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(sheet);
  assert.ok(ws, `sheet ${sheet}`);
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

type Rated = { orgId: string; name: string; code: string; level: string | null; score: number | null };

test('an officer finds an enterprise by code, rated or not, and lists the rated ones; an enterprise may not', async () => {
  const byCode = async (code: string) => {
    const r = await call('commerce', 'GET', `/api/v1/credit/ratings?code=${code}`);
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { items: Rated[] }).items;
  };
  const before = await byCode(PARTIES.seller.code.toLowerCase());
  assert.deepEqual(
    before.map((x) => [x.orgId, x.name, x.code]),
    [[sellerId, PARTIES.seller.name, PARTIES.seller.code]],
  );
  assert.deepEqual(await byCode('9999999999'), [], 'no enterprise: an empty list');

  const computed = await call('customs', 'POST', '/api/v1/credit/ratings/compute', { orgIds: [sellerId] });
  assert.equal(computed.statusCode, 200, computed.body);
  const [rated] = await byCode(PARTIES.seller.code);
  assert.equal(rated!.level, 'A');
  assert.equal(rated!.score, 100);
  const list = await call('customs', 'GET', '/api/v1/credit/ratings');
  assert.equal(list.statusCode, 200, list.body);
  assert.ok((list.json() as { items: Rated[] }).items.some((x) => x.orgId === sellerId && x.level === 'A'));

  const detail = await call('seller', 'GET', `/api/v1/credit/ratings/${sellerId}`);
  assert.equal(detail.statusCode, 200);
  assert.equal((detail.json() as { name: string }).name, PARTIES.seller.name);
  assert.equal((await call('seller', 'GET', '/api/v1/credit/ratings')).statusCode, 403);
  assert.equal((await call('tax', 'GET', '/api/v1/credit/ratings')).statusCode, 403);
  assert.equal((await call(null, 'GET', '/api/v1/credit/ratings')).statusCode, 401);
});

test('officers export the cases and the blacklist to Excel (zh or en headers); enterprises get 403', async () => {
  const opened = await call('commerce', 'POST', '/api/v1/credit/cases', {
    kind: 'ip',
    subjectCode: PARTIES.seller.code,
    summary: '侵犯外观设计专利 / design patent infringement',
  });
  assert.equal(opened.statusCode, 201, opened.body);
  const id = (opened.json() as { id: string }).id;
  for (const body of [
    { event: 'investigate' },
    { event: 'decide', severity: 'major', decision: '列入失信名单 / blacklisted', blacklist: true },
    { event: 'publish' },
  ]) {
    const r = await call('commerce', 'POST', `/api/v1/credit/cases/${id}/transition`, body);
    assert.equal(r.statusCode, 200, r.body);
  }

  const cases = await call('commerce', 'GET', '/api/v1/credit/cases/export.xlsx');
  assert.equal(cases.statusCode, 200, cases.body);
  assert.match(String(cases.headers['content-type']), /spreadsheetml/);
  assert.match(String(cases.headers['content-disposition']), /cbec-credit-cases\.xlsx/);
  const rows = await sheetRows(cases.rawPayload, 'cases');
  assert.equal(rows[1]![0], '案件编号', 'Chinese headers by default');
  const row = rows.find((r) => r[0] === id);
  assert.ok(row, 'the case is exported');
  assert.deepEqual(row.slice(1, 7), ['ip', PARTIES.seller.name, PARTIES.seller.code, 'published', 'major', 'officer']);
  assert.equal(row[9], true, 'it blacklists');
  assert.ok(row[13] instanceof Date, 'the publication date as a date');
  // only the status asked for
  const decidedOnly = await call('customs', 'GET', '/api/v1/credit/cases/export.xlsx?status=decided&lang=en');
  assert.equal(decidedOnly.statusCode, 200);
  const en = await sheetRows(decidedOnly.rawPayload, 'cases');
  assert.equal(en[1]![0], 'Case');
  assert.ok(!en.some((r) => r[0] === id), 'a published case is not among the decided ones');

  const black = await call('customs', 'GET', '/api/v1/credit/blacklist/export.xlsx?lang=en');
  assert.equal(black.statusCode, 200, black.body);
  const listed = await sheetRows(black.rawPayload, 'blacklist');
  assert.deepEqual(listed[1], ['Enterprise', 'Code', 'Reason', 'Case', 'Listed']);
  assert.ok(listed.some((r) => r[1] === PARTIES.seller.code && r[3] === id && r[2] === '列入失信名单 / blacklisted'));

  for (const url of ['/api/v1/credit/cases/export.xlsx', '/api/v1/credit/blacklist/export.xlsx']) {
    assert.equal((await call('seller', 'GET', url)).statusCode, 403, `${url}: an enterprise may not export`);
    assert.equal((await call(null, 'GET', url)).statusCode, 401);
  }
  const bad = await call('commerce', 'GET', '/api/v1/credit/cases/export.xlsx?lang=fr');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /lang/);
});
