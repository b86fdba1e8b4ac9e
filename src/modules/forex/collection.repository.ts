import { sql } from 'kysely';
import type { Executor } from '../../kernel/db.ts';
import { collectionDocuments } from '../clearance/index.ts';

/** A CEB403 collection as forex copied it, before or after its check. */
export interface CollectionRow {
  document_id: string;
  live: boolean;
  ebc_code: string;
  pay_code: string;
  pay_no: string;
  charge: string;
  currency: string;
  accounting_date: string;
  doc_created_at: Date;
}

/** A collection as clearance holds it: the copy's every column before the check. */
export interface CollectionSource extends CollectionRow {
  ebp_code: string;
  order_no: string;
  pay_name: string;
}

/** What the check stores with a collection. */
export interface CollectionCheck {
  document_id: string;
  org_id: string | null;
  jurisdiction: string | null;
  amount: string | null;
  received_on: string;
  usd_amount: string | null;
  rate_version: string | null;
  over_cap: boolean;
}

/** A receipt over the payment institutions' cap, of either channel, as the reconciliation lists it. */
export interface OverCapRow {
  channel: 'ceb403' | 'record';
  id: string;
  org_id: string;
  institution_code: string;
  ref_no: string;
  order_no: string;
  currency: string;
  amount: string;
  usd_amount: string;
  rate_version: string | null;
  received_on: string;
}

const COPIED = sql.raw(
  'document_id, live, ebc_code, ebp_code, order_no, pay_code, pay_no, pay_name, charge, currency, accounting_date, doc_created_at',
);

export function createCollectionRepository(exec: Executor) {
  return {
    /** The CEB403 collections (new, changed or deleted) as clearance holds them now: what the copy keeps. */
    async sources(documentIds: readonly string[]): Promise<CollectionSource[]> {
      if (!documentIds.length) return [];
      const r = await sql<CollectionSource>`
        select document_id, live, ebc_code, ebp_code, order_no, pay_code, pay_no, pay_name, charge, currency, accounting_date,
          created_at as doc_created_at
        from (${collectionDocuments(documentIds)}) c`.execute(exec);
      return r.rows;
    },

    /**
     * Stores copies with their check in one statement, new or replacing the earlier copy (a changed
     * or deleted collection, a replay). Written checked: an insert followed by the check's update
     * made every copy a second, non-HOT row version (the unchecked index names checked_at), and
     * left the unchecked index a dead entry per collection that every later lookup walked.
     */
    async upsertChecked(rows: readonly (CollectionSource & CollectionCheck)[], at: Date): Promise<void> {
      if (!rows.length) return;
      await sql`
        insert into fx_collection (${COPIED}, org_id, jurisdiction, amount, received_on, usd_amount, rate_version, over_cap, checked_at)
        select ${COPIED}, org_id, jurisdiction, amount, received_on, usd_amount, rate_version, over_cap, ${at}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(document_id uuid, live boolean, ebc_code text, ebp_code text,
          order_no text, pay_code text, pay_no text, pay_name text, charge text, currency text, accounting_date text,
          doc_created_at timestamptz, org_id uuid, jurisdiction text, amount numeric, received_on date, usd_amount numeric,
          rate_version text, over_cap boolean)
        on conflict (document_id) do update set live = excluded.live, ebc_code = excluded.ebc_code, ebp_code = excluded.ebp_code,
          order_no = excluded.order_no, pay_code = excluded.pay_code, pay_no = excluded.pay_no, pay_name = excluded.pay_name,
          charge = excluded.charge, currency = excluded.currency, accounting_date = excluded.accounting_date,
          doc_created_at = excluded.doc_created_at, org_id = excluded.org_id, jurisdiction = excluded.jurisdiction,
          amount = excluded.amount, received_on = excluded.received_on, usd_amount = excluded.usd_amount,
          rate_version = excluded.rate_version, over_cap = excluded.over_cap, checked_at = excluded.checked_at`.execute(exec);
    },

    /** Copies not checked yet: these documents, or any (of these exporters' codes), first `limit`. */
    async unchecked(q: {
      documentIds?: readonly string[];
      ebcCodes?: readonly string[];
      limit: number;
    }): Promise<CollectionRow[]> {
      const r = await sql<CollectionRow>`
        select document_id, live, ebc_code, pay_code, pay_no, charge, currency, accounting_date, doc_created_at
        from fx_collection where checked_at is null
          ${q.documentIds ? sql`and document_id = any(${[...q.documentIds]}::uuid[])` : sql``}
          ${q.ebcCodes ? sql`and ebc_code = any(${[...q.ebcCodes]}::text[])` : sql``}
        limit ${q.limit}`.execute(exec);
      return r.rows;
    },

    /** Stores the checks, one statement for the batch. */
    async setChecked(rows: readonly CollectionCheck[], at: Date): Promise<void> {
      if (!rows.length) return;
      await sql`
        update fx_collection c set org_id = u.org_id, jurisdiction = u.jurisdiction, amount = u.amount, received_on = u.received_on,
          usd_amount = u.usd_amount, rate_version = u.rate_version, over_cap = u.over_cap, checked_at = ${at}
        from unnest(${rows.map((r) => r.document_id)}::uuid[], ${rows.map((r) => r.org_id)}::uuid[],
          ${rows.map((r) => r.jurisdiction)}::text[], ${rows.map((r) => r.amount)}::numeric[], ${rows.map((r) => r.received_on)}::date[],
          ${rows.map((r) => r.usd_amount)}::numeric[], ${rows.map((r) => r.rate_version)}::text[], ${rows.map((r) => r.over_cap)}::boolean[])
          as u(document_id, org_id, jurisdiction, amount, received_on, usd_amount, rate_version, over_cap)
        where c.document_id = u.document_id`.execute(exec);
    },

    /** Receipts over the cap of these exporters, both channels (live collections only), newest first. */
    async overCap(orgIds: readonly string[]): Promise<OverCapRow[]> {
      if (!orgIds.length) return [];
      const ids = [...orgIds];
      const r = await sql<OverCapRow>`
        select 'ceb403' as channel, document_id::text as id, org_id::text as org_id, pay_code as institution_code, pay_no as ref_no,
          order_no, currency, trim_scale(amount)::text as amount, trim_scale(usd_amount)::text as usd_amount, rate_version,
          to_char(received_on, 'YYYY-MM-DD') as received_on
        from fx_collection where over_cap and live and org_id = any(${ids}::uuid[])
        union all
        select 'record', id::text, org_id::text, institution_code, ref_no, order_no, currency, trim_scale(amount)::text,
          trim_scale(usd_amount)::text, rate_version, to_char(received_on, 'YYYY-MM-DD')
        from fx_receipt where over_cap and org_id = any(${ids}::uuid[])
        order by received_on desc, institution_code, ref_no`.execute(exec);
      return r.rows;
    },
  };
}
