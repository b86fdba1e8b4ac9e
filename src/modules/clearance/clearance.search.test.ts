import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages } from '../../../test/support/parcels.ts';
import { apiCall, submitOk } from '../../../test/support/clearance.ts';

/**
 * Customs sees what is declared in its jurisdiction, and the orders, payment collections and
 * waybills (which name no customs office) only through an inventory declared there.
 */
let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(77, ++g);

interface Doc {
  id: string;
  createdAt: string;
  kind: string;
  guid: string;
  businessKey: string;
  head: Record<string, string>;
}

// a: declared at Nanchang airport customs (4006); b: at a Shanghai office (2244); c: an order only.
const a = makeParcel(1, 'QS');
const b = makeParcel(2, 'QS');
const c = makeParcel(3, 'QS');
b.inventory.head.customsCode = '2244';
// A message guid with letters, to search for in either case.
const WAYBILL_MESSAGE = 'ABCD0505-0000-4000-8000-00000000000A';
const ids: Record<string, string> = {};
const preNos: Record<string, string> = {};
const site = () => siteMessages(7001, [a], 'QS');

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller2', 'customs', 'admin'])
    t[u] = await login(tp.platform, u);
  const remember = (name: string, out: Awaited<ReturnType<typeof submitOk>>) =>
    out.entities.forEach((e, i) => {
      assert.ok(e.accepted, JSON.stringify(e));
      ids[`${name}${i}`] = e.documentId!;
      if (e.preNo) preNos[`${name}${i}`] = e.preNo;
    });
  remember(
    'order',
    await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [a.order, b.order, c.order])),
  );
  remember('payment', await submitOk(tp, t.payer!, message('CEB403', nextGuid(), PARTIES.payer, [a.payment, b.payment])));
  remember(
    'waybill',
    await submitOk(tp, t.carrier!, message('CEB505', WAYBILL_MESSAGE, PARTIES.carrier, [a.waybill, b.waybill])),
  );
  const inventories = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [a.inventory, b.inventory]));
  remember('inventory', inventories);
  // the bill names a's inventory by the number intake gave it
  a.invtNo = inventories.entities[0]!.invtNo;
  remember('arrival', await submitOk(tp, t.warehouse!, site().arrival));
  remember('consolidation', await submitOk(tp, t.broker!, site().consolidation));
  remember('departure', await submitOk(tp, t.carrier!, site().departure));
  await tp.platform.settle();

  // A customs office in Shanghai, to look from the other side.
  const org = await apiCall<{ id: string }>(tp, t.admin!, 'POST', '/api/v1/organisations', {
    kind: 'agency',
    name: '上海海关',
    roles: ['customs'],
    jurisdiction: '2200',
  });
  assert.equal(org.status, 201, JSON.stringify(org.body));
  const user = await apiCall(tp, t.admin!, 'POST', '/api/v1/users', {
    username: 'sh-customs',
    displayName: '上海海关 关员',
    password: 'Kiln-Glaze-7305',
    roles: ['customs_officer'],
    organisationId: org.body.id,
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  t.shanghai = await login(tp.platform, 'sh-customs', 'Kiln-Glaze-7305');
});
after(async () => {
  await tp.stop();
});

async function search(who: string, query: Record<string, string>): Promise<Doc[]> {
  const r = await apiCall<{ items: Doc[] }>(
    tp,
    t[who]!,
    'GET',
    `/api/v1/clearance/documents?${new URLSearchParams({ limit: '500', ...query }).toString()}`,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

const idsOf = (docs: Doc[]): string[] => docs.map((d) => d.id).sort();
const sorted = (...xs: string[]): string[] => [...xs].sort();

test('customs sees an order, payment collection or waybill only through an inventory in its jurisdiction', async () => {
  // Nanchang customs (jurisdiction 4000): parcel a's documents, not b's (Shanghai) nor c's (no inventory).
  assert.deepEqual(idsOf(await search('customs', { kind: 'order' })), [ids.order0!]);
  assert.deepEqual(idsOf(await search('customs', { kind: 'payment' })), [ids.payment0!]);
  assert.deepEqual(idsOf(await search('customs', { kind: 'waybill' })), [ids.waybill0!]);
  assert.deepEqual(idsOf(await search('customs', { kind: 'inventory' })), [ids.inventory0!]);
  // Shanghai customs: the other way round.
  assert.deepEqual(idsOf(await search('shanghai', { kind: 'order' })), [ids.order1!]);
  assert.deepEqual(idsOf(await search('shanghai', { kind: 'waybill' })), [ids.waybill1!]);
  assert.deepEqual(idsOf(await search('shanghai', {})), sorted(ids.order1!, ids.payment1!, ids.waybill1!, ids.inventory1!));
  // The operator sees every order.
  assert.deepEqual(idsOf(await search('admin', { kind: 'order' })), sorted(ids.order0!, ids.order1!, ids.order2!));

  // One document at a time, and its XML, the same way.
  for (const [who, id, status] of [
    ['customs', ids.order0, 200],
    ['customs', ids.payment0, 200],
    ['customs', ids.waybill0, 200],
    ['customs', ids.order1, 404],
    ['customs', ids.payment1, 404],
    ['customs', ids.waybill1, 404],
    ['customs', ids.order2, 404],
    ['shanghai', ids.order1, 200],
    ['shanghai', ids.order0, 404],
    ['shanghai', ids.order2, 404],
    ['admin', ids.order2, 200],
  ] as const) {
    const doc = await apiCall(tp, t[who]!, 'GET', `/api/v1/clearance/documents/${id}`);
    assert.equal(doc.status, status, `${who} GET ${id}`);
    const xml = await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/clearance/documents/${id}/xml`,
      headers: { authorization: `Bearer ${t[who]}` },
    });
    assert.equal(xml.statusCode, status, `${who} GET ${id}/xml`);
  }
});

test('q finds a document by order number, master bill number or message guid, within the caller’s scope', async () => {
  // The order number is in the business key of the order, payment collection and inventory.
  assert.deepEqual(idsOf(await search('customs', { q: a.orderNo })), sorted(ids.order0!, ids.payment0!, ids.inventory0!));
  assert.deepEqual(idsOf(await search('customs', { q: b.orderNo })), [], 'parcel b lies in Shanghai');
  assert.deepEqual(idsOf(await search('shanghai', { q: b.orderNo })), sorted(ids.order1!, ids.payment1!, ids.inventory1!));
  assert.deepEqual(idsOf(await search('seller2', { q: a.orderNo })), [], 'not a party');
  // So is the whole business key, as the API shows it.
  const key = `${PARTIES.platform.code}|${a.orderNo}`;
  assert.deepEqual(idsOf(await search('customs', { q: key })), sorted(ids.order0!, ids.payment0!, ids.inventory0!));
  assert.deepEqual(idsOf(await search('customs', { q: key, kind: 'order' })), [ids.order0!]);
  // The master bill number: the arrival, the total-sub bill and the departure of the flight.
  const billNo = site().consolidation.entities[0]!.head.billNo!;
  assert.deepEqual(idsOf(await search('customs', { q: billNo })), sorted(ids.arrival0!, ids.consolidation0!, ids.departure0!));
  assert.deepEqual(idsOf(await search('broker', { q: billNo })), [ids.consolidation0!]);
  assert.deepEqual(idsOf(await search('shanghai', { q: billNo })), []);
  // A message's guid, whatever its case: the documents it created that the caller may see.
  for (const q of [WAYBILL_MESSAGE, WAYBILL_MESSAGE.toLowerCase()]) {
    assert.deepEqual(idsOf(await search('customs', { q })), [ids.waybill0!], q);
    assert.deepEqual(idsOf(await search('carrier', { q })), sorted(ids.waybill0!, ids.waybill1!), q);
    assert.deepEqual(idsOf(await search('seller2', { q })), [], 'not a party');
  }
});

test('q finds a parcel by logisticsNo or invtNo with the arrival, bill and departure listing it; preNo and copNo', async () => {
  const parcelA = sorted(ids.waybill0!, ids.inventory0!, ids.arrival0!, ids.consolidation0!, ids.departure0!);
  for (const q of [a.logisticsNo, a.invtNo!]) {
    assert.deepEqual(idsOf(await search('customs', { q })), parcelA, q);
    assert.deepEqual(idsOf(await search('admin', { q })), parcelA, q);
    // The carrier is a party to each of them; the broker to the inventory and its bill; the platform to the inventory.
    assert.deepEqual(idsOf(await search('carrier', { q })), parcelA, q);
    assert.deepEqual(idsOf(await search('broker', { q })), sorted(ids.inventory0!, ids.consolidation0!), q);
    assert.deepEqual(idsOf(await search('platform', { q })), [ids.inventory0!], q);
    assert.deepEqual(idsOf(await search('seller2', { q })), [], q);
    assert.deepEqual(idsOf(await search('shanghai', { q })), [], q);
    // With a kind, only that kind.
    assert.deepEqual(idsOf(await search('customs', { q, kind: 'departure' })), [ids.departure0!], q);
    assert.deepEqual(idsOf(await search('customs', { q, kind: 'waybill' })), [ids.waybill0!], q);
  }
  // Parcel b: declared in Shanghai, no flight yet.
  assert.deepEqual(idsOf(await search('shanghai', { q: b.logisticsNo })), sorted(ids.waybill1!, ids.inventory1!));
  assert.deepEqual(idsOf(await search('customs', { q: b.logisticsNo })), []);
  // A waybill whose parcel was never declared is found by its logisticsNo too, by its carrier.
  assert.deepEqual(idsOf(await search('carrier', { q: b.logisticsNo, kind: 'waybill' })), [ids.waybill1!]);

  // The preNo intake gave a document names that document.
  assert.ok(preNos.inventory0 && preNos.arrival0);
  assert.deepEqual(idsOf(await search('customs', { q: preNos.inventory0! })), [ids.inventory0!]);
  assert.deepEqual(idsOf(await search('customs', { q: preNos.arrival0! })), [ids.arrival0!]);
  assert.deepEqual(idsOf(await search('shanghai', { q: preNos.inventory0! })), []);
  assert.deepEqual(idsOf(await search('shanghai', { q: preNos.inventory1! })), [ids.inventory1!]);

  // The copNo of the flight's documents: each sender's key.
  const copNo = site().arrival.entities[0]!.head.copNo!;
  assert.deepEqual(idsOf(await search('customs', { q: copNo })), sorted(ids.arrival0!, ids.consolidation0!, ids.departure0!));
  assert.deepEqual(idsOf(await search('warehouse', { q: copNo })), [ids.arrival0!]);
  assert.deepEqual(idsOf(await search('broker', { q: copNo })), [ids.consolidation0!]);
  assert.deepEqual(idsOf(await search('shanghai', { q: copNo })), []);

  // Paged by (created_at, id): the same five, two at a time, newest first.
  const seen: Doc[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: { items: Doc[]; nextCursor: string | null } } = await apiCall(
      tp,
      t.customs!,
      'GET',
      `/api/v1/clearance/documents?${new URLSearchParams({ q: a.logisticsNo, limit: '2', ...(cursor ? { cursor } : {}) }).toString()}`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    seen.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  assert.deepEqual(idsOf(seen), parcelA);
  assert.equal(new Set(seen.map((d) => d.id)).size, 5, 'no document twice');
  const times = seen.map((d) => d.createdAt);
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
});
