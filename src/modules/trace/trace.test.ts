import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { loadConfig } from '../../kernel/config.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { closeParcels, declareParcel } from '../../../test/support/clearance.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};
const product = DEMO_PRODUCTS.find((p) => p.ebcCode === PARTIES.seller.code)!;
// A second installation behind a trusted reverse proxy that sets X-Geo-Country and appends the
// client's address to X-Forwarded-For, with its public address configured; its clock can move.
let proxied: TestPlatform;
const proxiedClock = fixedClock(new Date('2026-11-26T09:00:00Z'));
const PUBLIC_BASE_URL = 'https://trace.example.cn';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['seller', 'seller2', 'customs', 'commerce', 'platform', 'payer', 'carrier', 'broker', 'warehouse'])
    tokens[u] = await login(tp.platform, u);
  proxied = await startTestPlatform({
    listen: false,
    clock: proxiedClock,
    env: { TRUSTED_GEO_HEADER: 'X-Geo-Country', PUBLIC_BASE_URL: `${PUBLIC_BASE_URL}/` },
  });
});
after(async () => {
  await tp.stop();
  await proxied.stop();
});

/** A code of the demo seller on the proxied installation. */
async function proxiedCode(): Promise<string> {
  const token = await login(proxied.platform, 'seller');
  const res = await proxied.platform.app.inject({
    method: 'POST',
    url: '/api/v1/trace/codes',
    headers: { authorization: `Bearer ${token}` },
    payload: { kind: 'unit', itemNo: product.itemNo, batchNo: 'JDZ-2026-11', quantity: 1, producer: '景德镇' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { items: { code: string }[] }).items[0]!.code;
}

/** A scan on the proxied installation as the proxy forwards it: the client's country and address. */
async function proxiedScan(code: string, country: string, client: string, spoofed = '') {
  const res = await proxied.platform.app.inject({
    method: 'GET',
    url: `/api/v1/public/trace/${code}?lang=en`,
    remoteAddress: '10.0.0.2', // the proxy
    headers: { 'x-geo-country': country, 'x-forwarded-for': spoofed ? `${spoofed}, ${client}` : client },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as {
    warning: { flagged: boolean; reasons: { en: string }[] };
    scans: { scans: number; countries: string[] };
  };
}

async function storedScans(p: TestPlatform, code: string): Promise<{ country: string; day: string; hash: string | null }[]> {
  const r = await sql<{ country: string; day: string; hash: string | null }>`
    select country, to_char(day, 'YYYY-MM-DD') as day, encode(client_hash, 'hex') as hash from tr_scan where code = ${code} order by id`.execute(
    p.platform.database.db,
  );
  return r.rows;
}

async function api(
  user: string | null,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}), ...headers },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json() as T };
}

async function newCode(kind: 'unit' | 'batch' = 'unit', quantity = 1): Promise<string> {
  const r = await api('seller', 'POST', '/api/v1/trace/codes', {
    kind,
    itemNo: product.itemNo,
    batchNo: 'JDZ-2026-11',
    quantity,
    producer: '景德镇市 浮梁县 青花窑 / Fuliang kiln, Jingdezhen',
    productNames: { fr: 'Bol en porcelaine bleu et blanc' },
  });
  assert.equal(r.status, 201, r.body);
  return r.json<{ items: { code: string }[] }>().items[0]!.code;
}

test('a buyer scanning a code sees the chain in English (or French, where offered), with the checks', async () => {
  const code = await newCode();
  assert.equal(
    (await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'warehouse', place: '南昌国际快件监管中心' }))
      .status,
    201,
  );
  assert.equal(
    (await api('customs', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'inspection', note: '查验合格 / passed' }))
      .status,
    201,
  );
  // "Left China" comes from customs: the seller names a parcel customs closed (899), never just says so.
  const left = makeParcel(1, 'TR');
  await closeParcels(tp, tokens, [left], 1, 'TR');
  const waiting = makeParcel(2, 'TR');
  let g = 0;
  await declareParcel(tp, tokens, waiting, () => guidOf(7700, ++g));
  const depart = (body: Record<string, unknown>) => api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, body);
  const unnamed = await depart({ kind: 'departure', place: 'CGO', country: 'CN' });
  assert.equal(unnamed.status, 400);
  assert.match(unnamed.body, /logisticsNo/);
  const notYet = await depart({ kind: 'departure', logisticsNo: waiting.logisticsNo });
  assert.equal(notYet.status, 400);
  assert.match(notYet.body, /899/);
  assert.equal((await depart({ kind: 'departure', logisticsNo: left.logisticsNo })).status, 201);
  // a seller cannot forge an inspection result, nor touch another seller's code
  assert.equal((await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'inspection' })).status, 400);
  assert.equal((await api('seller2', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'delivery' })).status, 404);

  const v = await api(null, 'GET', `/api/v1/public/trace/${code}?lang=en&country=FR`);
  assert.equal(v.status, 200, v.body);
  // no trusted proxy configured: neither the client's ?country= nor its own geo header is believed
  await api(null, 'GET', `/api/v1/public/trace/${code}?lang=en`, undefined, {
    'x-geo-country': 'DE',
    'x-forwarded-for': '203.0.113.9',
  });
  assert.deepEqual(
    (await storedScans(tp, code)).map((x) => x.country),
    ['ZZ'],
    'one client (the same address both times), country unknown',
  );
  const page = v.json<{
    product: { name: string };
    seller: { name: string };
    origin: string;
    chain: { kind: string; label: string }[];
    checks: Record<string, boolean>;
    warning: { flagged: boolean };
    languages: string[];
  }>();
  // in time order: the product was filed (approved) before this batch was produced
  assert.deepEqual(
    page.chain.map((c) => c.label),
    ['Product filed with customs', 'Produced', 'Received at warehouse', 'Inspection result', 'Left China'],
  );
  assert.deepEqual(page.checks, { filed: true, inspected: true, departed: true });
  assert.equal(page.product.name, product.gnameEn ?? product.gname);
  assert.equal(page.origin, 'China');
  assert.equal(page.warning.flagged, false);
  assert.deepEqual(page.languages, ['zh', 'en', 'fr']);
  const fr = (await api(null, 'GET', `/api/v1/public/trace/${code}?lang=fr`)).json<{ product: { name: string } }>();
  assert.equal(fr.product.name, 'Bol en porcelaine bleu et blanc');
  assert.equal((await api(null, 'GET', '/api/v1/public/trace/TNOPE')).status, 404);
});

test('a trace code scanned twenty times in five countries is flagged', async () => {
  const code = await proxiedCode();
  const countries = ['FR', 'DE', 'US', 'BR', 'JP'];
  let last: Awaited<ReturnType<typeof proxiedScan>> | undefined;
  for (let i = 0; i < 20; i++) {
    last = await proxiedScan(code, countries[i % 5]!, `198.51.100.${i + 1}`);
    if (i === 1) assert.equal(last.warning.flagged, false, 'two scans in two countries are plausible');
  }
  assert.equal(last!.scans.scans, 20);
  assert.deepEqual([...last!.scans.countries].sort(), [...countries].sort());
  assert.equal(last!.warning.flagged, true);
  assert.equal(last!.warning.reasons.length, 2);
  assert.match(last!.warning.reasons.map((x) => x.en).join(' '), /20 times.*5 countries/);
  const stored = await storedScans(proxied, code);
  assert.equal(stored.length, 20);
  assert.deepEqual([...new Set(stored.map((x) => x.country))].sort(), [...countries].sort());
  // the address is kept only as a salted hash, one per client
  assert.ok(stored.every((x) => /^[0-9a-f]{64}$/.test(x.hash ?? '')));
  assert.equal(new Set(stored.map((x) => x.hash)).size, 20);
  const plain = createHash('sha256').update('198.51.100.1').digest('hex');
  assert.ok(!stored.some((x) => x.hash === plain));
});

test('reloading cannot flag a genuine code: one scan per client, code and day; again the next day, unlinkably', async () => {
  const code = await proxiedCode();
  let last: Awaited<ReturnType<typeof proxiedScan>> | undefined;
  // thirty reloads by one buyer, some with a made-up X-Forwarded-For in front of what the proxy appended
  for (let i = 0; i < 30; i++) last = await proxiedScan(code, 'FR', '203.0.113.7', i % 2 ? `192.0.2.${i}` : '');
  assert.equal(last!.scans.scans, 1);
  assert.equal(last!.warning.flagged, false);
  // the HTML page a phone opens counts under the same rule
  const page = await proxied.platform.app.inject({
    method: 'GET',
    url: `/t/${code}?lang=en`,
    remoteAddress: '10.0.0.2',
    headers: { 'x-geo-country': 'FR', 'x-forwarded-for': '203.0.113.7' },
  });
  assert.equal(page.statusCode, 200);
  let stored = await storedScans(proxied, code);
  assert.deepEqual(
    stored.map((x) => [x.country, x.day]),
    [['FR', '2026-11-26']],
  );
  await proxiedScan(code, 'DE', '203.0.113.8');
  proxiedClock.advance(24 * 3_600_000);
  await proxiedScan(code, 'FR', '203.0.113.7');
  stored = await storedScans(proxied, code);
  assert.deepEqual(
    stored.map((x) => [x.country, x.day]),
    [
      ['FR', '2026-11-26'],
      ['DE', '2026-11-26'],
      ['FR', '2026-11-27'],
    ],
  );
  assert.notEqual(stored[0]!.hash, stored[2]!.hash, "a day's hash does not match the same client's on another day");
  // salts older than yesterday are forgotten
  proxiedClock.advance(2 * 24 * 3_600_000);
  await proxiedScan(code, 'FR', '203.0.113.7');
  const salts = await sql<{ day: string }>`select to_char(day, 'YYYY-MM-DD') as day from tr_scan_salt order by 1`.execute(
    proxied.platform.database.db,
  );
  assert.deepEqual(
    salts.rows.map((x) => x.day),
    ['2026-11-29'],
  );
});

test('QR labels print PUBLIC_BASE_URL when set, else the address the request came to', async () => {
  const qr = (url: string) => QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const code = await newCode();
  const here = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/trace/codes/${code}/qr.svg`,
    headers: { authorization: `Bearer ${tokens.seller}`, host: 'window.example.org' },
  });
  assert.equal(here.statusCode, 200, here.body);
  assert.equal(here.body, await qr(`http://window.example.org/t/${code}`));
  const other = await proxiedCode();
  const configured = await proxied.platform.app.inject({
    method: 'GET',
    url: `/api/v1/trace/codes/${other}/qr.svg`,
    headers: { authorization: `Bearer ${await login(proxied.platform, 'seller')}`, host: 'attacker.example' },
  });
  assert.equal(configured.statusCode, 200, configured.body);
  assert.equal(configured.body, await qr(`${PUBLIC_BASE_URL}/t/${other}`));
});

test('TRUSTED_GEO_HEADER and PUBLIC_BASE_URL: unset by default, checked when set', () => {
  const c = loadConfig({});
  assert.equal(c.trustedGeoHeader, undefined);
  assert.equal(c.publicBaseUrl, undefined);
  assert.equal(loadConfig({ TRUSTED_GEO_HEADER: ' CF-IPCountry ' }).trustedGeoHeader, 'cf-ipcountry');
  assert.equal(
    loadConfig({ PUBLIC_BASE_URL: 'https://window.example.gov.cn/cbec/' }).publicBaseUrl,
    'https://window.example.gov.cn/cbec',
  );
  assert.throws(() => loadConfig({ TRUSTED_GEO_HEADER: 'x geo' }), /TRUSTED_GEO_HEADER must be an HTTP header name/);
  for (const bad of ['ftp://x.example', 'https://x.example/?a=1', 'window.example', 'https://u:p@x.example'])
    assert.throws(() => loadConfig({ PUBLIC_BASE_URL: bad }), /PUBLIC_BASE_URL must be an http\(s\) URL/, bad);
});

test('"report a counterfeit" opens a credit case on the seller; labels print as QR SVG', async () => {
  const code = await newCode('batch', 100);
  const r = await api(null, 'POST', `/api/v1/public/trace/${code}/report`, {
    summary: 'The glaze rubs off, the mark is printed',
    contact: 'buyer@example.de',
  });
  assert.equal(r.status, 201, r.body);
  const id = r.json<{ id: string }>().id;
  const c = await api('commerce', 'GET', `/api/v1/credit/cases/${id}`);
  assert.equal(c.status, 200, c.body);
  const kase = c.json<{ kind: string; subjectCode: string; traceCode: string; source: string; status: string }>();
  assert.deepEqual(
    [kase.kind, kase.subjectCode, kase.traceCode, kase.source, kase.status],
    ['counterfeit', PARTIES.seller.code, code, 'public', 'reported'],
  );
  const svg = await api('seller', 'GET', `/api/v1/trace/codes/${code}/qr.svg`);
  assert.equal(svg.status, 200);
  assert.match(svg.body, /^<svg/);
  assert.equal((await api('seller2', 'GET', `/api/v1/trace/codes/${code}/qr.svg`)).status, 404);
  const bad = await api('seller', 'POST', '/api/v1/trace/codes', {
    kind: 'unit',
    itemNo: 'NOT-FILED',
    batchNo: 'b',
    quantity: 1,
    producer: 'x',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /itemNo/);
});

test('the printed address opens an HTML page in the buyer language; its form opens a case', async () => {
  const code = await newCode();
  const page = await tp.platform.app.inject({
    method: 'GET',
    url: `/t/${code}`,
    headers: { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' },
  });
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.body, /Bol en porcelaine bleu et blanc/);
  assert.match(page.body, /Trace chain/);
  const zh = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=zh` });
  assert.match(zh.body, /追溯链/);
  assert.doesNotMatch(zh.body, /<script/);
  const post = await tp.platform.app.inject({
    method: 'POST',
    url: `/t/${code}/report?lang=en`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'summary=Fake+mark+on+the+base&contact=me%40example.com',
  });
  assert.equal(post.statusCode, 303, post.body);
  const cases = (await api('commerce', 'GET', '/api/v1/credit/cases?status=reported')).json<{ items: { traceCode: string }[] }>();
  assert.ok(cases.items.some((c) => c.traceCode === code));
});

test('the verification page opens without log-in in zh and en, each with the report-counterfeit form', async () => {
  const code = await newCode();
  for (const [lang, title, report, send] of [
    ['zh', '商品追溯验证', '举报假冒', '提交'],
    ['en', 'Product verification', 'Report a counterfeit', 'Send'],
  ] as const) {
    // no authorization header, no cookie: a buyer's phone
    const page = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=${lang}` });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, new RegExp(`<html lang="${lang}">`));
    assert.match(page.body, new RegExp(`<h1>${title}</h1>`));
    assert.match(page.body, new RegExp(`<h2>${report}</h2>`));
    assert.match(page.body, new RegExp(`<form method="post" action="/t/${code}/report\\?lang=${lang}">`));
    assert.match(page.body, /<textarea name="summary" required/);
    assert.match(page.body, new RegExp(`<button type="submit">${send}</button>`));
    assert.match(page.body, /data-testid="trace-chain"/);
    assert.doesNotMatch(page.body, /<script/);
  }
  // after a report the page thanks instead of showing the form again
  const done = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=en&reported=1` });
  assert.match(done.body, /data-testid="trace-reported"/);
  assert.doesNotMatch(done.body, /<form/);
  const unknown = await tp.platform.app.inject({ method: 'GET', url: '/t/NO-SUCH-CODE-1' });
  assert.ok(unknown.statusCode === 404 || unknown.statusCode === 400, `${unknown.statusCode}`);
});
