import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { encodeCeb, type CebMessage } from '../../src/ceb/index.ts';
import { blockMessages, message, PARTIES, recordInvtNos, sendBlock, type Parcel } from './parcels.ts';
import type { TestPlatform } from './platform.ts';

export const SENDER_USER: Record<string, string> = {
  CEB303: 'platform',
  CEB403: 'payer',
  CEB505: 'carrier',
  CEB603: 'broker',
  CEB605: 'broker',
  CEB507: 'warehouse',
  CEB607: 'broker',
  CEB509: 'carrier',
};

export interface Outcome {
  accepted: number;
  rejected: number;
  replayed: boolean;
  entities: {
    index: number;
    accepted: boolean;
    documentId: string | null;
    returnStatus: string;
    returnInfo: string;
    invtNo?: string;
    preNo?: string;
  }[];
}

/** Posts a CEB message as XML with the given bearer token; answers status and body. */
export async function postXml(
  tp: TestPlatform,
  token: string,
  m: CebMessage | string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/ceb',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    payload: typeof m === 'string' ? m : encodeCeb(m),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

export async function submitOk(tp: TestPlatform, token: string, m: CebMessage): Promise<Outcome> {
  const r = await postXml(tp, token, m);
  assert.equal(r.status, 200, `${m.messageType}: ${JSON.stringify(r.body).slice(0, 600)}`);
  return r.body as unknown as Outcome;
}

export async function countDocuments(tp: TestPlatform): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from clr_document`.execute(tp.platform.database.db);
  return r.rows[0]!.n;
}

/** Row count, highest id and a hash of the columns that carry state, of one table. */
export interface TableState {
  rows: number;
  maxId: string | null;
  hash: string | null;
}

/** What intake and the pipeline write: documents, inventories, receipts and the outbox. */
export interface ClearanceSnapshot {
  clr_document: TableState;
  clr_inventory: TableState;
  clr_receipt: TableState;
  outbox_event: TableState;
}

/**
 * The state of the clearance tables, taken to prove a refusal changed nothing: a stored or
 * deleted row moves the count or the highest id, a changed status (or head, lines, lane, hold …)
 * the hash. Receipts and outbox events are never updated, so their ids and kinds are enough.
 */
export async function snapshotClearance(tp: TestPlatform): Promise<ClearanceSnapshot> {
  const r = await sql<{ name: keyof ClearanceSnapshot; rows: number; max_id: string | null; hash: string | null }>`
    select 'clr_document' as name, count(*)::int as rows, max(id::text) as max_id,
      md5(string_agg(concat_ws('|', id, status, live, return_info, updated_at, md5(head::text), md5(lines::text), readers, receipt_copies), ',' order by id)) as hash
    from clr_document
    union all
    select 'clr_inventory', count(*)::int, max(document_id::text),
      md5(string_agg(concat_ws('|', document_id, invt_no, order_key, waybill_key, lane, review_reason, held_at, decided_at, released_at, closed_at), ',' order by document_id))
    from clr_inventory
    union all
    select 'clr_receipt', count(*)::int, max(id)::text,
      md5(string_agg(concat_ws('|', id, message_type, guid, return_status, document_id), ',' order by id))
    from clr_receipt
    union all
    select 'outbox_event', count(*)::int, max(id)::text, md5(string_agg(concat_ws('|', id, topic), ',' order by id))
    from outbox_event`.execute(tp.platform.database.db);
  return Object.fromEntries(
    r.rows.map((x) => [x.name, { rows: x.rows, maxId: x.max_id, hash: x.hash }]),
  ) as unknown as ClearanceSnapshot;
}

/** A receipt as the refusal tests name it: its type, the entity's guid and the status. */
export interface ReceiptKey {
  messageType: string;
  guid: string;
  returnStatus: string;
}

/** Receipts written after `since` was taken, one per type, guid and status (copies to several recipients count once). */
export async function receiptsSince(tp: TestPlatform, since: ClearanceSnapshot): Promise<ReceiptKey[]> {
  const r = await sql<{ message_type: string; guid: string; return_status: string }>`
    select message_type, guid, return_status from clr_receipt where id > ${Number(since.clr_receipt.maxId ?? 0)}
    group by message_type, guid, return_status order by min(id)`.execute(tp.platform.database.db);
  return r.rows.map((x) => ({ messageType: x.message_type, guid: x.guid, returnStatus: x.return_status }));
}

/**
 * Asserts that since `before` nothing changed in documents, inventories or the outbox, and that the
 * only receipts written are `receipts` (the refusal receipts themselves; none for a message
 * refused as a whole, whose CEB900 goes back in the answer and is not stored).
 */
export async function assertOnlyReceipts(
  tp: TestPlatform,
  before: ClearanceSnapshot,
  receipts: readonly ReceiptKey[],
  label = '',
): Promise<void> {
  const after = await snapshotClearance(tp);
  const at = label ? `${label}: ` : '';
  assert.deepEqual(after.clr_document, before.clr_document, `${at}no document stored or changed`);
  assert.deepEqual(after.clr_inventory, before.clr_inventory, `${at}no inventory stored or changed`);
  assert.deepEqual(after.outbox_event, before.outbox_event, `${at}nothing announced`);
  assert.deepEqual(await receiptsSince(tp, before), receipts, `${at}the receipts written`);
  if (receipts.length === 0) assert.deepEqual(after.clr_receipt, before.clr_receipt, `${at}no receipt`);
}

export async function statusOf(
  tp: TestPlatform,
  kind: string,
  businessKey: string,
): Promise<{ status: string; live: boolean; return_info: string | null }[]> {
  const r = await sql<{ status: string; live: boolean; return_info: string | null }>`
    select status, live, return_info from clr_document where kind = ${kind} and business_key = ${businessKey} order by created_at`.execute(
    tp.platform.database.db,
  );
  return r.rows;
}

export async function receiptStatuses(tp: TestPlatform, messageType: string, guid: string): Promise<string[]> {
  const r = await sql<{ s: string }>`
    select distinct on (id) return_status as s, id from clr_receipt where message_type = ${messageType} and guid = ${guid} order by id`.execute(
    tp.platform.database.db,
  );
  return [...new Set(r.rows.map((x) => x.s))];
}

/** A JSON call through the app with a bearer token: status and parsed body. */
export async function apiCall<B = Record<string, unknown> & { items?: Record<string, unknown>[] }>(
  tp: TestPlatform,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: B }> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.json() as B };
}

/**
 * Parcels' orders, waybills and inventories from the demo platform, carrier and broker, one
 * message a kind (no payment collection), then the pipeline run. Each accepted parcel keeps its
 * inventory number, which the broker's total-sub bill names (siteMessages). Answers the
 * inventories' intake outcome.
 */
export async function declareParcels(
  tp: TestPlatform,
  tokens: Record<string, string>,
  ps: readonly Parcel[],
  nextGuid: () => string,
): Promise<Outcome> {
  const [orders, waybills, inventories] = [ps.map((p) => p.order), ps.map((p) => p.waybill), ps.map((p) => p.inventory)];
  await submitOk(tp, tokens.platform!, message('CEB303', nextGuid(), PARTIES.platform, orders));
  await submitOk(tp, tokens.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, waybills));
  const inv = await submitOk(tp, tokens.broker!, message('CEB603', nextGuid(), PARTIES.broker, inventories));
  recordInvtNos(ps, inv);
  await tp.platform.settle();
  return inv;
}

/** One parcel declared (declareParcels), which intake must accept; answers the inventory's intake outcome. */
export async function declareParcel(
  tp: TestPlatform,
  tokens: Record<string, string>,
  p: Parcel,
  nextGuid: () => string,
): Promise<Outcome['entities'][number]> {
  const inv = await declareParcels(tp, tokens, [p], nextGuid);
  assert.ok(inv.entities[0]?.accepted, JSON.stringify(inv.entities[0]));
  return inv.entities[0]!;
}

/** The statuses of a parcel's inventory documents, oldest first. */
export async function inventoryStatuses(tp: TestPlatform, p: Parcel): Promise<string[]> {
  return (await statusOf(tp, 'inventory', `${PARTIES.platform.code}|${p.orderNo}`)).map((d) => d.status);
}

/**
 * A block of ≤ 100 parcels sent as every party would send it (order, payment collection,
 * waybill, inventory, then arrival, total-sub bill and departure) and run to closure (899).
 */
export async function closeParcels(
  tp: TestPlatform,
  tokens: Record<string, string>,
  parcels: Parcel[],
  block: number,
  run: string,
  opts: { without?: readonly string[] } = {},
): Promise<void> {
  // `without`: message types left out (e.g. CEB403 when the buyer paid through a bank)
  await sendBlock(
    blockMessages(block, parcels, run).filter((x) => !opts.without?.includes(x.message.messageType)),
    async (user, m) => {
      const out = await submitOk(tp, tokens[user]!, m);
      assert.equal(out.rejected, 0, `${m.messageType}: ${JSON.stringify(out.entities.find((e) => !e.accepted))}`);
      return out;
    },
  );
  await tp.platform.settle();
}

/**
 * Parcels whose inventories were declared some other way (inventory drafts, the web): each gets
 * the number of its live inventory, as the broker reads it from its CEB604, for its bills.
 */
export async function recordDeclaredInvtNos(
  tp: TestPlatform,
  parcels: { logisticsNo: string; invtNo?: string }[],
): Promise<void> {
  const r = await sql<{ logistics_no: string; invt_no: string }>`
    select i.logistics_no, i.invt_no from clr_inventory i join clr_document d on d.id = i.document_id
    where d.live and i.logistics_no = any(${parcels.map((p) => p.logisticsNo)}::text[])`.execute(tp.platform.database.db);
  const byNo = new Map(r.rows.map((x) => [x.logistics_no, x.invt_no]));
  for (const p of parcels) {
    const invtNo = byNo.get(p.logisticsNo);
    if (invtNo) p.invtNo = invtNo;
  }
}
