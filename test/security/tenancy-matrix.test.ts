import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RegisteredRoute } from '../../src/server/app.ts';
import { DEMO_USERS, jurisdictionPrefix } from '../../src/modules/identity/index.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { makeParcel, message, parcelDocuments, PARTIES, siteMessages } from '../support/parcels.ts';
import { submitOk } from '../support/clearance.ts';
import { SchemaSampler, type OpenApiDoc } from './schema-sample.ts';

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
 *    database must be byte-for-byte unchanged afterwards. Writes carry the smallest body their
 *    route's schema accepts (schema-sample.ts), so the call reaches the service: a 400 from a
 *    failed schema is no proof that the ownership check exists.
 * 3. Business keys: every path parameter that is not an id (logisticsNo, orderNo, a trace code,
 *    an enterprise code) has a walker that feeds other parties' keys; a new one fails the test
 *    until it has one.
 * 4. Lists: every GET route without a path parameter is read by every enterprise, and every id
 *    and business key in the answer is looked up among the owned rows of every table: none may
 *    belong only to other enterprises.
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
 * Clearance documents that name no customs office (orders, payments, waybills) lie where the
 * inventories that name them lie (by order key or waybill key): an agency reads them only through
 * an inventory declared in its jurisdiction, so their places are those inventories' offices.
 */
async function linkedPlaces(): Promise<Map<string, string[]>> {
  const r = await sql<{ id: string; places: string[] }>`
    select d.id::text as id, array_agg(distinct v.customs_code) as places
    from clr_document d
    join clr_inventory i on (d.kind in ('order', 'payment') and i.order_key = d.business_key)
      or (d.kind = 'waybill' and i.waybill_key = d.business_key)
    join clr_document v on v.id = i.document_id and v.customs_code is not null
    where d.customs_code is null
    group by d.id`.execute(tp.platform.database.db);
  return new Map(r.rows.map((x) => [x.id, x.places]));
}

/**
 * Public catalogues (issue 8): courses, events and support programmes are published to every
 * enterprise, which may enrol or apply whatever organisation created them, so their ids are
 * nobody's foreign rows; parks are published too, and the provincial commerce department keeps
 * every park's member list. What an enrolment or application creates (pk_enrolment,
 * pk_application) stays owned by the enterprise and is walked as usual.
 */
const PUBLIC_CATALOGUES = new Set(['pk_offering', 'pk_programme', 'pk_park']);

/**
 * What one enterprise publishes for the others to choose from, so every enterprise's lists name
 * them: carriers' services and destinations (lgx_service), overseas warehouses (ovs_warehouse);
 * and the organisations themselves, whose id, name and code every document between parties
 * carries. The list walk does not count their ids as foreign; the :id walk still does (they are
 * not others' to change).
 */
const DIRECTORIES = new Set(['organisation', 'lgx_service', 'ovs_warehouse']);

/** Routes whose success changes the caller's own session: exercised last, separately. */
const SELF_ENDING = new Set(['POST /api/v1/auth/logout']);

let tp: TestPlatform;
let sampler: SchemaSampler;
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
  /** The body as text, and its media type (empty for a stream). */
  text: string;
  type: string;
}

/**
 * Over real HTTP: a granted stream (SSE) answers its status at once and is then cut off. A write
 * sends `payload` as JSON, or `{}` when none is given.
 */
async function call(
  r: RegisteredRoute,
  who: string,
  id?: string,
  key?: string,
  query?: string,
  payload?: unknown,
): Promise<Answer> {
  const token = who === 'anonymous' ? undefined : tokens[who];
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 15_000);
  try {
    const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : JSON.stringify(payload ?? {});
    const res = await fetch(new URL(`${fill(r.url, id, key)}${query ? `?${query}` : ''}`, tp.baseUrl), {
      method: r.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
      signal: ctl.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    if (/event-stream/.test(type)) {
      ctl.abort();
      return { status: res.status, code: undefined, text: '', type };
    }
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code, text, type };
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
type Column = { c: string; type: string };

/** The columns of every table of the database, by table. */
async function tableColumns(): Promise<Map<string, Column[]>> {
  const cols = await sql<{ t: string; c: string; type: string }>`
    select table_name as t, column_name as c, udt_name as type from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`.execute(tp.platform.database.db);
  const byTable = new Map<string, Column[]>();
  for (const r of cols.rows) byTable.set(r.t, [...(byTable.get(r.t) ?? []), { c: r.c, type: r.type }]);
  return byTable;
}

/**
 * The organisations a row of table `t` belongs to, as a text[] expression over the row `x`
 * (null entries included): its `*org_id` / `organisation_id` columns, `parties` and `readers`,
 * the organisation of its `user_id`, an organisation itself; with `viaDocument`, also the parties
 * of the customs document its `document_id` names. `null` when the table says nothing of owners.
 */
function ownersOf(t: string, cs: Column[], viaDocument = false) {
  const orgCols = cs.filter((c) => /(^|_)org_id$|^organisation_id$/.test(c.c) && c.type === 'uuid').map((c) => c.c);
  const arrCols = cs.filter((c) => (c.c === 'parties' || c.c === 'readers') && c.type === '_uuid').map((c) => c.c);
  const self = t === 'organisation' ? [sql`id::text`] : [];
  // A row of a user (a session, say) belongs to the user's organisation.
  const ofUser = cs.some((c) => c.c === 'user_id' && c.type === 'uuid')
    ? [sql`(select u.organisation_id::text from app_user u where u.id = x.user_id)`]
    : [];
  const ofDocument =
    viaDocument && t !== 'clr_document' && cs.some((c) => c.c === 'document_id' && c.type === 'uuid')
      ? [sql`coalesce((select d.parties::text[] from clr_document d where d.id = x.document_id), '{}')`]
      : [];
  if (!self.length && !ofUser.length && !orgCols.length && !arrCols.length && !ofDocument.length) return null;
  const orgExpr = sql.join([...self, ...ofUser, ...orgCols.map((c) => sql`${sql.ref(c)}::text`), sql`null`]);
  const arrExpr = sql.join(
    [...arrCols.map((c) => sql`coalesce(${sql.ref(c)}::text[], '{}')`), ...ofDocument, sql`'{}'::text[]`],
    sql` || `,
  );
  return sql<(string | null)[]>`(array[${orgExpr}]::text[] || ${arrExpr})`;
}

async function ownedRows(perTable = 60): Promise<OwnedRow[]> {
  const db = tp.platform.database.db;
  const out: OwnedRow[] = [];
  const linked = await linkedPlaces();
  for (const [t, cs] of await tableColumns()) {
    if (!cs.some((c) => c.c === 'id' && c.type === 'uuid')) continue;
    const placeCols = cs.filter((c) => c.c === 'jurisdiction' || c.c === 'customs_code').map((c) => c.c);
    const orgsExpr = ownersOf(t, cs) ?? sql`'{}'::text[]`;
    // A row without a place of its own (a filing, a user) lies where its organisations are: their
    // competent customs office.
    const placesExpr = placeCols.length
      ? sql`array[${sql.join([...placeCols.map((c) => sql`${sql.ref(c)}::text`), sql`null`])}]::text[]`
      : sql`coalesce((select array_agg(o.jurisdiction) from organisation o where o.id::text = any(${orgsExpr})), '{}')::text[]`;
    const rows = await sql<{ id: string; orgs: (string | null)[]; places: (string | null)[] }>`
      select id::text as id, ${orgsExpr} as orgs, ${placesExpr} as places
      from ${sql.table(t)} x order by id limit ${perTable}`.execute(db);
    for (const r of rows.rows) {
      const places = r.places.filter((x): x is string => !!x);
      out.push({
        table: t,
        id: r.id,
        orgs: r.orgs.filter((x): x is string => !!x),
        places: places.length === 0 && t === 'clr_document' ? (linked.get(r.id) ?? []) : places,
      });
    }
  }
  return out;
}

/** Business keys shared across tables: the column name, and the field name in JSON and documents' `head`. */
const KEY_FIELDS: Readonly<Record<string, string>> = {
  order_no: 'orderNo',
  logistics_no: 'logisticsNo',
  invt_no: 'invtNo',
  pre_no: 'preNo',
  bill_no: 'billNo',
};

interface OwnedKey {
  field: string;
  orgs: Set<string>;
  tables: Set<string>;
}

/**
 * Every business key held anywhere (a column named in KEY_FIELDS, or the same field in a jsonb
 * `head` or in the elements of a jsonb `lines`), with every organisation that owns a row holding it (ownersOf, through the customs
 * document too). A key belongs to all of them: an order number is the platform's, the seller's,
 * the payer's … Tables that say nothing of owners are left out. New tables join in automatically.
 */
async function ownedKeys(): Promise<Map<string, OwnedKey>> {
  const db = tp.platform.database.db;
  const out = new Map<string, OwnedKey>();
  for (const [t, cs] of await tableColumns()) {
    const orgsExpr = ownersOf(t, cs, true);
    if (!orgsExpr) continue;
    const sources = [
      ...cs
        .filter((c) => c.c in KEY_FIELDS && (c.type === 'text' || c.type === 'varchar'))
        .map((c) => ({ field: KEY_FIELDS[c.c]!, expr: sql<string>`${sql.ref(c.c)}` })),
      ...(cs.some((c) => c.c === 'head' && c.type === 'jsonb')
        ? Object.values(KEY_FIELDS).map((f) => ({ field: f, expr: sql<string>`x.head->>${f}` }))
        : []),
      // A document's lines: an arrival or a consolidation lists its parcels there.
      ...(cs.some((c) => c.c === 'lines' && c.type === 'jsonb')
        ? Object.values(KEY_FIELDS).map((f) => ({ field: f, expr: sql<string>`l.value->>${f}` }))
        : []),
    ];
    const lines = cs.some((c) => c.c === 'lines' && c.type === 'jsonb')
      ? sql`left join lateral jsonb_array_elements(
          case when jsonb_typeof(x.lines) = 'array' then x.lines else '[]'::jsonb end) l on true`
      : sql``;
    for (const { field, expr } of sources) {
      const rows = await sql<{ k: string; orgs: (string | null)[] }>`
        select distinct ${expr} as k, ${orgsExpr} as orgs from ${sql.table(t)} x ${lines}
        where ${expr} is not null and ${expr} <> ''`.execute(db);
      for (const r of rows.rows) {
        const entry = out.get(r.k) ?? { field, orgs: new Set<string>(), tables: new Set<string>() };
        for (const o of r.orgs) if (o) entry.orgs.add(o);
        entry.tables.add(t);
        out.set(r.k, entry);
      }
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
  return rows.filter((r) => !r.orgs.includes(org.id) && !r.places.some((p) => p.startsWith(prefix)));
}

/** Strings a service checks beyond what its route's schema states (see SchemaSampler's hints); none today. */
const SAMPLE_HINTS: Readonly<Record<string, unknown>> = {};

interface Probe {
  query: string;
  body?: unknown;
  /** Every property filled: tried when the smallest body is refused as invalid. */
  full?: unknown;
  /** Why no body the schema accepts could be made (the walk would prove nothing). */
  problem?: string;
}

/** The smallest request a route's own schema accepts: required query parameters and, for a write, the body. */
function probe(r: RegisteredRoute): Probe {
  const op = sampler.operation(r.method, r.url);
  try {
    const query = sampler.query(op);
    if (r.method === 'GET' || r.method === 'DELETE') return { query };
    const schema = sampler.bodySchema(op);
    if (!schema) return { query, body: {} };
    const body = sampler.sample(schema);
    const full = sampler.sample(schema, 0, true);
    const problems = [body, full]
      .map((b) => ({ b, check: sampler.accepts(schema, b) }))
      .filter((x) => !x.check.ok)
      .map((x) => `${JSON.stringify(x.b)}: ${x.check.errors}`);
    return { query, body, full, ...(problems.length ? { problem: problems.join(' | ') } : {}) };
  } catch (e) {
    return { query: '', problem: String(e) };
  }
}

interface Finding {
  route: string;
  who: string;
  /** What was fed or found: a table (with a row id), a business key's field. */
  what: string;
  example: string;
  answer: string;
}

/** Findings by route and answer, with who and what: a failing walk reads as a list of routes, not of calls. */
function grouped(findings: Finding[]): string[] {
  const by = new Map<string, { who: Set<string>; what: Set<string>; n: number; example: string }>();
  for (const f of findings) {
    const key = `${f.route} → ${f.answer}`;
    const g = by.get(key) ?? { who: new Set<string>(), what: new Set<string>(), n: 0, example: f.example };
    g.who.add(f.who);
    g.what.add(f.what);
    g.n++;
    by.set(key, g);
  }
  return [...by].map(
    ([key, g]) => `${key} as ${[...g.who].join(',')} with ${[...g.what].join(',')} (${g.n}×, e.g. ${g.example})`,
  );
}

/**
 * Routes that judged a write's body before looking the row up: the smallest body was refused as
 * invalid (400) and the full one as not the caller's (404/403). No leak — a foreign id answers as
 * a missing one — but worth knowing; the walks print them.
 */
const validatesFirst = new Set<string>();

/**
 * Calls a route with the smallest body its schema accepts (a write) and, when the service refuses
 * that as invalid, again with every property filled: the answer that counts is the one past
 * validation.
 */
async function callValid(r: RegisteredRoute, who: string, p: Probe, id?: string, key?: string, query?: string): Promise<Answer> {
  const a = await call(r, who, id, key, query, p.body);
  if (a.status !== 400 || p.full === undefined || r.method === 'GET') return a;
  const again = await call(r, who, id, key, query, p.full);
  if (again.status === 404 || again.status === 403) validatesFirst.add(`${routeKey(r)} (${answered(a)})`);
  return again;
}

/** How a refused call answered, for the message of a failing walk. */
function answered(a: Answer): string {
  let detail = '';
  try {
    const p = JSON.parse(a.text) as { errors?: { field?: string; rule?: string }[] };
    detail = (p.errors ?? []).map((e) => `${e.field ?? ''}:${e.rule ?? ''}`).join(',');
  } catch {
    detail = '';
  }
  return `${a.status} ${a.code ?? ''}${detail ? ` [${detail}]` : ''}`;
}

before(async () => {
  tp = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  for (const u of DEMO_USERS) tokens[u.username] = await login(tp.platform, u.username);
  const orgs = await sql<{ username: string; id: string; kind: string; jurisdiction: string | null }>`
    select u.username, o.id, o.kind, o.jurisdiction from app_user u join organisation o on o.id = u.organisation_id`.execute(
    tp.platform.database.db,
  );
  for (const o of orgs.rows) orgOf[o.username] = { id: o.id, kind: o.kind, jurisdiction: o.jurisdiction };

  sampler = new SchemaSampler(tp.platform.app.swagger() as unknown as OpenApiDoc, SAMPLE_HINTS);

  // Documents of every kind among the demo parties: a full parcel and its site documents.
  const parcels = [makeParcel(1, 'TM'), makeParcel(2, 'TM')];
  // One inventory declared at a Shanghai office: outside Nanchang customs' jurisdiction.
  parcels[1]!.inventory.head.customsCode = '2244';
  // A parcel of the second seller, through the same platform, payer, carrier and broker: each
  // seller's lists must show its own parcels and not the other's.
  const orange = DEMO_PRODUCTS.find((x) => x.ebcCode === '3601260999')!;
  parcels.push(
    parcelDocuments(3, 'TM', {
      platform: PARTIES.platform,
      seller: { code: '3601260999', name: '赣州脐橙电商有限公司' },
      payer: PARTIES.payer,
      carrier: PARTIES.carrier,
      lines: [{ p: orange, qty: 2 }],
      country: '502',
      goodsInfo: '脐橙 navel oranges',
    }),
  );
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
  const accepted = await sql<{ ebc: string; n: number }>`
    select i.ebc_code as ebc, count(*)::int as n from clr_inventory i join clr_document d on d.id = i.document_id
    where d.live group by 1 order by 1`.execute(tp.platform.database.db);
  assert.deepEqual(
    accepted.rows,
    [
      { ebc: '3601260888', n: 2 },
      { ebc: '3601260999', n: 1 },
    ],
    'both sellers’ inventories were accepted',
  );
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
  test('every :id route, every enterprise and agency, ids from every table that are not theirs', async (t) => {
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
    const leaks: Finding[] = [];
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
        const p = probe(r);
        for (const row of [...perTable.values()].flat()) {
          const a = await callValid(r, who, p, row.id, undefined, p.query);
          calls++;
          // 2xx is a leak, 5xx a crash; 404 (not yours) and 403 (your role may not) are refusals.
          // A write carries a body its schema accepts, so a 400 means the service judged the
          // body of a row the caller may not see: the ownership check must come first.
          if (a.status !== 404 && a.status !== 403) {
            leaks.push({ route: routeKey(r), who, what: row.table, example: row.id, answer: answered(a) });
          }
        }
      }
    }
    assert.ok(calls > 500, `only ${calls} foreign-id calls`);
    for (const v of validatesFirst) t.diagnostic(`judges the body before the ownership check: ${v}`);
    assert.deepEqual(grouped(leaks), []);
    assert.deepEqual(await fingerprint(), before, 'a foreign-id call changed the database');
  });

  test('every write’s schema has a sample body: the walks reach the services', () => {
    const unsampled = routes()
      .filter((r) => r.method !== 'GET')
      .map((r) => ({ r, p: probe(r) }))
      .filter(({ p }) => p.problem)
      .map(({ r, p }) => `${routeKey(r)}: ${p.problem}`);
    assert.deepEqual(unsampled, [], 'teach schema-sample.ts these schemas');
  });

  test('routes keyed by a business key (logistics number, order number, trace code, enterprise code) refuse other parties’ keys', async () => {
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
    // An enterprise's customs code names the enterprise: its place is its competent customs office.
    const enterprises = await sql<{ key: string; orgs: string[]; place: string | null }>`
      select customs_code as key, array[id::text] as orgs, jurisdiction as place
      from organisation where kind = 'enterprise' and customs_code is not null`.execute(db);
    type Keyed = { key: string; orgs: string[]; place?: string | null; query?: string };
    /** The walkers, by parameter name; `applies` narrows a name used for something else elsewhere. */
    const walkers: Record<string, { keys: Keyed[]; applies?: (url: string) => boolean }> = {
      logisticsNo: { keys: parcels.rows },
      orderNo: { keys: orders.rows },
      // `:code` is a trace code under /trace/ (under /codes/ it names an entry of a code table).
      code: { keys: codes.rows, applies: (url) => url.startsWith('/api/v1/trace/') },
      enterpriseCode: { keys: enterprises.rows },
    };
    /** Path parameters that name shared reference data, owned by nobody: the customs code tables. */
    const reference = (url: string, name: string): boolean =>
      url.startsWith('/api/v1/codes/') && (name === 'table' || name === 'code');
    assert.ok(parcels.rows.length > 0 && codes.rows.length > 0, 'the setup declared parcels and made a trace code');

    // Every business-key parameter of a route that is not public has a walker.
    const unwalked = routes()
      .filter((r) => r.permission !== 'public')
      .flatMap((r) =>
        [...r.url.matchAll(/:(\w+)/g)]
          .map((m) => m[1]!)
          .filter((n) => !isIdParam(n) && !reference(r.url, n))
          .filter((n) => !walkers[n] || !(walkers[n].applies?.(r.url) ?? true))
          .map((n) => `${routeKey(r)} :${n}`),
      );
    assert.deepEqual(unwalked, [], 'add a walker (keys of other parties) for these path parameters');

    const before = await fingerprint();
    const leaks: Finding[] = [];
    let calls = 0;
    for (const r of routes()) {
      const param = [...r.url.matchAll(/:(\w+)/g)]
        .map((m) => m[1]!)
        .find((n) => walkers[n] && (walkers[n].applies?.(r.url) ?? true));
      // The public trace pages answer anyone by design: a buyer scans the code.
      if (!param || r.permission === 'public') continue;
      const p = probe(r);
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of [...ENTERPRISES, ...AGENCIES].filter((w) => allowed.has(w))) {
        const org = orgOf[who]!;
        const prefix = jurisdictionPrefix(org.jurisdiction) ?? '\u0000';
        // An agency's foreign parcels and enterprises lie outside its jurisdiction; trace codes
        // have no place (an inspection official may record on any), so only enterprises are
        // walked with them.
        const foreign = walkers[param]!.keys.filter(
          (x) =>
            !x.orgs.includes(org.id) &&
            (org.kind === 'enterprise' || (x.place !== undefined && !(x.place ?? '').startsWith(prefix))),
        );
        for (const x of foreign.slice(0, 2)) {
          const a = await callValid(r, who, p, NIL, x.key, [x.query, p.query].filter(Boolean).join('&'));
          calls++;
          // As for ids: a write carries a body its schema accepts, so only 404 and 403 refuse.
          if (a.status !== 404 && a.status !== 403) {
            leaks.push({ route: routeKey(r), who, what: param, example: x.key, answer: answered(a) });
          }
        }
      }
    }
    assert.ok(calls > 10, `only ${calls} foreign-key calls`);
    assert.deepEqual(grouped(leaks), []);
    assert.deepEqual(await fingerprint(), before, 'a foreign-key call changed the database');
  });

  test('control: the same routes answer an owner (the walk can see a leak)', async () => {
    const rows = await ownedRows();
    const doc = rows.find(
      (r) => r.table === 'clr_document' && r.orgs.includes(orgOf.broker!.id) && !r.orgs.includes(orgOf.seller2!.id),
    );
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

describe('lists: what an enterprise reads names nothing of other enterprises', () => {
  const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

  /** Every string in an answer: JSON values and keys, or the tokens of a text (CSV, XML). */
  function stringsIn(a: Answer): string[] {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          out.push(k);
          walk(x);
        }
      }
    };
    if (/json/.test(a.type)) {
      try {
        walk(JSON.parse(a.text));
        return out;
      } catch {
        // not JSON after all: read it as text
      }
    }
    if (/^text\/|xml|csv/.test(a.type)) return a.text.split(/[\s,;"'<>=&|]+/).filter(Boolean);
    return out;
  }

  test('every GET list route, every enterprise: no id or business key that only other organisations own', async () => {
    const rows = await ownedRows(1_000_000);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const keys = await ownedKeys();
    const ownerKind = new Map(Object.values(orgOf).map((o) => [o.id, o.kind]));
    const lists = routes().filter((r) => r.method === 'GET' && !/[:*]/.test(r.url) && r.permission !== 'public');
    assert.ok(lists.length >= 30, `expected the list routes, found ${lists.length}`);
    const found: Finding[] = [];
    const crashes: string[] = [];
    const ownKeysSeen = new Map<string, number>();
    let reads = 0;
    for (const r of lists) {
      const { query } = probe(r);
      const allowed = new Set(MATRIX[r.permission ?? ''] ?? []);
      for (const who of ENTERPRISES.filter((w) => allowed.has(w))) {
        const org = orgOf[who]!.id;
        const a = await call(r, who, undefined, undefined, query);
        if (a.status >= 500) crashes.push(`${routeKey(r)} as ${who}: ${answered(a)}`);
        if (a.status !== 200) continue;
        reads++;
        const flag = (what: string, example: string, owners: Iterable<string>): void => {
          const kinds = [...new Set([...owners].map((o) => ownerKind.get(o) ?? 'other'))].join('/');
          found.push({ route: routeKey(r), who, what: `${what} (${kinds}’s)`, example, answer: 'shows' });
        };
        for (const v of new Set(stringsIn(a))) {
          for (const id of v.match(UUIDS) ?? []) {
            const row = byId.get(id.toLowerCase());
            if (!row || row.orgs.length === 0 || row.orgs.includes(org)) continue;
            if (PUBLIC_CATALOGUES.has(row.table) || DIRECTORIES.has(row.table)) continue;
            flag(row.table, row.id, row.orgs);
          }
          const key = keys.get(v);
          if (!key || key.orgs.size === 0) continue;
          if (key.orgs.has(org)) ownKeysSeen.set(who, (ownKeysSeen.get(who) ?? 0) + 1);
          else flag(`${key.field} of ${[...key.tables].join('/')}`, v, key.orgs);
        }
      }
    }
    assert.ok(reads > 100, `only ${reads} list reads answered 200`);
    // Control: the lists do show each seller its own parcels, so they could show another's.
    for (const who of ['seller', 'seller2', 'broker', 'carrier']) {
      assert.ok((ownKeysSeen.get(who) ?? 0) > 0, `${who} saw none of its own business keys in any list`);
    }
    assert.deepEqual(crashes, []);
    assert.deepEqual(grouped(found), []);
  });
});
