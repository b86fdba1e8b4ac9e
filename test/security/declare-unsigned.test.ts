import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createSignatureService } from '../../src/modules/signature/index.ts';
import type { Principal } from '../../src/modules/identity/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * The broker's declare-for-seller path (ADR 0018). When a broker declares inventory drafts, the
 * platform sends, as the seller, the CEB303 orders no platform declared, built from the seller's
 * stored orders: unsigned JSON. A seller that registered a certificate has those sent only on
 * the request of a person in the web UI (a cookie session that passed the CSRF check), as if it
 * had sent them itself; a broker's program (a bearer log-in token or an API key) is refused with
 * `json_unsigned` before anything is claimed, sent or stored. The certificate is made here with
 * the openssl command line, as in signature.test.ts.
 */

const PLATFORM = '3601960001';
const BROKER = '3601980099';
const CARRIER = '3601980012';

const dir = mkdtempSync(path.join(tmpdir(), 'cbec-declare-'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let sellerId = '';
let brokerId = '';

async function api(who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.body, json: <T>() => res.json() as T };
}

/** A digest of every row of every table but the callers' own session bookkeeping: what a refusal must leave as it was. */
async function fingerprint(): Promise<string> {
  const db = tp.platform.database.db;
  await tp.platform.settle();
  const tables = await sql<{ t: string }>`
    select table_name as t from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    const volatile = t === 'user_session' ? ['last_seen_at'] : t === 'api_key' ? ['last_used_at'] : [];
    const row = volatile.length ? sql`(to_jsonb(x) - ${volatile}::text[])` : sql`x`;
    const r = await sql<{ h: string | null }>`
      select md5(string_agg(md5(${row}::text), '' order by md5(${row}::text))) as h from ${sql.table(t)} x`.execute(db);
    parts.push(`${t}:${r.rows[0]?.h ?? ''}`);
  }
  return parts.join('\n');
}

/** The seller's orders pushed by API, built into drafts for the broker and completed by it: the draft ids. */
async function completeDrafts(orderNos: string[]): Promise<string[]> {
  const pushed = await api('seller', 'POST', '/api/v1/sales-orders', {
    platformCode: PLATFORM,
    orders: orderNos.map((orderNo) => ({
      orderNo,
      currency: 'USD',
      buyerCountry: 'USA',
      buyerName: 'Jane Doe',
      lines: [{ itemNo: 'QHC-BOWL-01', itemName: '青花瓷碗', qty: 2, price: '21.5' }],
    })),
  });
  assert.equal(pushed.status, 201, pushed.body);
  const orderIds = (
    await sql<{ id: string }>`
    select id from sales_order where order_no = any(${orderNos}::text[]) order by order_no`.execute(tp.platform.database.db)
  ).rows.map((r) => r.id);
  const built = await api('seller', 'POST', '/api/v1/orders/build-inventories', {
    orderIds,
    agentCode: BROKER,
    logisticsCode: CARRIER,
  });
  assert.equal(built.status, 200, built.body);
  const drafts = built.json<{ drafts: { id: string; orderNo: string; status: string }[] }>().drafts;
  for (const d of drafts) {
    if (d.status === 'complete') continue;
    const patched = await api('broker', 'PATCH', `/api/v1/inventory-drafts/${d.id}`, {
      grossWeight: '1.2',
      netWeight: '0.9',
      logisticsNo: `EA${String(700000000 + Number(d.orderNo.slice(-1)))}CN`,
    });
    assert.equal(patched.status, 200, patched.body);
    assert.equal(patched.json<{ status: string }>().status, 'complete', patched.body);
  }
  return orderNos.map((no) => drafts.find((d) => d.orderNo === no)!.id);
}

async function draftStatus(ids: string[]): Promise<string[]> {
  const r = await sql<{ status: string }>`
    select status from inventory_draft where id = any(${ids}::uuid[]) order by id`.execute(tp.platform.database.db);
  return r.rows.map((x) => x.status);
}

async function ordersOfSeller(orderNos: string[]): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from clr_document
    where kind = 'order' and head->>'orderNo' = any(${orderNos}::text[]) and ${sellerId}::uuid = any(parties)`.execute(
    tp.platform.database.db,
  );
  return r.rows[0]!.n;
}

/** Declares through the route with a bearer credential; answers status and problem. */
async function declareBearer(credential: string, ids: string[]) {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/inventory-drafts/declare',
    headers: { authorization: `Bearer ${credential}` },
    payload: { ids },
  });
  return { status: res.statusCode, body: res.body };
}

before(async () => {
  tp = await startTestPlatform();
  for (const u of ['seller', 'broker', 'platform']) tokens[u] = await login(tp.platform, u);
  const orgs = await sql<{ code: string; id: string }>`
    select customs_code as code, id::text as id from organisation where customs_code in ('3601260888', ${BROKER})`.execute(
    tp.platform.database.db,
  );
  sellerId = orgs.rows.find((o) => o.code === '3601260888')!.id;
  brokerId = orgs.rows.find((o) => o.code === BROKER)!.id;
  // The seller signs its declarations: it registers its certificate.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'seller.key'),
      '-out',
      path.join(dir, 'seller.crt'),
      '-days',
      '30',
      '-subj',
      '/O=Jingdezhen Porcelain/CN=3601260888',
    ],
    { stdio: 'pipe' },
  );
  const reg = await api('seller', 'POST', '/api/v1/certificates', {
    certificate: readFileSync(path.join(dir, 'seller.crt'), 'utf8'),
  });
  assert.equal(reg.status, 201, reg.body);
});

after(async () => {
  await tp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a broker declaring a signing seller’s drafts with a bearer log-in token or an API key is refused (json_unsigned), nothing stored', async () => {
  const ids = await completeDrafts(['SIG-DECL-1', 'SIG-DECL-2']);
  const key = await api('broker', 'POST', '/api/v1/api-keys', { name: 'broker erp' });
  assert.equal(key.status, 201, key.body);
  for (const [who, credential] of [
    ['log-in token', tokens.broker!],
    ['API key', key.json<{ key: string }>().key],
  ] as const) {
    const before = await fingerprint();
    const res = await declareBearer(credential, ids);
    assert.equal(res.status, 422, `${who}: ${res.body}`);
    const problem = JSON.parse(res.body) as {
      code: string;
      reason: string;
      organisations: string[];
      detailZh: string;
      detailEn: string;
    };
    assert.equal(problem.code, 'signature.unprocessable', who);
    assert.equal(problem.reason, 'json_unsigned', who);
    assert.deepEqual(problem.organisations, [sellerId], `${who}: names the signing seller`);
    assert.match(problem.detailZh, /网页会话/, who);
    assert.match(problem.detailEn, /web session|web UI/, who);
    // Nothing claimed, sent, numbered or audited: every table as it was.
    assert.equal(await fingerprint(), before, `${who}: nothing stored`);
    assert.deepEqual(await draftStatus(ids), ['complete', 'complete'], who);
    assert.equal(await ordersOfSeller(['SIG-DECL-1', 'SIG-DECL-2']), 0, who);
  }
});

test('the same broker in the web UI (cookie session, same-site origin) declares them: CEB303 as the seller, then CEB603', async () => {
  const ids = (
    await sql<{ id: string }>`
      select id from inventory_draft where order_no in ('SIG-DECL-1', 'SIG-DECL-2') order by order_no`.execute(
      tp.platform.database.db,
    )
  ).rows.map((r) => r.id);
  assert.equal(ids.length, 2);
  const signIn = await fetch(new URL('/api/v1/auth/login', tp.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: tp.baseUrl },
    body: JSON.stringify({ username: 'broker', password: 'cbec-demo' }),
  });
  assert.equal(signIn.status, 200);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, /^cbec_session=/);
  const res = await fetch(new URL('/api/v1/inventory-drafts/declare', tp.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: tp.baseUrl },
    body: JSON.stringify({ ids }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text) as { declared: number; messages: { messageType: string; accepted: number }[] };
  assert.deepEqual(
    body.messages.map((m) => `${m.messageType}:${m.accepted}`),
    ['CEB303:2', 'CEB603:2'],
  );
  assert.equal(body.declared, 2);
  assert.deepEqual(await draftStatus(ids), ['declared', 'declared']);
  assert.equal(await ordersOfSeller(['SIG-DECL-1', 'SIG-DECL-2']), 2, 'the seller’s orders are stored as its declarations');
  const inventories = await sql<{ n: number }>`
    select count(*)::int as n from clr_document
    where kind = 'inventory' and head->>'orderNo' in ('SIG-DECL-1', 'SIG-DECL-2') and ${brokerId}::uuid = any(parties)`.execute(
    tp.platform.database.db,
  );
  assert.equal(inventories.rows[0]!.n, 2);
});

test('no seller message to send (the platform declared the order itself): the broker’s bearer token may declare', async () => {
  const [id] = await completeDrafts(['SIG-DECL-3']);
  // The platform, which registered no certificate, pushes the order's CEB303 itself.
  const placed = await api('platform', 'POST', '/api/v1/orders', {
    guid: 'C0000000-0000-4000-8000-000000000303',
    items: [
      {
        guid: 'C0000000-0000-4000-8000-000000000003',
        appTime: '20261126100000',
        orderType: 'E',
        orderNo: 'SIG-DECL-3',
        ebpCode: PLATFORM,
        ebpName: '赣品出海跨境平台有限公司',
        ebcCode: '3601260888',
        ebcName: '景德镇青花瓷业进出口有限公司',
        goodsValue: '43',
        freight: '0',
        currency: '502',
        lines: [
          {
            gnum: '1',
            itemNo: 'QHC-BOWL-01',
            itemName: '青花瓷碗',
            unit: '011',
            currency: '502',
            qty: '2',
            price: '21.5',
            totalPrice: '43',
          },
        ],
      },
    ],
  });
  assert.equal(placed.status, 200, placed.body);
  assert.equal(placed.json<{ accepted: number }>().accepted, 1, placed.body);
  const res = await declareBearer(tokens.broker!, [id!]);
  assert.equal(res.status, 200, res.body);
  const body = JSON.parse(res.body) as { declared: number; messages: { messageType: string }[] };
  assert.deepEqual(
    body.messages.map((m) => m.messageType),
    ['CEB603'],
  );
  assert.equal(body.declared, 1);
});

test('the port too: the seller’s organisation principal is as free as the broker’s credential that asked for it', async () => {
  const signatures = createSignatureService({ db: tp.platform.database.db, clock: tp.platform.clock, audit: tp.platform.audit });
  const broker = await tp.platform.auth.authenticate(tokens.broker!);
  assert.ok(broker);
  const seller = await tp.platform.auth.authenticate(tokens.seller!);
  assert.ok(seller?.organisation);
  const declaration = {
    messageType: 'CEB303',
    guid: 'C0000000-0000-4000-8000-000000000009',
    version: '1.0',
    appStatus: '2',
    entities: [{ head: { appStatus: '2', orderNo: 'SIG-PORT-1' }, lists: {} }],
  };
  const asSeller = (initiatedBy?: Principal['initiatedBy']): Principal => ({
    ...seller,
    via: 'api_key',
    userId: null,
    apiKeyId: null,
    roles: ['enterprise_clerk'],
    ...(initiatedBy ? { initiatedBy } : {}),
  });
  const outcome = async (p: Principal): Promise<string> => {
    try {
      await signatures.requireSignature(p, declaration as never, 'json');
      return 'allowed';
    } catch (e) {
      return (e as { details?: { reason?: string } }).details?.reason ?? String(e);
    }
  };
  assert.equal(await outcome(asSeller({ via: 'session', userId: broker.userId, apiKeyId: null })), 'json_unsigned');
  assert.equal(await outcome(asSeller({ via: 'api_key', userId: null, apiKeyId: broker.userId })), 'json_unsigned');
  assert.equal(await outcome(asSeller({ via: 'session', userId: broker.userId, apiKeyId: null, viaCookie: true })), 'allowed');
  // The platform's own message with no one's request behind it (a centre's arrival at dispatch).
  assert.equal(await outcome(asSeller()), 'allowed');
});
