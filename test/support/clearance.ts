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
