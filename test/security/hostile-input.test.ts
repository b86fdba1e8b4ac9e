import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb } from '../../src/ceb/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { makeParcel, message, PARTIES } from '../support/parcels.ts';

/**
 * Hostile input (issue #9 point 2): every message in test/fixtures/hostile/ and every generated
 * monster is refused with a clear bilingual problem, nothing is stored, the process survives and
 * its memory stays bounded. Row counts are taken before and after each attempt.
 */
const FIXTURES = path.resolve('test/fixtures/hostile');

interface Expectation {
  status: number;
  /** problem+json `code` */
  code: string;
  /** a fragment of the English detail, so the error is the specific one, not any 400 */
  detail: RegExp;
}

/** Every fixture file needs an entry here: a new fixture without an expectation fails the test. */
const EXPECTED: Record<string, Expectation> = {
  'xxe-external-entity.xml': { status: 400, code: 'ceb.bad_request', detail: /DOCTYPE/ },
  'xxe-parameter-entity.xml': { status: 400, code: 'ceb.bad_request', detail: /DOCTYPE/ },
  'billion-laughs.xml': { status: 400, code: 'ceb.bad_request', detail: /DOCTYPE/ },
  'doctype-no-entities.xml': { status: 400, code: 'ceb.bad_request', detail: /DOCTYPE/ },
  'entity-in-body-only.xml': { status: 400, code: 'ceb.bad_request', detail: /undeclared entity reference "&xxe;"/ },
  'wrong-namespace.xml': { status: 400, code: 'ceb.bad_request', detail: /namespace http:\/\/www\.chinaport\.gov\.cn\/ceb/ },
  'no-namespace.xml': { status: 400, code: 'ceb.bad_request', detail: /namespace/ },
  'unknown-root.xml': { status: 415, code: 'ceb.unsupported_media_type', detail: /CEB999Message/ },
  'declared-gbk.xml': { status: 415, code: 'ceb.unsupported_encoding', detail: /GBK/ },
  'utf16-declared.xml': { status: 415, code: 'ceb.unsupported_encoding', detail: /UTF-16/ },
  'sql-in-code-field.xml': { status: 400, code: 'validation', detail: /ebpCode/ },
  'html-in-code-field.xml': { status: 400, code: 'validation', detail: /currency/ },
  'negative-amount.xml': { status: 400, code: 'validation', detail: /goodsValue/ },
  'nan-amount.xml': { status: 400, code: 'validation', detail: /goodsValue/ },
  'infinity-quantity.xml': { status: 400, code: 'validation', detail: /qty/ },
  'exponent-amount.xml': { status: 400, code: 'validation', detail: /goodsValue/ },
  'malformed-unclosed.xml': { status: 400, code: 'ceb.bad_request', detail: /malformed XML/ },
  'broken-prolog.xml': { status: 400, code: 'ceb.bad_request', detail: /malformed XML/ },
  'two-roots.xml': { status: 400, code: 'ceb.bad_request', detail: /malformed XML|one root/ },
};

const TABLES = [
  'clr_message',
  'clr_document',
  'clr_receipt',
  'clr_parcel_event',
  'outbox_event',
  'audit_log',
  'audit_pending',
] as const;

let tp: TestPlatform;
let token: string;

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(tp.platform.database.db);
    out[t] = r.rows[0]!.n;
  }
  return out;
}

interface Problem {
  code: string;
  detailZh?: string;
  detailEn?: string;
  errors?: { field: string; rule: string }[];
}

async function post(payload: string | Buffer, contentType = 'application/xml') {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/ceb',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    payload,
  });
  return { status: res.statusCode, body: res.json() as Problem & Record<string, unknown> };
}

/** Refused with the expected problem, nothing stored, the server still answers. */
async function assertRefused(payload: string | Buffer, want: Expectation, label: string): Promise<void> {
  const beforeCounts = await counts();
  const r = await post(payload);
  assert.equal(r.status, want.status, `${label}: ${JSON.stringify(r.body).slice(0, 400)}`);
  assert.equal(r.body.code, want.code, label);
  const text = `${r.body.detailEn ?? ''} ${JSON.stringify(r.body.errors ?? [])}`;
  assert.match(text, want.detail, `${label}: ${text.slice(0, 400)}`);
  assert.ok(r.body.detailZh && /[\u4e00-\u9fff]/.test(r.body.detailZh), `${label}: a Chinese detail`);
  assert.deepEqual(await counts(), beforeCounts, `${label}: nothing stored`);
  const health = await tp.platform.app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200, `${label}: still alive`);
}

before(async () => {
  tp = await startTestPlatform();
  token = await login(tp.platform, 'platform');
});
after(async () => {
  await tp.stop();
});

describe('hostile corpus (test/fixtures/hostile)', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml') && f !== 'baseline-valid.xml');

  test('every fixture has an expectation and every expectation a fixture', () => {
    assert.deepEqual([...files].sort(), Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    test(file, async () => {
      const want = EXPECTED[file];
      assert.ok(want, `no expectation for ${file}`);
      await assertRefused(readFileSync(path.join(FIXTURES, file)), want, file);
    });
  }

  test('the baseline the fixtures were cut from is accepted (so "nothing stored" can fail)', async () => {
    const beforeCounts = await counts();
    const r = await post(readFileSync(path.join(FIXTURES, 'baseline-valid.xml')));
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 400));
    assert.equal(r.body.accepted, 1);
    const afterCounts = await counts();
    assert.equal(afterCounts.clr_document, beforeCounts.clr_document! + 1);
    assert.equal(afterCounts.clr_message, beforeCounts.clr_message! + 1);
  });
});

describe('generated hostile input', () => {
  const valid = (n: number): string =>
    encodeCeb(
      message('CEB303', `00000303-0000-4000-8000-${String(n).padStart(12, '0')}`, PARTIES.platform, [makeParcel(n, 'G').order]),
    );

  test('10,000-deep nesting', async () => {
    const deep = `${'<a>'.repeat(10_000)}x${'</a>'.repeat(10_000)}`;
    const xml = valid(9001).replace(/<ceb:note>[^<]*<\/ceb:note>|<\/ceb:currency>/, (m) => `${m}${deep}`);
    await assertRefused(xml, { status: 400, code: 'ceb.bad_request', detail: /nests deeper than 32/ }, 'deep nesting');
  });

  test('invalid UTF-8 bytes', async () => {
    const bytes = Buffer.from(valid(9002), 'utf8');
    const at = bytes.indexOf(Buffer.from('<ceb:ebcName>')) + '<ceb:ebcName>'.length;
    const bad = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes.subarray(at)]);
    await assertRefused(bad, { status: 415, code: 'ceb.unsupported_encoding', detail: /not valid UTF-8/ }, 'invalid utf-8');
  });

  test('GBK bytes without a declaration', async () => {
    // 景德镇 in GBK: the bytes are not UTF-8, whatever the prolog says.
    const gbk = Buffer.from([0xbe, 0xb0, 0xb5, 0xc2, 0xd5, 0xf2]);
    const text = valid(9003);
    const [head, tail] = text.split('景德镇');
    const bad = Buffer.concat([Buffer.from(head!, 'utf8'), gbk, Buffer.from(tail!, 'utf8')]);
    await assertRefused(bad, { status: 415, code: 'ceb.unsupported_encoding', detail: /GBK/ }, 'gbk bytes');
  });

  test('10,000 entities in one message', async () => {
    const order = /<ceb:Order>[\s\S]*<\/ceb:Order>/.exec(valid(9004))![0];
    const xml = valid(9004).replace(order, order.repeat(10_000));
    const t0 = Date.now();
    await assertRefused(
      xml,
      { status: 400, code: 'ceb.bad_request', detail: /at most 100 Order per message, got 10000/ },
      '10k entities',
    );
    // Counted before parsing: parsing ~10 MB first took ~7 s of blocked event loop.
    assert.ok(Date.now() - t0 < 2500, `refusing 10,000 entities took ${Date.now() - t0} ms`);
  });

  test('10,000 entities as JSON', async () => {
    const beforeCounts = await counts();
    const item = { orderNo: 'X', goodsValue: '1' };
    const res = await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: `Bearer ${token}` },
      payload: { items: Array.from({ length: 10_000 }, () => item) },
    });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as Problem).code, 'validation');
    assert.match(res.body, /items/);
    assert.deepEqual(await counts(), beforeCounts);
  });

  test('negative and non-numeric numbers as JSON', async () => {
    const beforeCounts = await counts();
    const o = makeParcel(9005, 'J').order;
    for (const bad of [-596, '-596.00', 'NaN', 'Infinity', '1e3', '0x10']) {
      const res = await tp.platform.app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { authorization: `Bearer ${token}` },
        payload: { items: [{ ...o.head, goodsValue: bad, lines: o.lists.OrderList }] },
      });
      assert.equal(res.statusCode, 400, `goodsValue ${bad}: ${res.body.slice(0, 300)}`);
      const body = res.json() as Problem;
      assert.ok(
        body.errors?.some((e) => e.field.endsWith('goodsValue') && e.rule === 'decimal'),
        `goodsValue ${bad}: ${res.body.slice(0, 300)}`,
      );
    }
    assert.deepEqual(await counts(), beforeCounts);
  });

  test('SQL and HTML in free-text fields are data: stored verbatim, escaped on the way out, nothing else touched', async () => {
    // A name may legitimately hold an apostrophe or angle brackets; refusing them would refuse real
    // companies. What must hold: the text reaches the row unchanged (parameterised SQL) and
    // comes back escaped in XML.
    const evil = `O'Brien'); DROP TABLE clr_document;-- <script>alert(1)</script>`;
    const p = makeParcel(9006, 'S');
    p.order.head.note = evil;
    const beforeCounts = await counts();
    const res = await post(encodeCeb(message('CEB303', '00000303-0000-4000-8000-000000009006', PARTIES.platform, [p.order])));
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    const stored = await sql<{
      note: string;
    }>`select head->>'note' as note from clr_document where business_key like ${'%' + p.orderNo}`.execute(
      tp.platform.database.db,
    );
    assert.deepEqual(
      stored.rows.map((r) => r.note),
      [evil],
    );
    const afterCounts = await counts();
    assert.equal(afterCounts.clr_document, beforeCounts.clr_document! + 1);
    const doc = (res.body.entities as { documentId: string }[])[0]!.documentId;
    const xml = await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/clearance/documents/${doc}/xml`,
      headers: { authorization: `Bearer ${token}` },
    });
    if (xml.statusCode === 200) {
      assert.doesNotMatch(xml.body, /<script>/);
      assert.match(xml.body, /&lt;script&gt;/);
    }
  });

  test('50 MB body: refused before it is read, memory bounded', async () => {
    const beforeCounts = await counts();
    const rss0 = process.memoryUsage().rss;
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    // Streamed chunk by chunk without a length: the server must stop at its limit, not buffer 50 MB.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL('/api/v1/ceb', tp.baseUrl);
      const req = http.request(
        url,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve(413) : reject(e)));
      let sent = 0;
      const pump = (): void => {
        while (sent < 50) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);
    // A declared length over the limit is refused from the header alone.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        new URL('/api/v1/ceb', tp.baseUrl),
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/xml',
            'content-length': String(50 * 1024 * 1024),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve(413) : reject(e)));
      req.write(chunk);
    });
    assert.equal(declared, 413);
    const grown = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    assert.ok(grown < 40, `RSS grew ${grown.toFixed(1)} MB for a refused 50 MB body`);
    assert.deepEqual(await counts(), beforeCounts);
  });

  test('memory stays bounded over the whole corpus, repeated', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml') && f !== 'baseline-valid.xml');
    const payloads = files.map((f) => readFileSync(path.join(FIXTURES, f)));
    const run = async (): Promise<void> => {
      for (const p of payloads) await post(p);
    };
    await run();
    const beforeCounts = await counts();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 20; i++) await run();
    global.gc?.();
    const grown = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    assert.ok(grown < 50, `RSS grew ${grown.toFixed(1)} MB over ${20 * payloads.length} hostile messages`);
    assert.deepEqual(await counts(), beforeCounts);
  });
});
