import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { loadConfig } from '../../kernel/config.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, parcelDocuments, PARTIES } from '../../../test/support/parcels.ts';
import { countryByIso } from '../../codes/index.ts';
import { closeParcels, declareParcel } from '../../../test/support/clearance.ts';
import { scanGeoWarning } from './trace.routes.ts';

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

/** A problem answer's field:rule pairs. */
const fieldRules = (body: string): string[] =>
  ((JSON.parse(body) as { errors?: { field: string; rule: string }[] }).errors ?? []).map((e) => `${e.field}:${e.rule}`);

test("the chain comes from the records: the centre's receipt, customs' departure, the carrier's delivery, an officer's result", async () => {
  const code = await newCode();
  const link = (user: string, body: Record<string, unknown>) => api(user, 'POST', `/api/v1/trace/codes/${code}/events`, body);
  // parcel 1 carries this product (and another); customs closed it (899), to the USA (502)
  const left = makeParcel(1, 'TRA');
  await closeParcels(tp, tokens, [left], 1, 'TRA');
  const waiting = makeParcel(2, 'TRA');
  let g = 0;
  await declareParcel(tp, tokens, waiting, () => guidOf(7700, ++g));

  // the seller's word is no link: a warehouse receipt names a parcel, and the place is the centre's
  const freeText = await link('seller', { kind: 'warehouse', place: '南昌国际快件监管中心' });
  assert.equal(freeText.status, 400);
  assert.deepEqual(fieldRules(freeText.body).sort(), ['logisticsNo:required', 'place:fromRecord']);
  const unnamed = await link('seller', { kind: 'warehouse' });
  assert.equal(unnamed.status, 400);
  assert.deepEqual(fieldRules(unnamed.body), ['logisticsNo:required']);
  assert.match(unnamed.body, /须填写包裹的物流运单编号.*logistics number/s);
  const notReceived = await link('seller', { kind: 'warehouse', logisticsNo: left.logisticsNo });
  assert.equal(notReceived.status, 400);
  assert.deepEqual(fieldRules(notReceived.body), ['logisticsNo:received']);
  assert.equal((await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: left.logisticsNo })).status, 200);
  const received = await link('seller', { kind: 'warehouse', logisticsNo: left.logisticsNo });
  assert.equal(received.status, 201, received.body);
  assert.equal(received.json<{ added: number }>().added, 1);
  // naming it again adds nothing
  assert.equal((await link('seller', { kind: 'warehouse', logisticsNo: left.logisticsNo })).json<{ added: number }>().added, 0);

  // a parcel without this code's product is refused
  const otherProduct = DEMO_PRODUCTS.filter((x) => x.ebcCode === PARTIES.seller.code)[1]!;
  const other = await api('seller', 'POST', '/api/v1/trace/codes', {
    kind: 'batch',
    itemNo: otherProduct.itemNo,
    batchNo: 'B-2',
    quantity: 5,
    producer: '景德镇',
  });
  const otherCode = other.json<{ items: { code: string }[] }>().items[0]!.code;
  const noProduct = await api('seller', 'POST', `/api/v1/trace/codes/${otherCode}/events`, {
    kind: 'departure',
    logisticsNo: waiting.logisticsNo, // one line: the first product only
  });
  assert.equal(noProduct.status, 400);
  assert.deepEqual(fieldRules(noProduct.body), ['logisticsNo:product']);
  assert.match(noProduct.body, new RegExp(otherProduct.itemNo));
  // "Left China" comes from customs: the seller names a parcel customs closed (899), never just says so.
  const depart = (body: Record<string, unknown>) => link('seller', { kind: 'departure', ...body });
  const typed = await depart({ place: 'CGO', country: 'CN' });
  assert.equal(typed.status, 400);
  assert.deepEqual(fieldRules(typed.body).sort(), ['country:fromRecord', 'logisticsNo:required', 'place:fromRecord']);
  const notYet = await depart({ logisticsNo: waiting.logisticsNo });
  assert.equal(notYet.status, 400);
  assert.match(notYet.body, /899/);
  assert.equal((await depart({ logisticsNo: left.logisticsNo })).status, 201);

  // delivered: the carrier's tracking says so, with its place and country
  const undelivered = await link('seller', { kind: 'delivery', logisticsNo: left.logisticsNo });
  assert.equal(undelivered.status, 400);
  assert.deepEqual(fieldRules(undelivered.body), ['logisticsNo:delivered']);
  const at = new Date(Date.now() - 60_000).toISOString();
  const scan = await api('carrier', 'POST', '/api/v1/logistics/events', {
    events: [{ logisticsNo: left.logisticsNo, code: 'delivered', at, location: 'Boston MA', country: 'US' }],
  });
  assert.equal(scan.status, 200, scan.body);
  assert.equal((await link('seller', { kind: 'delivery', logisticsNo: left.logisticsNo })).status, 201);

  // an inspection result is an officer's: a seller cannot forge one, nor touch another seller's code
  assert.equal((await link('seller', { kind: 'inspection', result: 'pass' })).status, 400);
  assert.equal((await link('seller2', { kind: 'delivery', logisticsNo: left.logisticsNo })).status, 404);
  const noResult = await link('customs', { kind: 'inspection', note: '查验合格' });
  assert.deepEqual(fieldRules(noResult.body), ['result:required']);
  const failNoNote = await link('customs', { kind: 'inspection', result: 'fail' });
  assert.deepEqual(fieldRules(failNoNote.body), ['note:required']);
  assert.equal((await link('customs', { kind: 'inspection', result: 'pass', note: '抽检合格' })).status, 201);
  // commerce has no trace rights; customs records only inspections
  assert.equal((await link('commerce', { kind: 'inspection', result: 'pass' })).status, 403);
  assert.equal((await link('customs', { kind: 'delivery', logisticsNo: left.logisticsNo })).status, 400);

  const stored = await sql<{ kind: string; source: string; place: string | null; country: string | null; result: string | null }>`
    select kind, source, place, country, result from tr_event where code = ${code} order by at, id`.execute(
    tp.platform.database.db,
  );
  const byKind = Object.fromEntries(stored.rows.map((r) => [r.kind, r]));
  assert.deepEqual(stored.rows.map((r) => r.kind).sort(), [
    'delivery',
    'departure',
    'filing',
    'inspection',
    'producer',
    'warehouse',
  ]);
  assert.deepEqual(byKind.warehouse, {
    kind: 'warehouse',
    source: 'warehouse',
    place: PARTIES.warehouse.name,
    country: 'CN',
    result: null,
  });
  assert.deepEqual(byKind.delivery, { kind: 'delivery', source: 'logistics', place: 'Boston MA', country: 'US', result: null });
  assert.deepEqual(byKind.inspection, { kind: 'inspection', source: 'agency', place: '南昌海关', country: 'CN', result: 'pass' });
  assert.equal(byKind.departure!.source, 'customs');

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
    chain: { kind: string; label: string; at: string; result: string | null }[];
    checks: Record<string, unknown>;
    warning: { flagged: boolean };
    languages: string[];
  }>();
  // in time order, each named in English
  const labels: Record<string, string> = {
    filing: 'Product filed with customs',
    producer: 'Produced',
    warehouse: 'Received at warehouse',
    inspection: 'Inspection result',
    departure: 'Left China',
    delivery: 'Delivered',
  };
  assert.deepEqual(
    page.chain.map((c) => c.label),
    page.chain.map((c) => labels[c.kind]),
  );
  assert.deepEqual(
    page.chain.map((c) => c.at),
    page.chain.map((c) => c.at).sort(),
  );
  assert.deepEqual(page.checks, { filed: true, inspected: true, inspection: 'passed', departed: true });
  assert.equal(page.product.name, product.gnameEn ?? product.gname);
  assert.equal(page.origin, 'China');
  assert.equal(page.warning.flagged, false);
  // the page's languages (French among them), whatever the seller named the product in
  assert.deepEqual(page.languages, ['zh', 'en', 'ar', 'de', 'es', 'fr', 'ja', 'ko', 'pt', 'ru']);
  const fr = (await api(null, 'GET', `/api/v1/public/trace/${code}?lang=fr`)).json<{ product: { name: string } }>();
  assert.equal(fr.product.name, 'Bol en porcelaine bleu et blanc');
  assert.equal((await api(null, 'GET', '/api/v1/public/trace/TNOPE')).status, 404);
  // the seller reads its code with the chain
  const mine = await api('seller', 'GET', `/api/v1/trace/codes/${code}`);
  assert.equal(mine.status, 200, mine.body);
  assert.deepEqual(mine.json<{ checks: unknown }>().checks, {
    filed: true,
    inspection: 'passed',
    departed: true,
    delivered: true,
  });
  assert.equal((await api('seller2', 'GET', `/api/v1/trace/codes/${code}`)).status, 404);
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
  assert.match(page.body, /<html lang="fr" dir="ltr">/);
  assert.match(page.body, /Bol en porcelaine bleu et blanc/);
  assert.match(page.body, /<h2>Chaîne de traçabilité<\/h2>/);
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
    assert.match(page.body, new RegExp(`<html lang="${lang}" dir="ltr">`));
    // the Chinese source text beside the English title; none on the Chinese page
    assert.match(
      page.body,
      new RegExp(`<h1>${title}${lang === 'zh' ? '' : ' <span class="zh" lang="zh-CN" dir="ltr">商品追溯验证</span>'}</h1>`),
    );
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

/** The HTML page as a phone opens it: no log-in, optionally the browser's Accept-Language. */
async function htmlPage(code: string, query = '', acceptLanguage?: string) {
  const res = await tp.platform.app.inject({
    method: 'GET',
    url: `/t/${code}${query}`,
    headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {},
  });
  assert.equal(res.statusCode, 200, res.body);
  return res;
}
const htmlLang = (body: string) => /<html lang="([a-z]{2})" dir="(ltr|rtl)">/.exec(body)?.slice(1, 3);

// Real strings of every page language: title, the chain heading, one link of the chain, the
// report heading and its button.
const EXPECTED: Record<string, { title: string; chain: string; produced: string; report: string; send: string }> = {
  zh: { title: '商品追溯验证', chain: '追溯链', produced: '生产', report: '举报假冒', send: '提交' },
  en: { title: 'Product verification', chain: 'Trace chain', produced: 'Produced', report: 'Report a counterfeit', send: 'Send' },
  ru: {
    title: 'Проверка подлинности товара',
    chain: 'Цепочка прослеживаемости',
    produced: 'Произведено',
    report: 'Сообщить о подделке',
    send: 'Отправить',
  },
  es: {
    title: 'Verificación del producto',
    chain: 'Cadena de trazabilidad',
    produced: 'Fabricado',
    report: 'Denunciar una falsificación',
    send: 'Enviar',
  },
  fr: {
    title: 'Vérification du produit',
    chain: 'Chaîne de traçabilité',
    produced: 'Fabriqué',
    report: 'Signaler une contrefaçon',
    send: 'Envoyer',
  },
  de: {
    title: 'Produktprüfung',
    chain: 'Rückverfolgungskette',
    produced: 'Hergestellt',
    report: 'Fälschung melden',
    send: 'Senden',
  },
  ja: { title: '商品の真正性確認', chain: 'トレーサビリティ記録', produced: '製造', report: '偽造品を報告する', send: '送信' },
  ko: { title: '제품 진품 확인', chain: '이력 추적', produced: '생산', report: '위조품 신고', send: '보내기' },
  ar: { title: 'التحقق من المنتج', chain: 'سلسلة التتبع', produced: 'الإنتاج', report: 'الإبلاغ عن منتج مقلد', send: 'إرسال' },
  pt: {
    title: 'Verificação do produto',
    chain: 'Cadeia de rastreabilidade',
    produced: 'Fabricado',
    report: 'Denunciar falsificação',
    send: 'Enviar',
  },
};

test('every page language renders its own strings, with the Chinese source beside, a language switch and a strict CSP', async () => {
  const code = await newCode();
  const v = await api(null, 'GET', `/api/v1/public/trace/${code}?lang=ru`);
  assert.equal(v.status, 200, v.body);
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...v.json<{ languages: string[] }>().languages].sort());
  const nameZh = product.gname;
  for (const [lang, x] of Object.entries(EXPECTED)) {
    const page = await htmlPage(code, `?lang=${lang}`);
    const b = page.body;
    assert.deepEqual(htmlLang(b), [lang, lang === 'ar' ? 'rtl' : 'ltr'], lang);
    assert.match(b, new RegExp(`<h1>${x.title}(</h1>| <span class="zh" lang="zh-CN" dir="ltr">商品追溯验证</span></h1>)`), lang);
    assert.ok(b.includes(`<h2>${x.chain}</h2>`), `${lang}: chain heading`);
    assert.ok(b.includes(`<li><b>${x.produced}</b>`), `${lang}: a link of the chain`);
    assert.ok(b.includes(`<h2>${x.report}</h2>`), `${lang}: report heading`);
    assert.ok(b.includes(`<button type="submit">${x.send}</button>`), `${lang}: report button`);
    assert.ok(b.includes(`action="/t/${code}/report?lang=${lang}"`), `${lang}: the form posts back in its language`);
    if (lang !== 'zh') {
      // the Chinese source text: the product's filed name and the chain's link names
      assert.ok(b.includes(`<span lang="zh-CN" dir="ltr">${nameZh}</span>`), `${lang}: Chinese product name`);
      assert.ok(b.includes('<span class="zh" lang="zh-CN" dir="ltr">生产</span>'), `${lang}: Chinese link name`);
    }
    // the switch: plain links to every other language, this one in bold, each named in itself
    const nav = /<nav class="langs"[^>]*>(.*?)<\/nav>/.exec(b)?.[1] ?? '';
    assert.equal((nav.match(/<a href="\?lang=[a-z]{2}"/g) ?? []).length, 9, `${lang}: nine links`);
    assert.match(nav, new RegExp(`<b lang="${lang}"`));
    for (const name of [
      '中文',
      'English',
      'Русский',
      'Español',
      'Français',
      'Deutsch',
      '日本語',
      '한국어',
      'العربية',
      'Português',
    ])
      assert.ok(nav.includes(`>${name}</`), `${lang}: ${name} in the switch`);
    assert.doesNotMatch(b, /<script/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    const styleSrc = csp.split(';').find((d) => d.startsWith('style-src '));
    assert.ok(styleSrc && !styleSrc.includes('unsafe-inline'), `${lang}: no unsafe-inline for style elements`);
    // the hash is the page's own style element
    const style = /<style>([\s\S]*?)<\/style>/.exec(b)![1]!;
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`));
  }
  // the origin in the buyer's language
  assert.match((await htmlPage(code, '?lang=ru')).body, /<th>Страна происхождения<\/th><td>Китай<\/td>/);
  assert.match((await htmlPage(code, '?lang=de')).body, /<th>Herkunft<\/th><td>China<\/td>/);
  // the JSON verification names the chain in the language asked for
  const ja = await tp.platform.app.inject({ method: 'GET', url: `/api/v1/public/trace/${code}?lang=ja` });
  assert.deepEqual(
    ja.json<{ chain: { label: string }[] }>().chain.map((c) => c.label),
    ['税関に商品登録', '製造'],
  );
});

test('Arabic reads right to left', async () => {
  const code = await newCode();
  const b = (await htmlPage(code, '?lang=ar')).body;
  assert.match(b, /^<!doctype html>\n<html lang="ar" dir="rtl">/);
  assert.ok(b.includes('<h2>سلسلة التتبع</h2>'));
  assert.ok(b.includes('<th>البائع</th>'));
  // codes, dates and Chinese stay left to right inside the right-to-left page
  assert.ok(b.includes(`<code data-testid="trace-code" dir="ltr">${code}</code>`));
  assert.match(b, /<span dir="ltr">\d{4}-\d{2}-\d{2}<\/span>/);
  // the sheet uses start/end, not left/right, so it mirrors
  const style = /<style>([\s\S]*?)<\/style>/.exec(b)![1]!;
  assert.doesNotMatch(style, /(left|right)/);
  // every other language reads left to right
  assert.deepEqual(htmlLang((await htmlPage(code, '?lang=ja')).body), ['ja', 'ltr']);
});

test('language: ?lang=, else Accept-Language by q-value, else the destination country, else English; unknown falls back', async () => {
  const code = await newCode();
  const cases: [string, string, string | undefined, string][] = [
    ['the browser’s first language', '', 'de-CH,de;q=0.9,en;q=0.5', 'de'],
    ['q-values, not order', '', 'ja;q=0.5,ko;q=0.8,en;q=0.1', 'ko'],
    ['a regional tag counts as its language', '', 'pt-BR', 'pt'],
    ['languages the page lacks are skipped', '', 'it-IT,it;q=0.9,es;q=0.2', 'es'],
    ['q=0 means not this one', '', 'ru;q=0,ar;q=0.3', 'ar'],
    ['Chinese for a Chinese browser', '', 'zh-TW,zh;q=0.9', 'zh'],
    ['?lang= beats the browser', '?lang=fr', 'de', 'fr'],
    ['?lang= in capitals', '?lang=RU', undefined, 'ru'],
    ['an unknown ?lang= falls back to the browser', '?lang=xx', 'es-MX,es;q=0.8', 'es'],
    ['an unknown ?lang= and no browser language: English', '?lang=xx', undefined, 'en'],
    ['a malformed header: English', '', ';;q=x,,', 'en'],
    ['a wildcard alone: English', '', '*', 'en'],
    ['nothing at all: English', '', undefined, 'en'],
  ];
  for (const [name, query, accept, want] of cases)
    assert.equal(htmlLang((await htmlPage(code, query, accept)).body)?.[0], want, name);
  // a language only the product name is offered in (Italian here) keeps the name, with English labels
  const it = await api('seller', 'POST', '/api/v1/trace/codes', {
    kind: 'unit',
    itemNo: product.itemNo,
    batchNo: 'JDZ-2026-12',
    quantity: 1,
    producer: '景德镇',
    productNames: { it: 'Ciotola in porcellana' },
  });
  const itCode = it.json<{ items: { code: string }[] }>().items[0]!.code;
  const page = (await htmlPage(itCode, '', 'it')).body;
  assert.deepEqual(htmlLang(page), ['en', 'ltr']);
  assert.ok(page.includes('<span lang="it">Ciotola in porcellana</span>'));
  assert.ok(page.includes('<b lang="it" dir="ltr">it</b>'));
  assert.equal((await htmlPage(code, '', 'de')).headers.vary, 'Accept-Language');
});

test('without a browser language the page speaks the destination country’s: the parcel’s (customs) or where it was delivered', async () => {
  // a parcel to Russia (运抵国 344) that customs closed; the code's departure names it
  const rus = countryByIso('RUS')!.code;
  const sellerProducts = DEMO_PRODUCTS.filter((p) => p.ebcCode === PARTIES.seller.code);
  const toRussia = parcelDocuments(1, 'TRU', {
    platform: PARTIES.platform,
    seller: PARTIES.seller,
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: [{ p: sellerProducts[0]!, qty: 1 }],
    country: rus,
    goodsInfo: '青花瓷器 porcelain',
  });
  await closeParcels(tp, tokens, [toRussia], 2, 'TRU');
  const code = await newCode();
  assert.equal(htmlLang((await htmlPage(code)).body)?.[0], 'en', 'nothing known yet: English');
  const left = await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, {
    kind: 'departure',
    logisticsNo: toRussia.logisticsNo,
  });
  assert.equal(left.status, 201, left.body);
  const stored = await sql<{ destination: string | null; country: string | null }>`
    select destination, country from tr_event where code = ${code} and kind = 'departure'`.execute(tp.platform.database.db);
  assert.deepEqual(stored.rows, [{ destination: rus, country: 'CN' }]);
  assert.deepEqual(htmlLang((await htmlPage(code)).body), ['ru', 'ltr']);
  assert.match((await htmlPage(code)).body, /<h2>Цепочка прослеживаемости<\/h2>/);
  // the browser's language still comes first, and ?lang= before it
  assert.equal(htmlLang((await htmlPage(code, '', 'en-GB,en;q=0.9')).body)?.[0], 'en');
  assert.equal(htmlLang((await htmlPage(code, '?lang=es', 'en')).body)?.[0], 'es');
  // a browser asking only for languages the page lacks: the destination's
  assert.equal(htmlLang((await htmlPage(code, '', 'it,nl;q=0.5')).body)?.[0], 'ru');
  // delivered in Germany (the carrier's tracking says so): where it arrived wins
  const delivered = async (logisticsNo: string, country: string, location: string) => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const r = await api('carrier', 'POST', '/api/v1/logistics/events', {
      events: [{ logisticsNo, code: 'delivered', at, location, country }],
    });
    assert.equal(r.status, 200, r.body);
  };
  await delivered(toRussia.logisticsNo, 'DE', 'Berlin');
  assert.equal(
    (await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'delivery', logisticsNo: toRussia.logisticsNo }))
      .status,
    201,
  );
  assert.deepEqual(htmlLang((await htmlPage(code)).body), ['de', 'ltr']);
  // delivered to Saudi Arabia: Arabic, right to left
  const toSaudi = makeParcel(4, 'TSA');
  let g = 0;
  await declareParcel(tp, tokens, toSaudi, () => guidOf(7701, ++g));
  await delivered(toSaudi.logisticsNo, 'SA', 'Riyadh');
  const other = await newCode();
  const sa = await api('seller', 'POST', `/api/v1/trace/codes/${other}/events`, {
    kind: 'delivery',
    logisticsNo: toSaudi.logisticsNo,
  });
  assert.equal(sa.status, 201, sa.body);
  assert.deepEqual(htmlLang((await htmlPage(other)).body), ['ar', 'rtl']);
});

test('the report-a-counterfeit form works in Russian: the case opens, the page thanks in Russian', async () => {
  const code = await newCode();
  const form = (await htmlPage(code, '?lang=ru')).body;
  assert.ok(form.includes(`<form method="post" action="/t/${code}/report?lang=ru">`));
  assert.ok(form.includes('<label>Опишите проблему<textarea name="summary"'));
  const summary = 'Глазурь стирается, клеймо напечатано';
  const post = await tp.platform.app.inject({
    method: 'POST',
    url: `/t/${code}/report?lang=ru`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ summary, contact: 'buyer@example.ru' }).toString(),
  });
  assert.equal(post.statusCode, 303, post.body);
  assert.equal(post.headers.location, `/t/${code}?lang=ru&reported=1`);
  const thanks = (await htmlPage(code, '?lang=ru&reported=1')).body;
  assert.ok(thanks.includes('<p class="ok" data-testid="trace-reported">✔ Спасибо, ваше сообщение получено</p>'));
  assert.doesNotMatch(thanks, /<form/);
  // the case on the seller, with the buyer's words as written
  const cases = (await api('commerce', 'GET', '/api/v1/credit/cases?status=reported')).json<{
    items: { id: string; traceCode: string }[];
  }>();
  const id = cases.items.find((c) => c.traceCode === code)?.id;
  assert.ok(id, 'a case for this code');
  const kase = (await api('commerce', 'GET', `/api/v1/credit/cases/${id}`)).json<{
    kind: string;
    subjectCode: string;
    summary: string;
  }>();
  assert.deepEqual([kase.kind, kase.subjectCode, kase.summary], ['counterfeit', PARTIES.seller.code, `[${code}] ${summary}`]);
});

test('a flagged code warns in the buyer’s language, its reasons with their figures', async () => {
  const code = await proxiedCode();
  const countries = ['FR', 'DE', 'US', 'BR', 'JP'];
  for (let i = 0; i < 20; i++) await proxiedScan(code, countries[i % 5]!, `198.51.100.${i + 101}`);
  const page = async (lang: string) =>
    (
      await proxied.platform.app.inject({
        method: 'GET',
        url: `/t/${code}?lang=${lang}`,
        remoteAddress: '10.0.0.2',
        headers: { 'x-geo-country': 'JP', 'x-forwarded-for': '198.51.100.250' },
      })
    ).body;
  const ja = await page('ja');
  assert.ok(ja.includes('注意：このコードは不自然な形でスキャンされています。偽造品の可能性があります'));
  assert.match(ja, /<li>90日間に21回スキャン（上限10回）<\/li>/);
  assert.match(ja, /<li>5か国でスキャン：[A-Z]{2}(、[A-Z]{2}){4}<\/li>/);
  const es = await page('es');
  assert.match(es, /<li>escaneado 21 veces en 90 días \(límite 10\)<\/li>/);
  assert.match(es, /<li>escaneado en 5 países: [A-Z]{2}(, [A-Z]{2}){4}<\/li>/);
});

test('a code scanned away from where its goods went, once they left, is flagged in the buyer’s language', async () => {
  const ptokens: Record<string, string> = {};
  for (const u of ['seller', 'platform', 'payer', 'carrier', 'broker', 'warehouse'])
    ptokens[u] = await login(proxied.platform, u);
  const code = await proxiedCode();
  // the seller checks the label at home before the goods leave: not a scan "away"
  proxiedClock.advance(60_000);
  assert.equal((await proxiedScan(code, 'CN', '198.51.100.201')).warning.flagged, false);
  proxiedClock.advance(60_000);
  const parcel = makeParcel(1, 'TPL'); // to the USA (502)
  await closeParcels(proxied, ptokens, [parcel], 1, 'TPL');
  const left = await proxied.platform.app.inject({
    method: 'POST',
    url: `/api/v1/trace/codes/${code}/events`,
    headers: { authorization: `Bearer ${ptokens.seller}` },
    payload: { kind: 'departure', logisticsNo: parcel.logisticsNo },
  });
  assert.equal(left.statusCode, 201, left.body);
  proxiedClock.advance(60_000);
  assert.equal((await proxiedScan(code, 'US', '198.51.100.202')).warning.flagged, false, 'scanned where it went');
  const away = await proxiedScan(code, 'BR', '198.51.100.203');
  assert.equal(away.warning.flagged, true);
  // BR is away from where it went; China, scanned before the goods left, is not (it still counts among the countries)
  assert.deepEqual(
    away.warning.reasons.map((r) => r.en),
    ['scanned in 3 countries: BR, CN, US', 'scanned in BR after it left for US'],
  );
  const page = await proxied.platform.app.inject({
    method: 'GET',
    url: `/t/${code}?lang=es`,
    remoteAddress: '10.0.0.2',
    headers: { 'x-geo-country': 'BR', 'x-forwarded-for': '198.51.100.203' },
  });
  assert.match(page.body, /<li>escaneado en BR después de enviarse a US<\/li>/);
});

test('a batch prints as one sheet of QR labels: each unit code once, a batch code once per unit', async () => {
  const make = async (kind: 'unit' | 'batch', quantity: number) => {
    const r = await api('seller', 'POST', '/api/v1/trace/codes', {
      kind,
      itemNo: product.itemNo,
      batchNo: 'LBL-2026-1',
      quantity,
      producer: '景德镇',
    });
    assert.equal(r.status, 201, r.body);
    return r.json<{ items: { code: string }[] }>().items.map((x) => x.code);
  };
  const units = await make('unit', 4);
  const [batch] = await make('batch', 3);
  const sheet = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/trace/labels?batchNo=LBL-2026-1',
    headers: { authorization: `Bearer ${tokens.seller}`, host: 'window.example.org' },
  });
  assert.equal(sheet.statusCode, 200, sheet.body);
  assert.match(sheet.headers['content-type'] as string, /text\/html/);
  assert.equal((sheet.body.match(/data-testid="trace-label"/g) ?? []).length, 7);
  for (const c of units) assert.equal(sheet.body.split(`<div class="code">${c}</div>`).length - 1, 1, c);
  assert.equal(sheet.body.split(`<div class="code">${batch}</div>`).length - 1, 3);
  // each label's QR code is the verification address; the sheet prints on A4 and runs no script
  const qr = await QRCode.toString(`http://window.example.org/t/${units[0]}`, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 1,
  });
  assert.ok(sheet.body.includes(qr));
  assert.match(sheet.body, /@page\{size:A4/);
  assert.doesNotMatch(sheet.body, /<script/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(sheet.body)![1]!;
  assert.ok(
    String(sheet.headers['content-security-policy']).includes(
      `'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`,
    ),
  );
  // another seller's batch of the same number is not this one
  assert.equal((await api('seller2', 'GET', '/api/v1/trace/labels?batchNo=LBL-2026-1')).status, 404);
});

test('without TRUSTED_GEO_HEADER in production the start-up log and the sellers’ page say scans’ countries are unknown', async () => {
  assert.match(scanGeoWarning({ env: 'production', trustedGeoHeader: undefined }) ?? '', /TRUSTED_GEO_HEADER.*ZZ/s);
  assert.equal(scanGeoWarning({ env: 'production', trustedGeoHeader: 'x-geo-country' }), undefined);
  assert.equal(scanGeoWarning({ env: 'development', trustedGeoHeader: undefined }), undefined);
  assert.equal((await api('seller', 'GET', '/api/v1/trace/codes')).json<{ scanCountries: string }>().scanCountries, 'unknown');
  const behindProxy = await proxied.platform.app.inject({
    method: 'GET',
    url: '/api/v1/trace/codes',
    headers: { authorization: `Bearer ${await login(proxied.platform, 'seller')}` },
  });
  assert.equal(behindProxy.json<{ scanCountries: string }>().scanCountries, 'proxy');
});
