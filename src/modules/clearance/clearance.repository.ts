import { sql } from 'kysely';
import type { Executor } from '../../kernel/db.ts';
import type { DocKind } from './rules/documents.rules.ts';
import { MATCH_HEAD_FIELDS, type Fields } from './rules/match.rules.ts';
import { receiptHeadFields } from './rules/receipts.rules.ts';

export interface DocumentRow {
  id: string;
  kind: DocKind;
  message_id: string;
  guid: string;
  cop_no: string | null;
  pre_no: string | null;
  business_key: string;
  status: string;
  live: boolean;
  customs_code: string | null;
  parties: string[];
  /** the organisation whose message created it: its receipts go there */
  sender_org_id: string;
  /** BaseSubscribe DATA/ALL subscribers: may read the document */
  readers: string[];
  /** BaseSubscribe RET/ALL subscribers: receive its receipts */
  receipt_copies: string[];
  head: Fields;
  lines: Fields[];
  return_info: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface InventoryRow {
  document_id: string;
  order_key: string;
  waybill_key: string;
  logistics_no: string;
  ebc_code: string;
  agent_code: string;
  trade_mode: string;
  statistics_flag: string;
  invt_no: string;
  lane: string | null;
  review_reason: string | null;
  decided_at: Date | null;
  released_at: Date | null;
  closed_at: Date | null;
}

export interface ReceiptRow {
  id: number;
  /** feed position (commit order); null until sequenced */
  seq: number | null;
  recipient_org_id: string;
  message_type: string;
  document_id: string | null;
  guid: string;
  return_status: string;
  return_info: string;
  return_time: string;
  fields: Fields;
  created_at: Date;
}

export type NewReceipt = Omit<ReceiptRow, 'id' | 'seq'>;

/** A document with what deciding it needs of its inventory (nulls when it is no inventory). */
export type DecisionRow = DocumentRow & {
  invt_no: string | null;
  lane: string | null;
  review_reason: string | null;
  decided_at: Date | null;
};

/**
 * What matching, the decision hook and receipts read of a document: no more crosses the wire. A
 * counterpart's (order, waybill, payment) `head` holds only the fields in COUNTERPART_HEAD.
 */
export type MatchDocument = Pick<
  DocumentRow,
  'id' | 'kind' | 'status' | 'guid' | 'sender_org_id' | 'receipt_copies' | 'head' | 'lines'
>;

export interface MatchCandidate {
  inventory: MatchDocument & { pre_no: string | null; invt_no: string; order_key: string; waybill_key: string };
  order: MatchDocument | null;
  waybill: MatchDocument | null;
  payment: MatchDocument | null;
}

const CHUNK = 500;

/**
 * Of an inventory's counterparts the pipeline reads only the head fields its match compares and
 * their receipts carry: returning the whole heads as JSON text (and parsing them again in Node)
 * was about a fifth of the match statement's time.
 */
const COUNTERPART_HEAD = {
  o: [...new Set([...MATCH_HEAD_FIELDS.order, ...receiptHeadFields('CEB303')])],
  w: [...new Set([...MATCH_HEAD_FIELDS.waybill, ...receiptHeadFields('CEB505')])],
  p: [...new Set([...MATCH_HEAD_FIELDS.payment, ...receiptHeadFields('CEB403')])],
} as const;

const counterpartHeadColumns = sql.join(
  (['o', 'w', 'p'] as const).flatMap((p) =>
    COUNTERPART_HEAD[p].map((f) => sql`${sql.ref(`${p}.head`)}->>${sql.lit(f)} as ${sql.ref(`${p}_h_${f}`)}`),
  ),
);

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Many rows as one JSON text parameter for `jsonb_to_recordset`: one native JSON.stringify instead
 * of a PostgreSQL array literal per column (pg escapes every quote of every JSON element one by
 * one: about three times the Node CPU for the document insert, measured). Read as `jsonb`, not
 * `json`: `json_to_recordset` lexes the text and then parses every jsonb column's value again
 * (head and lines: twice the database CPU for a 100-document insert, measured in psql).
 */
const rowsJson = (rows: readonly object[]): string => JSON.stringify(rows);

/**
 * Receipts as the JSON rows of `insertReceipts`, under one-letter keys: eleven receipts a parcel,
 * and the long column names were a third of each row's text, stringified in Node and parsed again
 * in PostgreSQL.
 */
function receiptsJson(rows: readonly NewReceipt[]): string {
  const j = JSON.stringify;
  return `[${rows
    .map(
      (r) =>
        `{"r":${j(r.recipient_org_id)},"m":${j(r.message_type)},"d":${j(r.document_id)},"g":${j(r.guid)},"s":${j(r.return_status)},` +
        `"i":${j(r.return_info)},"t":${j(r.return_time)},"f":${j(r.fields)},"c":${j(r.created_at)}}`,
    )
    .join(',')}]`;
}

/**
 * An organisation's feed entries after a position, in order: (seq, receipt_id, receipt_created_at),
 * at most `limit`. The feed is stored as runs (migration 010); `limit` runs hold at least `limit`
 * entries, so the runs are cut by their index before they are unnested.
 */
export function receiptFeedEntriesAfter(orgId: string, after: number, limit: number) {
  return sql<{ seq: number; receipt_id: number; receipt_created_at: Date }>`
    select k.first_seq + u.ord - 1 as seq, u.receipt_id, u.receipt_created_at
    from (select first_seq, receipt_ids, receipt_created_ats from clr_receipt_feed_run
          where recipient_org_id = ${orgId} and last_seq > ${after} order by last_seq limit ${limit}) k
    cross join lateral unnest(k.receipt_ids, k.receipt_created_ats) with ordinality as u(receipt_id, receipt_created_at, ord)
    where k.first_seq + u.ord - 1 > ${after}
    order by 1 limit ${limit}`;
}

/**
 * The feed position of receipt `r` for its recipient, null while unsequenced: its run is the
 * first of the recipient's whose id range, read upwards from the receipt's id, holds it.
 */
const seqOfReceipt = sql<number | null>`(
  select f.first_seq + array_position(f.receipt_ids, r.id) - 1 from clr_receipt_feed_run f
  where f.recipient_org_id = r.recipient_org_id and f.max_receipt_id >= r.id and f.min_receipt_id <= r.id
    and r.id = any(f.receipt_ids)
  order by f.max_receipt_id limit 1)`;

/**
 * A document that names no customs office (order, payment collection, waybill) lies where the
 * inventories that name it lie: an order or payment by the inventory's order key, a waybill by its
 * waybill key. True when one such inventory is declared at an office under `customsPrefix`.
 * Two probes of the inventory key indexes, not one join with an `or` (which scans every inventory).
 */
const linkedInJurisdiction = (customsPrefix: string) => sql<boolean>`(
  (d.kind in ('order', 'payment') and exists (
    select 1 from clr_inventory li join clr_document lv on lv.id = li.document_id
    where li.order_key = d.business_key and lv.customs_code like ${`${customsPrefix}%`}))
  or (d.kind = 'waybill' and exists (
    select 1 from clr_inventory li join clr_document lv on lv.id = li.document_id
    where li.waybill_key = d.business_key and lv.customs_code like ${`${customsPrefix}%`})))`;

/** An agency sees what is declared in its jurisdiction and the place-less documents linked to it. */
const inJurisdiction = (customsPrefix: string) =>
  sql<boolean>`(d.customs_code like ${`${customsPrefix}%`} or (d.customs_code is null and ${linkedInJurisdiction(customsPrefix)}))`;

/** Every kind a search key may name. */
const SEARCH_KINDS: readonly DocKind[] = [
  'order',
  'payment',
  'waybill',
  'inventory',
  'cancellation',
  'arrival',
  'consolidation',
  'departure',
];

/**
 * The kinds whose business key is an enterprise code, '|' and a number the search may be given
 * alone (a cancellation's key is its invtNo alone). With a kind filter only that kind's codes are
 * enumerated, plus the waybills' for an arrival, bill or departure (found through their parcel).
 */
function prefixKindsFor(kind: DocKind | undefined): DocKind[] {
  const all: DocKind[] = ['order', 'payment', 'waybill', 'inventory', 'arrival', 'consolidation', 'departure'];
  if (!kind) return all;
  if (kind === 'cancellation') return [];
  if (kind === 'arrival' || kind === 'consolidation' || kind === 'departure') return [kind, 'waybill'];
  return [kind];
}

/** The clearance module's SQL: batch statements (hundreds of rows each), never a query per document. */
export function createClearanceRepository(exec: Executor) {
  const db = exec;
  return {
    async findMessage(senderOrgId: string, guid: string): Promise<{ id: string; outcome: unknown } | undefined> {
      const r = await sql<{ id: string; outcome: unknown }>`
        select id, outcome from clr_message where sender_org_id = ${senderOrgId} and guid = ${guid}`.execute(db);
      return r.rows[0];
    },

    async insertMessage(m: {
      id: string;
      senderOrgId: string;
      guid: string;
      messageType: string;
      format: 'xml' | 'json';
      entityCount: number;
      outcome: unknown;
      receivedAt: Date;
    }): Promise<void> {
      await sql`insert into clr_message (id, sender_org_id, guid, message_type, format, entity_count, outcome, received_at)
        values (${m.id}, ${m.senderOrgId}, ${m.guid}, ${m.messageType}, ${m.format}, ${m.entityCount}, ${JSON.stringify(m.outcome)}, ${m.receivedAt})`.execute(
        db,
      );
    },

    /** Live documents of a kind by business key. */
    /**
     * Live documents by business key: the duplicate check of every intake message (usually no
     * rows). The inventory number is a sub-select: as a join the planner hashed every inventory
     * (4 ms per message at 200,000 parcels, a fifth of the intake's database time).
     */
    async liveByKeys(kind: DocKind, keys: string[]): Promise<(DocumentRow & { invt_no: string | null })[]> {
      if (keys.length === 0) return [];
      const r = await sql<DocumentRow & { invt_no: string | null }>`
        select d.*, (select i.invt_no from clr_inventory i where i.document_id = d.id) as invt_no
        from clr_document d
        where d.kind = ${kind} and d.live and d.business_key = any(${keys}::text[])`.execute(db);
      return r.rows;
    },

    async insertDocuments(rows: Omit<DocumentRow, 'live' | 'return_info'>[]): Promise<void> {
      for (const c of chunks(rows)) {
        await sql`
          insert into clr_document (id, kind, message_id, guid, cop_no, pre_no, business_key, status, customs_code, sender_org_id, parties, readers, receipt_copies, head, lines, created_at, updated_at)
          select id, kind, message_id, guid, cop_no, pre_no, business_key, status, customs_code, sender_org_id, parties, readers, receipt_copies, head, lines, created_at, updated_at
          from jsonb_to_recordset(${rowsJson(c)}::jsonb) as t(id uuid, kind text, message_id uuid, guid text, cop_no text, pre_no text, business_key text,
            status text, customs_code text, sender_org_id uuid, parties uuid[], readers uuid[], receipt_copies uuid[], head jsonb, lines jsonb,
            created_at timestamptz, updated_at timestamptz)`.execute(db);
      }
    },

    /**
     * appType 2: the declared content replaces the old, the document goes back to "declaring". The
     * BaseSubscribe of the change names who reads it and gets its receipts from now on (readers,
     * receipt_copies); a row without them (a deletion) keeps the document's.
     */
    async replaceDocuments(
      rows: {
        id: string;
        message_id: string;
        head: Fields;
        lines: Fields[];
        parties: string[];
        readers?: string[] | null;
        receipt_copies?: string[] | null;
        updated_at: Date;
      }[],
    ): Promise<void> {
      const uuids = (ids: string[] | null | undefined): string | null => (ids ? `{${ids.join(',')}}` : null);
      for (const c of chunks(rows)) {
        await sql`
          update clr_document d set message_id = t.message_id, head = t.head, lines = t.lines, parties = t.parties::uuid[],
            readers = coalesce(t.readers::uuid[], d.readers), receipt_copies = coalesce(t.receipt_copies::uuid[], d.receipt_copies),
            status = '2', return_info = null, updated_at = t.updated_at
          from unnest(${c.map((r) => r.id)}::uuid[], ${c.map((r) => r.message_id)}::uuid[], ${c.map((r) => JSON.stringify(r.head))}::jsonb[],
                      ${c.map((r) => JSON.stringify(r.lines))}::jsonb[], ${c.map((r) => uuids(r.parties))}::text[],
                      ${c.map((r) => uuids(r.readers))}::text[], ${c.map((r) => uuids(r.receipt_copies))}::text[],
                      ${c.map((r) => r.updated_at)}::timestamptz[])
            as t(id, message_id, head, lines, parties, readers, receipt_copies, updated_at)
          where d.id = t.id`.execute(db);
      }
    },

    async insertInventories(
      rows: Omit<InventoryRow, 'lane' | 'review_reason' | 'decided_at' | 'released_at' | 'closed_at'>[],
    ): Promise<void> {
      for (const c of chunks(rows)) {
        await sql`
          insert into clr_inventory (document_id, order_key, waybill_key, logistics_no, ebc_code, agent_code, trade_mode, statistics_flag, invt_no)
          select document_id, order_key, waybill_key, logistics_no, ebc_code, agent_code, trade_mode, statistics_flag, invt_no
          from jsonb_to_recordset(${rowsJson(c)}::jsonb) as t(document_id uuid, order_key text, waybill_key text, logistics_no text,
            ebc_code text, agent_code text, trade_mode text, statistics_flag text, invt_no text)`.execute(db);
      }
    },

    /**
     * appType 2 of inventories: every column taken from the head follows the new content (keys,
     * declaring agent, seller, trade mode, statistics flag), and the earlier decision is void.
     */
    async updateInventoryKeys(
      rows: Omit<InventoryRow, 'invt_no' | 'lane' | 'review_reason' | 'decided_at' | 'released_at' | 'closed_at'>[],
    ): Promise<void> {
      for (const c of chunks(rows)) {
        await sql`
          update clr_inventory i set order_key = t.order_key, waybill_key = t.waybill_key, logistics_no = t.logistics_no,
            ebc_code = t.ebc_code, agent_code = t.agent_code, trade_mode = t.trade_mode, statistics_flag = t.statistics_flag,
            lane = null, review_reason = null, decided_at = null, held_at = null
          from jsonb_to_recordset(${rowsJson(c)}::jsonb) as t(document_id uuid, order_key text, waybill_key text, logistics_no text,
            ebc_code text, agent_code text, trade_mode text, statistics_flag text)
          where i.document_id = t.document_id`.execute(db);
      }
    },

    /**
     * What a total-sub bill's lines name: the live inventories with these numbers, with their
     * parcel and who declared them (one probe of the unique invt_no index per number).
     */
    async billTargets(
      invtNos: string[],
    ): Promise<{ invt_no: string; logistics_no: string; waybill_key: string; agent_code: string; ebc_code: string }[]> {
      if (invtNos.length === 0) return [];
      const r = await sql<{ invt_no: string; logistics_no: string; waybill_key: string; agent_code: string; ebc_code: string }>`
        select i.invt_no, i.logistics_no, i.waybill_key, i.agent_code, i.ebc_code
        from clr_inventory i join clr_document d on d.id = i.document_id
        where i.invt_no = any(array(select unnest(${invtNos}::text[]))) and d.live`.execute(db);
      return r.rows;
    },

    /** Of these waybill keys (logisticsCode|logisticsNo), those a live inventory declares (the waybill_key index). */
    async declaredWaybillKeys(keys: string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      // One index probe per key (lateral limit 1): a join let the planner hash every live document (89 ms a message).
      const r = await sql<{ waybill_key: string }>`
        select k.key as waybill_key
        from unnest(${keys}::text[]) as k(key)
        cross join lateral (
          select 1 from clr_inventory i join clr_document d on d.id = i.document_id
          where i.waybill_key = k.key and d.live limit 1) x`.execute(db);
      return new Set(r.rows.map((x) => x.waybill_key));
    },

    /**
     * Of these waybill keys (logisticsCode|logisticsNo), the live total-sub bills binding each (its
     * consolidation events): whether a bill may bind a parcel (one bill per parcel) and whether a
     * departure names parcels of its billNo. One probe of the event key (waybill_key, kind) per key
     * (lateral, limit: not flattened into a join, as at declaredWaybillKeys). A bill still being
     * declared (2) binds too: intake has checked it whole, and the pipeline accepts (399) every live
     * bill it is given; release and closure count only accepted ones (releaseCandidates).
     */
    async liveBills(keys: string[]): Promise<{ waybill_key: string; document_id: string; bill_no: string }[]> {
      if (keys.length === 0) return [];
      const r = await sql<{ waybill_key: string; document_id: string; bill_no: string }>`
        select k.key as waybill_key, x.document_id, x.bill_no
        from unnest(${keys}::text[]) as k(key)
        cross join lateral (
          select e.document_id, coalesce(e.bill_no, '') as bill_no
          from clr_parcel_event e join clr_document d on d.id = e.document_id
          where e.waybill_key = k.key and e.kind = 'consolidation' and d.live and d.status in ('2', '399', '800')
          limit 8) x`.execute(db);
      return r.rows;
    },

    /** A changed arrival, bill or departure: the parcels its old lines named are no longer its events. */
    async deleteParcelEvents(documentIds: string[]): Promise<void> {
      if (documentIds.length === 0) return;
      await sql`delete from clr_parcel_event where document_id = any(${documentIds}::uuid[])`.execute(db);
    },

    async insertParcelEvents(
      rows: { waybill_key: string; kind: string; document_id: string; bill_no: string | null; at: Date }[],
    ): Promise<void> {
      for (const c of chunks(rows, 1000)) {
        await sql`
          insert into clr_parcel_event (waybill_key, kind, document_id, bill_no, at)
          select waybill_key, kind, document_id, bill_no, at
          from jsonb_to_recordset(${rowsJson(c)}::jsonb) as t(waybill_key text, kind text, document_id uuid, bill_no text, at timestamptz)
          on conflict do nothing`.execute(db);
      }
    },

    /** Sets status (and live, return info) of many documents in one statement. */
    async setStatuses(rows: { id: string; status: string; live?: boolean; info?: string | null }[], now: Date): Promise<void> {
      for (const c of chunks(rows)) {
        await sql`
          update clr_document d set status = t.status, live = coalesce(t.live, d.live), return_info = coalesce(t.info, d.return_info), updated_at = ${now}
          from jsonb_to_recordset(${rowsJson(c)}::jsonb) as t(id uuid, status text, live boolean, info text)
          where d.id = t.id`.execute(db);
      }
    },

    async setInventoryDecisions(
      rows: { id: string; lane: string; reason: string | null; decided: boolean }[],
      now: Date,
    ): Promise<void> {
      for (const c of chunks(rows)) {
        await sql`
          update clr_inventory i set lane = t.lane, review_reason = t.reason, decided_at = case when t.decided then ${now}::timestamptz else null end,
            held_at = case when t.decided then null else ${now}::timestamptz end
          from unnest(${c.map((r) => r.id)}::uuid[], ${c.map((r) => r.lane)}::text[], ${c.map((r) => r.reason)}::text[], ${c.map((r) => r.decided)}::boolean[])
            as t(id, lane, reason, decided)
          where i.document_id = t.id`.execute(db);
      }
    },

    /** Inventories that left manual review without a decision (rejected, cancelled). */
    async clearHeld(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await sql`update clr_inventory set held_at = null where document_id = any(${ids}::uuid[]) and held_at is not null`.execute(
        db,
      );
    },

    /** The review queue: inventories held for an officer (300), newest first. */
    async heldInventories(opts: {
      partyOrgId?: string;
      customsPrefix?: string;
      limit: number;
    }): Promise<(DocumentRow & { invt_no: string; lane: string | null; review_reason: string | null })[]> {
      // `held_at` marks candidates; the status decides (a stale mark only costs a filtered row).
      // The lane and the officer's reason come along: the queue shows them without a read per row.
      const r = await sql<DocumentRow & { invt_no: string; lane: string | null; review_reason: string | null }>`
        select d.*, i.invt_no, i.lane, i.review_reason from clr_inventory i join clr_document d on d.id = i.document_id
        where i.held_at is not null and d.status = '300'
          ${opts.partyOrgId ? sql`and (d.parties @> array[${opts.partyOrgId}]::uuid[] or d.readers @> array[${opts.partyOrgId}]::uuid[])` : sql``}
          ${opts.customsPrefix !== undefined ? sql`and d.customs_code like ${`${opts.customsPrefix}%`}` : sql``}
        order by d.created_at desc, d.id desc
        limit ${opts.limit}`.execute(db);
      return r.rows;
    },

    /**
     * Documents about to be decided (review, inspection, the risk engine deciding again), locked in
     * id order so two deciders never deadlock, with their inventory's number, lane, officer's
     * reason and decision time: one statement for a whole batch (a document that is no inventory
     * comes with nulls; an id that names nothing is absent).
     */
    async inventoriesForDecision(ids: string[]): Promise<DecisionRow[]> {
      if (ids.length === 0) return [];
      const r = await sql<DecisionRow>`
        select d.*, i.invt_no, i.lane, i.review_reason, i.decided_at
        from clr_document d left join clr_inventory i on i.document_id = d.id
        where d.id = any(${ids}::uuid[])
        order by d.id
        for update of d`.execute(db);
      return r.rows;
    },

    async stampInventories(ids: string[], column: 'released_at' | 'closed_at', now: Date): Promise<void> {
      if (ids.length === 0) return;
      await sql`update clr_inventory set ${sql.ref(column)} = ${now} where document_id = any(${ids}::uuid[])`.execute(db);
    },

    /**
     * Inventories waiting in "declaring" (2) that the given documents may complete, with their
     * counterparts; locked so two workers never decide the same inventory.
     */
    async matchCandidates(ids: {
      inventories: string[];
      orders: string[];
      waybills: string[];
      payments: string[];
    }): Promise<MatchCandidate[]> {
      // Counterparts come as o_/w_/p_ prefixed columns: no jsonb is built per row and sent as text.
      type Row = MatchCandidate['inventory'] & { o_lines: Fields[] } & Record<string, unknown>;
      // Keys go through `any(array(select …))`: the planner then probes the indexes for a batch
      // instead of trusting statistics that lag a table growing by thousands of rows a second
      // (it chose sequential scans of every inventory per batch). Rows are locked in id order
      // on the narrow id list first, so the wide rows are never sorted. Each counterpart is probed
      // by its live key (lateral; the live-key index allows one): joined as sets, the planner
      // merge-joined a batch with a sorted scan of every live payment collection (750 ms a batch
      // at 200,000 parcels, a 100 MB sort on disk).
      const r = await sql<Row>`
        with cand as materialized (
          select document_id from clr_inventory where document_id = any(${ids.inventories}::uuid[])
          union
          select document_id from clr_inventory
          where order_key = any(array(select business_key from clr_document where id = any(${[...ids.orders, ...ids.payments]}::uuid[])))
          union
          select document_id from clr_inventory
          where waybill_key = any(array(select business_key from clr_document where id = any(${ids.waybills}::uuid[])))
        ), locked as materialized (
          select d.id from clr_document d
          where d.id = any(array(select document_id from cand)) and d.live and d.status = '2'
          order by d.id
          for update
        )
        select d.id, d.kind, d.status, d.guid, d.sender_org_id, d.receipt_copies, d.head, d.lines, d.pre_no,
               i.invt_no, i.order_key, i.waybill_key,
               o.id as o_id, o.status as o_status, o.guid as o_guid, o.sender_org_id as o_sender_org_id,
               o.receipt_copies as o_receipt_copies, o.lines as o_lines,
               w.id as w_id, w.status as w_status, w.guid as w_guid, w.sender_org_id as w_sender_org_id,
               w.receipt_copies as w_receipt_copies,
               p.id as p_id, p.status as p_status, p.guid as p_guid, p.sender_org_id as p_sender_org_id,
               p.receipt_copies as p_receipt_copies, ${counterpartHeadColumns}
        from locked l
        join clr_document d on d.id = l.id
        join clr_inventory i on i.document_id = l.id
        left join lateral (
          select * from clr_document o where o.kind = 'order' and o.live and o.business_key = i.order_key limit 1) o on true
        left join lateral (
          select * from clr_document w where w.kind = 'waybill' and w.live and w.business_key = i.waybill_key limit 1) w on true
        left join lateral (
          select * from clr_document p where p.kind = 'payment' and p.live and p.business_key = i.order_key limit 1) p on true`.execute(
        db,
      );
      const side = (s: Row, p: 'o' | 'w' | 'p', kind: DocKind, lines: Fields[]): MatchDocument | null => {
        const id = s[`${p}_id`] as string | null;
        if (id === null) return null;
        const head: Fields = {};
        for (const f of COUNTERPART_HEAD[p]) {
          const v = s[`${p}_h_${f}`] as string | null;
          if (v !== null) head[f] = v;
        }
        return {
          id,
          kind,
          status: s[`${p}_status`] as string,
          guid: s[`${p}_guid`] as string,
          sender_org_id: s[`${p}_sender_org_id`] as string,
          receipt_copies: s[`${p}_receipt_copies`] as string[],
          head,
          lines,
        };
      };
      return r.rows
        .map((x) => ({
          inventory: {
            id: x.id,
            kind: x.kind,
            status: x.status,
            guid: x.guid,
            sender_org_id: x.sender_org_id,
            receipt_copies: x.receipt_copies,
            head: x.head,
            lines: x.lines,
            pre_no: x.pre_no,
            invt_no: x.invt_no,
            order_key: x.order_key,
            waybill_key: x.waybill_key,
          },
          order: side(x, 'o', 'order', x.o_lines),
          waybill: side(x, 'w', 'waybill', []),
          payment: side(x, 'p', 'payment', []),
        }))
        .sort((a, b) => (a.inventory.id < b.inventory.id ? -1 : a.inventory.id > b.inventory.id ? 1 : 0));
    },

    /** Payment collections of orders already matched (their order is 120), still waiting at 2. */
    async paymentsOfMatchedOrders(paymentIds: string[]): Promise<DocumentRow[]> {
      if (paymentIds.length === 0) return [];
      // Driven from the payments, one order probe each: written as a plain `exists`, the planner
      // hashed every live order and probed the payment ids once per order (1.2 s for one batch).
      const r = await sql<DocumentRow>`
        with pay as materialized (
          select id, business_key from clr_document where id = any(${paymentIds}::uuid[]) and live and status = '2'
        )
        select p.* from clr_document p
        where p.id = any(array(
            select pay.id from pay
            cross join lateral (
              select 1 from clr_document o
              where o.kind = 'order' and o.live and o.business_key = pay.business_key and o.status = '120' limit 1) o))
          and p.live and p.status = '2'
        order by p.id
        for update of p`.execute(db);
      return r.rows;
    },

    /**
     * Documents by id without locking them: for readers outside the pipeline's decisions (the
     * outbound adapter), which must not hold row locks the serial pipeline waits on.
     */
    async readDocuments(ids: string[]): Promise<DocumentRow[]> {
      if (ids.length === 0) return [];
      const r = await sql<DocumentRow>`select * from clr_document where id = any(${ids}::uuid[]) order by id`.execute(db);
      return r.rows;
    },

    async documentsByIds(ids: string[]): Promise<DocumentRow[]> {
      if (ids.length === 0) return [];
      const r = await sql<DocumentRow>`select * from clr_document where id = any(${ids}::uuid[]) order by id for update`.execute(
        db,
      );
      return r.rows;
    },

    /**
     * Inventories ready to move on: decided (399) and bound to a master bill (and arrived, where the
     * rule set asks) → release; released (800) and departed → closure. Candidates are the given
     * inventories plus those whose parcels the given waybill keys name. The keys go through
     * `any(array(select …))` for the reason given at matchCandidates. Only events of arrivals,
     * bills and departures customs accepted count (live, 399 or 800): one refused, deleted or
     * still being declared binds, delivers and departs nothing. A departure with a billNo departs
     * only a parcel bound to an accepted bill of that billNo (one without a billNo, any parcel it
     * names): a parcel rebound to another master bill did not leave on the old flight. The
     * inventory number comes with the candidates: joined again from clr_inventory, the planner
     * merge-joined the candidates with a sorted scan of every inventory (480 ms a batch at 200,000
     * parcels).
     */
    async releaseCandidates(inventoryIds: string[], waybillKeys: string[], requireArrival: boolean) {
      const r = await sql<{
        id: string;
        status: string;
        guid: string;
        head: Fields;
        parties: string[];
        sender_org_id: string;
        receipt_copies: string[];
        pre_no: string;
        invt_no: string;
        bound: boolean;
        arrived: boolean;
        departed: boolean;
      }>`
        with cand as materialized (
          select document_id, waybill_key, invt_no from clr_inventory where document_id = any(${inventoryIds}::uuid[])
          union select document_id, waybill_key, invt_no from clr_inventory where waybill_key = any(array(select unnest(${waybillKeys}::text[])))
        ), ev as (
          -- Per candidate (lateral): joined as sets, the planner hashed every accepted document (210 ms a batch).
          select c.document_id, c.invt_no, x.bound, x.arrived, x.departed
          from cand c
          cross join lateral (
            select bool_or(e.kind = 'consolidation') as bound, bool_or(e.kind = 'arrival') as arrived,
              coalesce(bool_or(e.kind = 'departure' and coalesce(e.bill_no, '') = '')
                or array_agg(e.bill_no) filter (where e.kind = 'departure')
                  && array_agg(e.bill_no) filter (where e.kind = 'consolidation'), false) as departed
            from clr_parcel_event e
            join clr_document x on x.id = e.document_id and x.live and x.status in ('399', '800')
            where e.waybill_key = c.waybill_key) x
          where x.bound is not null
        )
        select d.id, d.status, d.guid, d.head, d.parties, d.sender_org_id, d.receipt_copies, d.pre_no, ev.invt_no,
          ev.bound, ev.arrived, ev.departed
        from ev join clr_document d on d.id = ev.document_id
        where d.live and ((d.status = '399' and ev.bound and (ev.arrived or not ${requireArrival})) or (d.status = '800' and ev.departed))
        order by d.id
        for update of d`.execute(db);
      return r.rows;
    },

    /**
     * For a cancellation: the live inventory by invtNo, with its declaring agent and seller (who
     * alone may cancel it) and whether a live departure (CEB509) names its parcel: the goods may
     * have left before the inventory reached 899 (not yet released, or released in this batch). A
     * departure with a billNo counts when a live bill of that billNo binds the parcel.
     */
    async inventoriesByInvtNo(
      invtNos: string[],
    ): Promise<(DocumentRow & { invt_no: string; agent_code: string; ebc_code: string; departed: boolean })[]> {
      if (invtNos.length === 0) return [];
      const r = await sql<DocumentRow & { invt_no: string; agent_code: string; ebc_code: string; departed: boolean }>`
        select d.*, i.invt_no, i.agent_code, i.ebc_code,
          exists (
            select 1 from clr_parcel_event e join clr_document x on x.id = e.document_id and x.live
            where e.waybill_key = i.waybill_key and e.kind = 'departure'
              and (coalesce(e.bill_no, '') = '' or exists (
                select 1 from clr_parcel_event b join clr_document bx on bx.id = b.document_id and bx.live
                where b.waybill_key = i.waybill_key and b.kind = 'consolidation' and b.bill_no = e.bill_no))) as departed
        from clr_inventory i join clr_document d on d.id = i.document_id
        where i.invt_no = any(${invtNos}::text[]) and d.live
        for update of d`.execute(db);
      return r.rows;
    },

    /** Allocates n consecutive numbers of a counter in one statement; answers the first. */
    async allocate(name: string, n: number): Promise<number> {
      const r = await sql<{ value: number }>`
        insert into clr_counter (name, value) values (${name}, ${n})
        on conflict (name) do update set value = clr_counter.value + excluded.value
        returning value`.execute(db);
      return r.rows[0]!.value - n + 1;
    },

    async insertReceipts(rows: NewReceipt[]): Promise<void> {
      for (const c of chunks(rows, 1000)) {
        await sql`
          insert into clr_receipt (recipient_org_id, message_type, document_id, guid, return_status, return_info, return_time, fields, created_at)
          select r, m, d, g, s, i, t, f, c
          from json_to_recordset(${receiptsJson(c)}::json) as x(r uuid, m text, d uuid, g text, s text, i text, t text, f json, c timestamptz)`.execute(
          db,
        );
      }
    },

    /**
     * The feed: sequenced receipts of one organisation after a cursor, in commit order. Each
     * entry's receipt is probed by key (lateral, limit 1 keeps it from being flattened into a
     * join): a large page otherwise made the planner hash every receipt of every month.
     */
    async receiptsAfter(orgId: string, after: number, limit: number): Promise<ReceiptRow[]> {
      const r = await sql<ReceiptRow>`
        select r.*, f.seq
        from (${receiptFeedEntriesAfter(orgId, after, limit)}) f
        cross join lateral (
          select * from clr_receipt r where r.id = f.receipt_id and r.created_at = f.receipt_created_at limit 1
        ) r
        order by f.seq`.execute(db);
      return r.rows;
    },

    /** The last feed position of an organisation (0 before its first receipt). */
    async feedEnd(orgId: string): Promise<number> {
      const r = await sql<{ n: number | null }>`
        select max(last_seq) as n from clr_receipt_feed_run where recipient_org_id = ${orgId}`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    },

    /** Receipt batches written but not yet in the feed (those of open transactions are not visible). */
    async unsequencedReceipts(): Promise<number> {
      const r = await sql<{ n: number }>`select count(*)::int as n from clr_receipt_batch`.execute(db);
      return r.rows[0]?.n ?? 0;
    },

    /**
     * Appends to the feed the committed receipt batches, oldest first; answers how many batches it
     * took. Serialised by an advisory lock across processes, and each pass reads after taking it
     * (a new snapshot): positions are handed out in one increasing order, a pass never sees what
     * an earlier one took, and a batch that commits later gets a later position. So a reader at
     * position c never misses anything: whatever is appended after it lands above c (ADR 0007).
     */
    async sequenceReceipts(limit: number): Promise<number> {
      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(4242610002)`.execute(trx);
        // One run per batch and recipient (migration 010), its positions a block of the sequence
        // taken in one step: setval is safe because every pass holds the advisory lock above.
        const r = await sql<{ batches: number }>`
          with taken as (
            delete from clr_receipt_batch where id in (
              select id from clr_receipt_batch order by id limit ${limit})
            returning id, receipt_ids, recipients, created_ats
          ), runs as materialized (
            select t.id as batch, u.recipient, count(*)::int as n,
              array_agg(u.receipt_id order by u.receipt_id) as ids, array_agg(u.created_at order by u.receipt_id) as ats,
              min(u.receipt_id) as min_id, max(u.receipt_id) as max_id, max(u.created_at) as last_at
            from taken t cross join lateral unnest(t.receipt_ids, t.recipients, t.created_ats) as u(receipt_id, recipient, created_at)
            group by t.id, u.recipient
          ), placed as materialized (
            select r.*, sum(r.n) over (order by r.batch, r.min_id) as upto, sum(r.n) over () as total from runs r
          ), block as materialized (
            select setval('clr_receipt_seq', nextval('clr_receipt_seq') + max(total) - 1) as last from placed having count(*) > 0
          ), appended as (
            insert into clr_receipt_feed_run
              (recipient_org_id, first_seq, last_seq, receipt_ids, receipt_created_ats, min_receipt_id, max_receipt_id, last_receipt_created_at)
            select p.recipient, b.last - p.total + p.upto - p.n + 1, b.last - p.total + p.upto, p.ids, p.ats, p.min_id, p.max_id, p.last_at
            from placed p cross join block b
          )
          select count(*)::int as batches from taken`.execute(trx);
        return r.rows[0]?.batches ?? 0;
      });
    },

    /** Monthly receipt partitions up to `monthsAhead` months from now (migration 006); answers how many were created. */
    async ensureReceiptPartitions(monthsAhead: number): Promise<number> {
      const r = await sql<{ n: number }>`select clr_ensure_receipt_partitions(${monthsAhead}::int) as n`.execute(db);
      return r.rows[0]?.n ?? 0;
    },

    async receiptsOfDocument(documentId: string, orgId: string | null): Promise<ReceiptRow[]> {
      const r = orgId
        ? await sql<ReceiptRow>`
            select r.*, ${seqOfReceipt} as seq from clr_receipt r
            where r.document_id = ${documentId} and r.recipient_org_id = ${orgId} order by r.id`.execute(db)
        : await sql<ReceiptRow>`
            select distinct on (r.message_type, r.return_status, r.guid) r.*, ${seqOfReceipt} as seq
            from clr_receipt r where r.document_id = ${documentId}
            order by r.message_type, r.return_status, r.guid, r.id`.execute(db);
      return r.rows.sort((a, b) => a.id - b.id);
    },

    /** Of these documents, those an agency of jurisdiction `customsPrefix` may see (one statement). */
    async inJurisdiction(ids: string[], customsPrefix: string): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const r = await sql<{ id: string }>`
        select d.id from clr_document d where d.id = any(${ids}::uuid[]) and ${inJurisdiction(customsPrefix)}`.execute(db);
      return new Set(r.rows.map((x) => x.id));
    },

    async getDocument(id: string): Promise<(DocumentRow & { inventory: InventoryRow | null }) | undefined> {
      const r = await sql<DocumentRow & { inventory: InventoryRow | null }>`
        select d.*, to_jsonb(i) as inventory from clr_document d left join clr_inventory i on i.document_id = d.id where d.id = ${id}`.execute(
        db,
      );
      return r.rows[0];
    },

    /**
     * The documents a caller may see, newest first, paged by (created_at, id). With `q`, only the
     * documents a search key names, found by bounded index probes combined by UNION (no pattern
     * match over every document, and no index intake would have to maintain for it):
     * - the business key as given (any kind; a cancellation's key is its invtNo);
     * - the key after an enterprise code: an order, payment collection or inventory by orderNo, a
     *   waybill by logisticsNo, an arrival, bill or departure by copNo. The codes are enumerated
     *   from the live-key index itself (one probe per distinct code: the platforms, carriers,
     *   agents and site operators), then each `code|q` is one equality probe;
     * - the preNo (unique index);
     * - a parcel by invtNo or logisticsNo (clr_inventory indexes) or its waybill: its inventories,
     *   its waybill and the arrival, bill and departure listing it (clr_parcel_event by waybill key);
     * - a master bill number: the live arrivals, bills and departures (a range of the live-key
     *   index over those three kinds: one document per flight, not per parcel);
     * - a message guid (clr_message's sender+guid index, per sender): the documents that message created.
     * Scope, kind, status and the cursor then filter that small set.
     */
    async listDocuments(opts: {
      kind?: DocKind;
      status?: string;
      partyOrgId?: string;
      customsPrefix?: string;
      q?: string;
      before?: { created_at: Date; id: string };
      limit: number;
    }): Promise<(DocumentRow & { invt_no: string | null })[]> {
      const filters = sql`
          ${opts.kind ? sql`and d.kind = ${opts.kind}` : sql``}
          ${opts.status ? sql`and d.status = ${opts.status}` : sql``}
          ${opts.partyOrgId ? sql`and (d.parties @> array[${opts.partyOrgId}]::uuid[] or d.readers @> array[${opts.partyOrgId}]::uuid[])` : sql``}
          ${opts.customsPrefix !== undefined ? sql`and ${inJurisdiction(opts.customsPrefix)}` : sql``}
          ${opts.before ? sql`and (d.created_at, d.id) < (${opts.before.created_at}, ${opts.before.id})` : sql``}`;
      if (!opts.q) {
        const r = await sql<DocumentRow & { invt_no: string | null }>`
          select d.*, i.invt_no from clr_document d left join clr_inventory i on i.document_id = d.id
          where true ${filters}
          order by d.created_at desc, d.id desc
          limit ${opts.limit}`.execute(db);
        return r.rows;
      }
      const q = opts.q.trim();
      const r = await sql<DocumentRow & { invt_no: string | null }>`
        with recursive prefix(kind, code) as (
          select k.kind, (
            select split_part(x.business_key, '|', 1) from clr_document x
            where x.kind = k.kind and x.live order by x.business_key limit 1)
          from unnest(${prefixKindsFor(opts.kind)}::text[]) as k(kind)
          union
          -- the next code: '}' sorts right after '|' (codes are digits and capitals; C and C.UTF-8 order)
          select p.kind, (
            select split_part(x.business_key, '|', 1) from clr_document x
            where x.kind = p.kind and x.live and x.business_key >= p.code || '}' order by x.business_key limit 1)
          from prefix p where p.code is not null
        ), sender(id) as (
          -- the organisations that sent messages: one probe of the sender+guid index each
          select (select m.sender_org_id from clr_message m order by m.sender_org_id limit 1)
          union all
          select (select m.sender_org_id from clr_message m where m.sender_org_id > s.id order by m.sender_org_id limit 1)
          from sender s where s.id is not null
        ), keyed(id, parcel) as materialized (
          -- each document the key names, and the waybill key of the parcel it names (if it names one)
          select x.id, case when x.kind = 'waybill' then x.business_key end from clr_document x
          where x.kind = any(${SEARCH_KINDS}::text[]) and x.live and x.business_key = ${q}
          union
          select x.id, case when x.kind = 'waybill' then x.business_key end from prefix p
          cross join lateral (
            select x.id, x.kind, x.business_key from clr_document x
            where x.kind = p.kind and x.live and x.business_key = p.code || '|' || ${q}) x
          where p.code is not null
          union
          select x.id, null from clr_document x where x.pre_no = ${q}
          union
          select i.document_id, i.waybill_key from clr_inventory i where i.invt_no = ${q}
          union
          (select i.document_id, i.waybill_key from clr_inventory i where i.logistics_no = ${q} limit 100)
          union
          select x.id, null from clr_document x
          where x.kind = any('{arrival,consolidation,departure}'::text[]) and x.live and x.head->>'billNo' = ${q}
          union
          select x.id, null from sender s
          cross join lateral (
            -- per sender (the limit keeps the planner from turning the probes into a scan of every message)
            select m.outcome from clr_message m
            where m.sender_org_id = s.id and m.guid = any(array[${q}, upper(${q}), lower(${q})]) limit 3) m
          cross join lateral jsonb_array_elements(
            case when jsonb_typeof(m.outcome->'entities') = 'array' then m.outcome->'entities' else '[]'::jsonb end) e
          join clr_document x on x.id = (case when e->>'documentId' ~ '^[0-9a-fA-F-]{36}$' then (e->>'documentId')::uuid end)
        ), parcel(waybill_key) as materialized (
          select distinct k.parcel from keyed k where k.parcel is not null
        ), hit(id) as (
          select id from keyed
          union
          select w.id from parcel p join clr_document w on w.kind = 'waybill' and w.live and w.business_key = p.waybill_key
          union
          select e.document_id from parcel p join clr_parcel_event e on e.waybill_key = p.waybill_key
        )
        select d.*, i.invt_no from clr_document d left join clr_inventory i on i.document_id = d.id
        where d.id = any(array(select id from hit)) ${filters}
        order by d.created_at desc, d.id desc
        limit ${opts.limit}`.execute(db);
      return r.rows;
    },

    /**
     * Consolidations whose every bound parcel is released or closed (608 800 is due). A parcel whose
     * inventories were all cancelled or deleted no longer holds its bill back; one never declared
     * does. A released parcel is known by its inventory's release stamp (set with 800, and no
     * change is accepted after the decision), so the wide document row is read only for parcels
     * still waiting: reading it for all of a bill's parcels, at every batch that released one,
     * was a random read of the largest table per parcel: 400 against 185 ms for a batch of 20
     * bills (2,000 parcels) on a database of 200,000 parcels.
     */
    async consolidationsFullyReleased(waybillKeys: string[]): Promise<DocumentRow[]> {
      if (waybillKeys.length === 0) return [];
      // A bill's parcel events are all of kind 'consolidation' (a bill names its parcels and
      // nothing else); naming the kind beside document_id let the planner AND in a scan of every
      // bill event of the primary key. Per parcel, one probe of its inventories (lateral: the
      // planner otherwise hashed every unreleased inventory of the table).
      const r = await sql<DocumentRow>`
        with bills as (
          select c.id from clr_document c
          where c.id = any(array(
              select distinct document_id from clr_parcel_event where kind = 'consolidation' and waybill_key = any(${waybillKeys}::text[])))
            and c.kind = 'consolidation' and c.live and c.status = '399'
        )
        select c.* from clr_document c
        where c.id = any(array(
          select b.id from bills b
          where not exists (
            select 1 from clr_parcel_event e
            cross join lateral (
              select count(*) as declared, count(*) filter (where i.released_at is null) as waiting
              from clr_inventory i where i.waybill_key = e.waybill_key) x
            where e.document_id = b.id
              and (x.declared = 0 or (x.waiting > 0 and exists (
                select 1 from clr_inventory i join clr_document d on d.id = i.document_id
                where i.waybill_key = e.waybill_key and i.released_at is null and d.live and d.status not in ('800', '899')))))))
          and c.live and c.status = '399'
        for update of c`.execute(db);
      return r.rows;
    },
  };
}

export type ClearanceRepository = ReturnType<typeof createClearanceRepository>;
