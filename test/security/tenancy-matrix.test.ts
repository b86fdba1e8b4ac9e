import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RegisteredRoute } from '../../src/server/app.ts';
import { DEMO_USERS, jurisdictionPrefix } from '../../src/modules/identity/index.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { makeParcel, message, PARTIES, siteMessages } from '../support/parcels.ts';
import { submitOk } from '../support/clearance.ts';

/**
 * The tenancy matrix (issue #9 point 3). Every route the app registers is walked for every demo
 * log-in and for an anonymous caller:
 *
 * 1. Duties: the route's declared permission decides, through the hand-written table below, who
 *    gets past the access hook. The table is keyed by permission, not by path, so a new route with
 *    an existing permission is covered without an edit, and a route naming a permission the table
 *    does not know fails the test until someone decides who may use it.
 * 2. Tenancy: every route with an `:id` is called by every enterprise and agency with ids of rows
 *    that are not theirs (another organisation's, or outside the agency's jurisdiction), found in
 *    every table of the database. The answer must be 404 (or a refusal), never a 2xx, and the
 *    database must be byte-for-byte unchanged afterwards.
 */

const ENTERPRISES = ['platform', 'seller', 'seller2', 'carrier', 'payer', 'broker', 'warehouse', 'overseas'];
const CUSTOMS = ['customs', 'inspection'];
const OTHER_AGENCIES = ['tax', 'forex', 'pboc', 'commerce'];
const AGENCIES = [...CUSTOMS, ...OTHER_AGENCIES];
const EVERYONE = [...ENTERPRISES, ...AGENCIES, 'admin'];

/** Who may pass the access hook, by permission. `anonymous` is the caller without credentials. */
const MATRIX: Readonly<Record<string, readonly string[]>> = {
  public: [...EVERYONE, 'anonymous'],
  authenticated: EVERYONE,
  'organisations.read_all': [...AGENCIES, 'admin'],
  'organisations.manage': ['admin'],
  'users.manage': [...ENTERPRISES, 'admin'],
  'apikeys.manage': [...ENTERPRISES, 'admin'],
  'audit.read': ['admin'],
  'filings.submit': [...ENTERPRISES, 'admin'],
  'filings.review': [...CUSTOMS, 'admin'],
  'ceb.submit': [...ENTERPRISES, 'admin'],
  'clearance.read': [...ENTERPRISES, ...CUSTOMS, 'admin'],
  'clearance.review': ['customs', 'admin'],
  'orders.import': [...ENTERPRISES, 'admin'],
  'orders.read': [...ENTERPRISES, 'admin'],
  'orders.declare': [...ENTERPRISES, 'admin'],
  'webhooks.manage': [...ENTERPRISES, 'admin'],
  'signatures.manage': [...ENTERPRISES, 'admin'],
  // risk & inspection (issue 5)
  'risk.read': [...CUSTOMS, 'admin'],
  'risk.manage': ['customs', 'admin'],
  'inspection.read': [...CUSTOMS, 'admin'],
  'inspection.work': [...CUSTOMS, 'admin'],
  'inspection.filing': [...ENTERPRISES, 'admin'],
  // statistics, credit, trace, parks (issue 8)
  'statistics.read': [...ENTERPRISES, ...CUSTOMS, 'commerce', 'admin'],
  'statistics.manage': ['commerce', 'admin'],
  'credit.read': [...ENTERPRISES, ...CUSTOMS, 'commerce', 'admin'],
  'credit.manage': [...CUSTOMS, 'commerce', 'admin'],
  'trace.manage': [...ENTERPRISES, ...CUSTOMS, 'admin'],
  'parks.manage': ['commerce', 'admin'],
  'parks.apply': [...ENTERPRISES, 'admin'],
  // summary declaration, tax, forex (issue 6)
  'summary.submit': [...ENTERPRISES, 'admin'],
  'summary.read': [...ENTERPRISES, 'customs', 'tax', 'forex', 'admin'],
  'tax.refunds': [...ENTERPRISES, 'tax', 'admin'],
  'tax.review': ['tax', 'admin'],
  'forex.submit': [...ENTERPRISES, 'admin'],
  'forex.read': [...ENTERPRISES, 'admin'],
  'forex.review': ['forex', 'admin'],
  'pboc.review': ['pboc', 'admin'],
  'evidence.read': [...ENTERPRISES, 'customs', 'tax', 'forex', 'admin'],
  // logistics, warehouses, overseas warehouses, service points (issue 7): the services check the
  // organisation's role (carrier, warehouse, overseas provider) on top.
  'logistics.manage': [...ENTERPRISES, 'admin'],
  'logistics.read': [...ENTERPRISES, 'admin'],
  'warehouse.operate': [...ENTERPRISES, 'admin'],
  'warehouse.book': [...ENTERPRISES, 'admin'],
  'overseas.manage': [...ENTERPRISES, 'admin'],
  'overseas.read': [...ENTERPRISES, 'admin'],
  'servicepoints.manage': [...ENTERPRISES, 'admin'],
  'servicepoints.request': [...ENTERPRISES, 'admin'],
};

/**
 * Clearance documents that name no customs office (orders, payments, waybills) are readable by
 * every customs agency today (clearance.service.ts `visible`): a national view by design, so the
 * jurisdiction walk does not count them as foreign to an agency.
 */
const NATIONAL_WHEN_PLACELESS = new Set(['clr_document']);

/**
 * Public catalogues (issue 8): courses, events and support programmes are published to every
 * enterprise, which may enrol or apply whatever organisation created them, so their ids are
 * nobody's foreign rows. What an enrolment or application creates (pk_enrolment, pk_application)
 * stays owned by the enterprise and is walked as usual.
 */
const PUBLIC_CATALOGUES = new Set(['pk_offering', 'pk_programme']);

/** Routes whose success changes the caller's own session: exercised last, separately. */
const SELF_ENDING = new Set(['POST /api/v1/auth/logout']);

let tp: TestPlatform;
const tokens: Record<string, string> = {};
const orgOf: Record<string, { id: string; kind: string; jurisdiction: string | null }> = {};

function routeKey(r: RegisteredRoute): string {
  return `${r.method} ${r.url}`;
}

function routes(): RegisteredRoute[] {
  // HEAD mirrors GET; the wildcard and documentation routes are public static files.
  return tp.platform.app.routeList.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
}

const NIL = '00000000-0000-7000-8000-000000000000';

/** Route parameters that hold a row's uuid; the rest are business keys (logisticsNo, code …). */
const isIdParam = (name: string): boolean => name === 'id' || name.endsWith('Id');

function fill(url: string, id = NIL, key = 'x'): string {
  return url.replace(/\*$/, 'x').replace(/:(\w+)/g, (_m, name: string) => (isIdParam(name) ? id : key));
}

interface Answer {
  status: number;
  code: string | undefined;
}

/** Over real HTTP: a granted stream (SSE) answers its status at once and is then cut off. */
async function call(r: RegisteredRoute, who: string, id?: string, key?: string, query?: string): Promise<Answer> {
  const token = who === 'anonymous' ? undefined : tokens[who];
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 15_000);
  try {
    const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}';
    const res = await fetch(new URL(`${fill(r.url, id, key)}${query ? `?${query}` : ''}`, tp.baseUrl), {
      method: r.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
      signal: ctl.signal,
    });
    if (/event-stream/.test(res.headers.get('content-type') ?? '')) {
      ctl.abort();
      return { status: res.status, code: undefined };
    }
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code };
  } finally {
    clearTimeout(timer);
  }
}

const VOLATILE_COLUMNS: Record<string, string[]> = { user_session: ['last_seen_at'], api_key: ['last_used_at'] };

/** A digest of every row of every table: a refused call must leave it identical. */
async function fingerprint(): Promise<string[]> {
  const db = tp.platform.database.db;
  // Audit entries of earlier requests are chained asynchronously: settle them first.
  await tp.platform.settle();
  const tables = await sql<{ t: string }>`
    select table_name as t from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    // Bookkeeping of the callers' own credentials moves with every authenticated call (idle
    // timeout, key last use): not a change the call made to anyone's data.
    const volatile = VOLATILE_COLUMNS[t] ?? [];
    const row = volatile.length ? sql`(to_jsonb(x) - ${volatile}::text[])` : sql`x`;
    const r = await sql<{ h: string | null }>`
      select md5(string_agg(md5(${row}::text), '' order by md5(${row}::text))) as h from ${sql.table(t)} x`.execute(db);
    parts.push(`${t}:${r.rows[0]?.h ?? ''}`);
  }
  return parts;
}

interface OwnedRow {
  table: string;
  id: string;
  orgs: string[];
  places: string[];
}

/**
 * Every row with a uuid `id` in every table, with the organisations it belongs to (columns
 * `*org_id`, `organisation_id`, `parties`, `readers`; an organisation belongs to itself) and the
 * places it lies in (`jurisdiction`, `customs_code`). New modules' tables join in automatically.
 */
async function ownedRows(): Promise<OwnedRow[]> {
  const db = tp.platform.database.db;
  const cols = await sql<{ t: string; c: string; type: string }>`
    select table_name as t, column_name as c, udt_name as type from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`.execute(db);
  const byTable = new Map<string, { c: string; type: string }[]>();
  for (const r of cols.rows) byTable.set(r.t, [...(byTable.get(r.t) ?? []), { c: r.c, type: r.type }]);
  const out: OwnedRow[] = [];
  for (const [t, cs] of byTable) {
    if (!cs.some((c) => c.c === 'id' && c.type === 'uuid')) continue;
    const orgCols = cs.filter((c) => /(^|_)org_id$|^organisation_id$/.test(c.c) && c.type === 'uuid').map((c) => c.c);
    const arrCols = cs.filter((c) => (c.c === 'parties' || c.c === 'readers') && c.type === '_uuid').map((c) => c.c);
    const placeCols = cs.filter((c) => c.c === 'jurisdiction' || c.c === 'customs_code').map((c) => c.c);
    const self = t === 'organisation' ? [sql`id::text`] : [];
    // A row of a user (a session, say) belongs to the user's organisation.
    const ofUser = cs.some((c) => c.c === 'user_id' && c.type === 'uuid')
      ? [sql`(select u.organisation_id::text from app_user u where u.id = x.user_id)`]
      : [];
    const orgExpr = sql.join([...self, ...ofUser, ...orgCols.map((c) => sql`${sql.ref(c)}::text`), sql`null`]);
    const arrExpr = arrCols.length
      ? sql.join(
          arrCols.map((c) => sql`coalesce(${sql.ref(c)}::text[], '{}')`),
          sql` || `,
        )
      : sql`'{}'::text[]`;
    const placeExpr = sql.join([...placeCols.map((c) => sql`${sql.ref(c)}::text`), sql`null`]);
    const rows = await sql<{ id: string; orgs: (string | null)[]; places: (string | null)[] }>`
      select id::text as id, array[${orgExpr}]::text[] || ${arrExpr} as orgs, array[${placeExpr}]::text[] as places
      from ${sql.table(t)} x order by id limit 60`.execute(db);
    for (const r of rows.rows) {
      out.push({
        table: t,
        id: r.id,
        orgs: r.orgs.filter((x): x is string => !!x),
        places: r.places.filter((x): x is string => !!x),
      });
    }
  }
  return out;
}

/** Rows the user must not see: another organisation's (enterprise), outside the jurisdiction (agency). */
function foreignTo(user: string, all: OwnedRow[]): OwnedRow[] {
  const org = orgOf[user]!;
  const rows = all.filter((r) => !PUBLIC_CATALOGUES.has(r.table));
  if (org.kind === 'enterprise') return rows.filter((r) => !r.orgs.includes(org.id));
  const prefix = jurisdictionPrefix(org.jurisdiction) ?? '\u0000';
  return rows.filter(
    (r) =>
      !r.orgs.includes(org.id) &&
      !r.places.some((p) => p.startsWith(prefix)) &&
      !(r.places.length === 0 && NATIONAL_WHEN_PLACELESS.has(r.table)),
  );
}

before(async () => {
  tp = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  for (const u of DEMO_USERS) tokens[u.username] = await login(tp.platform, u.username);
  const orgs = await sql<{ username: string; id: string; kind: string; jurisdiction: string | null }>`
    select u.username, o.id, o.kind, o.jurisdiction from app_user u join organisation o on o.id = u.organisation_id`.execute(
    tp.platform.database.db,
  );
  for (const o of orgs.rows) orgOf[o.username] = { id: o.id, kind: o.kind, jurisdiction: o.jurisdiction };

  // Documents of every kind among the demo parties: a full parcel and its site documents.
  const parcels = [makeParcel(1, 'TM'), makeParcel(2, 'TM')];
  // One inventory declared at a Shanghai office: outside Nanchang customs' jurisdiction.
  parcels[1]!.inventory.head.customsCode = '2244';
  const g = (p: number, n: number): string => `${String(p).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  await submitOk(
    tp,
    tokens.platform!,
    message(
      'CEB303',
      g(9303, 1),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
  );
  await submitOk(
    tp,
    tokens.payer!,
    message(
      'CEB403',
      g(9403, 1),
      PARTIES.payer,
      parcels.map((p) => p.payment),
    ),
  );
  await submitOk(
    tp,
    tokens.carrier!,
    message(
      'CEB505',
      g(9505, 1),
      PARTIES.carrier,
      parcels.map((p) => p.waybill),
    ),
  );
  await submitOk(
    tp,
    tokens.broker!,
    message(
      'CEB603',
      g(9603, 1),
      PARTIES.broker,
      parcels.map((p) => p.inventory),
    ),
  );
  const site = siteMessages(1, parcels, 'TM');
  await submitOk(tp, tokens.warehouse!, site.arrival);
  await tp.platform.settle();
  // A trace code of the seller: its events route is keyed by the code.
  const product = DEMO_PRODUCTS.find((x) => x.ebcCode === PARTIES.seller.code)!;
  const code = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/trace/codes',
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: { kind: 'unit', itemNo: product.itemNo, batchNo: 'TM-1', quantity: 1, producer: '景德镇 / Jingdezhen' },
  });
  assert.equal(code.statusCode, 201, code.body);
  // Owned configuration rows: an API key and a webhook of the seller, one of the payer.
  for (const who of ['seller', 'payer']) {
    const key = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${tokens[who]}` },
      payload: { name: `${who} erp` },
    });
    assert.equal(key.statusCode, 201, key.body);
    const hook = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { authorization: `Bearer ${tokens[who]}` },
      payload: { url: `http://127.0.0.1:9/${who}` },
    });
    assert.ok(hook.statusCode < 300, hook.body);
  }
});

after(async () => {
  await tp.stop();
});

describe('duties: who passes the access hook, by permission', () => {
  test('every route names a permission the matrix decides', () => {
    const undecided = routes()
      .filter((r) => r.permission === undefined || !(r.permission in MATRIX))
      .map((r) => `${routeKey(r)} → ${r.permission ?? '(none)'}`);
    assert.deepEqual(undecided, [], `add these permissions to MATRIX in ${import.meta.url}:\n${undecided.join('\n')}`);
  });

  test('the access hook grants exactly what the matrix says', async () => {
    // The hook's own rule (app.ts): public, or a principal that is authenticated or holds the permission.
    const wrong: string[] = [];
    for (const r of routes()) {
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of [...EVERYONE, 'anonymous']) {
        const p = who === 'anonymous' ? null : await tp.platform.auth.authenticate(tokens[who]!);
        const grants =
          r.permission === 'public' ||
          (p !== null && (r.permission === 'authenticated' || p.permissions.has(r.permission as never)));
        if (grants !== allowed.has(who))
          wrong.push(
            `${routeKey(r)} as ${who}: hook ${grants ? 'grants' : 'refuses'}, matrix ${allowed.has(who) ? 'allows' : 'refuses'}`,
          );
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('every demo log-in and the anonymous caller, on every route, over HTTP', async () => {
    const wrong: string[] = [];
    // Refusals first, between two fingerprints: a refused call changes nothing at all.
    const before = await fingerprint();
    for (const r of routes()) {
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of [...EVERYONE, 'anonymous'].filter((w) => !allowed.has(w))) {
        const a = await call(r, who);
        const want = who === 'anonymous' ? 401 : 403;
        if (a.status !== want) wrong.push(`${routeKey(r)} as ${who}: ${a.status} ${a.code ?? ''}, matrix says ${want}`);
      }
    }
    assert.deepEqual(await fingerprint(), before, 'a refused call changed the database');
    // Then the granted ones (empty bodies, nil ids): the service may still refuse by role or
    // scope (403/404) or as invalid (400), but the caller is never treated as unknown.
    for (const r of routes()) {
      if (SELF_ENDING.has(routeKey(r))) continue;
      for (const who of MATRIX[r.permission ?? ''] ?? []) {
        const a = await call(r, who);
        if (a.status === 401) wrong.push(`${routeKey(r)} as ${who}: 401, matrix allows`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('log-out ends the session it was called with, and only that one', async () => {
    const logout = routes().find((r) => routeKey(r) === 'POST /api/v1/auth/logout');
    assert.ok(logout);
    const other = tokens.seller2!;
    const token = await login(tp.platform, 'seller2');
    const res = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.ok(res.statusCode < 300, res.body);
    const me = (t: string) =>
      tp.platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${t}` } });
    assert.equal((await me(token)).statusCode, 401);
    assert.equal((await me(other)).statusCode, 200);
  });
});

describe('tenancy: foreign ids are refused (404, or 403 by role) and change nothing', () => {
  test('every :id route, every enterprise and agency, ids from every table that are not theirs', async () => {
    const rows = await ownedRows();
    const tablesSeen = new Set(rows.map((r) => r.table));
    for (const t of [
      'clr_document',
      'organisation',
      'app_user',
      'api_key',
      'whk_subscription',
      'enterprise_filing',
      'product_filing',
    ]) {
      assert.ok(tablesSeen.has(t), `no rows of ${t}: the setup should create some`);
    }
    const before = await fingerprint();
    const leaks: string[] = [];
    let calls = 0;
    // Every route keyed by a row's uuid, whatever its parameter is called (:id, :orgId, :sessionId …).
    const idRoutes = routes().filter((r) => [...r.url.matchAll(/:(\w+)/g)].some((m) => isIdParam(m[1]!)));
    assert.ok(idRoutes.length >= 10, `expected the :id routes, found ${idRoutes.length}`);
    for (const named of [
      '/api/v1/tax/profiles/:orgId',
      '/api/v1/risk/decisions/:inventoryId',
      '/api/v1/auth/sessions/:sessionId',
    ])
      assert.ok(
        idRoutes.some((r) => r.url === named),
        `${named} is walked`,
      );
    for (const r of idRoutes) {
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of [...ENTERPRISES, ...AGENCIES]) {
        if (!allowed.has(who)) continue;
        // A handful per table keeps the walk short; the ids differ per user.
        const perTable = new Map<string, OwnedRow[]>();
        for (const row of foreignTo(who, rows)) {
          const list = perTable.get(row.table) ?? [];
          if (list.length < 2) perTable.set(row.table, [...list, row]);
        }
        for (const row of [...perTable.values()].flat()) {
          const a = await call(r, who, row.id);
          calls++;
          // 2xx is a leak, 5xx a crash; 404 (not yours) and 403 (your role may not) are refusals, and
          // so is 400 where a body is sent: '{}' fails a write's schema before any lookup. A read
          // has no body to fail, so it must answer as for a row that does not exist.
          const refused = a.status === 404 || a.status === 403 || (a.status === 400 && r.method !== 'GET');
          if (!refused) leaks.push(`${routeKey(r)} as ${who} with ${row.table} ${row.id}: ${a.status}`);
        }
      }
    }
    assert.ok(calls > 500, `only ${calls} foreign-id calls`);
    assert.deepEqual(leaks, []);
    assert.deepEqual(await fingerprint(), before, 'a foreign-id call changed the database');
  });

  test('routes keyed by a business key (logistics number, order number, trace code) refuse other parties’ keys', async () => {
    const db = tp.platform.database.db;
    const parcels = await sql<{ key: string; orgs: string[]; place: string | null }>`
      select i.logistics_no as key, d.parties::text[] as orgs, d.customs_code as place
      from clr_inventory i join clr_document d on d.id = i.document_id`.execute(db);
    const codes = await sql<{
      key: string;
      orgs: string[];
    }>`select code as key, array[org_id::text] as orgs from tr_code`.execute(db);
    // An order number is unique per platform: the order routes take the platform code beside it.
    const orders = await sql<{ key: string; orgs: string[]; place: string | null; query: string }>`
      select substr(i.order_key, strpos(i.order_key, '|') + 1) as key, d.parties::text[] as orgs, d.customs_code as place,
        'ebpCode=' || split_part(i.order_key, '|', 1) as query
      from clr_inventory i join clr_document d on d.id = i.document_id`.execute(db);
    const keyed: Record<string, { key: string; orgs: string[]; place?: string | null; query?: string }[]> = {
      logisticsNo: parcels.rows,
      orderNo: orders.rows,
      code: codes.rows,
    };
    assert.ok(parcels.rows.length > 0 && codes.rows.length > 0, 'the setup declared parcels and made a trace code');
    const before = await fingerprint();
    const leaks: string[] = [];
    let calls = 0;
    for (const r of routes()) {
      // `:code` is a trace code under /trace/ only (elsewhere it names an entry of a code table).
      const param = [...r.url.matchAll(/:(\w+)/g)]
        .map((m) => m[1]!)
        .find((n) => n in keyed && (n !== 'code' || r.url.startsWith('/api/v1/trace/')));
      // The public trace pages answer anyone by design: a buyer scans the code.
      if (!param || r.permission === 'public') continue;
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of [...ENTERPRISES, ...AGENCIES].filter((w) => allowed.has(w))) {
        const org = orgOf[who]!;
        const prefix = jurisdictionPrefix(org.jurisdiction) ?? '\u0000';
        // An agency's foreign parcels lie outside its jurisdiction; trace codes have no place (an
        // inspection official may record on any), so only enterprises are walked with them.
        const foreign = keyed[param]!.filter(
          (x) =>
            !x.orgs.includes(org.id) &&
            (org.kind === 'enterprise' || (x.place !== undefined && !(x.place ?? '').startsWith(prefix))),
        );
        for (const x of foreign.slice(0, 2)) {
          const a = await call(r, who, NIL, x.key, x.query);
          calls++;
          const refused = a.status === 404 || a.status === 403 || (a.status === 400 && r.method !== 'GET');
          if (!refused) leaks.push(`${routeKey(r)} as ${who} with ${param} ${x.key}: ${a.status}`);
        }
      }
    }
    assert.ok(calls > 10, `only ${calls} foreign-key calls`);
    assert.deepEqual(leaks, []);
    assert.deepEqual(await fingerprint(), before, 'a foreign-key call changed the database');
  });

  test('control: the same routes answer an owner (the walk can see a leak)', async () => {
    const rows = await ownedRows();
    const doc = rows.find((r) => r.table === 'clr_document' && r.orgs.includes(orgOf.broker!.id));
    assert.ok(doc);
    const get = (who: string) =>
      tp.platform.app.inject({
        method: 'GET',
        url: `/api/v1/clearance/documents/${doc.id}`,
        headers: { authorization: `Bearer ${tokens[who]}` },
      });
    assert.equal((await get('broker')).statusCode, 200);
    assert.equal((await get('seller2')).statusCode, 404);
    const hook = rows.find((r) => r.table === 'whk_subscription' && r.orgs.includes(orgOf.seller!.id));
    assert.ok(hook);
    const pause = (who: string) =>
      tp.platform.app.inject({
        method: 'POST',
        url: `/api/v1/webhooks/${hook.id}/pause`,
        headers: { authorization: `Bearer ${tokens[who]}` },
        payload: {},
      });
    assert.equal((await pause('payer')).statusCode, 404);
    assert.ok((await pause('seller')).statusCode < 300);
  });
});
