import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';
import type { Principal } from '../identity/index.ts';
import { createCreditService, creditLevelOf } from './index.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};
let sellerId = '';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['commerce', 'customs', 'seller', 'seller2', 'tax']) tokens[u] = await login(tp.platform, u);
  sellerId = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

async function api(user: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${tokens[user]}` } : {},
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json() as T };
}

const step = (id: string, body: Record<string, unknown>, user = 'commerce') =>
  api(user, 'POST', `/api/v1/credit/cases/${id}/transition`, body);

async function level(): Promise<{ level: string; score: number; factors: { factor: string; points: number }[] }> {
  const r = await api('commerce', 'GET', `/api/v1/credit/ratings/${sellerId}`);
  assert.equal(r.status, 200, r.body);
  return r.json<{ current: { level: string; score: number; factors: { factor: string; points: number }[] } }>().current;
}

test('a case runs report → investigate → decide → publish; a major case blacklists and rates C; an overturned appeal restores', async () => {
  const computed = await api('commerce', 'POST', '/api/v1/credit/ratings/compute', { orgIds: [sellerId] });
  assert.equal(computed.status, 200, computed.body);
  const start = await level();
  // filed, no history: 100 points, but fewer than 50 closed inventories caps it at A
  assert.equal(start.level, 'A');
  assert.equal(start.score, 100);

  const opened = await api('commerce', 'POST', '/api/v1/credit/cases', {
    kind: 'counterfeit',
    subjectCode: PARTIES.seller.code,
    summary: '仿冒景德镇青花瓷商标 / counterfeit trademark',
  });
  assert.equal(opened.status, 201, opened.body);
  const id = opened.json<{ id: string }>().id;
  // a decision before investigation is refused with the allowed events
  const early = await step(id, { event: 'decide', severity: 'major', decision: 'x' });
  assert.equal(early.status, 409);
  assert.deepEqual(early.json<{ allowed: string[] }>().allowed, ['investigate', 'dismiss']);
  assert.equal((await step(id, { event: 'investigate' })).status, 200);
  const noSeverity = await step(id, { event: 'decide', decision: '罚款' });
  assert.equal(noSeverity.status, 400);
  assert.match(noSeverity.body, /severity/);
  assert.equal(
    (await step(id, { event: 'decide', severity: 'major', decision: '列入失信名单 / blacklisted', blacklist: true })).status,
    200,
  );
  // nothing public before publication
  let notices = (await api(null, 'GET', '/api/v1/public/credit/notices')).json<{
    cases: unknown[];
    blacklist: { code: string }[];
  }>();
  assert.equal(notices.cases.length, 0);
  assert.equal((await step(id, { event: 'publish' })).status, 200);

  const after = await level();
  assert.equal(after.level, 'C');
  assert.equal(after.factors.find((f) => f.factor === 'cases')!.points, -40);
  assert.ok(after.factors.some((f) => f.factor === 'blacklist'));
  assert.deepEqual(
    await creditLevelOf(tp.platform.database.db, [sellerId]),
    new Map([[sellerId, { level: 'C', blacklisted: true }]]),
  );
  notices = (await api(null, 'GET', '/api/v1/public/credit/notices')).json();
  assert.equal(notices.cases.length, 1);
  assert.deepEqual(
    notices.blacklist.map((b) => b.code),
    [PARTIES.seller.code],
  );

  // the subject appeals; another enterprise cannot even see the case
  assert.equal(
    (await api('seller2', 'POST', `/api/v1/credit/cases/${id}/appeal`, { reason: '商标已授权 / licensed' })).status,
    404,
  );
  assert.equal((await api('seller2', 'GET', `/api/v1/credit/cases/${id}`)).status, 404);
  assert.equal((await step(id, { event: 'overturn' }, 'seller')).status, 403);
  const appealed = await api('seller', 'POST', `/api/v1/credit/cases/${id}/appeal`, {
    reason: '商标已授权 / the trademark is licensed',
  });
  assert.equal(appealed.status, 200, appealed.body);
  assert.equal((await step(id, { event: 'overturn', note: '申诉成立 / appeal upheld for the enterprise' })).status, 200);

  const restored = await level();
  assert.equal(restored.level, 'A');
  assert.deepEqual(
    await creditLevelOf(tp.platform.database.db, [sellerId]),
    new Map([[sellerId, { level: 'A', blacklisted: false }]]),
  );
  const detail = (await api('seller', 'GET', `/api/v1/credit/cases/${id}`)).json<{
    events: { event: string }[];
    status: string;
  }>();
  assert.equal(detail.status, 'overturned');
  assert.deepEqual(
    detail.events.map((e) => e.event),
    ['report', 'investigate', 'decide', 'publish', 'appeal', 'overturn'],
  );
  const history = (await api('seller', 'GET', `/api/v1/credit/ratings/${sellerId}`)).json<{ history: { level: string }[] }>()
    .history;
  assert.deepEqual(
    history.map((h) => h.level),
    ['A', 'C', 'A'],
  );
});

test('a minor published case costs 10 points, as documented', async () => {
  const before = await level();
  const id = (
    await api('customs', 'POST', '/api/v1/credit/cases', {
      kind: 'quality',
      subjectCode: PARTIES.seller.code,
      summary: '瓷器釉面铅溶出超标',
    })
  ).json<{
    id: string;
  }>().id;
  for (const body of [
    { event: 'investigate' },
    { event: 'decide', severity: 'minor', decision: '警告 / warning' },
    { event: 'publish' },
  ])
    assert.equal((await step(id, body, 'customs')).status, 200);
  const after = await level();
  assert.equal(after.score, before.score - 10);
});

test('anyone may report; a report names an existing enterprise; officers only may open cases', async () => {
  const r = await api(null, 'POST', '/api/v1/public/credit/reports', {
    subjectCode: PARTIES.seller.code,
    summary: 'fake porcelain bought in Paris',
    contact: 'buyer@example.fr',
  });
  assert.equal(r.status, 201, r.body);
  const bad = await api(null, 'POST', '/api/v1/public/credit/reports', { subjectCode: '9999999999', summary: 'fake porcelain' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /subjectCode/);
  assert.equal(
    (await api('seller', 'POST', '/api/v1/credit/cases', { kind: 'ip', subjectCode: PARTIES.seller.code, summary: 'xxxxxx' }))
      .status,
    403,
  );
  assert.equal((await api('tax', 'GET', '/api/v1/credit/cases')).status, 403);
  const mine = (await api('seller2', 'GET', '/api/v1/credit/cases')).json<{ items: unknown[] }>();
  assert.equal(mine.items.length, 0);
  assert.equal((await api('seller2', 'GET', `/api/v1/credit/ratings/${sellerId}`)).status, 404);
});

test('inspection findings, late summary declarations and unreceived forex move the rating (wired factors)', async () => {
  const db = tp.platform.database.db;
  const org = (
    await sql<{ id: string; code: string }>`
      select id, customs_code as code from organisation where name = '赣州脐橙电商有限公司'`.execute(db)
  ).rows[0]!;
  const rate = async () => {
    const r = await api('commerce', 'POST', '/api/v1/credit/ratings/compute', { orgIds: [org.id] });
    assert.equal(r.status, 200, r.body);
    const got = await api('commerce', 'GET', `/api/v1/credit/ratings/${org.id}`);
    const cur = got.json<{ current: { score: number; factors: { factor: string; points: number; value: string }[] } }>().current;
    return { score: cur.score, f: new Map(cur.factors.map((x) => [x.factor, x])) };
  };
  const start = await rate();
  assert.equal(start.f.get('inspection_findings')!.points, 0);
  assert.equal(start.f.get('summary_on_time')!.value, 'n/a');
  assert.equal(start.f.get('forex_receipt')!.value, 'n/a');

  // two inspection tasks with a failed finding: −5 each
  const now = new Date();
  for (const n of [1, 2]) {
    const task = crypto.randomUUID();
    await sql`insert into insp_task (id, inventory_id, logistics_no, ebc_code, agencies, status, created_at)
      values (${task}, ${crypto.randomUUID()}, ${`CT-${n}`}, ${org.code}, '{customs}', 'failed', ${now})`.execute(db);
    await sql`insert into insp_finding (task_id, agency, result, recorded_at) values (${task}, 'customs', 'fail', ${now})`.execute(
      db,
    );
  }
  // one summary declaration of this month, submitted after its deadline, declaring ten times what
  // the bank has reported received so far (the demo may hold receipts of this seller)
  const period = now.toISOString().slice(0, 7);
  const already = Number(
    (
      await sql<{
        usd: string;
      }>`select coalesce(sum(usd_amount), 0)::text as usd from fx_receipt where ebc_code = ${org.code}`.execute(db)
    ).rows[0]!.usd,
  );
  const declared = 1000 + Math.ceil(already * 10);
  const app = crypto.randomUUID();
  const decl = crypto.randomUUID();
  await sql`insert into sum_application (id, org_id, ebc_code, ebc_name, period, rule_set, summary_flag, item_name_flag, source,
      guid, cop_no, pre_no, sum_no, customs_code, agent_code, agent_name, decl_agent_code, decl_agent_name, status,
      inventory_count, line_count, result_hash, deadline, submitted_at, created_at)
    values (${app}, ${org.id}, ${org.code}, 'x', ${period}, 'r', '1', '', 'web', ${app}, ${`COP-${app}`}, ${`PRE-${app}`},
      ${`SUM-${app}`}, '4000', ${org.code}, 'x', ${org.code}, 'x', 'submitted', 1, 1, 'h', '2000-01-01', ${now}, ${now})`.execute(
    db,
  );
  await sql`insert into sum_declaration (id, application_id, seq, decl_seq_no, entry_id, dec_state, head_key, ebc_code,
      gross_weight, net_weight, inventory_count, created_at)
    values (${decl}, ${app}, 1, ${`DS-${decl}`}, ${`E-${decl}`}, 'x', '{}', ${org.code}, 1, 1, 1, ${now})`.execute(db);
  await sql`insert into sum_declaration_line (declaration_id, line_no, line_key, gcode, gname, country, currency, unit, qty,
      total_price, source_count) values (${decl}, 1, '{}', '0805100000', '脐橙', '303', '502', '035', 10, ${declared}, 1)`.execute(
    db,
  );

  const hit = await rate();
  assert.equal(hit.f.get('inspection_findings')!.points, -10);
  assert.equal(hit.f.get('summary_on_time')!.points, -20);
  assert.equal(hit.f.get('forex_receipt')!.points, -20, JSON.stringify(hit.f.get('forex_receipt')));
  assert.equal(hit.score, start.score - 50);

  // the bank reports the full amount received: the forex deduction goes
  await sql`insert into fx_receipt (id, org_id, ebc_code, institution_kind, institution_code, ref_no, currency, amount,
      usd_amount, received_on, reported_by, created_at)
    values (${crypto.randomUUID()}, ${org.id}, ${org.code}, 'bank', 'BANK1', 'R-1', '502', ${declared}, ${declared}, ${now.toISOString().slice(0, 10)},
      ${org.id}, ${now})`.execute(db);
  const paid = await rate();
  assert.equal(paid.f.get('forex_receipt')!.points, 0);
  assert.equal(paid.score, hit.score + 20);
});

test('an appeal upheld against a decision not yet published publishes it: dated, blacklisted, on the public notices', async () => {
  const code = '3601260999'; // seller2 (demo)
  const opened = await api('commerce', 'POST', '/api/v1/credit/cases', {
    kind: 'quality',
    subjectCode: code,
    summary: '脐橙农残超标 / pesticide residue over the limit',
  });
  assert.equal(opened.status, 201, opened.body);
  const id = opened.json<{ id: string }>().id;
  assert.equal((await step(id, { event: 'investigate' })).status, 200);
  assert.equal((await step(id, { event: 'decide', severity: 'major', decision: '列入失信名单', blacklist: true })).status, 200);
  const appealed = await api('seller2', 'POST', `/api/v1/credit/cases/${id}/appeal`, { reason: '检测样本非本企业产品' });
  assert.equal(appealed.status, 200, appealed.body);
  const shown = (await api(null, 'GET', '/api/v1/public/credit/notices')).json<{
    cases: { id?: string; subjectCode?: string }[];
    blacklist: { code: string }[];
  }>();
  assert.ok(!shown.blacklist.some((b) => b.code === code), 'not listed while the appeal is open');
  const upheld = await step(id, { event: 'uphold', note: '申诉不成立 / the decision stands' });
  assert.equal(upheld.status, 200, upheld.body);
  const c = upheld.json<{ status: string; publishedAt: string | null }>();
  assert.equal(c.status, 'published');
  assert.ok(c.publishedAt, 'a published case carries its publication date');
  const notices = (await api(null, 'GET', '/api/v1/public/credit/notices')).json<{ blacklist: { code: string }[] }>();
  assert.ok(notices.blacklist.some((b) => b.code === code));
  const org = await sql<{ id: string }>`select id from organisation where customs_code = ${code}`.execute(
    tp.platform.database.db,
  );
  assert.equal((await creditLevelOf(tp.platform.database.db, [org.rows[0]!.id])).get(org.rows[0]!.id)?.blacklisted, true);
});

test('rating many enterprises at once is set-based: as many statements for every demo enterprise as for one, each rating stored', async () => {
  const db = tp.platform.database.db;
  let statements = 0;
  const counted = db.withPlugin({
    transformQuery: (args) => {
      statements++;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  });
  const credit = createCreditService({ db: counted, clock: tp.platform.clock, audit: tp.platform.audit });
  const operator = (await sql<{ id: string }>`select id from organisation where kind = 'operator' limit 1`.execute(db)).rows[0]!;
  const admin: Principal = {
    via: 'session',
    userId: null,
    apiKeyId: null,
    username: 'set-based-test',
    roles: ['admin'],
    permissions: new Set(['credit.manage', 'credit.read']),
    organisation: { id: operator.id, kind: 'operator', name: 'operator', roles: [], jurisdiction: null, code: null },
  };
  const enterprises = (
    await sql<{ id: string }>`
      select id from organisation where kind = 'enterprise' and (customs_code is not null or uscc is not null) order by id`.execute(
      db,
    )
  ).rows.map((r) => r.id);
  assert.ok(enterprises.length >= 3, `the demo has several enterprises (${enterprises.length})`);
  const ratingsOf = async (ids: string[]) =>
    (await sql<{ n: number }>`select count(*)::int as n from cr_rating where org_id = any(${ids}::uuid[])`.execute(db)).rows[0]!
      .n;

  const rate = async (ids: string[]) => {
    const before = await ratingsOf(ids);
    statements = 0;
    const out = await credit.recompute(admin, ids);
    const used = statements;
    assert.deepEqual(
      out.map((r) => r.orgId),
      ids,
      'answered in the order asked',
    );
    assert.equal(await ratingsOf(ids), before + ids.length, 'one new rating stored per enterprise');
    return used;
  };
  const one = await rate(enterprises.slice(0, 1));
  const all = await rate(enterprises);
  assert.equal(all, one, `statements for ${enterprises.length} enterprises (${all}) as for one (${one})`);
  const levels = await creditLevelOf(db, enterprises);
  for (const id of enterprises) assert.ok(levels.get(id)?.level, `enterprise ${id} is rated`);
});
