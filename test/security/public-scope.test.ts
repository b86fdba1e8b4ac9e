// "The public sees only published pages" (issue #9 point 3). The tenancy matrix proves who passes
// the access hook; this proves what an anonymous caller then receives. Every route whose permission
// is `public` is listed in PUBLIC_ROUTES with what it may show and the anonymous calls that probe
// it; a public route missing from the list (or a listed one no longer registered) fails the first
// test, so a new public route ships only with its check.
//
// The setup creates, beside what is published, the unpublished and internal records of every kind
// the public routes read, each carrying the marker PRIVATE: credit cases reported, investigated,
// dismissed, decided but not published, appealed before publication, overturned (its blacklisting
// lifted); reporters' contacts and appeal reasons; a withdrawn (inactive) overseas service point
// and the service requests between sellers and providers; park memberships, enrolments and support
// applications; another seller's trace code and its events. Parks, courses, events and support
// programmes have no draft state (what the commerce officer registers is published at once), so
// what is private there is who belongs, enrols and applies. Every anonymous answer must then
// - carry no PRIVATE marker and no internal id (organisations, users, API keys, unpublished cases,
//   withdrawn points, requests, applications), and
// - pass its route's own check: exactly the published rows (compared with the database), and
//   only the listed fields, so a field added to a public view is reviewed here first.
// The web pages /public/parks and /public/service-points are the single-page app's shell (no
// data): what they show comes from the routes below.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import type { RegisteredRoute } from '../../src/server/app.ts';
import { newId } from '../../src/kernel/ids.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { PARTIES } from '../support/parcels.ts';

const MARK = randomBytes(4).toString('hex');
/** In every unpublished or internal record: must never reach an anonymous caller. */
const PRIVATE = `PRIVATE${MARK}`;
/** In the published records: the controls that must reach it. */
const PUBLIC = `PUBLIC${MARK}`;
const SELLER2 = { code: '3601260999', name: '赣州脐橙电商有限公司' };

let tp: TestPlatform;
const tokens: Record<string, string> = {};

interface Fixtures {
  publishedCase: string;
  appealedPublishedCase: string;
  /** trace code of the seller (published chain) and one of seller2 (its PRIVATE notes must not show on the first) */
  codeA: string;
  codeB: string;
  activePoint: string;
  park: string;
  offering: string;
  programme: string;
}
let fx: Fixtures;

interface Probe {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Answer {
  probe: Probe;
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

interface PublicRoute {
  /** what the route shows anyone, and why that is all */
  shows: string;
  /** the anonymous calls (no credentials) */
  probes: (f: Fixtures) => Probe[];
  /** the route's own checks; problems are returned as sentences */
  check?: (answers: Answer[], f: Fixtures) => Promise<string[]> | string[];
  /** a successful answer that is the caller's own (log-in): the generic id check does not apply */
  ownAnswer?: boolean;
}

const q = async <T>(query: RawBuilder<T>): Promise<T[]> => (await query.execute(tp.platform.database.db)).rows;

/** Fields of each item outside `allowed`. */
function extraKeys(items: unknown[], allowed: string[], what: string): string[] {
  const extra = new Set<string>();
  for (const it of items) for (const k of Object.keys(it as object)) if (!allowed.includes(k)) extra.add(k);
  return extra.size ? [`${what}: fields not reviewed for the public: ${[...extra].join(', ')}`] : [];
}

function sameSet(got: string[], want: string[], what: string): string[] {
  const g = [...new Set(got)].sort();
  const w = [...new Set(want)].sort();
  return JSON.stringify(g) === JSON.stringify(w)
    ? []
    : [`${what}: answered ${JSON.stringify(g)}, published ${JSON.stringify(w)}`];
}

const status = (a: Answer, want: number): string[] =>
  a.status === want ? [] : [`${a.probe.method} ${a.probe.url}: ${a.status}, expected ${want}: ${a.body.slice(0, 300)}`];

const get = (url: string): Probe => ({ method: 'GET', url });

/** Problems `+ JSON` bodies differ by request id only. */
function withoutRequestIds(body: string): string {
  return body.replace(/"(instance|requestId)":"[^"]*"/g, '"$1":""');
}

/**
 * Every public route. The key is `METHOD url` as registered; routes that serve files of the web
 * bundle are recognised on disk instead (they hold no records).
 */
const PUBLIC_ROUTES: Record<string, PublicRoute> = {
  // --- credit: notices and reports -------------------------------------------------------------------
  'GET /api/v1/public/credit/notices': {
    shows: 'published cases (also under appeal) with their decision, and the active blacklist',
    probes: () => [get('/api/v1/public/credit/notices')],
    async check([a], f) {
      const body = a!.json() as { cases: { id: string }[]; blacklist: { code: string }[] };
      const published = await q(
        sql<{ id: string }>`select id::text from cr_case where status in ('published', 'appealed') and published_at is not null`,
      );
      const listed = await q(sql<{ code: string }>`select code from cr_blacklist where lifted_at is null`);
      const ids = body.cases.map((c) => c.id);
      return [
        ...status(a!, 200),
        ...sameSet(
          ids,
          published.map((r) => r.id),
          'credit notices: cases',
        ),
        ...sameSet(
          body.blacklist.map((b) => b.code),
          listed.map((r) => r.code),
          'credit notices: blacklist',
        ),
        ...(ids.includes(f.publishedCase) && ids.includes(f.appealedPublishedCase)
          ? []
          : ['credit notices: the published cases are missing (control)']),
        ...(body.blacklist.some((b) => b.code === PARTIES.seller.code) ? [] : ['credit notices: the blacklisting is missing']),
        ...(body.blacklist.some((b) => b.code === SELLER2.code) ? ['credit notices: a lifted blacklisting is shown'] : []),
        ...extraKeys(
          body.cases,
          ['id', 'kind', 'subjectCode', 'subjectName', 'severity', 'decision', 'underAppeal', 'publishedAt'],
          'credit notices: cases',
        ),
        ...extraKeys(body.blacklist, ['code', 'name', 'reason', 'listedAt'], 'credit notices: blacklist'),
      ];
    },
  },
  'POST /api/v1/public/credit/reports': {
    shows: 'the reference (id) and status of the report just made; the case stays with the officers',
    probes: () => [
      {
        method: 'POST',
        url: '/api/v1/public/credit/reports',
        body: {
          kind: 'quality',
          subjectCode: PARTIES.seller.code,
          summary: `${PRIVATE} cracked glaze`,
          contact: `${PRIVATE}@example.de`,
        },
      },
    ],
    check: ([a]) => [...status(a!, 201), ...extraKeys([a!.json()], ['id', 'status'], 'credit report answer')],
  },

  // --- trace: the verification page and its report form -------------------------------------------------
  'GET /api/v1/public/trace/:code': {
    shows: "one code's product, seller and chain; nothing of another code",
    probes: (f) => [get(`/api/v1/public/trace/${f.codeA}?lang=en&country=FR`), get('/api/v1/public/trace/TNOSUCHCODE')],
    async check([a, missing], f) {
      const v = a!.json() as { code: string; chain: unknown[] };
      const events = await q(sql<{ n: number }>`select count(*)::int as n from tr_event where code = ${f.codeA}`);
      return [
        ...status(a!, 200),
        ...status(missing!, 404),
        ...(v.code === f.codeA ? [] : [`trace: answered code ${v.code}`]),
        ...(a!.body.includes(f.codeB) ? ['trace: another code appears'] : []),
        ...(v.chain.length === events[0]!.n ? [] : [`trace: ${v.chain.length} events shown, the code has ${events[0]!.n}`]),
        ...(a!.body.includes(PUBLIC) ? [] : ['trace: the published chain is missing (control)']),
        ...extraKeys(
          [v],
          ['code', 'lang', 'languages', 'product', 'seller', 'origin', 'chain', 'checks', 'scans', 'warning'],
          'trace',
        ),
        ...extraKeys(v.chain, ['kind', 'label', 'at', 'place', 'country', 'note', 'result'], 'trace chain'),
      ];
    },
  },
  'GET /t/:code': {
    shows: 'the same verification as an HTML page',
    probes: (f) => [get(`/t/${f.codeA}?lang=en`), get('/t/TNOSUCHCODE')],
    check: ([a, missing], f) => [
      ...status(a!, 200),
      ...(missing!.status === 404 ? [] : [`/t/ unknown code: ${missing!.status}`]),
      ...(a!.body.includes(f.codeB) ? ['/t/: another code appears'] : []),
      ...(a!.body.includes(PUBLIC) ? [] : ['/t/: the published chain is missing (control)']),
    ],
  },
  'POST /api/v1/public/trace/:code/report': {
    shows: 'the reference (id) and status of the report just made',
    probes: (f) => [
      {
        method: 'POST',
        url: `/api/v1/public/trace/${f.codeA}/report`,
        body: { summary: `${PRIVATE} the mark is printed`, contact: `${PRIVATE} +49 30 1234567` },
      },
    ],
    check: ([a]) => [...status(a!, 201), ...extraKeys([a!.json()], ['id', 'status'], 'trace report answer')],
  },
  'POST /t/:code/report': {
    shows: 'a redirect back to the page',
    probes: (f) => [
      {
        method: 'POST',
        url: `/t/${f.codeA}/report?lang=en`,
        body: new URLSearchParams({ summary: `${PRIVATE} fake`, contact: `${PRIVATE}@example.fr` }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    ],
    check: ([a], f) => [
      ...status(a!, 303),
      ...(String(a!.headers.location).startsWith(`/t/${f.codeA}?`)
        ? []
        : [`/t/ report: redirected to ${String(a!.headers.location)}`]),
    ],
  },

  // --- parks, courses and events, support programmes ----------------------------------------------------
  'GET /api/v1/public/parks': {
    shows: 'parks and distribution centres with the number of members, never who they are',
    probes: () => [get('/api/v1/public/parks')],
    async check([a], f) {
      const items = (a!.json() as { items: { id: string }[] }).items;
      const all = await q(sql<{ id: string }>`select id::text from pk_park`);
      return [
        ...status(a!, 200),
        ...sameSet(
          items.map((p) => p.id),
          all.map((p) => p.id),
          'parks',
        ),
        ...(items.some((p) => p.id === f.park) ? [] : ['parks: the registered park is missing (control)']),
        ...extraKeys(items, ['id', 'name', 'name_en', 'region', 'kind', 'address', 'members', 'status'], 'parks'),
      ];
    },
  },
  'GET /api/v1/public/offerings': {
    shows: 'courses and events with seats taken and left, never who enrolled',
    probes: () => [get('/api/v1/public/offerings'), get('/api/v1/public/offerings?kind=course')],
    async check([a, courses], f) {
      const items = (a!.json() as { items: { id: string }[] }).items;
      const all = await q(sql<{ id: string }>`select id::text from pk_offering`);
      return [
        ...status(a!, 200),
        ...status(courses!, 200),
        ...sameSet(
          items.map((o) => o.id),
          all.map((o) => o.id),
          'offerings',
        ),
        ...(items.some((o) => o.id === f.offering) ? [] : ['offerings: the registered course is missing (control)']),
        ...extraKeys(
          items,
          ['id', 'kind', 'title', 'titleEn', 'startsAt', 'endsAt', 'place', 'capacity', 'enrolled', 'seatsLeft', 'status'],
          'offerings',
        ),
      ];
    },
  },
  'GET /api/v1/public/programmes': {
    shows: 'support programmes with their eligibility rules, never the applications',
    probes: () => [get('/api/v1/public/programmes')],
    async check([a], f) {
      const items = (a!.json() as { items: { id: string }[] }).items;
      const all = await q(sql<{ id: string }>`select id::text from pk_programme`);
      return [
        ...status(a!, 200),
        ...sameSet(
          items.map((p) => p.id),
          all.map((p) => p.id),
          'programmes',
        ),
        ...(items.some((p) => p.id === f.programme) ? [] : ['programmes: the registered programme is missing (control)']),
        ...extraKeys(items, ['id', 'name', 'category', 'rules', 'opensOn', 'closesOn', 'status'], 'programmes'),
      ];
    },
  },

  // --- overseas service points ----------------------------------------------------------------------------
  'GET /api/v1/public/service-points': {
    shows: 'active service points with the contact their provider publishes; never withdrawn points or requests',
    probes: () => [
      get('/api/v1/public/service-points'),
      get(`/api/v1/public/service-points?q=${encodeURIComponent(PRIVATE)}`),
      get('/api/v1/public/service-points?country=US'),
    ],
    async check([a, search, us], f) {
      const items = a!.json() as { id: string }[];
      const active = await q(sql<{ id: string }>`select id::text from ovs_point where active`);
      return [
        ...status(a!, 200),
        ...status(search!, 200),
        ...status(us!, 200),
        ...sameSet(
          items.map((p) => p.id),
          active.map((p) => p.id),
          'service points',
        ),
        ...((search!.json() as unknown[]).length === 0 ? [] : ['service points: a search finds a withdrawn point']),
        ...(items.some((p) => p.id === f.activePoint) ? [] : ['service points: the active point is missing (control)']),
        ...extraKeys(items, ['id', 'name', 'country', 'city', 'services', 'contact', 'description'], 'service points'),
      ];
    },
  },

  // --- definitions, operations, documentation, log-in: no records -----------------------------------------
  'GET /api/v1/statistics/metrics': {
    shows: 'metric and dimension definitions (no figures)',
    probes: () => [get('/api/v1/statistics/metrics')],
    check: ([a]) => status(a!, 200),
  },
  'GET /livez': { shows: 'liveness', probes: () => [get('/livez')], check: ([a]) => status(a!, 200) },
  'GET /readyz': { shows: 'readiness', probes: () => [get('/readyz')], check: ([a]) => status(a!, 200) },
  'GET /healthz': { shows: 'health', probes: () => [get('/healthz')], check: ([a]) => status(a!, 200) },
  'GET /metrics': {
    shows: 'nothing to a remote caller: Prometheus counts need METRICS_TOKEN or a request from the host itself',
    probes: () => [get('/metrics')],
    check: ([a]) => status(a!, 403),
  },
  'GET /api/docs': { shows: 'the API documentation (Swagger UI)', probes: () => [get('/api/docs')] },
  'GET /api/docs/json': { shows: 'the OpenAPI document', probes: () => [get('/api/docs/json')], check: ([a]) => status(a!, 200) },
  'GET /api/docs/yaml': { shows: 'the OpenAPI document', probes: () => [get('/api/docs/yaml')], check: ([a]) => status(a!, 200) },
  'GET /api/docs/static/index.html': { shows: 'Swagger UI', probes: () => [get('/api/docs/static/index.html')] },
  'GET /api/docs/static/swagger-initializer.js': {
    shows: 'Swagger UI',
    probes: () => [get('/api/docs/static/swagger-initializer.js')],
  },
  'GET /api/docs/static/*': { shows: 'Swagger UI files', probes: () => [get('/api/docs/static/swagger-ui.css')] },
  'POST /api/v1/auth/login': {
    shows:
      "the caller's own session after a correct password; a refusal that does not tell an unknown user from a wrong password",
    ownAnswer: true,
    probes: () => [
      { method: 'POST', url: '/api/v1/auth/login', body: { username: 'nobody-here', password: 'wrong-password' } },
      { method: 'POST', url: '/api/v1/auth/login', body: { username: 'seller2', password: 'wrong-password' } },
    ],
    check: ([unknown, wrong]) => [
      ...status(unknown!, 401),
      ...status(wrong!, 401),
      ...(withoutRequestIds(unknown!.body) === withoutRequestIds(wrong!.body)
        ? []
        : [`log-in: an unknown user and a wrong password answer differently: ${unknown!.body} / ${wrong!.body}`]),
    ],
  },
};

async function anonymous(p: Probe): Promise<Answer> {
  const res = await tp.platform.app.inject({
    method: p.method,
    url: p.url,
    headers: { ...(p.body !== undefined && !p.headers ? { 'content-type': 'application/json' } : {}), ...p.headers },
    ...(p.body !== undefined ? { payload: typeof p.body === 'string' ? p.body : JSON.stringify(p.body) } : {}),
    remoteAddress: '203.0.113.7',
  });
  return { probe: p, status: res.statusCode, headers: res.headers, body: res.body, json: () => res.json() };
}

async function as(who: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Record<string, unknown>> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  assert.ok(res.statusCode < 300, `${who} ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? (res.json() as Record<string, unknown>) : {};
}

/** A case by an officer on `subject`, moved through `events` (decide with `decision`). */
async function creditCase(subject: string, events: string[], decision: string, blacklist = false): Promise<string> {
  const c = await as('commerce', 'POST', '/api/v1/credit/cases', {
    kind: 'quality',
    subjectCode: subject,
    summary: `${PRIVATE} officer's notes on ${events.join('>') || 'reported'}`,
  });
  const id = c.id as string;
  for (const event of events) {
    if (event === 'appeal') {
      const who = subject === PARTIES.seller.code ? 'seller' : 'seller2';
      await as(who, 'POST', `/api/v1/credit/cases/${id}/appeal`, { reason: `${PRIVATE} appeal reason` });
      continue;
    }
    await as('commerce', 'POST', `/api/v1/credit/cases/${id}/transition`, {
      event,
      note: `${PRIVATE} note`,
      ...(event === 'decide' ? { severity: blacklist ? 'major' : 'minor', decision, blacklist } : {}),
    });
  }
  return id;
}

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'seller2', 'commerce', 'customs', 'overseas']) tokens[u] = await login(tp.platform, u);

  // Credit: every state of a case; only published (and published, then appealed) ones are public.
  await anonymous({
    method: 'POST',
    url: '/api/v1/public/credit/reports',
    body: { subjectCode: SELLER2.code, summary: `${PRIVATE} buyer report`, contact: `${PRIVATE} +86 138 0013 8000` },
  });
  await creditCase(SELLER2.code, [], '');
  await creditCase(SELLER2.code, ['investigate'], '');
  await creditCase(SELLER2.code, ['dismiss'], '');
  await creditCase(SELLER2.code, ['investigate', 'decide'], `${PRIVATE} decided, not published`);
  // The enterprise appeals a decision before it was published: still not published.
  await creditCase(SELLER2.code, ['investigate', 'decide', 'appeal'], `${PRIVATE} decided, appealed before publication`);
  // Published with a blacklisting, appealed and overturned: the case and the blacklisting go.
  await creditCase(SELLER2.code, ['investigate', 'decide', 'publish', 'appeal', 'overturn'], `${PRIVATE} overturned`, true);
  const publishedCase = await creditCase(
    PARTIES.seller.code,
    ['investigate', 'decide', 'publish'],
    `${PUBLIC} published decision`,
    true,
  );
  const appealedPublishedCase = await creditCase(
    PARTIES.seller.code,
    ['investigate', 'decide', 'publish', 'appeal'],
    `${PUBLIC} published, under appeal`,
  );

  // Parks: a park with members, a course with an enrolment, a programme with an application.
  const park = (
    await as('commerce', 'POST', '/api/v1/parks', {
      name: `${PUBLIC} park`,
      region: '360100',
      kind: 'park',
      memberCodes: [PARTIES.seller.code, SELLER2.code],
    })
  ).id as string;
  const offering = (
    await as('commerce', 'POST', '/api/v1/offerings', {
      kind: 'course',
      title: `${PUBLIC} course`,
      startsAt: '2099-03-01T01:00:00Z',
      endsAt: '2099-03-01T09:00:00Z',
      place: '南昌',
      capacity: 30,
    })
  ).id as string;
  await as('seller', 'POST', `/api/v1/offerings/${offering}/enrol`, {});
  const programme = (
    await as('commerce', 'POST', '/api/v1/programmes', {
      name: `${PUBLIC} programme`,
      category: 'park',
      rules: [{ metric: 'parcels', op: '>=', value: 0 }],
      opensOn: '2020-01-01',
      closesOn: '2099-12-31',
    })
  ).id as string;
  await as('seller', 'POST', `/api/v1/programmes/${programme}/apply`, { statement: `${PRIVATE} application statement` });

  // Service points: one active, one withdrawn (no route withdraws a point: the operator sets
  // `active` off), and a request between a seller and the provider with the provider's reply.
  const point = await as('overseas', 'POST', '/api/v1/service-points', {
    name: `${PUBLIC} point`,
    country: 'US',
    city: 'Los Angeles',
    services: ['warehousing'],
    contact: `${PUBLIC} +1 213 555 0100`,
  });
  const provider = await q(sql<{ id: string }>`select organisation_id::text as id from app_user where username = 'overseas'`);
  await sql`insert into ovs_point (id, provider_org_id, name, country, city, services, contact, description, active, created_at)
    values (${newId()}, ${provider[0]!.id}, ${`${PRIVATE} withdrawn point`}, 'US', 'Los Angeles', ${['warehousing']}::text[],
            ${`${PRIVATE} +1 213 555 0199`}, ${`${PRIVATE} description`}, false, now())`.execute(tp.platform.database.db);
  const request = await as('seller', 'POST', '/api/v1/service-requests', {
    pointId: point.id,
    service: 'warehousing',
    message: `${PRIVATE} request: call me on +86 139 0000 0000`,
  });
  await as('overseas', 'POST', `/api/v1/service-requests/${request.id as string}/answer`, {
    action: 'accept',
    reply: `${PRIVATE} reply`,
  });

  // Trace: a code of the seller with a published chain, and one of seller2 with its own notes.
  const newCode = async (who: string, ebcCode: string): Promise<string> => {
    const product = DEMO_PRODUCTS.find((x) => x.ebcCode === ebcCode)!;
    const r = await as(who, 'POST', '/api/v1/trace/codes', {
      kind: 'unit',
      itemNo: product.itemNo,
      batchNo: `PS-${MARK}`,
      quantity: 1,
      producer: who === 'seller' ? `${PUBLIC} kiln` : `${PRIVATE} orchard`,
    });
    return (r.items as { code: string }[])[0]!.code;
  };
  const codeA = await newCode('seller', PARTIES.seller.code);
  const codeB = await newCode('seller2', SELLER2.code);
  await as('seller', 'POST', `/api/v1/trace/codes/${codeA}/events`, { kind: 'producer', place: `${PUBLIC} centre` });
  await as('seller2', 'POST', `/api/v1/trace/codes/${codeB}/events`, { kind: 'producer', note: `${PRIVATE} seller2's note` });

  fx = {
    publishedCase,
    appealedPublishedCase,
    codeA,
    codeB,
    activePoint: point.id as string,
    park,
    offering,
    programme,
  };
});

after(async () => {
  await tp?.stop();
});

function publicRoutes(): RegisteredRoute[] {
  return tp.platform.app.routeList.filter((r) => r.permission === 'public' && r.method !== 'HEAD' && r.method !== 'OPTIONS');
}

/** A route serving a file of the built web bundle: no records, not listed. */
function isBundleFile(r: RegisteredRoute): boolean {
  if (r.method !== 'GET' || r.url.includes(':') || r.url.includes('*')) return false;
  const file = path.join(tp.platform.config.webDist, r.url);
  return file.startsWith(tp.platform.config.webDist) && existsSync(file) && statSync(file).isFile();
}

test('every public route is listed with its check, and every listed route is registered', () => {
  const registered = publicRoutes()
    .filter((r) => !isBundleFile(r))
    .map((r) => `${r.method} ${r.url}`);
  const unlisted = registered.filter((k) => !(k in PUBLIC_ROUTES));
  assert.deepEqual(
    unlisted,
    [],
    `public routes without a check: add each to PUBLIC_ROUTES in ${import.meta.url} with what it may show`,
  );
  const stale = Object.keys(PUBLIC_ROUTES).filter((k) => !registered.includes(k));
  assert.deepEqual(stale, [], 'listed routes that are not registered (or no longer public)');
  // The routes the issue names are among them.
  for (const k of [
    'GET /api/v1/public/parks',
    'GET /api/v1/public/service-points',
    'GET /api/v1/public/credit/notices',
    'GET /t/:code',
  ])
    assert.ok(registered.includes(k), k);
});

test('the setup holds unpublished and internal records of every kind the public routes read', async () => {
  const counts = await q(sql<{ t: string; n: number }>`
    select 'cr_case' as t, count(*)::int as n from cr_case where summary like ${`%${PRIVATE}%`}
    union all select 'cr_case unpublished', count(*)::int from cr_case where published_at is null
    union all select 'cr_case appealed unpublished', count(*)::int from cr_case where status = 'appealed' and published_at is null
    union all select 'cr_blacklist lifted', count(*)::int from cr_blacklist where lifted_at is not null
    union all select 'ovs_point withdrawn', count(*)::int from ovs_point where not active
    union all select 'ovs_request', count(*)::int from ovs_request where message like ${`%${PRIVATE}%`}
    union all select 'pk_park_member', count(*)::int from pk_park_member
    union all select 'pk_enrolment', count(*)::int from pk_enrolment
    union all select 'pk_application', count(*)::int from pk_application where statement like ${`%${PRIVATE}%`}
    union all select 'tr_event', count(*)::int from tr_event where note like ${`%${PRIVATE}%`}`);
  for (const c of counts) assert.ok(c.n > 0, `no ${c.t} rows: the setup should make some`);
});

test('anonymous callers of every public route receive only what is published', async () => {
  // Internal ids that no public answer carries: people and organisations (also as park members,
  // enrolled users, reporters, subjects), keys, and the rows that are not published.
  const internal = (
    await q(sql<{ id: string }>`
      select id::text from organisation
      union all select id::text from app_user
      union all select id::text from api_key
      union all select id::text from cr_case where not (status in ('published', 'appealed') and published_at is not null)
      union all select id::text from cr_blacklist
      union all select id::text from ovs_point where not active
      union all select id::text from ovs_request
      union all select id::text from pk_application`)
  ).map((r) => r.id);
  assert.ok(internal.length > 20);
  const problems: string[] = [];
  // Reports first: the cases they open must not show in the notices read afterwards.
  const order = Object.entries(PUBLIC_ROUTES).sort(([a], [b]) => Number(a.startsWith('GET')) - Number(b.startsWith('GET')));
  for (const [key, route] of order) {
    const answers: Answer[] = [];
    for (const p of route.probes(fx)) answers.push(await anonymous(p));
    for (const a of answers) {
      const where = `${key} (${a.probe.method} ${a.probe.url})`;
      if (a.status >= 500) problems.push(`${where}: ${a.status}`);
      if (a.body.includes(PRIVATE)) problems.push(`${where}: carries an unpublished record: …${excerpt(a.body, PRIVATE)}…`);
      const ids = route.ownAnswer && a.status < 300 ? [] : internal.filter((id) => a.body.includes(id));
      if (ids.length) problems.push(`${where}: carries internal ids ${ids.join(', ')}: …${excerpt(a.body, ids[0]!)}…`);
    }
    if (route.check) for (const p of await route.check(answers, fx)) problems.push(`${key}: ${p}`);
  }
  assert.deepEqual(problems, []);
});

function excerpt(body: string, needle: string): string {
  const i = body.indexOf(needle);
  return body.slice(Math.max(0, i - 120), i + needle.length + 60);
}
