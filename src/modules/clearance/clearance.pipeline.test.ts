import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb, fillInvtNos, type CebMessage } from '../../ceb/index.ts';
import type { OutboxEvent } from '../../kernel/outbox.ts';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import {
  cancellationEntity,
  guidOf,
  makeParcel,
  message,
  PARTIES,
  siteMessages,
  type Parcel,
} from '../../../test/support/parcels.ts';
import { clearancePipeline } from './clearance.pipeline.ts';
import { TOPIC_RECEIVED, type ReceivedPayload } from './intake.service.ts';
import { CLEARANCE_RULE_SETS, type ClearanceRuleSet } from './rules/clearance.rulesets.ts';

let tp: TestPlatform;
const tokens: Record<string, string> = {};

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'customs'])
    tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const SENDER_USER: Record<string, string> = {
  CEB303: 'platform',
  CEB403: 'payer',
  CEB505: 'carrier',
  CEB603: 'broker',
  CEB507: 'warehouse',
  CEB607: 'broker',
  CEB509: 'carrier',
  CEB605: 'broker',
};

/**
 * A total-sub bill names inventories by the number intake gave them, an arrival names declared
 * parcels only, and a departure names parcels bound to a bill of its billNo: in a shuffled run each
 * flight's arrival and bill move to just after their block's inventories, and its departure to just
 * after its bill, when the shuffle put them before (order, payment, waybill and inventory stay
 * wherever it put them). A departure before its bill is refused (510 100), as it should be.
 */
function declaredFirst(messages: CebMessage[]): CebMessage[] {
  // a block is known by its first parcel: the first inventory's, or arrival, bill or departure line's, logisticsNo
  const blockOf = (m: CebMessage): string => {
    const e = m.entities[0]!;
    return (
      (m.messageType === 'CEB603'
        ? e.head.logisticsNo
        : (e.lists.ArrivalList ?? e.lists.WayBillList ?? e.lists.DepartureList)?.[0]?.logisticsNo) ?? ''
    );
  };
  // what each message waits for in its block
  const after: Record<string, string> = { CEB507: 'CEB603', CEB607: 'CEB603', CEB509: 'CEB607' };
  const out: CebMessage[] = [];
  const sent = new Set<string>();
  const waiting = new Map<string, CebMessage[]>();
  const emit = (m: CebMessage): void => {
    out.push(m);
    const id = `${m.messageType}:${blockOf(m)}`;
    sent.add(id);
    const next = waiting.get(id) ?? [];
    waiting.delete(id);
    for (const x of next) emit(x);
  };
  for (const m of messages) {
    const need = after[m.messageType];
    const id = need ? `${need}:${blockOf(m)}` : '';
    if (need && !sent.has(id)) waiting.set(id, [...(waiting.get(id) ?? []), m]);
    else emit(m);
  }
  assert.equal(waiting.size, 0);
  return out;
}

/** Deterministic shuffle (mulberry32), so a failure replays. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function messagesFor(parcels: Parcel[], run: string, batchBase: number): CebMessage[] {
  const out: CebMessage[] = [];
  for (let b = 0; b * 100 < parcels.length; b++) {
    const chunk = parcels.slice(b * 100, b * 100 + 100);
    const k = batchBase + b;
    out.push(
      message(
        'CEB303',
        guidOf(3030, k),
        PARTIES.platform,
        chunk.map((p) => p.order),
      ),
    );
    out.push(
      message(
        'CEB403',
        guidOf(4030, k),
        PARTIES.payer,
        chunk.map((p) => p.payment),
      ),
    );
    out.push(
      message(
        'CEB505',
        guidOf(5050, k),
        PARTIES.carrier,
        chunk.map((p) => p.waybill),
      ),
    );
    out.push(
      message(
        'CEB603',
        guidOf(6030, k),
        PARTIES.broker,
        chunk.map((p) => p.inventory),
      ),
    );
    const site = siteMessages(k, chunk, run);
    out.push(site.arrival, site.consolidation, site.departure);
  }
  return out;
}

type Submitted = {
  accepted: number;
  rejected: number;
  entities: { index: number; returnStatus: string; returnInfo: string; documentId: string | null; invtNo?: string }[];
};

async function submitXml(m: CebMessage): Promise<Submitted> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/ceb',
    headers: { authorization: `Bearer ${tokens[SENDER_USER[m.messageType]!]}`, 'content-type': 'application/xml' },
    payload: encodeCeb(m),
  });
  assert.equal(res.statusCode, 200, `${m.messageType}: ${res.body.slice(0, 500)}`);
  return res.json() as Submitted;
}

function toJsonBody(m: CebMessage): { guid: string; items: Record<string, unknown>[] } {
  return {
    guid: m.guid,
    items: m.entities.map((e) => {
      const lines = Object.values(e.lists)[0];
      return lines ? { ...e.head, lines } : { ...e.head };
    }),
  };
}

const RESOURCE: Record<string, string> = {
  CEB303: 'orders',
  CEB403: 'payment-collections',
  CEB505: 'waybills',
  CEB603: 'inventories',
  CEB507: 'arrivals',
  CEB607: 'consolidations',
  CEB509: 'departures',
  CEB605: 'inventory-cancellations',
};

async function submitJson(m: CebMessage): Promise<Submitted> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: `/api/v1/${RESOURCE[m.messageType]}`,
    headers: { authorization: `Bearer ${tokens[SENDER_USER[m.messageType]!]}` },
    payload: toJsonBody(m),
  });
  assert.equal(res.statusCode, 200, `${m.messageType}: ${res.body.slice(0, 500)}`);
  return res.json() as Submitted;
}

async function inventoryStatuses(run: string): Promise<Map<string, number>> {
  const r = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from clr_document where kind = 'inventory' and business_key like ${`%|${run}-ORD-%`} group by status`.execute(
    tp.platform.database.db,
  );
  return new Map(r.rows.map((x) => [x.status, x.n]));
}

async function receiptSequences(run: string): Promise<Map<string, string[]>> {
  const brokerOrg = (
    await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.broker.code}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.id;
  const r = await sql<{ order_no: string; seq: string[] }>`
    select d.head->>'orderNo' as order_no, array_agg(r.return_status order by r.id) as seq
    from clr_receipt r join clr_document d on d.id = r.document_id
    where r.message_type = 'CEB604' and r.recipient_org_id = ${brokerOrg} and d.business_key like ${`%|${run}-ORD-%`}
    group by d.head->>'orderNo'`.execute(tp.platform.database.db);
  return new Map(r.rows.map((x) => [x.order_no, x.seq]));
}

/** Parcels of a run; every tenth declared as 9710 (B2B direct export), which takes the same flow. */
function runParcels(run: string): Parcel[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const p = makeParcel(i + 1, run);
    if ((i + 1) % 10 === 0) p.inventory.head.tradeMode = '9710';
    return p;
  });
}

/** The run's inventories by trade mode and status, e.g. `9610:899` → 900. */
async function tradeModes(run: string): Promise<string[]> {
  const r = await sql<{ k: string }>`
    select i.trade_mode || ':' || d.status || ':' || count(*) as k from clr_inventory i join clr_document d on d.id = i.document_id
    where d.business_key like ${`%|${run}-ORD-%`} group by i.trade_mode, d.status order by 1`.execute(tp.platform.database.db);
  return r.rows.map((x) => x.k);
}

/**
 * The receipt sequences of the run's other documents as their senders got them, counted by
 * receipt type and sequence, e.g. `CEB304 2>120` → 1000.
 */
async function otherReceiptSequences(run: string): Promise<string[]> {
  const r = await sql<{ k: string }>`
    select s.message_type || ' ' || s.seq || ' ' || count(*) as k from (
      select r.message_type, string_agg(r.return_status, '>' order by r.id) as seq
      from clr_receipt r join clr_document d on d.id = r.document_id
      where r.recipient_org_id = d.sender_org_id and d.kind <> 'inventory'
        and d.business_key ~ ${`\\|${run}(-ORD-|-B|[0-9])`}
      group by r.message_type, d.id) s
    group by s.message_type, s.seq order by 1`.execute(tp.platform.database.db);
  return r.rows.map((x) => x.k);
}

const OTHER_SEQUENCES = [
  'CEB304 2>120 1000',
  'CEB404 2>120 1000',
  'CEB506 2>120 1000',
  'CEB508 2>399 10',
  'CEB510 2>399 10',
  'CEB608 2>399>800 10',
];

/** The run's other documents by kind, final status and count. */
async function otherStatuses(run: string): Promise<string[]> {
  const r = await sql<{ kind: string; status: string; n: number }>`
    select kind, status, count(*)::int as n from clr_document
    where kind <> 'inventory' and business_key ~ ${`\\|${run}(-ORD-|-B|[0-9])`}
    group by kind, status order by kind`.execute(tp.platform.database.db);
  return r.rows.map((x) => `${x.kind}:${x.status}:${x.n}`);
}

const OTHER_STATUSES = [
  'arrival:399:10',
  'consolidation:800:10',
  'departure:399:10',
  'order:120:1000',
  'payment:120:1000',
  'waybill:120:1000',
];

async function drive(messages: CebMessage[], submit: (m: CebMessage) => Promise<Submitted>): Promise<void> {
  for (const [i, m] of messages.entries()) {
    const out = await submit(m);
    assert.equal(out.rejected, 0, `${m.messageType} ${m.guid}: ${JSON.stringify(out).slice(0, 400)}`);
    // the broker learns its inventories' numbers from the outcome (CEB604) and names them in its bills
    if (m.messageType === 'CEB603') fillInvtNos(messages, m, out);
    // The pipeline runs between submissions, as the dispatcher would.
    if (i % 3 === 2) await tp.platform.outbox.drain();
  }
  await tp.platform.settle();
}

/** CEB605 for the given inventories (by invtNo): the broker cancels them. */
function cancellations(invtNos: string[], guidBase: number): CebMessage {
  return message(
    'CEB605',
    guidOf(guidBase, 1),
    PARTIES.broker,
    invtNos.map((invtNo, i) => cancellationEntity(invtNo, guidOf(guidBase + 1, i + 1), `K-CAN-${guidBase}-${i}`)),
  );
}

async function invtNos(run: string, limit: number): Promise<string[]> {
  const r = await sql<{ invt_no: string }>`
    select i.invt_no from clr_inventory i join clr_document d on d.id = i.document_id
    where d.business_key like ${`%|${run}-ORD-%`} and d.live order by i.invt_no limit ${limit}`.execute(tp.platform.database.db);
  return r.rows.map((x) => x.invt_no);
}

async function cancellationReceipts(guidBase: number, n: number): Promise<string[]> {
  const r = await sql<{ seq: string[] }>`
    select array_agg(r.return_status order by r.id) as seq from clr_receipt r join clr_document d on d.id = r.document_id
    where r.message_type = 'CEB606' and d.guid = any(${Array.from({ length: n }, (_, i) => guidOf(guidBase + 1, i + 1))}::text[])
    group by d.id`.execute(tp.platform.database.db);
  return r.rows.map((x) => x.seq.join('>')).sort();
}

/**
 * The eighth message, CEB605, both ways: refused for parcels that left (606 100, they stay 899),
 * and for parcels declared but not departed it cancels the inventory (606 399, 604 100).
 */
async function cancellationStage(run: string, submit: (m: CebMessage) => Promise<{ accepted: number }>, guidBase: number) {
  const departed = await invtNos(run, 10);
  const first = await submit(cancellations(departed, guidBase));
  assert.equal(first.accepted, 10, JSON.stringify(first).slice(0, 600));
  const waiting = Array.from({ length: 10 }, (_, i) => makeParcel(i + 1, `${run}C`));
  const declared = messagesFor(waiting, `${run}C`, guidBase).filter(
    (m) => !['CEB507', 'CEB607', 'CEB509'].includes(m.messageType),
  );
  for (const m of declared) await submit(m);
  await tp.platform.settle();
  assert.deepEqual([...(await inventoryStatuses(`${run}C`))], [['399', 10]]);
  await submit(cancellations(await invtNos(`${run}C`, 10), guidBase + 2));
  await tp.platform.settle();
  assert.deepEqual(await cancellationReceipts(guidBase, 10), Array(10).fill('2>100'), 'a departed parcel cannot be cancelled');
  assert.deepEqual(await cancellationReceipts(guidBase + 2, 10), Array(10).fill('2>399'));
  assert.deepEqual([...(await inventoryStatuses(`${run}C`))], [['cancelled', 10]]);
  for (const [orderNo, seq] of await receiptSequences(`${run}C`)) assert.deepEqual(seq, ['2', '120', '399', '100'], orderNo);
}

test('1,000 parcels through all eight messages as CEB XML, shuffled (bills and arrivals after their inventories, departures after their bills), all close (899) with the national receipt sequence', async () => {
  const parcels = runParcels('X');
  await drive(declaredFirst(shuffle(messagesFor(parcels, 'X', 1), 42)), submitXml);
  const statuses = await inventoryStatuses('X');
  assert.deepEqual([...statuses], [['899', 1000]]);
  assert.deepEqual(await tradeModes('X'), ['9610:899:900', '9710:899:100']);
  const seqs = await receiptSequences('X');
  assert.equal(seqs.size, 1000);
  for (const [orderNo, seq] of seqs) assert.deepEqual(seq, ['2', '120', '399', '800', '899'], orderNo);
  // Every counterpart was matched and every bill released, each with its receipt sequence.
  assert.deepEqual(await otherStatuses('X'), OTHER_STATUSES);
  assert.deepEqual(await otherReceiptSequences('X'), OTHER_SEQUENCES);
  // The intake tables hold their references without foreign keys (ADR 0023): nothing points nowhere.
  const orphans = await sql<{ orphan: string }>`
    select 'document' as orphan from clr_document d where not exists (select 1 from clr_message m where m.id = d.message_id)
    union all select 'inventory' from clr_inventory i where not exists (select 1 from clr_document d where d.id = i.document_id)
    union all select 'parcel event' from clr_parcel_event e where not exists (select 1 from clr_document d where d.id = e.document_id)`.execute(
    tp.platform.database.db,
  );
  assert.deepEqual(orphans.rows, []);

  await cancellationStage('X', submitXml, 9650);
  assert.deepEqual([...(await inventoryStatuses('X'))], [['899', 1000]], 'the refused cancellations changed nothing');
});

test('the same through the JSON resources', async () => {
  const parcels = runParcels('J');
  await drive(declaredFirst(shuffle(messagesFor(parcels, 'J', 500), 7)), submitJson);
  await cancellationStage('J', submitJson, 9670);
  assert.deepEqual([...(await inventoryStatuses('J'))], [['899', 1000]]);
  assert.deepEqual(await tradeModes('J'), ['9610:899:900', '9710:899:100']);
  const seqs = await receiptSequences('J');
  assert.equal(seqs.size, 1000);
  for (const [orderNo, seq] of seqs) assert.deepEqual(seq, ['2', '120', '399', '800', '899'], orderNo);
  assert.deepEqual(await otherStatuses('J'), OTHER_STATUSES);
  assert.deepEqual(await otherReceiptSequences('J'), OTHER_SEQUENCES);
});

test('a retried message (same guid) is answered from the first outcome and stores nothing twice', async () => {
  const parcels = Array.from({ length: 5 }, (_, i) => makeParcel(i + 1, 'R'));
  const m = message(
    'CEB303',
    guidOf(3039, 1),
    PARTIES.platform,
    parcels.map((p) => p.order),
  );
  const first = await submitXml(m);
  const again = (
    await tp.platform.app.inject({
      method: 'POST',
      url: '/api/v1/ceb',
      headers: { authorization: `Bearer ${tokens.platform}`, 'content-type': 'application/xml' },
      payload: encodeCeb(m),
    })
  ).json() as { replayed: boolean; accepted: number };
  assert.equal(first.accepted, 5);
  assert.equal(again.replayed, true);
  assert.equal(again.accepted, 5);
  const n = await sql<{
    n: number;
  }>`select count(*)::int as n from clr_document where kind = 'order' and business_key like '%|R-ORD-%'`.execute(
    tp.platform.database.db,
  );
  assert.equal(n.rows[0]!.n, 5);
});

test('receipts are pulled by cursor, only the caller’s own, with XML', async () => {
  const first = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/ceb/receipts?limit=5',
    headers: { authorization: `Bearer ${tokens.broker}` },
  });
  assert.equal(first.statusCode, 200);
  const page = first.json() as { items: { id: number; messageType: string; xml: string }[]; next: number };
  assert.equal(page.items.length, 5);
  assert.match(page.items[0]!.xml, /<ceb:CEB60[48]Message/);
  const second = (
    await tp.platform.app.inject({
      method: 'GET',
      url: `/api/v1/ceb/receipts?after=${page.next}&limit=5`,
      headers: { authorization: `Bearer ${tokens.broker}` },
    })
  ).json() as {
    items: { id: number }[];
  };
  assert.ok(second.items.every((r) => r.id > page.next));
  // The seller gets its own copy; the warehouse sees none of the broker's inventory receipts.
  const wh = (
    await tp.platform.app.inject({
      method: 'GET',
      url: '/api/v1/ceb/receipts?limit=1000',
      headers: { authorization: `Bearer ${tokens.warehouse}` },
    })
  ).json() as {
    items: { messageType: string }[];
  };
  assert.ok(wh.items.length > 0);
  assert.ok(
    wh.items.every((r) => r.messageType === 'CEB508'),
    'the site operator receives only its arrival receipts',
  );
});

test('where the rule set asks for the payment collection, an inventory waits at 2 until the CEB403 comes last, then is decided', async () => {
  const db = tp.platform.database.db;
  // The pipeline as the dispatcher runs it, under a rule set of its own: the platform's handler
  // (the national default, no payment needed) is not driven while the parcel waits.
  const fourDocuments: ClearanceRuleSet[] = [{ ...CLEARANCE_RULE_SETS[0]!, id: 'four-documents', requirePayment: true }];
  const pipelineUnder = (ruleSets: readonly ClearanceRuleSet[]) =>
    clearancePipeline({ clock: tp.platform.clock, audit: tp.platform.audit, decide: () => Promise.resolve(new Map()), ruleSets });
  let eventId = 1_000_000;
  const eventsOf = (received: ReceivedPayload[]): OutboxEvent[] =>
    received.map((payload) => ({
      id: eventId++,
      topic: TOPIC_RECEIVED,
      key: null,
      payload,
      createdAt: tp.platform.clock.now(),
      attempts: 0,
    }));
  const p = makeParcel(1, 'P4');
  const submitted: ReceivedPayload[] = [];
  for (const [m, kind] of [
    [message('CEB303', guidOf(3034, 1), PARTIES.platform, [p.order]), 'order'],
    [message('CEB505', guidOf(5054, 1), PARTIES.carrier, [p.waybill]), 'waybill'],
    [message('CEB603', guidOf(6034, 1), PARTIES.broker, [p.inventory]), 'inventory'],
  ] as const) {
    const out = await submitXml(m);
    submitted.push({ kind, ids: out.entities.map((e) => e.documentId!), waybillKeys: [] });
  }
  const key = `${PARTIES.platform.code}|${p.orderNo}`;
  const statuses = async (): Promise<string[]> => {
    const r = await sql<{ kind: string; status: string }>`
      select kind, status from clr_document where business_key in (${key}, ${`${PARTIES.carrier.code}|${p.logisticsNo}`})
      order by kind`.execute(db);
    return r.rows.map((x) => `${x.kind}:${x.status}`);
  };

  // Under the national default the three documents would match at once (probed, then rolled back).
  const rollback = new Error('probe');
  await db
    .transaction()
    .execute(async (trx) => {
      await pipelineUnder(CLEARANCE_RULE_SETS).handle(eventsOf(submitted), trx);
      const r = await sql<{
        status: string;
      }>`select status from clr_document where kind = 'inventory' and business_key = ${key}`.execute(trx);
      assert.equal(r.rows[0]!.status, '399');
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });

  // Under the four-document rule set the inventory waits for the payment collection.
  await db.transaction().execute((trx) => pipelineUnder(fourDocuments).handle(eventsOf(submitted), trx));
  assert.deepEqual(await statuses(), ['inventory:2', 'order:2', 'waybill:2']);
  assert.deepEqual([...(await receiptSequences('P4'))], [[p.orderNo, ['2']]]);

  const paid = await submitXml(message('CEB403', guidOf(4034, 1), PARTIES.payer, [p.payment]));
  const paymentId = paid.entities[0]!.documentId!;
  await db
    .transaction()
    .execute((trx) =>
      pipelineUnder(fourDocuments).handle(eventsOf([{ kind: 'payment', ids: [paymentId], waybillKeys: [] }]), trx),
    );
  assert.deepEqual(await statuses(), ['inventory:399', 'order:120', 'payment:120', 'waybill:120']);
  assert.deepEqual([...(await receiptSequences('P4'))], [[p.orderNo, ['2', '120', '399']]]);
  const payerReceipts = await sql<{ s: string }>`
    select return_status as s from clr_receipt where message_type = 'CEB404' and document_id = ${paymentId} order by id`.execute(
    db,
  );
  assert.deepEqual([...new Set(payerReceipts.rows.map((r) => r.s))], ['2', '120']);

  // The platform's own handler, given the same events later, finds nothing left to decide.
  await tp.platform.settle();
  assert.deepEqual(await statuses(), ['inventory:399', 'order:120', 'payment:120', 'waybill:120']);
  assert.deepEqual([...(await receiptSequences('P4'))], [[p.orderNo, ['2', '120', '399']]]);
});
