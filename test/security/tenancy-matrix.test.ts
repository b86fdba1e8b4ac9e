import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import type { RegisteredRoute } from '../../src/server/app.ts';
import { DEMO_USERS, jurisdictionPrefix } from '../../src/modules/identity/index.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { seedStatisticsDemo } from '../../src/modules/statistics/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { makeParcel, message, parcelDocuments, PARTIES, siteMessages } from '../support/parcels.ts';
import { submitOk } from '../support/clearance.ts';
import { SchemaSampler, type JsonSchema, type OpenApiDoc } from './schema-sample.ts';

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
 *    same (status and problem code) as for a random id of the same shape that names no row: a
 *    foreign id is answered as a missing one, so an answer cannot tell that the row exists —
 *    to an enterprise 404, or the 403 its role gets for any id. The database must be
 *    byte-for-byte unchanged afterwards. Writes carry the smallest body their route's schema
 *    accepts (schema-sample.ts), so the call reaches the service: a 400 from a failed schema is
 *    no proof that the ownership check exists.
 * 3. Business keys: every path parameter that is not an id (logisticsNo, orderNo, a trace code,
 *    an enterprise code) has a walker that feeds other parties' keys; a new one fails the test
 *    until it has one.
 * 4. Lists: every GET route without a path parameter is read by every enterprise, and every id
 *    and business key in the answer is looked up among the owned rows of every table: none may
 *    belong only to other enterprises.
 * 5. Jurisdictions: every demo agency user has a far twin, the same duties in district 5100
 *    (Guangzhou), registered through the operator's routes. The twins join walks 1–3 (fed the
 *    district-4000 rows and keys first; a control checks their demo twins do read those rows),
 *    and every agency and twin reads every list — each enumerated query value too (statistics by
 *    enterprise …) and the reads keyed by a published row (a park's members) — and finds no id,
 *    business key or enterprise code outside its jurisdiction. Writes without a path id that name
 *    a row or an enterprise in their body (recompute ratings, open a credit case) are sent with
 *    the foreign ones: refused, and the database unchanged.
 */

const ENTERPRISES = ['platform', 'seller', 'seller2', 'carrier', 'payer', 'broker', 'warehouse', 'overseas'];
const CUSTOMS = ['customs', 'inspection'];
const OTHER_AGENCIES = ['tax', 'forex', 'pboc', 'commerce'];
const AGENCIES = [...CUSTOMS, ...OTHER_AGENCIES];
const EVERYONE = [...ENTERPRISES, ...AGENCIES, 'admin'];

/**
 * Agencies of another customs district ("agencies are limited to their jurisdiction"). Every demo
 * agency lies in district 4000 (Nanchang). For each demo agency user the setup registers, through
 * the operator's own routes (POST /organisations, POST /users), an organisation of the same duties
 * in district 5100 (Guangzhou) and a user of the same roles there: its far twin. A far twin passes
 * the access hook exactly where its demo twin does (the duty walk proves it) and must then read,
 * list and change none of what lies in district 4000.
 */
const FAR_JURISDICTION = '5100';
const farTwin = (user: string): string => `${user}.gz`;
const FAR = AGENCIES.map(farTwin);
/** The demo agency a far twin mirrors (itself for everyone else). */
const nearTwin = (user: string): string => (FAR.includes(user) ? user.slice(0, -'.gz'.length) : user);
const FAR_PASSWORD = 'Far-District-5100!';

/** Who may pass the access hook on a route: the matrix's users, and the far twins of its agencies. */
function allowedOn(r: RegisteredRoute): Set<string> {
  const users = MATRIX[r.permission ?? ''] ?? [];
  return new Set([...users, ...users.filter((u) => AGENCIES.includes(u)).map(farTwin)]);
}

/** Who may pass the access hook, by permission. `anonymous` is the caller without credentials. */
const MATRIX: Readonly<Record<string, readonly string[]>> = {
  public: [...EVERYONE, 'anonymous'],
  authenticated: EVERYONE,
  'organisations.read_all': [...AGENCIES, 'admin'],
  // the filed enterprises' codes, names and roles by role (what single windows publish): enterprises
  // pick their centre or carrier there; agencies read their jurisdiction through read_all
  'organisations.directory': [...ENTERPRISES, 'admin'],
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
  'summary.calendar': ['customs', 'admin'],
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
 * Public catalogues (issue 8): parks, courses, events and support programmes are published to
 * every enterprise, which may enrol or apply whatever department created them, so to an
 * enterprise their ids are nobody's foreign rows. To an agency they are rows like any other: each
 * is owned by the department that created it (`owner_org_id`, parks migration 004), which alone
 * reads its members, roster and applications and manages it, so an agency's walks count them by
 * their owner (`catalogueTo`). What an enrolment or application creates (pk_enrolment,
 * pk_application) stays owned by the enterprise and is walked as usual.
 */
const PUBLIC_CATALOGUES = new Set(['pk_offering', 'pk_programme', 'pk_park']);
/** Whether a row is a public catalogue entry to this user: to an enterprise, not to an agency. */
const catalogueTo = (user: string, table: string): boolean => PUBLIC_CATALOGUES.has(table) && orgOf[user]?.kind !== 'agency';

/**
 * What one enterprise publishes for the others to choose from, so every enterprise's lists name
 * them: carriers' services and destinations (lgx_service), overseas warehouses (ovs_warehouse);
 * and the organisations themselves, whose id, name and code every document between parties
 * carries. The list walk does not count their ids as foreign; the :id walk still does (they are
 * not others' to change).
 */
const DIRECTORIES = new Set(['organisation', 'lgx_service', 'ovs_warehouse']);

/**
 * Findings of the walks not yet decided: set aside, and listed by the last test as a todo (visible
 * in every run, not failing CI) until someone decides them. None today. The commerce desks were
 * (issue #9): decided that parks, courses and events, and programmes are owned by the department
 * that created them, which alone manages them, and that commerce sees the statistics of its
 * jurisdiction as customs does — the far commerce twin is walked like every other agency.
 */
const UNDECIDED: { route: RegExp; who: string }[] = [];
const deferred: Finding[] = [];

/** The findings to fail on; the undecided ones go to `deferred`. */
function triage(findings: Finding[]): Finding[] {
  const undecided = (f: Finding): boolean => UNDECIDED.some((u) => u.who === f.who && u.route.test(f.route));
  deferred.push(...findings.filter(undecided));
  return findings.filter((f) => !undecided(f));
}

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

/** A random uuid of the same shape as `id` (its version and variant kept): in all likelihood no row's. */
function lookalike(id: string): string {
  const hex = '0123456789abcdef';
  return id.replace(/[0-9a-f]/gi, (c, at: number) => (at === 14 || at === 19 ? c : hex[randomInt(16)]!));
}

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

/** Runs `fn` over the items, `n` at a time. */
async function inPool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
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

/**
 * The places a row of a table lies in, as a text[] expression over the row `x`: its `jurisdiction`
 * and `customs_code` columns; a row without a place of its own (a filing, a user) lies where its
 * organisations (`orgsExpr`) are, their competent customs office.
 */
function placesOf(t: string, cs: Column[], orgsExpr: RawBuilder<unknown>) {
  // An organisation's customs_code is its enterprise code, not an office.
  const placeCols = cs.filter((c) => c.c === 'jurisdiction' || (c.c === 'customs_code' && t !== 'organisation')).map((c) => c.c);
  return placeCols.length
    ? sql<(string | null)[]>`array[${sql.join([...placeCols.map((c) => sql`${sql.ref(c)}::text`), sql`null`])}]::text[]`
    : sql<
        (string | null)[]
      >`coalesce((select array_agg(o.jurisdiction) from organisation o where o.id::text = any(${orgsExpr})), '{}')::text[]`;
}

async function ownedRows(perTable = 60): Promise<OwnedRow[]> {
  const db = tp.platform.database.db;
  const out: OwnedRow[] = [];
  const linked = await linkedPlaces();
  for (const [t, cs] of await tableColumns()) {
    if (!cs.some((c) => c.c === 'id' && c.type === 'uuid')) continue;
    const orgsExpr = ownersOf(t, cs) ?? sql`'{}'::text[]`;
    const placesExpr = placesOf(t, cs, orgsExpr);
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
  /** where the rows holding it lie (placesOf; a customs document's office, or its inventories') */
  places: Set<string>;
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
  const linked = await linkedPlaces();
  for (const [t, cs] of await tableColumns()) {
    const orgsExpr = ownersOf(t, cs, true);
    if (!orgsExpr) continue;
    // A row of a customs document lies at the document's office too.
    const ofDocument =
      t !== 'clr_document' && cs.some((c) => c.c === 'document_id' && c.type === 'uuid')
        ? sql`coalesce((select array[d.customs_code] from clr_document d where d.id = x.document_id), '{}')`
        : sql`'{}'::text[]`;
    const placesExpr = sql<(string | null)[]>`(${placesOf(t, cs, orgsExpr)} || ${ofDocument})`;
    const idExpr = cs.some((c) => c.c === 'id' && c.type === 'uuid') ? sql`x.id::text` : sql`null::text`;
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
      const rows = await sql<{ k: string; id: string | null; orgs: (string | null)[]; places: (string | null)[] }>`
        select distinct ${expr} as k, ${idExpr} as id, ${orgsExpr} as orgs, ${placesExpr} as places
        from ${sql.table(t)} x ${lines}
        where ${expr} is not null and ${expr} <> ''`.execute(db);
      for (const r of rows.rows) {
        const entry = out.get(r.k) ?? { field, orgs: new Set<string>(), places: new Set<string>(), tables: new Set<string>() };
        for (const o of r.orgs) if (o) entry.orgs.add(o);
        const places = r.places.filter((x): x is string => !!x);
        for (const p of places.length === 0 && t === 'clr_document' && r.id ? (linked.get(r.id) ?? []) : places)
          entry.places.add(p);
        entry.tables.add(t);
        out.set(r.k, entry);
      }
    }
  }
  return out;
}

/** The prefix of the places a user's agency covers ('\u0000', nothing, for anyone else). */
function prefixOf(user: string): string {
  const org = orgOf[user]!;
  return (org.kind === 'agency' ? jurisdictionPrefix(org.jurisdiction) : null) ?? '\u0000';
}

/** Whether the user must not see a row or key: another organisation's (enterprise), outside the jurisdiction (agency). */
function isForeign(user: string, x: { orgs: Iterable<string>; places: Iterable<string> }): boolean {
  const org = orgOf[user]!;
  if ([...x.orgs].includes(org.id)) return false;
  if (org.kind === 'enterprise') return true;
  const prefix = prefixOf(user);
  return ![...x.places].some((p) => p.startsWith(prefix));
}

/**
 * Rows the user must not see. For a far twin, those in its demo twin's jurisdiction first: the
 * district-4000 rows are the ones a missing jurisdiction check would show it.
 */
function foreignTo(user: string, all: OwnedRow[]): OwnedRow[] {
  const rows = all.filter((r) => !catalogueTo(user, r.table) && isForeign(user, r));
  if (!FAR.includes(user)) return rows;
  const near = prefixOf(nearTwin(user));
  const inNear = (r: OwnedRow): number => (r.places.some((p) => p.startsWith(near)) ? 0 : 1);
  return [...rows].sort((a, b) => inNear(a) - inNear(b));
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

/**
 * The far twins: for every demo agency organisation, one of the same kind and duties in district
 * 5100, and in it a user of the same roles for each of the demo agency users — registered by the
 * operator through the routes the product offers (POST /organisations, POST /users), then logged in.
 */
async function registerFarTwins(): Promise<void> {
  const db = tp.platform.database.db;
  const agencies = await sql<{
    id: string;
    name: string;
    name_en: string | null;
    roles: string[];
    jurisdiction: string;
    users: string[];
  }>`
    select o.id, o.name, o.name_en, o.roles, o.jurisdiction, array_agg(u.username order by u.username) as users
    from organisation o join app_user u on u.organisation_id = o.id
    where u.username = any(${AGENCIES}::text[]) group by o.id order by o.name`.execute(db);
  const post = async (url: string, payload: unknown): Promise<{ id: string }> => {
    const res = await tp.platform.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload: payload as Record<string, unknown>,
    });
    assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
    return res.json() as { id: string };
  };
  for (const a of agencies.rows) {
    assert.notEqual(a.jurisdiction.slice(0, 2), FAR_JURISDICTION.slice(0, 2), 'the demo agencies lie outside district 5100');
    const twin = await post('/api/v1/organisations', {
      kind: 'agency',
      name: `${a.name}（对照：广州关区 ${FAR_JURISDICTION}）`,
      nameEn: `${a.name_en ?? a.name} (twin in Guangzhou district ${FAR_JURISDICTION})`,
      roles: a.roles,
      jurisdiction: FAR_JURISDICTION,
    });
    for (const u of DEMO_USERS.filter((x) => a.users.includes(x.username))) {
      await post('/api/v1/users', {
        username: farTwin(u.username),
        displayName: `${u.displayName}（广州）`,
        password: FAR_PASSWORD,
        roles: u.roles,
        organisationId: twin.id,
      });
      tokens[farTwin(u.username)] = await login(tp.platform, farTwin(u.username), FAR_PASSWORD);
    }
  }
  assert.deepEqual(
    FAR.filter((u) => !tokens[u]),
    [],
    'every demo agency user has a far twin',
  );
}

before(async () => {
  tp = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  for (const u of DEMO_USERS) tokens[u.username] = await login(tp.platform, u.username);
  await registerFarTwins();
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
  // The statistics demo's flows (all four business modes, declared by the demo parties at Nanchang
  // offices through intake, released and closed): the statistics desks have figures to show, or
  // to keep from another district.
  const flows = await seedStatisticsDemo({ app: tp.platform.app, clock: tp.platform.clock });
  assert.equal(flows.rejected, 0, 'the statistics demo flows were accepted');
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
  // Agency records of district 4000 beside the documents, for the desks of commerce and credit: a
  // case customs opened against the seller, and the seller's application to the published programme.
  const kase = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/credit/cases',
    headers: { authorization: `Bearer ${tokens.customs}` },
    payload: { kind: 'quality', subjectCode: PARTIES.seller.code, summary: '青花瓷碗釉面开裂 / cracked glaze on bowls' },
  });
  assert.equal(kase.statusCode, 201, kase.body);
  const programme = await sql<{ id: string }>`select id from pk_programme order by id limit 1`.execute(tp.platform.database.db);
  assert.ok(programme.rows[0], 'the parks demo publishes a programme');
  const applied = await tp.platform.app.inject({
    method: 'POST',
    url: `/api/v1/programmes/${programme.rows[0].id}/apply`,
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: { statement: '申请海外仓扶持 / applying for support' },
  });
  assert.equal(applied.statusCode, 201, applied.body);
  const course = await sql<{ id: string }>`select id from pk_offering order by id limit 1`.execute(tp.platform.database.db);
  const enrolled = await tp.platform.app.inject({
    method: 'POST',
    url: `/api/v1/offerings/${course.rows[0]!.id}/enrol`,
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: {},
  });
  assert.equal(enrolled.statusCode, 200, enrolled.body);
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
      const allowed = allowedOn(r);
      for (const who of [...EVERYONE, ...FAR, 'anonymous']) {
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

  test('every demo log-in, the far twins and the anonymous caller, on every route, over HTTP', async () => {
    const wrong: string[] = [];
    // Refusals first, between two fingerprints: a refused call changes nothing at all.
    const before = await fingerprint();
    for (const r of routes()) {
      const allowed = allowedOn(r);
      for (const who of [...EVERYONE, ...FAR, 'anonymous'].filter((w) => !allowed.has(w))) {
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
      for (const who of allowedOn(r)) {
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

describe('tenancy: foreign ids are refused as missing ones and change nothing', () => {
  test('every :id route, every enterprise and agency (and far twin), ids from every table that are not theirs', async (t) => {
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
    /** Enterprises refused by role, as for a missing id (listed, not failed). */
    const byRole = new Map<string, Set<string>>();
    /** Control, per far twin: reads its demo twin answered 200 with the very id it was refused. */
    const nearSaw = new Map<string, Set<string>>();
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
      const allowed = allowedOn(r);
      for (const who of [...ENTERPRISES, ...AGENCIES, ...FAR]) {
        if (!allowed.has(who)) continue;
        // The answer for an id that names no row, one per id shape (uuid version and variant).
        const missing = new Map<string, Promise<Answer>>();
        const missingLike = (id: string, p: Probe): Promise<Answer> => {
          const shape = `${id[14]}${id[19]}`;
          if (!missing.has(shape)) missing.set(shape, callValid(r, who, p, lookalike(id), undefined, p.query));
          return missing.get(shape)!;
        };
        // A handful per table keeps the walk short; the ids differ per user.
        const perTable = new Map<string, OwnedRow[]>();
        for (const row of foreignTo(who, rows)) {
          const list = perTable.get(row.table) ?? [];
          if (list.length < 2) perTable.set(row.table, [...list, row]);
        }
        const p = probe(r);
        // A few calls at a time: the walk is long, and a refusal is a refusal in any order.
        await inPool([...perTable.values()].flat(), 6, async (row) => {
          const a = await callValid(r, who, p, row.id, undefined, p.query);
          const none = await missingLike(row.id, p);
          calls++;
          // 2xx is a leak, 5xx a crash; 404 (not yours) and 403 (your role may not) are refusals.
          // A write carries a body its schema accepts, so a 400 means the service judged the
          // body of a row the caller may not see: the ownership check must come first.
          if (a.status !== 404 && a.status !== 403) {
            leaks.push({ route: routeKey(r), who, what: row.table, example: row.id, answer: answered(a) });
          } else if (a.status !== none.status || a.code !== none.code) {
            // Told apart from a missing row, the answer says the row exists (a 403 "not yours"
            // beside a 404 "no such row"): the ownership check must answer as the lookup does.
            const answer = `${answered(a)}, a missing id ${answered(none)}`;
            leaks.push({ route: routeKey(r), who, what: row.table, example: row.id, answer });
          } else if (orgOf[who]!.kind === 'enterprise' && a.status !== 404) {
            // A 403 the caller gets for an id that names no row too: its organisation's role may
            // not use the route at all (a seller on a warehouse's bag), whichever row is named.
            const key = `${routeKey(r)} → ${answered(a)}`;
            byRole.set(key, (byRole.get(key) ?? new Set()).add(who));
          } else if (FAR.includes(who) && r.method === 'GET') {
            const near = await call(r, nearTwin(who), row.id, undefined, p.query);
            if (near.status === 200) nearSaw.set(who, (nearSaw.get(who) ?? new Set()).add(`${routeKey(r)} ${row.table}`));
          }
        });
      }
    }
    assert.ok(calls > 500, `only ${calls} foreign-id calls`);
    for (const v of validatesFirst) t.diagnostic(`judges the body before the ownership check: ${v}`);
    for (const [v, who] of byRole)
      t.diagnostic(`refuses by role whatever the id, a missing one too: ${v} as ${[...who].join(',')}`);
    for (const [who, seen] of nearSaw) t.diagnostic(`${who}: refused what ${nearTwin(who)} reads: ${[...seen].join('; ')}`);
    // The far twins were refused rows their demo twins do read: the walk reaches district 4000.
    assert.deepEqual(
      FAR.filter((w) => !nearSaw.has(w)),
      [],
      'far twins whose walk met no row their demo twin reads',
    );
    assert.deepEqual(grouped(triage(leaks)), []);
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
    // A storage location's code names it within its supervision centre's warehouse.
    const locations = await sql<{ key: string; orgs: string[] }>`
      select code as key, array[warehouse_org_id::text] as orgs from whs_location`.execute(db);
    type Keyed = { key: string; orgs: string[]; place?: string | null; query?: string };
    /** The walkers, by parameter name; `applies` narrows a name used for something else elsewhere. */
    const walkers: Record<string, { keys: Keyed[]; applies?: (url: string) => boolean }> = {
      logisticsNo: { keys: parcels.rows },
      orderNo: { keys: orders.rows },
      // `:code` is a trace code under /trace/ (under /codes/ it names an entry of a code table).
      code: { keys: codes.rows, applies: (url) => url.startsWith('/api/v1/trace/') },
      enterpriseCode: { keys: enterprises.rows },
      locationCode: { keys: locations.rows },
    };
    /** Path parameters that name shared reference data, owned by nobody: the customs code tables. */
    const reference = (url: string, name: string): boolean =>
      (url.startsWith('/api/v1/codes/') && (name === 'table' || name === 'code')) ||
      // a version of the tax bureau's own rule set (无票免税 pilot zones), keyed by its effective date
      (url.startsWith('/api/v1/tax/rules/') && name === 'effectiveFrom');
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
      const allowed = allowedOn(r);
      for (const who of [...ENTERPRISES, ...AGENCIES, ...FAR].filter((w) => allowed.has(w))) {
        const org = orgOf[who]!;
        const prefix = jurisdictionPrefix(org.jurisdiction) ?? '\u0000';
        // A far twin is fed its demo twin's parcels and enterprises (district 4000) first.
        const near = prefixOf(nearTwin(who));
        const rank = (x: Keyed): number => (FAR.includes(who) && (x.place ?? '').startsWith(near) ? 0 : 1);
        // An agency's foreign parcels and enterprises lie outside its jurisdiction; trace codes
        // have no place (an inspection official may record on any), so only enterprises are
        // walked with them.
        const foreign = walkers[param]!.keys.filter(
          (x) =>
            !x.orgs.includes(org.id) &&
            (org.kind === 'enterprise' || (x.place !== undefined && !(x.place ?? '').startsWith(prefix))),
        ).sort((a, b) => rank(a) - rank(b));
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
    assert.deepEqual(grouped(triage(leaks)), []);
    assert.deepEqual(await fingerprint(), before, 'a foreign-key call changed the database');
  });

  test('writes without a path id, every agency and far twin: ids and enterprise codes outside the jurisdiction in the body are refused and change nothing', async () => {
    const rows = await ownedRows();
    const doc = tp.platform.app.swagger() as unknown as OpenApiDoc;
    const enterprises = await sql<{ code: string; id: string; jurisdiction: string | null }>`
      select customs_code as code, id::text as id, jurisdiction from organisation
      where kind = 'enterprise' and customs_code is not null order by customs_code`.execute(tp.platform.database.db);
    // Every body property named like an enterprise's code (subjectCode, enterpriseCode …) whose
    // schema leaves the string open: the sampler's hints put a foreign enterprise's code there.
    const codeProps = [...new Set([...JSON.stringify(doc).matchAll(/"(\w*[a-z]Code)":\{/g)].map((m) => m[1]!))];
    const MARK_ID = 'ffffffff-ffff-7fff-bfff-ffffffffffff';
    const MARK_CODE = '9999999999';
    const hinted = (code: string): Record<string, unknown> => Object.fromEntries(codeProps.map((n) => [n, code]));
    /** The request body naming `id` for every uuid and `code` for every open code property; the full one if the smallest names neither. */
    const bodyOf = (schema: JsonSchema, id: string, code: string): unknown => {
      const s = new SchemaSampler(doc, { ...SAMPLE_HINTS, ...hinted(code) }, id);
      const small = s.sample(schema);
      const text = JSON.stringify(small);
      return text.includes(id) || text.includes(code) ? small : s.sample(schema, 0, true);
    };
    // Public writes (a buyer's report on any enterprise) are anyone's by design: public-scope.test.ts.
    const writes = routes().filter(
      (r) => r.method !== 'GET' && !/[:*]/.test(r.url) && !SELF_ENDING.has(routeKey(r)) && r.permission !== 'public',
    );
    const before = await fingerprint();
    const leaks: Finding[] = [];
    const walked = new Set<string>();
    let calls = 0;
    for (const r of writes) {
      const op = sampler.operation(r.method, r.url);
      const schema = sampler.bodySchema(op);
      if (!schema) continue;
      const probeText = JSON.stringify(bodyOf(schema, MARK_ID, MARK_CODE));
      const takesId = probeText.includes(MARK_ID);
      const takesCode = probeText.includes(MARK_CODE);
      if (!takesId && !takesCode) continue;
      walked.add(routeKey(r));
      const query = sampler.query(op);
      for (const who of [...AGENCIES, ...FAR].filter((w) => allowedOn(r).has(w))) {
        const near = prefixOf(nearTwin(who));
        const inNear = (x: { jurisdiction: string | null }): number => ((x.jurisdiction ?? '').startsWith(near) ? 0 : 1);
        const payloads: { what: string; example: string; body: unknown }[] = [];
        if (takesId) {
          const perTable = new Map<string, OwnedRow[]>();
          for (const row of foreignTo(who, rows)) {
            const list = perTable.get(row.table) ?? [];
            if (list.length < 2) perTable.set(row.table, [...list, row]);
          }
          for (const row of [...perTable.values()].flat())
            payloads.push({ what: row.table, example: row.id, body: bodyOf(schema, row.id, MARK_CODE) });
        }
        if (takesCode) {
          const foreign = enterprises.rows
            .filter((e) => isForeign(who, { orgs: [e.id], places: e.jurisdiction ? [e.jurisdiction] : [] }))
            .sort((a, b) => (FAR.includes(who) ? inNear(a) - inNear(b) : 0));
          for (const e of foreign.slice(0, 2))
            payloads.push({ what: 'enterprise code', example: e.code, body: bodyOf(schema, NIL, e.code) });
        }
        for (const x of payloads) {
          const a = await call(r, who, undefined, undefined, query, x.body);
          calls++;
          // A refusal: 404 (not yours), 403 (not your duty), 400/422 (no such row for you). Not a
          // success, not a conflict that tells the row's state, not a crash.
          if (![400, 403, 404, 422].includes(a.status))
            leaks.push({ route: routeKey(r), who, what: x.what, example: x.example, answer: answered(a) });
        }
      }
    }
    assert.ok(
      walked.has('POST /api/v1/credit/ratings/compute') && walked.has('POST /api/v1/credit/cases'),
      [...walked].join(', '),
    );
    assert.ok(calls > 50, `only ${calls} body calls`);
    assert.deepEqual(grouped(triage(leaks)), []);
    assert.deepEqual(await fingerprint(), before, 'a write naming what lies outside the jurisdiction changed the database');
  });

  test('control: the same routes answer an owner (the walk can see a leak)', async () => {
    const rows = await ownedRows();
    const doc = rows.find(
      (r) => r.table === 'clr_document' && r.orgs.includes(orgOf.broker!.id) && !r.orgs.includes(orgOf.seller2!.id),
    );
    assert.ok(doc);
    const get = (who: string, id = doc.id) =>
      tp.platform.app.inject({
        method: 'GET',
        url: `/api/v1/clearance/documents/${id}`,
        headers: { authorization: `Bearer ${tokens[who]}` },
      });
    assert.equal((await get('broker')).statusCode, 200);
    assert.equal((await get('seller2')).statusCode, 404);
    // The id of no row the walk compares with: the same shape (uuid version and variant), not the same id.
    const none = lookalike(doc.id);
    assert.notEqual(none, doc.id);
    assert.match(none, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual([none[14], none[19]], [doc.id[14], doc.id[19]]);
    const missing = await get('seller2', none);
    const foreign = await get('seller2');
    assert.deepEqual(
      [foreign.statusCode, (foreign.json() as { code: string }).code],
      [missing.statusCode, (missing.json() as { code: string }).code],
    );
    assert.equal((await get('broker', none)).statusCode, 404, 'to its owner too, the lookalike names no row');
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

/** The values an enumerated query parameter takes (`by`, `kind`, `status` …). */
function enumValues(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  if (schema.enum) return schema.enum.map(String);
  if ('const' in schema) return [String(schema.const)];
  return (schema.anyOf ?? schema.oneOf ?? []).flatMap((b) => enumValues(b));
}

/**
 * What an agency's walk reads: every list (GET without path parameters) with its required query,
 * and again with each value of each enumerated query parameter (statistics by enterprise, documents
 * of one kind …); and every read keyed by ids alone, with a row of each published catalogue (a
 * park's members, a course's roster): published, but what they list is not.
 */
function agencyReads(rows: OwnedRow[]): { r: RegisteredRoute; query: string; id?: string }[] {
  const out: { r: RegisteredRoute; query: string; id?: string }[] = [];
  const published = [...PUBLIC_CATALOGUES].flatMap((t) => rows.filter((x) => x.table === t).slice(0, 1));
  for (const r of routes().filter((x) => x.method === 'GET' && x.permission !== 'public' && !x.url.includes('*'))) {
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const { query } = probe(r);
    if (params.length === 0) {
      out.push({ r, query });
      for (const qp of sampler.operation(r.method, r.url)?.parameters ?? []) {
        if (qp.in !== 'query') continue;
        for (const v of enumValues(qp.schema)) {
          const q = new URLSearchParams(query);
          q.set(qp.name, v);
          if (q.toString() !== query) out.push({ r, query: q.toString() });
        }
      }
    } else if (params.every(isIdParam)) {
      for (const x of published) out.push({ r, query, id: x.id });
    }
  }
  return out;
}

describe('lists: what an enterprise or agency reads names nothing it may not see', () => {
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

  test('every GET list route, every agency and its far twin: no id or business key outside its jurisdiction', async (t) => {
    const rows = await ownedRows(1_000_000);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const keys = await ownedKeys();
    // An enterprise's customs code names it: it lies at its competent customs office.
    const enterprises = await sql<{ code: string; id: string; jurisdiction: string | null }>`
      select customs_code as code, id::text as id, jurisdiction from organisation
      where kind = 'enterprise' and customs_code is not null`.execute(tp.platform.database.db);
    const codes = new Map(
      enterprises.rows.map((e) => [e.code, { orgs: [e.id], places: e.jurisdiction ? [e.jurisdiction] : [] }]),
    );
    const found: Finding[] = [];
    const crashes: string[] = [];
    /** Control: what each demo agency's lists show that its far twin must not see. */
    const nearSaw = new Map<string, Set<string>>();
    let reads = 0;
    for (const { r, query, id } of agencyReads(rows)) {
      const allowed = allowedOn(r);
      for (const who of [...AGENCIES, ...FAR].filter((w) => allowed.has(w))) {
        const far = FAR.includes(who);
        const a = await call(r, who, id, undefined, query);
        if (a.status >= 500) crashes.push(`${routeKey(r)} as ${who}: ${answered(a)}`);
        if (a.status !== 200) continue;
        reads++;
        const flag = (what: string, example: string, x: { places: Iterable<string> }): void => {
          found.push({
            route: `${routeKey(r)}${query ? `?${query}` : ''}`,
            who,
            what: `${what} (at ${[...new Set(x.places)].join('/') || 'no place'})`,
            example,
            answer: 'shows',
          });
        };
        // (Not the demo agency's own rows — its user, its session: those are trivially not the twin's.)
        const control = (x: { orgs: Iterable<string>; places: Iterable<string> }, what: string): void => {
          if (!far && ![...x.orgs].includes(orgOf[who]!.id) && isForeign(farTwin(who), x))
            nearSaw.set(who, (nearSaw.get(who) ?? new Set()).add(`${routeKey(r)} ${what}`));
        };
        for (const v of new Set(stringsIn(a))) {
          for (const id of v.match(UUIDS) ?? []) {
            const row = byId.get(id.toLowerCase());
            // Nobody's rows (reference data) are everyone's; the catalogues are their owner's (catalogueTo).
            if (!row || (row.orgs.length === 0 && row.places.length === 0) || catalogueTo(who, row.table)) continue;
            control(row, row.table);
            // The documents of an agency's jurisdiction name parties from elsewhere (a Shanghai
            // payer): the directories count only for a far twin, which may see no such document.
            if (!far && DIRECTORIES.has(row.table)) continue;
            if (isForeign(who, row)) flag(row.table, row.id, row);
          }
          const key = keys.get(v);
          if (key && (key.orgs.size > 0 || key.places.size > 0)) {
            control(key, key.field);
            if (isForeign(who, key)) flag(`${key.field} of ${[...key.tables].join('/')}`, v, key);
          }
          const code = codes.get(v);
          if (code) {
            control(code, 'enterprise code');
            if (far && isForeign(who, code)) flag('enterprise code', v, code);
          }
        }
      }
    }
    assert.ok(reads > 50, `only ${reads} list reads answered 200`);
    for (const [who, seen] of nearSaw) t.diagnostic(`${who} lists what ${farTwin(who)} must not see: ${[...seen].join('; ')}`);
    // Control: the demo agencies' lists do show district-4000 data, so the far twins' could.
    assert.ok((nearSaw.get('customs')?.size ?? 0) > 0 && (nearSaw.get('inspection')?.size ?? 0) > 0, 'customs lists show data');
    assert.deepEqual(crashes, []);
    assert.deepEqual(grouped(triage(found)), []);
  });
});

describe('undecided', () => {
  test(
    'nothing the walks found is set aside as undecided',
    UNDECIDED.length ? { todo: 'findings set aside until decided: see UNDECIDED' } : {},
    () => {
      assert.deepEqual(grouped(deferred), []);
    },
  );
});
