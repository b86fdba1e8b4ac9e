import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { CebEntity, CebMessage } from '../../ceb/index.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import {
  cancellationEntity,
  guidOf,
  makeParcel as demoParcel,
  message,
  PARTIES,
  siteMessages,
  type Parcel,
} from '../../../test/support/parcels.ts';
import { countDocuments, postXml, receiptStatuses, statusOf, submitOk } from '../../../test/support/clearance.ts';

/**
 * What intake guards beyond the message itself: a total-sub bill binds only its sender's declared
 * parcels and an arrival names declared parcels only; a bill, arrival or departure withdrawn
 * before customs accepted it binds nothing; only the sender changes or deletes a document, and
 * not an inventory held at 300; inventory lines repeat the filed HS code and legal unit; drafts
 * (appStatus 1) are not declarations. Each refusal is checked in the stored state and receipts.
 */
let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(88, ++g);
const SELLER2 = { code: '3601260999', name: '赣州脐橙电商有限公司' };

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'warehouse', 'seller', 'seller2', 'customs'])
    t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

/** A demo parcel whose documents have guids of their own (receipts are looked up by guid). */
function makeParcel(n: number, run: string): Parcel {
  const p = demoParcel(n, run);
  for (const e of [p.order, p.payment, p.waybill, p.inventory]) e.head.guid = nextGuid();
  return p;
}

const db = () => tp.platform.database.db;
const drain = () => tp.platform.settle();
const invKey = (p: Parcel) => `${PARTIES.platform.code}|${p.orderNo}`;
const inventoryStatus = async (p: Parcel) => (await statusOf(tp, 'inventory', invKey(p))).map((d) => `${d.status}:${d.live}`);

/** Order, waybill and inventory of a parcel, run through the pipeline; the parcel keeps its invtNo. */
async function declare(n: number, run: string, mutate?: (p: Parcel) => void): Promise<Parcel> {
  const p = makeParcel(n, run);
  mutate?.(p);
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  assert.ok(inv.entities[0]!.accepted, JSON.stringify(inv.entities[0]));
  p.invtNo = inv.entities[0]!.invtNo;
  await drain();
  return p;
}

/** 500 of each line: held for an officer's review (300) by the demo risk rules. */
function highValue(x: Parcel): void {
  for (const l of [...x.order.lists.OrderList!, ...x.inventory.lists.InventoryList!]) {
    l.qty = '500';
    if ('qty1' in l) l.qty1 = '500';
    l.totalPrice = String(500 * Number(l.price));
  }
  x.order.head.goodsValue = String(x.order.lists.OrderList!.reduce((s, l) => s + Number(l.totalPrice), 0));
}

/** A copy of an entity as a change (2) or deletion (3), under a guid of its own. */
const resent = (e: CebEntity, appType: '2' | '3', head: Record<string, string> = {}): CebEntity => ({
  head: { ...e.head, ...head, appType, guid: nextGuid() },
  lists: structuredClone(e.lists),
});

/** A departure (CEB509) of the flight of bill `billNo`: its head names that bill. */
function onBill(departure: CebMessage, billNo: string): CebMessage {
  for (const e of departure.entities) e.head.billNo = billNo;
  return departure;
}

async function eventsOf(documentGuid: string): Promise<string[]> {
  const r = await sql<{ k: string }>`
    select e.kind || ':' || e.waybill_key as k from clr_parcel_event e join clr_document d on d.id = e.document_id
    where d.guid = ${documentGuid} order by 1`.execute(db());
  return r.rows.map((x) => x.k);
}

test('a total-sub bill naming parcels its sender did not declare, or with lines that do not match an inventory, is refused whole (608 100) and binds nothing', async () => {
  const a = await declare(1, 'TB');
  const b = await declare(2, 'TB');
  assert.deepEqual(await inventoryStatus(a), ['399:true']);
  const before = await countDocuments(tp);
  const refused = async (
    token: string,
    sender: { code: string; name: string },
    edit: (lines: Record<string, string>[]) => void,
  ) => {
    const bill = siteMessages(100 + g, [a, b], 'TB').consolidation;
    const entity = bill.entities[0]!;
    Object.assign(entity.head, { agentCode: sender.code, agentName: sender.name, guid: nextGuid() });
    edit(entity.lists.WayBillList!);
    const out = await submitOk(tp, token, message('CEB607', nextGuid(), sender, [entity]));
    assert.equal(out.accepted, 0);
    assert.equal(out.entities[0]!.returnStatus, '100');
    assert.deepEqual(await receiptStatuses(tp, 'CEB608', entity.head.guid!), ['100'], 'its receipt says so');
    const receipt = await sql<{ recipient: string; info: string }>`
      select o.customs_code as recipient, r.return_info as info from clr_receipt r join organisation o on o.id = r.recipient_org_id
      where r.message_type = 'CEB608' and r.guid = ${entity.head.guid!}`.execute(db());
    assert.deepEqual(
      receipt.rows.map((x) => x.recipient),
      [sender.code],
      'only the sender is told',
    );
    assert.deepEqual(await eventsOf(entity.head.guid!), [], 'no parcel event');
    return out.entities[0]!.returnInfo;
  };

  // Another seller, filed and sending under its own code, names the broker's parcels of seller 1.
  const foreign = await refused(t.seller2!, SELLER2, () => undefined);
  assert.match(
    foreign,
    /line 1 \(logisticsNo TB000000001CN\): the sender agentCode 3601260999 is neither the declaring agent nor the seller/,
  );
  assert.match(foreign, /line 2 \(logisticsNo TB000000002CN\)/);
  assert.match(foreign, /总分单不能绑定以下运单，整单退回/);
  // The broker's own bill, one line of which names another parcel's inventory: refused as a whole.
  const swapped = await refused(t.broker!, PARTIES.broker, (lines) => (lines[1]!.invtNo = a.invtNo!));
  assert.match(
    swapped,
    new RegExp(`line 2 \\(logisticsNo TB000000002CN\\): inventory ${a.invtNo} is for logisticsNo TB000000001CN`),
  );
  assert.doesNotMatch(swapped, /line 1/, 'the good line is not named');
  const missing = await refused(t.broker!, PARTIES.broker, (lines) => delete lines[0]!.invtNo);
  assert.match(missing, /line 1 \(logisticsNo TB000000001CN\): no invtNo/);
  const unknown = await refused(t.broker!, PARTIES.broker, (lines) => (lines[0]!.invtNo = '40062026E999999999'));
  assert.match(unknown, /no live inventory 40062026E999999999/);

  await drain();
  assert.equal(await countDocuments(tp), before, 'no bill stored');
  assert.deepEqual(await inventoryStatus(a), ['399:true'], 'nothing released');
  assert.deepEqual(await inventoryStatus(b), ['399:true']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', a.inventory.head.guid!), ['2', '120', '399']);

  // The seller of both parcels may bind them itself (it names itself as the declaring agent).
  const own = siteMessages(199, [a, b], 'TB').consolidation;
  Object.assign(own.entities[0]!.head, { agentCode: PARTIES.seller.code, agentName: PARTIES.seller.name });
  const ok = await submitOk(tp, t.seller!, message('CEB607', nextGuid(), PARTIES.seller, own.entities));
  assert.equal(ok.entities[0]!.returnStatus, '2', JSON.stringify(ok.entities[0]));
  await drain();
  assert.deepEqual(await inventoryStatus(a), ['800:true']);
  assert.deepEqual(await inventoryStatus(b), ['800:true']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB608', own.entities[0]!.head.guid!), ['2', '399', '800']);
});

test('an arrival naming a parcel no live inventory declares is refused whole (508 100); any site operator reports declared parcels of any carrier', async () => {
  const a = await declare(1, 'TA');
  const undeclared = makeParcel(2, 'TA');
  const before = await countDocuments(tp);
  const arrival = siteMessages(1, [a, undeclared], 'TA').arrival;
  const out = await submitOk(tp, t.warehouse!, arrival);
  assert.equal(out.entities[0]!.returnStatus, '100');
  assert.match(out.entities[0]!.returnInfo, /line 2 \(logisticsNo TA000000002CN\): no live inventory declares this parcel/);
  assert.match(out.entities[0]!.returnInfo, /运抵单列出未申报的运单，整单退回/);
  assert.deepEqual(await receiptStatuses(tp, 'CEB508', arrival.entities[0]!.head.guid!), ['100']);
  assert.deepEqual(await eventsOf(arrival.entities[0]!.head.guid!), []);
  assert.equal(await countDocuments(tp), before);

  const good = siteMessages(2, [a], 'TA').arrival;
  const accepted = await submitOk(tp, t.warehouse!, good);
  assert.equal(accepted.entities[0]!.returnStatus, '2');
  await drain();
  assert.deepEqual(await receiptStatuses(tp, 'CEB508', good.entities[0]!.head.guid!), ['2', '399']);
  assert.deepEqual(await eventsOf(good.entities[0]!.head.guid!), [`arrival:${PARTIES.carrier.code}|${a.logisticsNo}`]);
});

test('a bill or departure deleted, or a bill changed, before customs accepted it (still 2) binds or departs nothing through its old lines', async () => {
  const c = await declare(1, 'TD');
  const d = await declare(2, 'TD');
  const e = await declare(3, 'TD');
  // A bill naming c and d, changed before the pipeline ran to name d only.
  const bill = siteMessages(1, [c, d], 'TD').consolidation;
  await submitOk(tp, t.broker!, bill);
  const onlyD = resent(bill.entities[0]!, '2');
  onlyD.lists.WayBillList = [{ ...onlyD.lists.WayBillList![1]!, gnum: '1' }];
  const changed = await submitOk(tp, t.broker!, message('CEB607', nextGuid(), PARTIES.broker, [onlyD]));
  assert.equal(changed.entities[0]!.returnStatus, '2');
  // (a change keeps the document's first guid: its content, not its identity, is replaced)
  assert.deepEqual(
    await eventsOf(bill.entities[0]!.head.guid!),
    [`consolidation:${PARTIES.carrier.code}|${d.logisticsNo}`],
    'the old lines went',
  );
  // A bill naming e, deleted before the pipeline ran: its event stays on record, it binds nothing.
  const other = siteMessages(2, [e], 'TD').consolidation;
  await submitOk(tp, t.broker!, other);
  const deletion = await submitOk(
    tp,
    t.broker!,
    message('CEB607', nextGuid(), PARTIES.broker, [resent(other.entities[0]!, '3')]),
  );
  assert.equal(deletion.entities[0]!.returnStatus, '100');
  await drain();
  assert.deepEqual(await inventoryStatus(c), ['399:true'], 'the line taken out binds nothing');
  assert.deepEqual(await inventoryStatus(d), ['800:true']);
  assert.deepEqual(await inventoryStatus(e), ['399:true'], 'a deleted bill binds nothing');
  assert.deepEqual(
    (await statusOf(tp, 'consolidation', `${PARTIES.broker.code}|${other.entities[0]!.head.copNo}`)).map(
      (x) => `${x.status}:${x.live}`,
    ),
    ['deleted:false'],
  );
  const kept = await sql<{ n: number }>`
    select count(*)::int as n from clr_parcel_event where kind = 'consolidation' and waybill_key = ${`${PARTIES.carrier.code}|${e.logisticsNo}`}`.execute(
    db(),
  );
  assert.equal(kept.rows[0]!.n, 1, "the deleted bill's event is still there: release reads only accepted documents' events");

  // d departs on its bill's flight (its billNo), but the carrier deletes the departure before the
  // pipeline ran: d stays released.
  const billNo = bill.entities[0]!.head.billNo!;
  const departure = onBill(siteMessages(3, [d], 'TD').departure, billNo);
  assert.equal((await submitOk(tp, t.carrier!, departure)).entities[0]!.returnStatus, '2');
  await submitOk(tp, t.carrier!, message('CEB509', nextGuid(), PARTIES.carrier, [resent(departure.entities[0]!, '3')]));
  await drain();
  assert.deepEqual(await inventoryStatus(d), ['800:true'], 'a deleted departure closes nothing');
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', d.inventory.head.guid!), ['2', '120', '399', '800']);
  // The bill that binds e, accepted, releases it; a real departure closes d.
  await submitOk(tp, t.broker!, siteMessages(4, [e], 'TD').consolidation);
  await submitOk(tp, t.carrier!, onBill(siteMessages(5, [d], 'TD').departure, billNo));
  await drain();
  assert.deepEqual(await inventoryStatus(e), ['800:true']);
  assert.deepEqual(await inventoryStatus(d), ['899:true']);
});

test('a departure naming a parcel not bound to a live bill of its billNo, or (without a billNo) not declared, is refused whole (510 100): nothing stored, nothing closes', async () => {
  const a = await declare(1, 'TX');
  const b = await declare(2, 'TX');
  const loose = await declare(3, 'TX');
  const site = siteMessages(11, [a, b], 'TX');
  await submitOk(tp, t.broker!, site.consolidation);
  await drain();
  assert.deepEqual([await inventoryStatus(a), await inventoryStatus(b)], [['800:true'], ['800:true']]);
  const billNo = site.consolidation.entities[0]!.head.billNo!;
  const before = await countDocuments(tp);
  const refused = async (departure: CebMessage): Promise<string> => {
    const guid = departure.entities[0]!.head.guid!;
    const out = await submitOk(tp, t.carrier!, departure);
    assert.equal(out.accepted, 0);
    assert.equal(out.entities[0]!.returnStatus, '100');
    assert.deepEqual(await receiptStatuses(tp, 'CEB510', guid), ['100'], 'its receipt says so');
    const to = await sql<{ code: string }>`
      select o.customs_code as code from clr_receipt r join organisation o on o.id = r.recipient_org_id
      where r.message_type = 'CEB510' and r.guid = ${guid}`.execute(db());
    assert.deepEqual(
      to.rows.map((x) => x.code),
      [PARTIES.carrier.code],
    );
    assert.deepEqual(await eventsOf(guid), [], 'no parcel event');
    return out.entities[0]!.returnInfo;
  };

  // Under another bill's number: a and b are bound to `billNo`, not to this one.
  const wrongBill = await refused(siteMessages(12, [a, b], 'TX').departure);
  assert.match(
    wrongBill,
    /^离境单列出不能离境的运单，整单退回：第 1 行 DepartureList\/logisticsNo=TX000000001CN：未绑定提运单号 billNo=TX-784-00000012 的有效总分单（已绑定总分单 TX-784-00000011）/,
  );
  assert.match(
    wrongBill,
    /line 2 DepartureList\/logisticsNo TX000000002CN: not bound to a live total-sub bill with billNo TX-784-00000012 \(it is bound to bill TX-784-00000011\)/,
  );
  assert.match(wrongBill, /rule: with a billNo, each parcel must be bound to a live total-sub bill of that billNo/);
  // Under the right number, with one parcel no bill binds: refused whole, the good line not named.
  const unbound = await refused(onBill(siteMessages(13, [a, loose], 'TX').departure, billNo));
  assert.match(
    unbound,
    /line 2 DepartureList\/logisticsNo TX000000003CN: not bound to any live total-sub bill \(billNo TX-784-00000011\)/,
  );
  assert.doesNotMatch(unbound, /line 1/);
  // Without a billNo: a parcel nobody declared.
  const noBill = siteMessages(14, [a, makeParcel(4, 'TX')], 'TX').departure;
  delete noBill.entities[0]!.head.billNo;
  assert.match(await refused(noBill), /line 2 DepartureList\/logisticsNo TX000000004CN: no live inventory declares this parcel/);

  await drain();
  assert.equal(await countDocuments(tp), before, 'no departure stored');
  assert.deepEqual([await inventoryStatus(a), await inventoryStatus(b)], [['800:true'], ['800:true']], 'nothing closes');
  assert.deepEqual(await inventoryStatus(loose), ['399:true']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', a.inventory.head.guid!), ['2', '120', '399', '800']);

  // The bill's own flight closes them; a departure without a billNo may name any declared parcel.
  const right = onBill(siteMessages(15, [a, b], 'TX').departure, billNo);
  assert.equal((await submitOk(tp, t.carrier!, right)).entities[0]!.returnStatus, '2');
  const plain = siteMessages(16, [loose], 'TX').departure;
  delete plain.entities[0]!.head.billNo;
  assert.equal((await submitOk(tp, t.carrier!, plain)).entities[0]!.returnStatus, '2');
  await drain();
  assert.deepEqual([await inventoryStatus(a), await inventoryStatus(b)], [['899:true'], ['899:true']]);
  assert.deepEqual(await receiptStatuses(tp, 'CEB510', right.entities[0]!.head.guid!), ['2', '399']);
  assert.deepEqual(await inventoryStatus(loose), ['399:true'], 'departed, but not released: no bill binds it');
  await submitOk(tp, t.broker!, siteMessages(17, [loose], 'TX').consolidation);
  await drain();
  assert.deepEqual(await inventoryStatus(loose), ['899:true'], 'bound and released, it closes by the departure without a billNo');
});

test('a departure accepted under a bill that is then withdrawn departs nothing once its parcels travel under another bill', async () => {
  const p = await declare(1, 'TW');
  const q = await declare(2, 'TW');
  // The bill is still being declared (2) when the departure of its flight comes: accepted.
  const first = siteMessages(21, [p, q], 'TW');
  await submitOk(tp, t.broker!, first.consolidation);
  assert.equal((await submitOk(tp, t.carrier!, first.departure)).entities[0]!.returnStatus, '2');
  // The broker withdraws the bill before customs accepted it and binds p to another flight.
  await submitOk(tp, t.broker!, message('CEB607', nextGuid(), PARTIES.broker, [resent(first.consolidation.entities[0]!, '3')]));
  await drain();
  assert.deepEqual(await receiptStatuses(tp, 'CEB510', first.departure.entities[0]!.head.guid!), ['2', '399']);
  await submitOk(tp, t.broker!, siteMessages(22, [p], 'TW').consolidation);
  await drain();
  assert.deepEqual(await inventoryStatus(p), ['800:true'], 'released under the new bill, not closed by the old flight');
  // q left on no flight of a live bill: it may still be cancelled.
  const cancel = cancellationEntity(q.invtNo!, nextGuid(), 'TW-CAN-1');
  await submitOk(tp, t.broker!, message('CEB605', nextGuid(), PARTIES.broker, [cancel]));
  await drain();
  assert.deepEqual(await receiptStatuses(tp, 'CEB606', cancel.head.guid), ['2', '399']);
  assert.deepEqual(await inventoryStatus(q), ['cancelled:false']);
  // p's own flight closes it.
  await submitOk(tp, t.carrier!, siteMessages(22, [p], 'TW').departure);
  await drain();
  assert.deepEqual(await inventoryStatus(p), ['899:true']);
});

test('a parcel bound to a live total-sub bill cannot be bound by another (608 100, nothing stored); the bill’s own change may keep it', async () => {
  const a = await declare(1, 'TT');
  const b = await declare(2, 'TT');
  const first = siteMessages(31, [a], 'TT').consolidation;
  await submitOk(tp, t.broker!, first);
  const before = await countDocuments(tp);
  // Still being declared (2), the first bill binds a: a second bill naming a is refused whole.
  const second = siteMessages(32, [b, a], 'TT').consolidation;
  const out = await submitOk(tp, t.broker!, second);
  assert.equal(out.entities[0]!.returnStatus, '100');
  assert.match(out.entities[0]!.returnInfo, /第 2 行（logisticsNo=TT000000001CN）已绑定总分单 TT-784-00000031/);
  assert.match(out.entities[0]!.returnInfo, /line 2 \(logisticsNo TT000000001CN\): already bound to bill TT-784-00000031/);
  assert.doesNotMatch(out.entities[0]!.returnInfo, /line 1/);
  assert.deepEqual(await receiptStatuses(tp, 'CEB608', second.entities[0]!.head.guid!), ['100']);
  assert.deepEqual(await eventsOf(second.entities[0]!.head.guid!), []);
  // Two bills of one message naming one parcel: the second is refused.
  const [x, y] = [siteMessages(33, [b], 'TT').consolidation.entities[0]!, siteMessages(34, [b], 'TT').consolidation.entities[0]!];
  const both = await submitOk(tp, t.broker!, message('CEB607', nextGuid(), PARTIES.broker, [x, y]));
  assert.deepEqual(
    both.entities.map((e) => e.returnStatus),
    ['2', '100'],
  );
  assert.match(both.entities[1]!.returnInfo, /already bound to bill TT-784-00000033/);
  // The first bill's own change keeps a (and adds nothing bound elsewhere).
  const changed = resent(first.entities[0]!, '2');
  const change = await submitOk(tp, t.broker!, message('CEB607', nextGuid(), PARTIES.broker, [changed]));
  assert.equal(change.entities[0]!.returnStatus, '2', JSON.stringify(change.entities[0]));
  await drain();
  assert.equal(await countDocuments(tp), before + 1, 'only the bill of b stored');
  assert.deepEqual([await inventoryStatus(a), await inventoryStatus(b)], [['800:true'], ['800:true']]);
  // Once accepted (399 and released, 800) it still binds a.
  const late = await submitOk(tp, t.broker!, siteMessages(35, [a], 'TT').consolidation);
  assert.match(late.entities[0]!.returnInfo, /already bound to bill TT-784-00000031/);
  assert.deepEqual(await receiptStatuses(tp, 'CEB608', changed.head.guid!), ['2', '399', '800']);
});

test('an inventory held at 300 cannot be changed (-301030, nothing changes); it may be cancelled', async () => {
  const p = await declare(1, 'TH', highValue);
  assert.deepEqual(await inventoryStatus(p), ['300:true']);
  const id = (
    await sql<{ id: string }>`select id from clr_document where kind = 'inventory' and business_key = ${invKey(p)}`.execute(db())
  ).rows[0]!.id;
  const snapshot = async () =>
    (
      await sql<{ head: Record<string, string>; status: string; held: boolean; message_id: string }>`
        select d.head, d.status, i.held_at is not null as held, d.message_id from clr_document d
        join clr_inventory i on i.document_id = d.id where d.id = ${id}`.execute(db())
    ).rows[0]!;
  const before = await snapshot();
  assert.equal(before.held, true);
  const change = resent(p.inventory, '2', { grossWeight: '999', netWeight: '900' });
  const out = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [change]));
  assert.equal(out.entities[0]!.returnStatus, '-301030');
  assert.match(out.entities[0]!.returnInfo, /under review, hold or inspection \(status 300\) and cannot be changed/);
  assert.match(out.entities[0]!.returnInfo, /人工审核、扣留或查验中（状态 300）.*CEB605/);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', change.head.guid!), ['-301030']);
  await drain();
  assert.deepEqual(await snapshot(), before, 'content, status and hold unchanged');
  const queue = (
    await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/customs/reviews',
      headers: { authorization: `Bearer ${t.customs}` },
    })
  ).json() as { items: { inventory: { id: string } }[] };
  assert.ok(
    queue.items.some((i) => i.inventory.id === id),
    'still in the officer’s queue',
  );
  // What the seller may do instead: withdraw it.
  await submitOk(
    tp,
    t.broker!,
    message('CEB605', nextGuid(), PARTIES.broker, [cancellationEntity(p.invtNo!, nextGuid(), 'TH-CAN-1')]),
  );
  await drain();
  assert.deepEqual(await inventoryStatus(p), ['cancelled:false']);
  assert.equal((await snapshot()).held, false, 'it left the queue');
});

test('a change (appType 2) rewrites the inventory’s agent, seller, trade mode and statistics flag columns', async () => {
  const p = makeParcel(1, 'TC');
  const first = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  const id = first.entities[0]!.documentId!;
  const uscc = async (code: string) =>
    (await sql<{ uscc: string }>`select uscc from organisation where customs_code = ${code}`.execute(db())).rows[0]!.uscc;
  const [brokerUscc, sellerUscc] = [await uscc(PARTIES.broker.code), await uscc(PARTIES.seller.code)];
  const change = resent(p.inventory, '2', { agentCode: brokerUscc, ebcCode: sellerUscc, tradeMode: '9710', statisticsFlag: 'A' });
  const out = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [change]));
  assert.equal(out.entities[0]!.returnStatus, '2', JSON.stringify(out.entities[0]));
  const row = await sql<Record<string, string>>`
    select agent_code, ebc_code, trade_mode, statistics_flag, d.status from clr_inventory i join clr_document d on d.id = i.document_id
    where i.document_id = ${id}`.execute(db());
  assert.deepEqual(row.rows[0], {
    agent_code: brokerUscc,
    ebc_code: sellerUscc,
    trade_mode: '9710',
    statistics_flag: 'A',
    status: '2',
  });
});

test('only the enterprise that sent a document changes or deletes it (-301020, nothing stored); the sender still may', async () => {
  const p = makeParcel(1, 'TS');
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  const stored = async (kind: string) =>
    (
      await sql<{ head: Record<string, string>; status: string; live: boolean }>`
        select head, status, live from clr_document where kind = ${kind} and business_key = ${invKey(p)}`.execute(db())
    ).rows;
  const [order0, inventory0] = [await stored('order'), await stored('inventory')];
  // The seller is a party of the platform's order and of the broker's inventory, not their sender.
  const orderChange = resent(p.order, '2', { goodsValue: '1' });
  orderChange.lists.OrderList = orderChange.lists.OrderList!.slice(0, 1);
  const byParty = await submitOk(tp, t.seller!, message('CEB303', nextGuid(), PARTIES.seller, [orderChange]));
  assert.equal(byParty.entities[0]!.returnStatus, '-301020');
  assert.match(byParty.entities[0]!.returnInfo, /only the enterprise that sent .* may change it/);
  assert.match(byParty.entities[0]!.returnInfo, /只有原发送企业可以变更单证/);
  assert.deepEqual(await receiptStatuses(tp, 'CEB304', orderChange.head.guid!), ['-301020']);
  const inventoryDelete = resent(p.inventory, '3', { agentCode: PARTIES.seller.code, agentName: PARTIES.seller.name });
  const deleteByParty = await submitOk(tp, t.seller!, message('CEB603', nextGuid(), PARTIES.seller, [inventoryDelete]));
  assert.equal(deleteByParty.entities[0]!.returnStatus, '-301020');
  assert.match(deleteByParty.entities[0]!.returnInfo, /may delete it/);
  assert.deepEqual(await stored('order'), order0, 'the order is unchanged');
  assert.deepEqual(await stored('inventory'), inventory0, 'the inventory is live and unchanged');

  const bySender = await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [resent(p.order, '2')]));
  assert.equal(bySender.entities[0]!.returnStatus, '2');
  const deleted = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [resent(p.inventory, '3')]));
  assert.equal(deleted.entities[0]!.returnStatus, '100');
  assert.deepEqual(
    (await stored('inventory')).map((x) => `${x.status}:${x.live}`),
    ['deleted:false'],
  );
});

test('inventory lines must repeat the filed HS code and first legal unit (604 100 naming line, field and both values); nothing stored', async () => {
  const before = await countDocuments(tp);
  for (const [field, value, filed] of [
    ['gcode', '6913100000', '6911101900'],
    ['unit1', '035', '011'],
  ] as const) {
    const p = makeParcel(1, `TL${field}`);
    p.inventory.lists.InventoryList![0]![field] = value;
    const out = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
    assert.equal(out.entities[0]!.returnStatus, '100', field);
    assert.match(
      out.entities[0]!.returnInfo,
      new RegExp(`line 1 \\(item QHC-BOWL-01\\): ${field} ${value} differs from the filed ${filed}`),
    );
    assert.match(
      out.entities[0]!.returnInfo,
      new RegExp(`第 1 行（商品 QHC-BOWL-01）.*${field}=${value} 与备案的 ${filed} 不符`),
    );
    assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['100']);
  }
  // A line naming a product the seller never filed: -301011, a seller no one filed: -301010.
  const p = makeParcel(2, 'TL');
  p.inventory.lists.InventoryList![0]!.itemNo = 'NOT-FILED-1';
  const unfiled = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  assert.equal(unfiled.entities[0]!.returnStatus, '-301011');
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['-301011']);
  assert.equal(await countDocuments(tp), before);
});

test('a draft (appStatus 1) is refused with the whole message (400, CEB900), pointing to the platform’s drafts; nothing stored', async () => {
  const before = await countDocuments(tp);
  const p = makeParcel(1, 'TP');
  p.inventory.head.appStatus = '1';
  const r = await postXml(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  assert.equal(r.status, 400);
  const errors = r.body.errors as { field: string; rule: string; message: { zh: string; en: string } }[];
  const hit = errors.find((e) => e.field === 'Inventory[1]/InventoryHead/appStatus');
  assert.equal(hit?.rule, 'appStatus');
  assert.match(hit!.message.en, /drafts \(appStatus 1\) are not taken: keep drafts on the platform \(e\.g\. inventory drafts/);
  assert.match(hit!.message.zh, /暂存（appStatus=1）.*清单草稿/);
  assert.equal((r.body.receipt as { returnStatus: string }).returnStatus, '-301000');
  assert.equal(await countDocuments(tp), before);
});
