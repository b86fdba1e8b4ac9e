import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

/**
 * Support applications (issue 8 point 5): the enterprise previews what its application would
 * carry — platform figures and the eligibility check — without storing anything, then applies with
 * its own statement; the commerce department exports the applications to Excel.
 */
let tp: TestPlatform;
const tokens: Record<string, string> = {};
const programmes: Record<string, string> = {};
const NIL = '00000000-0000-7000-8000-000000000000';

async function api(user: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, raw: res.rawPayload, headers: res.headers, json: <T>() => res.json() as T };
}
const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(tp.platform.database.db)).rows;
const applications = () =>
  q(
    sql<{ programme_id: string; org_code: string; statement: string; figures: unknown; eligibility: unknown }>`
      select programme_id::text, org_code, statement, figures, eligibility from pk_application order by created_at`,
  );

interface Preview {
  programme: { id: string; name: string; opensOn: string; closesOn: string };
  open: boolean;
  alreadyApplied: boolean;
  figures: Record<string, number>;
  eligibility: { eligible: boolean; results: { metric: string; op: string; value: number; actual: number; ok: boolean }[] };
  canApply: boolean;
}

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'seller2', 'commerce', 'customs']) tokens[u] = await login(tp.platform, u);
  const park = await api('commerce', 'POST', '/api/v1/parks', {
    name: '景德镇陶瓷跨境电商产业园',
    region: '36020',
    kind: 'park',
    memberCodes: [PARTIES.seller.code],
  });
  assert.equal(park.status, 201, park.body);
  const mk = async (key: string, name: string, rules: unknown[], opensOn = '2020-01-01', closesOn = '2099-12-31') => {
    const r = await api('commerce', 'POST', '/api/v1/programmes', { name, category: 'park', rules, opensOn, closesOn });
    assert.equal(r.status, 201, r.body);
    programmes[key] = r.json<{ id: string }>().id;
  };
  await mk('park', '园区企业入驻奖励', [
    { metric: 'parkMember', op: '=', value: 1 },
    { metric: 'parcels', op: '>=', value: 0 },
  ]);
  await mk('rich', '出口百万奖励', [{ metric: 'exportsCny', op: '>=', value: 1_000_000 }]);
  await mk('closed', '往年项目', [], '2020-01-01', '2021-12-31');
});
after(async () => {
  await tp.stop();
});

test('the preview shows the figures and the eligibility check, stores nothing; applying attaches the same figures', async () => {
  const before = await applications();
  const p = await api('seller', 'GET', `/api/v1/programmes/${programmes.park}/apply-preview`);
  assert.equal(p.status, 200, p.body);
  const preview = p.json<Preview>();
  assert.equal(preview.programme.name, '园区企业入驻奖励');
  assert.deepEqual([preview.open, preview.alreadyApplied, preview.canApply], [true, false, true]);
  assert.deepEqual(Object.keys(preview.figures).sort(), [
    'creditLevelRank',
    'exportsCny',
    'exportsUsd',
    'parcels',
    'parkMember',
    'refundsCny',
  ]);
  assert.equal(preview.figures.parkMember, 1);
  assert.deepEqual(
    preview.eligibility.results.map((r) => [r.metric, r.ok]),
    [
      ['parkMember', true],
      ['parcels', true],
    ],
  );
  assert.deepEqual(await applications(), before, 'a preview stores nothing');

  // a blank statement is refused, naming the field; nothing stored
  const blank = await api('seller', 'POST', `/api/v1/programmes/${programmes.park}/apply`, { statement: '   ' });
  assert.equal(blank.status, 400, blank.body);
  assert.match(blank.body, /statement/);
  assert.match(blank.body, /请填写申报说明/);
  assert.deepEqual(await applications(), before);

  const applied = await api('seller', 'POST', `/api/v1/programmes/${programmes.park}/apply`, {
    statement: '  本企业入驻园区两年，年出口瓷器 3 万件  ',
  });
  assert.equal(applied.status, 201, applied.body);
  const stored = (await applications()).filter((a) => a.programme_id === programmes.park);
  assert.deepEqual(stored, [
    {
      programme_id: programmes.park,
      org_code: PARTIES.seller.code,
      statement: '本企业入驻园区两年，年出口瓷器 3 万件',
      figures: preview.figures,
      eligibility: preview.eligibility,
    },
  ]);
  const again = (await api('seller', 'GET', `/api/v1/programmes/${programmes.park}/apply-preview`)).json<Preview>();
  assert.deepEqual([again.alreadyApplied, again.canApply], [true, false]);
});

test('the preview of a programme the enterprise does not qualify for, or that is closed: the reason, no application', async () => {
  const rich = (await api('seller2', 'GET', `/api/v1/programmes/${programmes.rich}/apply-preview`)).json<Preview>();
  assert.deepEqual([rich.open, rich.eligibility.eligible, rich.canApply], [true, false, false]);
  assert.deepEqual(rich.eligibility.results, [
    { metric: 'exportsCny', op: '>=', value: 1_000_000, actual: rich.figures.exportsCny, ok: false },
  ]);
  const closed = (await api('seller2', 'GET', `/api/v1/programmes/${programmes.closed}/apply-preview`)).json<Preview>();
  assert.deepEqual([closed.open, closed.eligibility.eligible, closed.canApply], [false, true, false]);
  assert.equal((await applications()).filter((a) => a.org_code !== PARTIES.seller.code).length, 0);
  // enterprises only; an unknown programme answers 404
  assert.equal((await api('customs', 'GET', `/api/v1/programmes/${programmes.park}/apply-preview`)).status, 403);
  assert.equal((await api(null, 'GET', `/api/v1/programmes/${programmes.park}/apply-preview`)).status, 401);
  assert.equal((await api('seller', 'GET', `/api/v1/programmes/${NIL}/apply-preview`)).status, 404);
});

test('the applications export to Excel: the review list with statements, figures and decisions', async () => {
  const list = (await api('commerce', 'GET', '/api/v1/review/applications')).json<{
    items: { id: string; statement: string; figures: Record<string, number> }[];
  }>().items;
  assert.equal(list.length, 1);
  const app = list[0]!;
  const decided = await api('commerce', 'POST', `/api/v1/applications/${app.id}/decision`, {
    decision: 'approve',
    scores: { policy: 24, performance: 30, impact: 12, compliance: 8 },
  });
  assert.equal(decided.status, 200, decided.body);
  const read = async (query: string) => {
    const r = await api('commerce', 'GET', `/api/v1/review/applications/export.xlsx${query}`);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.match(String(r.headers['content-type']), /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(2).values as unknown[]).slice(1);
    const rows: Record<string, unknown>[] = [];
    for (let i = 3; i <= ws.rowCount; i++) {
      const v = (ws.getRow(i).values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, j) => [String(h), v[j] ?? null])));
    }
    return { name: ws.name, rows };
  };
  const zh = await read('');
  assert.equal(zh.name, '扶持申报');
  assert.equal(zh.rows.length, 1);
  const row = zh.rows[0]!;
  assert.deepEqual(
    [row['扶持项目'], row['企业代码'], row['企业名称'], row['申报说明'], row['状态'], row['符合条件'], row['申报编号']],
    ['园区企业入驻奖励', PARTIES.seller.code, PARTIES.seller.name, app.statement, '已批准', '是', app.id],
  );
  const stored = await q(
    sql<{ score: number; figures: Record<string, number> }>`select score, figures from pk_application where id = ${app.id}`,
  );
  assert.equal(row['评分'], stored[0]!.score);
  assert.equal(row['包裹票数'], stored[0]!.figures.parcels);
  assert.equal(row['入驻园区'], 1);
  assert.match(String(row['各项得分']), /政策契合度: 24/);
  // the filters of the list apply: none submitted is left
  assert.deepEqual((await read('?status=submitted')).rows, []);
  const en = await read('?lang=en&status=approved');
  assert.equal(en.rows[0]!['Status'], 'Approved');
  assert.equal(en.rows[0]!['Enterprise code'], PARTIES.seller.code);
  // enterprises may not export the review list
  assert.equal((await api('seller', 'GET', '/api/v1/review/applications/export.xlsx')).status, 403);
});
