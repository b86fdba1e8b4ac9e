import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { decodeCeb, encodeCeb, type CebMessage } from '../../ceb/index.ts';
import { apiCall, postXml, submitOk, type Outcome } from '../../../test/support/clearance.ts';
import { CREDIT_SAMPLE_RULE } from '../../../test/support/inspection.ts';
import {
  cancellationEntity,
  guidOf,
  makeParcel,
  message,
  PARTIES,
  siteMessages,
  type Parcel,
} from '../../../test/support/parcels.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { assertXsdValid, IMPORT_XSD, xmllintMissing } from '../../../test/support/xsd.ts';

// Everything the platform stores or writes, held to the official 2018-05 schema: one parcel of
// each message kind driven through intake and the pipeline, each stored document rendered back
// as CEB XML (GET /documents/:id/xml), every receipt kind it writes (the pipeline's, the
// officer's, the refusals') and the CEB900 of a message refused as a whole.

let tp: TestPlatform;
const t: Record<string, string> = {};
const USERS = ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'customs'] as const;
let g = 0;
const nextGuid = (): string => guidOf(7777, ++g);

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of USERS) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const send = async (user: string, m: CebMessage): Promise<Outcome['entities']> => (await submitOk(tp, t[user]!, m)).entities;

/** Order, payment collection, waybill and inventory of parcel n, each accepted; the pipeline run. */
async function declare(n: number, mutate?: (p: Parcel) => void): Promise<Parcel & { inventoryId: string }> {
  const p = makeParcel(n, 'Q');
  mutate?.(p);
  for (const [user, type, entity] of [
    ['platform', 'CEB303', p.order],
    ['payer', 'CEB403', p.payment],
    ['carrier', 'CEB505', p.waybill],
    ['broker', 'CEB603', p.inventory],
  ] as const) {
    const [e] = await send(user, message(type, nextGuid(), PARTIES[user], [entity]));
    assert.equal(e!.returnStatus, '2', `${type}: ${e!.returnInfo}`);
    if (type === 'CEB603') Object.assign(p, { invtNo: e!.invtNo, inventoryId: e!.documentId });
  }
  await tp.platform.settle();
  return p as Parcel & { inventoryId: string };
}

const inventoryStatus = async (id: string): Promise<string> =>
  (await sql<{ status: string }>`select status from clr_document where id = ${id}`.execute(tp.platform.database.db)).rows[0]!
    .status;

/** 500 of each line: a value the demo risk rules hold for an officer's review (300). */
function highValue(x: Parcel): void {
  for (const l of [...x.order.lists.OrderList!, ...x.inventory.lists.InventoryList!]) {
    l.qty = '500';
    if ('qty1' in l) l.qty1 = '500';
    l.totalPrice = String(500 * Number(l.price));
  }
  x.order.head.goodsValue = String(x.order.lists.OrderList!.reduce((s, l) => s + Number(l.totalPrice), 0));
  x.payment.head.charge = x.order.head.goodsValue;
}

const formatReceipts: { name: string; xml: string }[] = [];
// parcel a's inventory, declared to closure by the first test
let closedInventoryId = '';

test('one parcel of each message kind through intake and the pipeline, with every receipt status the platform writes', async () => {
  const db = tp.platform.database.db;
  // a: declared, arrives, is bound to a bill and departs (CEB507, CEB607, CEB509): closed (899)
  const a = await declare(1);
  assert.equal(await inventoryStatus(a.inventoryId), '399');
  const site = siteMessages(7701, [a], 'Q');
  await send('warehouse', site.arrival);
  await send('broker', site.consolidation);
  await send('carrier', site.departure);
  await tp.platform.settle();
  assert.equal(await inventoryStatus(a.inventoryId), '899');
  closedInventoryId = a.inventoryId;

  // b: cancelled before departure (CEB605, 606 399); a's cancellation comes too late (606 100)
  const b = await declare(2);
  await send('broker', message('CEB605', nextGuid(), PARTIES.broker, [cancellationEntity(b.invtNo!, nextGuid(), 'Q-CAN-2')]));
  await send('broker', message('CEB605', nextGuid(), PARTIES.broker, [cancellationEntity(a.invtNo!, nextGuid(), 'Q-CAN-1')]));
  await tp.platform.settle();
  assert.equal(await inventoryStatus(b.inventoryId), 'cancelled');

  // c: held for review (300) and rejected by the officer (100)
  const c = await declare(3, highValue);
  assert.equal(await inventoryStatus(c.inventoryId), '300');
  const rejected = await apiCall(tp, t.customs!, 'POST', `/api/v1/customs/reviews/${c.inventoryId}/reject`, {
    reason: '申报价格存疑',
  });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  await tp.platform.settle();

  // refusals at intake: a duplicate (-304001), an unfiled product (-301011), a foreign platform
  // (-301020), a change after the decision (-301030), a departure no bill binds (510 100)
  const dup = { ...a.order, head: { ...a.order.head, guid: nextGuid() } };
  const unfiled = makeParcel(4, 'Q').order;
  unfiled.lists.OrderList![0]!.itemNo = 'NOT-FILED-9';
  const foreign = makeParcel(5, 'Q').order;
  foreign.head.ebpCode = '3601980099';
  assert.deepEqual(
    (await send('platform', message('CEB303', nextGuid(), PARTIES.platform, [dup, unfiled, foreign]))).map((e) => e.returnStatus),
    ['-304001', '-301011', '-301020'],
  );
  const late = { ...a.inventory, head: { ...a.inventory.head, appType: '2' } };
  assert.equal((await send('broker', message('CEB603', nextGuid(), PARTIES.broker, [late])))[0]!.returnStatus, '-301030');
  const unbound = siteMessages(7702, [makeParcel(6, 'Q')], 'Q').departure;
  assert.equal((await send('carrier', unbound))[0]!.returnStatus, '100');

  // an enterprise customs filed in other roles only (-301010)
  const filing = await sql<{ roles: string[] }>`
    select roles from enterprise_filing where customs_code = ${PARTIES.platform.code} and status = 'approved'`.execute(db);
  const fileAs = (roles: string[]) =>
    sql`update enterprise_filing set roles = ${roles}::text[] where customs_code = ${PARTIES.platform.code} and status = 'approved'`.execute(
      db,
    );
  await fileAs(['ebc']);
  try {
    const notFiled = makeParcel(7, 'Q').order;
    assert.equal(
      (await send('platform', message('CEB303', nextGuid(), PARTIES.platform, [notFiled])))[0]!.returnStatus,
      '-301010',
    );
  } finally {
    await fileAs(filing.rows[0]!.roles);
  }

  // d: selected for inspection (credit sampling of a seller graded C): 300 with the 500 receipt
  assert.equal((await apiCall(tp, t.customs!, 'POST', '/api/v1/risk/rules', CREDIT_SAMPLE_RULE)).status, 201);
  assert.equal((await apiCall(tp, t.customs!, 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'C' })).status, 200);
  const d = await declare(8);
  assert.equal(await inventoryStatus(d.inventoryId), '300');

  // messages refused as a whole: their CEB900 comes back in the answer
  const invalid = makeParcel(9, 'Q');
  invalid.inventory.head.netWeight = '99';
  const wrongSender = await postXml(tp, t.carrier!, message('CEB303', nextGuid(), PARTIES.platform, [invalid.order]));
  const badField = await postXml(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [invalid.inventory]));
  const unreadable = await postXml(tp, t.broker!, '<ceb:CEB603Message guid="G-1" xmlns:ceb="http://www.chinaport.gov.cn/ceb">');
  for (const [name, r, status] of [
    ['CEB900 -301020 (sender)', wrongSender, '-301020'],
    ['CEB900 -301000 (format)', badField, '-301000'],
    ['CEB900 -999999 (unreadable)', unreadable, '-999999'],
  ] as const) {
    const receipt = r.body.receipt as { messageType: string; returnStatus: string; xml: string };
    assert.deepEqual([receipt.messageType, receipt.returnStatus], ['CEB900', status], name);
    formatReceipts.push({ name, xml: receipt.xml });
  }
});

test('every stored document renders back to CEB XML that validates, one of each message kind, as stored', async (ctx) => {
  const db = tp.platform.database.db;
  const docs = await sql<{
    id: string;
    kind: string;
    sender: string;
    head: Record<string, string>;
    lines: Record<string, string>[];
  }>`
    select d.id, d.kind, o.customs_code as sender, d.head, d.lines
    from clr_document d join organisation o on o.id = d.sender_org_id order by d.created_at, d.id`.execute(db);
  const userOf = new Map(Object.entries(PARTIES).map(([user, party]) => [party.code as string, user]));
  const rendered: { name: string; xml: string }[] = [];
  const types = new Map<string, string>();
  for (const d of docs.rows) {
    const user = userOf.get(d.sender);
    assert.ok(user, `a demo user sent ${d.kind} ${d.id}`);
    const res = await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/clearance/documents/${d.id}/xml`,
      headers: { authorization: `Bearer ${t[user]}` },
    });
    assert.equal(res.statusCode, 200, `${d.kind} ${d.id}: ${res.body}`);
    // what it says is what was stored: the head's fields and the lines, in the message its kind is sent as
    const m = decodeCeb(res.body).message;
    types.set(d.kind, m.messageType);
    const entity = m.entities[0]!;
    const filled = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''));
    assert.deepEqual(entity.head, filled(d.head), `${d.kind} ${d.id}: head`);
    assert.deepEqual(Object.values(entity.lists).flat(), d.lines.map(filled), `${d.kind} ${d.id}: lines`);
    rendered.push({ name: `${m.messageType}-${d.kind}-${d.id}`, xml: res.body });
  }
  assert.deepEqual(Object.fromEntries([...types].sort()), {
    arrival: 'CEB507',
    cancellation: 'CEB605',
    consolidation: 'CEB607',
    departure: 'CEB509',
    inventory: 'CEB603',
    order: 'CEB303',
    payment: 'CEB403',
    waybill: 'CEB505',
  });
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid(rendered);
});

test('every receipt the platform wrote validates, each receipt kind and status among them; the CEB900s too', async (ctx) => {
  await tp.platform.settle();
  const receipts: { name: string; xml: string }[] = [];
  for (const user of USERS) {
    const res = await apiCall<{ items: { messageType: string; returnStatus: string; xml: string }[] }>(
      tp,
      t[user]!,
      'GET',
      '/api/v1/ceb/receipts?limit=1000',
    );
    assert.equal(res.status, 200);
    for (const r of res.body.items) receipts.push({ name: `${user}-${r.messageType}-${r.returnStatus}`, xml: r.xml });
  }
  // An agency gets no copies: it reads the documents of its jurisdiction, each with all its receipts.
  assert.equal(receipts.filter((r) => r.name.startsWith('customs-')).length, 0, 'no receipts in the officer’s feed');
  const read = await apiCall<{ receipts: { messageType: string; returnStatus: string }[] }>(
    tp,
    t.customs!,
    'GET',
    `/api/v1/clearance/documents/${closedInventoryId}`,
  );
  assert.equal(read.status, 200);
  assert.deepEqual(
    [...new Set(read.body.receipts.map((r) => `${r.messageType}-${r.returnStatus}`))],
    ['CEB604-2', 'CEB604-120', 'CEB604-399', 'CEB604-800', 'CEB604-899'],
  );
  const kinds = new Set(receipts.map((r) => r.name.slice(r.name.indexOf('-') + 1)));
  const expected = [
    ...['2', '120', '-304001', '-301010', '-301011', '-301020'].map((s) => `CEB304-${s}`),
    ...['2', '120'].map((s) => `CEB404-${s}`),
    ...['2', '120'].map((s) => `CEB506-${s}`),
    ...['2', '399'].map((s) => `CEB508-${s}`),
    ...['2', '399', '100'].map((s) => `CEB510-${s}`),
    ...['2', '120', '300', '500', '399', '800', '899', '100', '-301030'].map((s) => `CEB604-${s}`),
    ...['2', '399', '100'].map((s) => `CEB606-${s}`),
    ...['2', '399', '800'].map((s) => `CEB608-${s}`),
  ];
  assert.deepEqual(
    expected.filter((k) => !kinds.has(k)),
    [],
    `receipts written: ${[...kinds].sort().join(', ')}`,
  );
  // Each message's CEB900 is the same element whatever the status: they all validate.
  assert.deepEqual(
    formatReceipts.map((r) => r.name),
    ['CEB900 -301020 (sender)', 'CEB900 -301000 (format)', 'CEB900 -999999 (unreadable)'],
  );
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assertXsdValid(receipts);
  assertXsdValid(formatReceipts, IMPORT_XSD);
  // The schema is not lenient: a receipt missing a required field fails it.
  const broken = receipts.find((r) => r.name.endsWith('CEB604-500'))!;
  assert.throws(
    () => assertXsdValid([{ name: 'broken', xml: broken.xml.replace(/\s*<ceb:invtNo>[^<]*<\/ceb:invtNo>/, '') }]),
    /fail the official XSD/,
  );
});

test('the schema check is not lenient: an order under the inventory’s root element fails it', (ctx) => {
  const p = makeParcel(10, 'Q');
  const xml = encodeCeb(message('CEB303', nextGuid(), PARTIES.platform, [p.order])).replaceAll('CEB303Message', 'CEB603Message');
  if (xmllintMissing()) return ctx.skip('xmllint missing');
  assert.throws(() => assertXsdValid([{ name: 'order-as-inventory', xml }]), /fail the official XSD/);
});
