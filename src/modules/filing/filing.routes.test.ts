import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { createAuditLog } from '../../kernel/audit.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { loadConfig } from '../../kernel/config.ts';
import { connect, type Database, type Db } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { runMigrations } from '../../kernel/migrations.ts';
import { buildApp } from '../../server/app.ts';
import { MIGRATIONS } from '../../server/platform.ts';
import {
  createApiKeyService,
  createAuthService,
  createOrganisationService,
  registerIdentityRoutes,
  seedIdentityDemo,
} from '../identity/index.ts';
import {
  createFilingService,
  DEFAULT_PRODUCT_APPROVAL_RULES,
  filingLookup,
  filingMigrations,
  productKey,
  registerFilingRoutes,
  seedFilingDemo,
  type EnterpriseFiling,
  type Product,
} from './index.ts';

// This test builds its own app: the identity routes (log-in) plus the filing routes, over a fresh
// database with the identity demo only, so the unfiled → filed journey can be walked.
let database: TestDatabase;
let conn: Database;
let app: FastifyInstance;
let auth: ReturnType<typeof createAuthService>;
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
const audit = createAuditLog({ clock });

before(async () => {
  database = await testDatabase();
  conn = connect(database.url, { max: 10 });
  // Kernel and identity from the composition root, then this module: independent of what else
  // the platform wires. Only the identity demo: the filing demo is tested last, on its own.
  const base = MIGRATIONS.filter((m) => m.module === 'kernel' || m.module === 'identity');
  await runMigrations(conn.db, [...base, { module: 'filing', dir: filingMigrations }]);
  await seedIdentityDemo({ db: conn.db, clock, audit });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_DIST: path.resolve('web/dist') });
  const db = conn.db;
  auth = createAuthService({
    db,
    clock,
    audit,
    settings: { sessionTtlHours: 12, loginMaxFailures: 50, loginLockMinutes: 1 },
  });
  const orgs = createOrganisationService({ db, clock, audit });
  const apiKeys = createApiKeyService({ db, clock, audit, onRevoke: (id) => auth.forgetApiKey(id) });
  // Quarantine goods go to the review desk here, so the product review flow is exercised too.
  const filings = createFilingService({
    db,
    clock,
    audit,
    productApprovalRules: [
      { id: 'quarantine-review', description: 'quarantine goods reviewed', when: { quarantine: true }, decision: 'review' },
      ...DEFAULT_PRODUCT_APPROVAL_RULES,
    ],
  });
  app = await buildApp({
    config,
    log: createLogger('silent'),
    auth,
    routes: [
      (a) => registerIdentityRoutes(a, { auth, orgs, apiKeys, secureCookies: false, sessionTtlHours: 12 }),
      (a) => registerFilingRoutes(a, { filings }),
    ],
  });
  await app.ready();
});
after(async () => {
  await app?.close();
  await conn?.close();
  await database?.drop();
});

let ip = 0;
const tokens = new Map<string, string>();
async function tokenOf(username: string, password = 'cbec-demo'): Promise<string> {
  const known = tokens.get(username);
  if (known) return known;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: `10.88.0.${(ip++ % 250) + 1}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  const token = (res.json() as { token: string }).token;
  tokens.set(username, token);
  return token;
}
async function call(username: string, opts: InjectOptions) {
  return app.inject({ ...opts, headers: { ...opts.headers, authorization: `Bearer ${await tokenOf(username)}` } });
}
type Problem = { code: string; errors?: { field: string; rule: string; value?: unknown; message: { zh: string; en: string } }[] };
const fieldRules = (body: unknown) => ((body as Problem).errors ?? []).map((e) => `${e.field}:${e.rule}`);

const application = (over: Record<string, unknown> = {}) => ({
  licenceNo: '360126888888888',
  legalRep: '陈青华',
  contactName: '李瓷',
  contactPhone: '0798-82200888',
  contactEmail: 'li@qhc.example',
  address: '江西省景德镇市珠山区陶阳南路88号',
  roles: ['ebc'],
  ...over,
});

const bowl = (over: Record<string, unknown> = {}) => ({
  itemNo: 'T-BOWL-01',
  gname: '青花瓷碗',
  hsCode: '6911101900',
  gmodel:
    '出口享惠情况：0|品牌类型：1|品牌（中文或外文名称）：景德青花|是否为骨瓷：否|材质（瓷制、陶制）：瓷制|种类（餐具、厨房器具等）：餐具',
  unit: '011',
  legalUnit1: '011',
  referencePrice: '150',
  ...over,
});

let sellerFilingId = '';

async function fileAndSubmit(username: string, body: Record<string, unknown>): Promise<EnterpriseFiling> {
  const created = await call(username, { method: 'POST', url: '/api/v1/filings/enterprise', payload: body });
  assert.equal(created.statusCode, 201, created.body);
  const f = created.json() as EnterpriseFiling;
  const sub = await call(username, { method: 'POST', url: `/api/v1/filings/enterprise/${f.id}/submit` });
  assert.equal(sub.statusCode, 200, sub.body);
  return sub.json() as EnterpriseFiling;
}

test('an unfiled seller has no application and may not file products', async () => {
  assert.equal((await call('seller', { method: 'GET', url: '/api/v1/filings/enterprise' })).statusCode, 404);
  const res = await call('seller', { method: 'POST', url: '/api/v1/products', payload: bowl() });
  assert.equal(res.statusCode, 409);
  assert.equal((res.json() as Problem).code, 'filing.invalid_state');
});

test('enterprise filing: draft → submitted → rejected with reason → corrected and resubmitted → approved', async () => {
  const bad = await call('seller', {
    method: 'POST',
    url: '/api/v1/filings/enterprise',
    payload: application({ roles: ['ebc', 'payment'], contactPhone: 'x' }),
  });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(fieldRules(bad.json()), ['contactPhone:format', 'roles[1]:organisationRole']);

  const created = await call('seller', { method: 'POST', url: '/api/v1/filings/enterprise', payload: application() });
  assert.equal(created.statusCode, 201, created.body);
  const draft = created.json() as EnterpriseFiling;
  assert.equal(draft.status, 'draft');
  assert.equal(draft.customsCode, '3601260888');
  assert.equal(draft.jurisdiction, '4004');
  sellerFilingId = draft.id;
  // One live application per organisation: posting again edits the draft.
  const edited = await call('seller', {
    method: 'POST',
    url: '/api/v1/filings/enterprise',
    payload: application({ contactName: '李青' }),
  });
  assert.equal(edited.statusCode, 200);
  assert.equal((edited.json() as EnterpriseFiling).id, draft.id);

  const submitted = await call('seller', { method: 'POST', url: `/api/v1/filings/enterprise/${draft.id}/submit` });
  assert.equal((submitted.json() as EnterpriseFiling).status, 'submitted');
  // Submitted: no more edits, no second submit.
  assert.equal(
    (await call('seller', { method: 'POST', url: '/api/v1/filings/enterprise', payload: application() })).statusCode,
    409,
  );
  assert.equal((await call('seller', { method: 'POST', url: `/api/v1/filings/enterprise/${draft.id}/submit` })).statusCode, 409);

  const queue = await call('customs', { method: 'GET', url: '/api/v1/customs/enterprise-filings?status=submitted' });
  assert.equal(queue.statusCode, 200);
  assert.ok((queue.json() as { items: EnterpriseFiling[] }).items.some((f) => f.id === draft.id));

  const noReason = await call('customs', {
    method: 'POST',
    url: `/api/v1/customs/enterprise-filings/${draft.id}/reject`,
    payload: { reason: '' },
  });
  assert.equal(noReason.statusCode, 400);
  const rejected = await call('customs', {
    method: 'POST',
    url: `/api/v1/customs/enterprise-filings/${draft.id}/reject`,
    payload: { reason: '法定代表人与营业执照不符' },
  });
  assert.equal(rejected.statusCode, 200, rejected.body);
  assert.deepEqual(
    [(rejected.json() as EnterpriseFiling).status, (rejected.json() as EnterpriseFiling).reason],
    ['rejected', '法定代表人与营业执照不符'],
  );
  const own = (await call('seller', { method: 'GET', url: '/api/v1/filings/enterprise' })).json() as EnterpriseFiling;
  assert.equal(own.reason, '法定代表人与营业执照不符');

  const corrected = await call('seller', {
    method: 'POST',
    url: '/api/v1/filings/enterprise',
    payload: application({ legalRep: '陈青花' }),
  });
  assert.equal((corrected.json() as EnterpriseFiling).status, 'rejected');
  const resubmitted = await call('seller', { method: 'POST', url: `/api/v1/filings/enterprise/${draft.id}/submit` });
  assert.equal((resubmitted.json() as EnterpriseFiling).status, 'submitted');

  const approved = await call('customs', { method: 'POST', url: `/api/v1/customs/enterprise-filings/${draft.id}/approve` });
  assert.equal(approved.statusCode, 200);
  assert.equal((approved.json() as EnterpriseFiling).status, 'approved');
  assert.equal((approved.json() as EnterpriseFiling).legalRep, '陈青花');
  const again = await call('customs', { method: 'POST', url: `/api/v1/customs/enterprise-filings/${draft.id}/approve` });
  assert.equal(again.statusCode, 409);
  assert.equal((again.json() as Problem).code, 'filing.invalid_state');

  await audit.flush(conn.db);
  const trail = await sql<{ action: string }>`select action from audit_log where entity_id = ${draft.id} order by seq`.execute(
    conn.db,
  );
  assert.deepEqual(
    trail.rows.map((r) => r.action),
    [
      'enterprise_filing.create',
      'enterprise_filing.edit',
      'enterprise_filing.submit',
      'enterprise_filing.reject',
      'enterprise_filing.edit',
      'enterprise_filing.resubmit',
      'enterprise_filing.approve',
    ],
  );
});

test('wrong role answers 403', async () => {
  assert.equal(
    (await call('customs', { method: 'POST', url: '/api/v1/filings/enterprise', payload: application() })).statusCode,
    403,
  );
  assert.equal((await call('customs', { method: 'GET', url: '/api/v1/products' })).statusCode, 403);
  assert.equal((await call('seller', { method: 'GET', url: '/api/v1/customs/enterprise-filings' })).statusCode, 403);
  assert.equal(
    (await call('seller', { method: 'POST', url: `/api/v1/customs/enterprise-filings/${sellerFilingId}/approve` })).statusCode,
    403,
  );
  assert.equal((await call('tax', { method: 'GET', url: '/api/v1/customs/product-filings' })).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/products' })).statusCode, 401);
});

test("another enterprise's filing or product answers 404", async () => {
  const res = await call('seller2', { method: 'POST', url: `/api/v1/filings/enterprise/${sellerFilingId}/submit` });
  assert.equal(res.statusCode, 404);
  const product = await call('seller', { method: 'POST', url: '/api/v1/products', payload: bowl({ itemNo: 'T-OWN-01' }) });
  assert.equal(product.statusCode, 201, product.body);
  const id = (product.json() as Product).id;
  assert.equal((await call('seller', { method: 'GET', url: `/api/v1/products/${id}` })).statusCode, 200);
  assert.equal((await call('seller2', { method: 'GET', url: `/api/v1/products/${id}` })).statusCode, 404);
  assert.equal(
    (await call('seller2', { method: 'GET', url: '/api/v1/products/00000000-0000-7000-8000-000000000000' })).statusCode,
    404,
  );
});

test('jurisdiction: an officer of another district neither sees nor decides', async () => {
  const org = await call('admin', {
    method: 'POST',
    url: '/api/v1/organisations',
    payload: { kind: 'agency', name: '上海海关', nameEn: 'Shanghai Customs', roles: ['customs'], jurisdiction: '2200' },
  });
  assert.equal(org.statusCode, 201, org.body);
  const user = await call('admin', {
    method: 'POST',
    url: '/api/v1/users',
    payload: {
      username: 'sh-customs',
      displayName: '上海海关 关员',
      password: 'shanghai-pass-1',
      roles: ['customs_officer'],
      organisationId: (org.json() as { id: string }).id,
    },
  });
  assert.equal(user.statusCode, 201, user.body);
  await tokenOf('sh-customs', 'shanghai-pass-1');

  // The payment company (jurisdiction 2200) files; Shanghai sees it, Nanchang does not.
  const payer = await fileAndSubmit('payer', application({ licenceNo: '310196000300000', roles: ['payment'] }));
  const shList = (await call('sh-customs', { method: 'GET', url: '/api/v1/customs/enterprise-filings' })).json() as {
    items: EnterpriseFiling[];
  };
  assert.deepEqual(
    shList.items.map((f) => f.customsCode),
    ['3101960003'],
  );
  const ncList = (
    await call('customs', { method: 'GET', url: '/api/v1/customs/enterprise-filings?status=submitted' })
  ).json() as {
    items: EnterpriseFiling[];
  };
  assert.ok(!ncList.items.some((f) => f.id === payer.id));
  assert.equal(
    (await call('customs', { method: 'POST', url: `/api/v1/customs/enterprise-filings/${payer.id}/approve` })).statusCode,
    404,
  );
  assert.equal(
    (await call('sh-customs', { method: 'GET', url: `/api/v1/customs/enterprise-filings/${sellerFilingId}` })).statusCode,
    404,
  );
  assert.equal(
    (
      await call('sh-customs', {
        method: 'POST',
        url: `/api/v1/customs/enterprise-filings/${sellerFilingId}/reject`,
        payload: { reason: 'x' },
      })
    ).statusCode,
    404,
  );
  const ok = await call('sh-customs', { method: 'POST', url: `/api/v1/customs/enterprise-filings/${payer.id}/approve` });
  assert.equal((ok.json() as EnterpriseFiling).status, 'approved');
});

test('product validation names the field and the rule', async () => {
  const res = await call('seller', {
    method: 'POST',
    url: '/api/v1/products',
    payload: bowl({ hsCode: '9999999999', unit: '999', referencePrice: '0' }),
  });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(fieldRules(res.json()), ['hsCode:codeTable', 'unit:codeTable', 'referencePrice:exclusiveMinimum']);

  const elements = await call('seller', {
    method: 'POST',
    url: '/api/v1/products',
    payload: bowl({ gmodel: '品牌类型：1|出口享惠情况：0|材质（瓷制、陶制）：瓷制' }),
  });
  assert.equal(elements.statusCode, 400);
  const errs = (elements.json() as Problem).errors ?? [];
  assert.deepEqual(
    errs.map((e) => [e.field, e.rule, e.value]),
    [
      ['gmodel', 'declarationElement', '品牌（中文或外文名称）'],
      ['gmodel', 'declarationElement', '是否为骨瓷'],
      ['gmodel', 'declarationElement', '种类（餐具、厨房器具等）'],
    ],
  );
  assert.match(errs[0]?.message.en ?? '', /declaration element "品牌（中文或外文名称）" of HS 6911101900/);

  const dup = await call('seller', { method: 'POST', url: '/api/v1/products', payload: bowl({ itemNo: 'T-OWN-01' }) });
  assert.equal(dup.statusCode, 409);
  assert.equal((dup.json() as Problem).code, 'filing.duplicate');
});

test('product filing is approved automatically by rule, or reviewed by customs (reject, correct, resubmit, approve)', async () => {
  const auto = await call('seller', { method: 'POST', url: '/api/v1/products', payload: bowl({ itemNo: 'T-AUTO-01' }) });
  assert.equal((auto.json() as Product).status, 'approved');

  const held = await call('seller', {
    method: 'POST',
    url: '/api/v1/products',
    payload: bowl({ itemNo: 'T-QUAR-01', quarantineCategory: 'other' }),
  });
  const p = held.json() as Product;
  assert.equal(p.status, 'submitted');
  const queue = (await call('customs', { method: 'GET', url: '/api/v1/customs/product-filings?status=submitted' })).json() as {
    items: Product[];
  };
  assert.deepEqual(
    queue.items.map((x) => x.itemNo),
    ['T-QUAR-01'],
  );
  assert.equal((await call('sh-customs', { method: 'GET', url: `/api/v1/customs/product-filings/${p.id}` })).statusCode, 404);
  const rejected = await call('customs', {
    method: 'POST',
    url: `/api/v1/customs/product-filings/${p.id}/reject`,
    payload: { reason: '检疫类别有误' },
  });
  assert.equal((rejected.json() as Product).reason, '检疫类别有误');
  const resubmitted = await call('seller', {
    method: 'POST',
    url: `/api/v1/products/${p.id}/resubmit`,
    payload: bowl({ itemNo: 'T-QUAR-01', quarantineCategory: 'processed_food', referencePrice: '160.5' }),
  });
  assert.equal(resubmitted.statusCode, 200, resubmitted.body);
  assert.deepEqual(
    [(resubmitted.json() as Product).status, (resubmitted.json() as Product).referencePrice],
    ['submitted', '160.5'],
  );
  const approved = await call('customs', { method: 'POST', url: `/api/v1/customs/product-filings/${p.id}/approve` });
  assert.equal((approved.json() as Product).status, 'approved');
});

const count = async (): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from product_filing`.execute(conn.db)).rows[0]?.n ?? -1;

const bulkRow = (i: number) =>
  bowl({ itemNo: `B-${String(i).padStart(4, '0')}`, gname: `青花瓷碗 ${i}号`, referencePrice: `${100 + i}.5` });

test('bulk filing: one bad row stores nothing and the errors name the row', async () => {
  const before = await count();
  const items = Array.from({ length: 10 }, (_, i) => bulkRow(i));
  items[3] = { ...items[3], hsCode: '12345' } as ReturnType<typeof bowl>;
  items[7] = { ...items[7], itemNo: 'B-0001' } as ReturnType<typeof bowl>;
  items[8] = { ...items[8], itemNo: 'T-AUTO-01' } as ReturnType<typeof bowl>;
  const res = await call('seller', { method: 'POST', url: '/api/v1/products/bulk', payload: { items } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(fieldRules(res.json()), ['items[3].hsCode:pattern', 'items[7].itemNo:unique', 'items[8].itemNo:unique']);
  assert.equal(await count(), before);
  const tooMany = await call('seller', {
    method: 'POST',
    url: '/api/v1/products/bulk',
    payload: { items: Array.from({ length: 501 }, (_, i) => bulkRow(i)) },
  });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(await count(), before);
});

test('bulk filing of 500 valid rows stores them all in one INSERT; the list pages through them', async () => {
  const before = await count();
  const res = await call('seller', {
    method: 'POST',
    url: '/api/v1/products/bulk',
    payload: { items: Array.from({ length: 500 }, (_, i) => bulkRow(i)) },
  });
  assert.equal(res.statusCode, 201, res.body.slice(0, 500));
  assert.equal((res.json() as { items: Product[] }).items.length, 500);
  assert.equal(await count(), before + 500);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await call('seller', {
      method: 'GET',
      url: `/api/v1/products?q=B-&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    });
    assert.equal(page.statusCode, 200);
    const body = page.json() as { items: Product[]; nextCursor: string | null };
    seen.push(...body.items.map((x) => x.itemNo));
    cursor = body.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 500);
  assert.equal(new Set(seen).size, 500);
  assert.deepEqual(seen, [...seen].sort());
  // seller2 sees none of them.
  const other = (await call('seller2', { method: 'GET', url: '/api/v1/products' })).json() as { items: Product[] };
  assert.equal(other.items.length, 0);
  assert.equal((await call('seller', { method: 'GET', url: '/api/v1/products?cursor=notacursor' })).statusCode, 400);
});

/** A handle on the same pool that counts the statements it runs. */
function countingDb(): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: conn.pool }),
    log: (e) => {
      if (e.level === 'query') statements.push(e.query.sql);
    },
  }) as Db;
  return { db, statements };
}

test('a bulk filing is one INSERT statement, not one per row', async () => {
  const { db, statements } = countingDb();
  const filings = createFilingService({ db, clock, audit });
  const principal = await auth.authenticate(await tokenOf('seller'));
  const stored = await filings.fileProducts(
    principal,
    Array.from({ length: 500 }, (_, i) => bowl({ itemNo: `C-${String(i).padStart(4, '0')}` })),
  );
  assert.equal(stored.length, 500);
  assert.equal(statements.filter((q) => /^insert into "product_filing"/.test(q)).length, 1);
});

test('the lookup answers hundreds of keys in one statement each', async () => {
  const { db, statements } = countingDb();
  const lookup = filingLookup(db);
  const uscc = (
    await sql<{ uscc: string }>`select uscc from enterprise_filing where customs_code = '3601260888'`.execute(conn.db)
  ).rows[0]?.uscc;
  assert.ok(uscc);
  const codes = ['3601260888', uscc, '3101960003', '3601260999', ...Array.from({ length: 300 }, (_, i) => `99${i}`)];
  const enterprises = await lookup.filedEnterprises(codes);
  assert.equal(statements.length, 1);
  assert.deepEqual([...enterprises.keys()].sort(), ['3101960003', '3601260888', uscc].sort());
  assert.deepEqual(enterprises.get('3601260888')?.roles, ['ebc']);
  assert.equal(enterprises.get(uscc)?.orgId, enterprises.get('3601260888')?.orgId);

  const pairs = [
    ...Array.from({ length: 500 }, (_, i) => ({ ebcCode: '3601260888', itemNo: `B-${String(i).padStart(4, '0')}` })),
    { ebcCode: uscc, itemNo: 'T-AUTO-01' },
    { ebcCode: '3601260888', itemNo: 'NOT-FILED' },
    { ebcCode: '3601260999', itemNo: 'B-0001' },
  ];
  statements.length = 0;
  const products = await lookup.filedProducts(pairs);
  assert.equal(statements.length, 1);
  assert.equal(products.size, 501);
  assert.equal(products.get(productKey('3601260888', 'B-0042'))?.referencePrice, '142.5');
  assert.equal(products.get(productKey(uscc, 'T-AUTO-01'))?.hsCode, '6911101900');
  assert.equal(products.has(productKey('3601260999', 'B-0001')), false);

  // The lean form intake checks declared lines against: HS code and legal units, same keys, one statement.
  statements.length = 0;
  const codesOf = await lookup.filedProductCodes(pairs);
  assert.equal(statements.length, 1);
  assert.deepEqual([...codesOf.keys()].sort(), [...products.keys()].sort());
  for (const [k, p] of products)
    assert.deepEqual(codesOf.get(k), { hsCode: p.hsCode, legalUnit1: p.legalUnit1, legalUnit2: p.legalUnit2 ?? null }, k);
  assert.equal(codesOf.get(productKey(uscc, 'T-AUTO-01'))?.hsCode, '6911101900');

  // Both lookup paths use their indexes.
  const plan = await sql<{ 'QUERY PLAN': string }>`explain select * from product_filing
    where status = 'approved' and ebc_code = '3601260888' and item_no = 'B-0001'`.execute(conn.db);
  assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /product_filing_ebc_item/);
});

test('demo seed files every demo enterprise and the demo products, idempotently', async () => {
  const first = await seedFilingDemo({ db: conn.db, clock, audit });
  assert.ok(first.enterprises > 0 && first.products === 3, JSON.stringify(first));
  const snapshot = async () =>
    (await sql`select * from enterprise_filing order by id`.execute(conn.db)).rows.concat(
      (await sql`select * from product_filing where item_no not like 'B-%' order by id`.execute(conn.db)).rows,
    );
  const before = await snapshot();
  clock.advance(60_000);
  assert.deepEqual(await seedFilingDemo({ db: conn.db, clock, audit }), { enterprises: 0, products: 0 });
  assert.deepEqual(await snapshot(), before);

  const lookup = filingLookup(conn.db);
  const codes = ['3601960001', '3601260888', '3601260999', '3601980012', '3101960003', '3601980099', '3601980077', '3601990100'];
  assert.deepEqual([...(await lookup.filedEnterprises(codes)).keys()].sort(), [...codes].sort());
  const products = await lookup.filedProducts([
    { ebcCode: '3601260888', itemNo: 'QHC-BOWL-01' },
    { ebcCode: '3601260888', itemNo: 'QHC-VASE-02' },
    { ebcCode: '3601260999', itemNo: 'GZ-ORANGE-5KG' },
  ]);
  assert.deepEqual(
    [...products.values()]
      .map((p) => [p.itemNo, p.gname, p.hsCode, p.unit, p.referencePrice, p.currency, p.quarantineCategory])
      .sort(),
    [
      ['GZ-ORANGE-5KG', '赣南脐橙 5 kg', '0805100000', '035', '68', '142', 'fresh_fruit'],
      ['QHC-BOWL-01', '青花瓷碗', '6911101900', '011', '150', '142', null],
      ['QHC-VASE-02', '青花瓷瓶', '6913100000', '011', '800', '142', null],
    ],
  );
});
