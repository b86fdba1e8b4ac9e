import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { submitOk } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import { createClearanceRepository } from './clearance.repository.ts';

let tp: TestPlatform;
const t: Record<string, string> = {};

before(async () => {
  tp = await startTestPlatform();
  for (const u of ['platform', 'carrier', 'broker', 'seller', 'seller2']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('the feed follows commit order: a receipt written by a transaction still open is not skipped, and holds nothing back', async () => {
  const db = tp.platform.database.db;
  const org = (await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(db))
    .rows[0]!.id;
  const insert = (conn: typeof db, guid: string) =>
    sql`insert into clr_receipt (recipient_org_id, message_type, guid, return_status, return_info, return_time, fields, created_at)
        values (${org}, 'CEB304', ${guid}, '2', 'probe', '20261126120000000', '{}'::jsonb, now())`.execute(conn);
  await tp.platform.sequencer.flush();
  const start = (
    await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/ceb/receipts?limit=1000',
      headers: { authorization: `Bearer ${t.seller}` },
    })
  ).json() as {
    next: number;
  };
  // A takes the lower id and stays open while B commits.
  let releaseA!: () => void;
  const aOpen = new Promise<void>((r) => (releaseA = r));
  let aInserted!: () => void;
  const aDidInsert = new Promise<void>((r) => (aInserted = r));
  const a = db.transaction().execute(async (trx) => {
    await insert(trx, 'A-OPEN-LOWER-ID');
    aInserted();
    await aOpen;
  });
  await aDidInsert;
  await insert(db, 'B-COMMITTED-FIRST');
  await tp.platform.sequencer.runOnce();
  const mid = (
    await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/ceb/receipts?after=${start.next}`,
      headers: { authorization: `Bearer ${t.seller}` },
    })
  ).json() as {
    items: { guid: string }[];
    next: number;
  };
  // B committed: it is in the feed; A (the lower id, still open) is not, and does not hold B back.
  assert.deepEqual(
    mid.items.map((i) => i.guid),
    ['B-COMMITTED-FIRST'],
  );
  releaseA();
  await a;
  await tp.platform.sequencer.flush();
  const end = (
    await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/ceb/receipts?after=${mid.next}`,
      headers: { authorization: `Bearer ${t.seller}` },
    })
  ).json() as {
    items: { guid: string }[];
  };
  // A committed after the reader's cursor passed B: it lands above the cursor, never behind it.
  assert.deepEqual(
    end.items.map((i) => i.guid),
    ['A-OPEN-LOWER-ID'],
  );
});

test('receipts arrive live as server-sent events, resumable by Last-Event-ID', async () => {
  tp.platform.startWorkers();
  await tp.platform.settle();
  const now = (
    await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/ceb/receipts?limit=1000',
      headers: { authorization: `Bearer ${t.platform}` },
    })
  ).json() as {
    next: number;
  };
  const ac = new AbortController();
  const res = await fetch(`${tp.baseUrl}/api/v1/ceb/receipts/stream`, {
    headers: { authorization: `Bearer ${t.platform}`, 'last-event-id': String(now.next) },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const p = makeParcel(1, 'E');
  await submitOk(tp, t.platform!, message('CEB303', guidOf(3031, 1), PARTIES.platform, [p.order]));
  let text = '';
  const deadline = Date.now() + 10_000;
  while (!/event: receipt/.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  ac.abort();
  assert.match(text, /event: receipt\nid: \d+|id: \d+\nevent: receipt/);
  const data = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as { messageType: string; returnStatus: string; guid: string };
  assert.equal(data.messageType, 'CEB304');
  assert.equal(data.returnStatus, '2');
  assert.equal(data.guid, p.order.head.guid);
});

test('a document renders back to standard CEB XML that validates; other enterprises get 404', async (ctx) => {
  const p = makeParcel(2, 'E');
  const out = await submitOk(tp, t.broker!, message('CEB603', guidOf(6031, 2), PARTIES.broker, [p.inventory]));
  const id = out.entities[0]!.documentId!;
  const res = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/clearance/documents/${id}/xml`,
    headers: { authorization: `Bearer ${t.seller}` },
  });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<ceb:CEB603Message/);
  assert.match(res.body, new RegExp(p.orderNo));
  assert.equal(
    (
      await tp.platform.app.inject({
        method: 'GET',
        url: `/api/v1/clearance/documents/${id}/xml`,
        headers: { authorization: `Bearer ${t.seller2}` },
      })
    ).statusCode,
    404,
  );
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid([{ name: 'CEB603', xml: res.body }]);
});

test('BaseSubscribe: ALL subscribers read and get receipts, DATA only read, RET only receipts', async () => {
  const p = makeParcel(3, 'E');
  const m = message('CEB303', guidOf(3033, 3), PARTIES.platform, [p.order]);
  m.baseSubscribe = [
    { status: 'ALL', dxpMode: 'DXP', dxpAddress: `DXPENT${PARTIES.broker.code}` },
    { status: 'DATA', dxpMode: 'DXP', dxpAddress: `DXPENT${PARTIES.carrier.code}` },
    { status: 'RET', dxpMode: 'DXP', dxpAddress: 'DXPENT3601260999' },
  ];
  const out = await submitOk(tp, t.platform!, m);
  const id = out.entities[0]!.documentId!;
  await tp.platform.settle();
  const read = async (user: string) =>
    (
      await tp.platform.app.inject({
        method: 'GET',
        url: `/api/v1/clearance/documents/${id}`,
        headers: { authorization: `Bearer ${t[user]}` },
      })
    ).statusCode;
  const gotReceipt = async (user: string) => {
    const items = (
      await tp.platform.app.inject({
        method: 'GET',
        url: '/api/v1/ceb/receipts?limit=1000',
        headers: { authorization: `Bearer ${t[user]}` },
      })
    ).json() as {
      items: { guid: string }[];
    };
    return items.items.some((r) => r.guid === p.order.head.guid);
  };
  assert.deepEqual([await read('broker'), await gotReceipt('broker')], [200, true], 'ALL');
  assert.deepEqual([await read('carrier'), await gotReceipt('carrier')], [200, false], 'DATA');
  assert.deepEqual([await read('seller2'), await gotReceipt('seller2')], [404, true], 'RET');
});

test('BaseSubscribe: a refused entity’s receipt goes to the RET/ALL subscribers too; a change (appType 2) names its subscribers afresh, a deletion keeps them', async () => {
  const db = tp.platform.database.db;
  const orgOf = async (code: string) =>
    (await sql<{ id: string }>`select id from organisation where customs_code = ${code}`.execute(db)).rows[0]!.id;
  const [platform, broker, carrier, seller2] = await Promise.all(
    [PARTIES.platform.code, PARTIES.broker.code, PARTIES.carrier.code, '3601260999'].map(orgOf),
  );
  const recipients = async (guid: string) =>
    (
      await sql<{ org: string }>`
        select distinct recipient_org_id as org from clr_receipt where message_type = 'CEB304' and guid = ${guid}`.execute(db)
    ).rows
      .map((r) => r.org)
      .sort();
  const p = makeParcel(4, 'E');
  // The second entity repeats the first's business key: refused (-304001).
  const repeated = { ...p.order, head: { ...p.order.head, guid: guidOf(3035, 4) } };
  const m = message('CEB303', guidOf(3033, 4), PARTIES.platform, [p.order, repeated]);
  m.baseSubscribe = [
    { status: 'ALL', dxpMode: 'DXP', dxpAddress: `DXPENT${PARTIES.broker.code}` },
    { status: 'RET', dxpMode: 'DXP', dxpAddress: 'DXPENT3601260999' },
    { status: 'DATA', dxpMode: 'DXP', dxpAddress: `DXPENT${PARTIES.carrier.code}` },
  ];
  const out = await submitOk(tp, t.platform!, m);
  assert.deepEqual(
    out.entities.map((e) => e.returnStatus),
    ['2', '-304001'],
  );
  assert.deepEqual(await recipients(repeated.head.guid!), [platform, broker, seller2].sort(), 'the refusal goes to RET/ALL');
  await tp.platform.settle();
  const feed = (
    await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/ceb/receipts?limit=1000',
      headers: { authorization: `Bearer ${t.seller2}` },
    })
  ).json() as { items: { guid: string; returnStatus: string }[] };
  assert.deepEqual(
    feed.items.filter((r) => r.guid === repeated.head.guid).map((r) => r.returnStatus),
    ['-304001'],
    'in the RET subscriber’s feed',
  );

  // A change under another BaseSubscribe: the carrier (ALL) now reads it and gets its receipts; the broker and seller2 no longer.
  const id = out.entities[0]!.documentId!;
  const change = message('CEB303', guidOf(3033, 5), PARTIES.platform, [
    { ...p.order, head: { ...p.order.head, appType: '2', guid: guidOf(3035, 5) } },
  ]);
  change.baseSubscribe = [{ status: 'ALL', dxpMode: 'DXP', dxpAddress: `DXPENT${PARTIES.carrier.code}` }];
  assert.equal((await submitOk(tp, t.platform!, change)).entities[0]!.returnStatus, '2');
  const stored = async () =>
    (
      await sql<{ readers: string[]; copies: string[] }>`
        select readers, receipt_copies as copies from clr_document where id = ${id}`.execute(db)
    ).rows[0]!;
  assert.deepEqual(await stored(), { readers: [carrier], copies: [carrier] });
  assert.deepEqual(await recipients(guidOf(3035, 5)), [platform, carrier].sort(), 'the change’s receipt');
  const read = async (user: string) =>
    (
      await tp.platform.app.inject({
        method: 'GET',
        url: `/api/v1/clearance/documents/${id}`,
        headers: { authorization: `Bearer ${t[user]}` },
      })
    ).statusCode;
  assert.deepEqual([await read('carrier'), await read('broker')], [200, 404]);

  // A deletion without a BaseSubscribe keeps them: the carrier is told of it.
  const deletion = message('CEB303', guidOf(3033, 6), PARTIES.platform, [
    { ...p.order, head: { ...p.order.head, appType: '3', guid: guidOf(3035, 6) } },
  ]);
  assert.equal((await submitOk(tp, t.platform!, deletion)).entities[0]!.returnStatus, '100');
  assert.deepEqual(await stored(), { readers: [carrier], copies: [carrier] });
  assert.deepEqual(await recipients(guidOf(3035, 6)), [platform, carrier].sort());
});

test('the feed as runs: one statement’s receipts for two recipients page to each in id order, every position once, and a document’s receipts show the same positions', async () => {
  const db = tp.platform.database.db;
  const orgs = (
    await sql<{ id: string; code: string }>`select id, customs_code as code from organisation
      where customs_code in (${PARTIES.seller.code}, ${PARTIES.platform.code})`.execute(db)
  ).rows;
  const seller = orgs.find((o) => o.code === PARTIES.seller.code)!.id;
  const platform = orgs.find((o) => o.code === PARTIES.platform.code)!.id;
  await tp.platform.sequencer.flush();
  const repo = createClearanceRepository(db);
  const before = { seller: await repo.feedEnd(seller), platform: await repo.feedEnd(platform) };
  const documentId = '00000000-0000-4000-8000-00000000f010';
  // Interleaved recipients in one INSERT: one batch, two runs. A second statement: a second batch.
  const recipients = [seller, platform, seller, platform, seller, seller, platform];
  const insert = (from: number) =>
    sql`
    insert into clr_receipt (recipient_org_id, message_type, document_id, guid, return_status, return_info, return_time, fields, created_at)
    select r, 'CEB304', ${documentId}::uuid, 'RUN-' || (${from}::int + o), '2', 'probe', '20261126120000000', '{}'::jsonb, now()
    from unnest(${recipients}::uuid[]) with ordinality as u(r, o)`.execute(db);
  await insert(0);
  await insert(100);
  await tp.platform.sequencer.flush();
  const runs = await sql<{ n: number }>`select count(*)::int as n from clr_receipt_feed_run f
    where exists (select 1 from clr_receipt r where r.guid like 'RUN-%' and r.id = any(f.receipt_ids))`.execute(db);
  assert.equal(runs.rows[0]!.n, 4, 'two statements, two recipients each: four runs');

  for (const [org, start] of [
    [seller, before.seller],
    [platform, before.platform],
  ] as const) {
    const paged: { seq: number; id: number; guid: string }[] = [];
    // Pages of two cut across runs.
    for (let after = start; ;) {
      const page = await repo.receiptsAfter(org, after, 2);
      paged.push(...page.map((r) => ({ seq: r.seq!, id: r.id, guid: r.guid })));
      if (page.length < 2) break;
      after = page[page.length - 1]!.seq!;
    }
    const mine = paged.filter((p) => p.guid.startsWith('RUN-'));
    const expected = 2 * recipients.filter((r) => r === org).length;
    assert.equal(mine.length, expected, `${expected} receipts in the feed of ${org}: ${JSON.stringify(paged)}`);
    assert.deepEqual(
      mine.map((p) => p.id),
      [...mine.map((p) => p.id)].sort((a, b) => a - b),
      'in id order',
    );
    assert.equal(new Set(paged.map((p) => p.seq)).size, paged.length, 'every position once');
    for (let i = 1; i < paged.length; i++) assert.ok(paged[i]!.seq > paged[i - 1]!.seq, 'positions increase');
    assert.equal(await repo.feedEnd(org), paged[paged.length - 1]!.seq);
    const ofDocument = await repo.receiptsOfDocument(documentId, org);
    assert.deepEqual(
      ofDocument.map((r) => [r.id, r.seq]),
      mine.map((p) => [p.id, p.seq]),
      'the document view shows each receipt at its feed position',
    );
  }
});

test('a cursor past any feed position is refused with 400 naming the field, not a server error', async () => {
  for (const after of ['99999999999999999999', '9007199254740993', '-1', 'abc']) {
    const res = await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/ceb/receipts?after=${after}`,
      headers: { authorization: `Bearer ${t.seller}` },
    });
    assert.equal(res.statusCode, 400, `after=${after}: ${res.body}`);
    assert.match(res.body, /querystring\.after/);
  }
  const ok = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/ceb/receipts?after=${Number.MAX_SAFE_INTEGER}`,
    headers: { authorization: `Bearer ${t.seller}` },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual((ok.json() as { items: unknown[] }).items, []);
});
