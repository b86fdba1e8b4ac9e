import { sql, type Executor } from '../../kernel/db.ts';
import type { BatchStatus } from './inspection.states.ts';

export interface BatchRow {
  id: string;
  batch_no: string;
  organisation_id: string;
  enterprise_code: string;
  item_no: string;
  unit: string | null;
  declared_qty: string;
  /** drawn at decision by parcels not yet released */
  reserved_qty: string;
  /** drawn by parcels that reached 399 (written off ones included) */
  released_qty: string;
  written_off_qty: string;
  /** given back by rejected or cancelled parcels, in total */
  returned_qty: string;
  status: BatchStatus;
  reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
}

export type NewBatchRow = Pick<
  BatchRow,
  'id' | 'batch_no' | 'organisation_id' | 'enterprise_code' | 'item_no' | 'unit' | 'declared_qty' | 'created_at'
> & { status?: BatchStatus };

/** One parcel line's draw on a batch, as a declaration shows it. */
export interface DrawRow {
  inventory_id: string;
  gnum: string;
  batch_no: string;
  item_no: string;
  qty: string;
  state: 'reserved' | 'released' | 'written_off' | 'returned';
}

/**
 * The batch write-off ledger's SQL (分批核销). Every change is set-based and guarded by the use
 * row's stamps (reserved_at, released_at, written_off_at, returned_at): a replayed or concurrent
 * event changes nothing twice, whatever order the events arrive in, and the table's checks keep
 * every quantity between zero and what was declared.
 */
export function createLedgerRepository(db: Executor) {
  /**
   * Locks the parcels' draws, then their batches, each in one fixed order, before a ledger change:
   * concurrent handlers (and the pipeline's draws, which lock batches in the same order) wait for
   * each other instead of deadlocking.
   */
  async function lockDraws(inventoryIds: string[]): Promise<void> {
    await sql`
      select 1 from insp_batch_use where inventory_id = any(${inventoryIds}::uuid[])
      order by inventory_id, gnum for update`.execute(db);
    await sql`
      select 1 from insp_batch
      where id in (select batch_id from insp_batch_use where inventory_id = any(${inventoryIds}::uuid[]))
      order by created_at, id for update`.execute(db);
  }

  /** reserved → released for the parcels' live draws; answers nothing (idempotent). */
  async function release(inventoryIds: string[], at: Date): Promise<void> {
    await sql`
      with r as (
        update insp_batch_use set released_at = ${at}
        where inventory_id = any(${inventoryIds}::uuid[]) and released_at is null and returned_at is null
        returning batch_id, qty
      ), s as (select batch_id, sum(qty) as q from r group by batch_id)
      update insp_batch b set reserved_qty = b.reserved_qty - s.q, released_qty = b.released_qty + s.q
      from s where b.id = s.batch_id`.execute(db);
  }

  return {
    /** Locks the parcels' draws and their batches (fixed order): call first when changing several. */
    async lock(inventoryIds: string[]): Promise<void> {
      if (inventoryIds.length) await lockDraws([...new Set(inventoryIds)]);
    },

    async insertBatch(r: NewBatchRow): Promise<void> {
      await sql`
        insert into insp_batch (id, batch_no, organisation_id, enterprise_code, item_no, unit, declared_qty, status, decided_at, created_at)
        values (${r.id}, ${r.batch_no}, ${r.organisation_id}, ${r.enterprise_code}, ${r.item_no}, ${r.unit}, ${r.declared_qty}::numeric,
          ${r.status ?? 'declared'}, ${r.status === 'accepted' ? r.created_at : null}, ${r.created_at})`.execute(db);
    },

    async batch(id: string, lock = false): Promise<BatchRow | undefined> {
      const { rows } = await sql<BatchRow>`
        select * from insp_batch where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db);
      return rows[0];
    },

    /** `organisationIds`: only these enterprises' batches (an agency's jurisdiction). */
    async listBatches(opts: {
      organisationId?: string;
      organisationIds?: string[];
      status?: string;
      limit: number;
    }): Promise<BatchRow[]> {
      const { rows } = await sql<BatchRow>`
        select * from insp_batch
        where (${opts.organisationId ?? null}::uuid is null or organisation_id = ${opts.organisationId ?? null}::uuid)
          and (${opts.organisationIds ?? null}::uuid[] is null or organisation_id = any(${opts.organisationIds ?? null}::uuid[]))
          and (${opts.status ?? null}::text is null or status = ${opts.status ?? null}::text)
        order by created_at desc, id limit ${opts.limit}`.execute(db);
      return rows;
    },

    async batchNoTaken(batchNo: string): Promise<boolean> {
      const { rows } = await sql`select 1 from insp_batch where batch_no = ${batchNo}`.execute(db);
      return rows.length > 0;
    },

    /** The authority's step on a batch (accept, reject, close). */
    async setBatchStatus(
      id: string,
      set: { status: BatchStatus; reason: string | null; by: string | null; at: Date; closing: boolean },
    ): Promise<void> {
      await sql`
        update insp_batch set status = ${set.status}, reason = coalesce(${set.reason}, reason),
          decided_by = case when ${set.closing}::boolean then decided_by else ${set.by}::uuid end,
          decided_at = case when ${set.closing}::boolean then decided_at else ${set.at}::timestamptz end,
          closed_at = case when ${set.closing}::boolean then ${set.at}::timestamptz else closed_at end
        where id = ${id}`.execute(db);
    },

    /**
     * Reserves each line's quantity on the oldest accepted batch of its product with enough
     * balance (declared − reserved − released). The live batches of every product drawn on are
     * locked first, in one statement and one global order (so two drawing transactions never
     * deadlock), until the caller commits: two concurrent draws cannot overdraw a batch (the
     * table's check is the last guard), and quantity given back or a batch accepted concurrently
     * commits after this decision, so the re-decision it asks for (`risk.redecide`) sees a parcel
     * left uncovered here held — no parcel waits while its batch has balance. (A batch declared
     * after this lock is not among its rows: its acceptance waits on the seller's advisory lock,
     * taken shared by the caller, inspection.lookup.ts.) Answers the
     * `${inventoryId}|${gnum}` keys covered, also by an earlier draw (a replayed decision draws
     * nothing twice). One statement per quarantine line: they are few, and each must see the
     * balance the previous one left.
     */
    async drawOnBatches(
      lines: { inventoryId: string; gnum: string; ebcCode: string; itemNo: string; qty: number }[],
      at: Date,
    ): Promise<Set<string>> {
      const covered = new Set<string>();
      if (lines.length === 0) return covered;
      const { rows: done } = await sql<{ k: string }>`
        select inventory_id || '|' || gnum as k from insp_batch_use
        where inventory_id = any(${[...new Set(lines.map((l) => l.inventoryId))]}::uuid[])`.execute(db);
      for (const r of done) covered.add(r.k);
      const todo = lines.filter((l) => !covered.has(`${l.inventoryId}|${l.gnum}`) && l.qty > 0);
      if (todo.length === 0) return covered;
      await sql`
        select b.id from insp_batch b
        join unnest(${todo.map((l) => l.ebcCode)}::text[], ${todo.map((l) => l.itemNo)}::text[]) as t(ebc, item)
          on b.enterprise_code = t.ebc and b.item_no = t.item
        where b.status in ('declared', 'accepted')
        order by b.created_at, b.id for update of b`.execute(db);
      for (const l of todo) {
        const key = `${l.inventoryId}|${l.gnum}`;
        if (covered.has(key)) continue;
        const { rows } = await sql<{ batch_id: string }>`
          with pick as (
            select id from insp_batch
            where enterprise_code = ${l.ebcCode} and item_no = ${l.itemNo} and status = 'accepted'
              and declared_qty - reserved_qty - released_qty >= ${l.qty}::numeric
            order by created_at, id limit 1
          ), drawn as (
            update insp_batch b set reserved_qty = b.reserved_qty + ${l.qty}::numeric from pick where b.id = pick.id returning b.id
          )
          insert into insp_batch_use (batch_id, inventory_id, gnum, qty, reserved_at)
          select id, ${l.inventoryId}::uuid, ${l.gnum}, ${l.qty}::numeric, ${at}::timestamptz from drawn
          returning batch_id`.execute(db);
        if (rows.length) covered.add(key);
      }
      return covered;
    },

    /** Parcels that reached 399: what they reserved counts as released, once. */
    async releaseDraws(inventoryIds: string[], at: Date): Promise<void> {
      if (inventoryIds.length === 0) return;
      await lockDraws(inventoryIds);
      await release(inventoryIds, at);
    },

    /**
     * Departed parcels write their draws off, once: a draw still reserved (its release was not
     * seen yet, or it was drawn before the ledger told the two apart) is released first.
     */
    async writeOff(inventoryIds: string[], at: Date): Promise<void> {
      if (inventoryIds.length === 0) return;
      await lockDraws(inventoryIds);
      await release(inventoryIds, at);
      await sql`
        with w as (
          update insp_batch_use set written_off_at = ${at}
          where inventory_id = any(${inventoryIds}::uuid[]) and released_at is not null
            and written_off_at is null and returned_at is null
          returning batch_id, qty
        ), s as (select batch_id, sum(qty) as q from w group by batch_id)
        update insp_batch b set written_off_qty = b.written_off_qty + s.q from s where b.id = s.batch_id`.execute(db);
    },

    /**
     * Rejected or cancelled parcels give back what they drew and had not written off, once:
     * reserved draws leave `reserved`, released ones leave `released`; both add to `returned`. The
     * use row is stamped, so a replayed event returns nothing twice. Answers the sellers of the
     * accepted batches that got quantity back (their held parcels may now draw on it).
     */
    async returnDraws(inventoryIds: string[], at: Date): Promise<string[]> {
      if (inventoryIds.length === 0) return [];
      await lockDraws(inventoryIds);
      const sellers = new Set<string>();
      for (const from of ['reserved', 'released'] as const) {
        const { rows } = await sql<{ enterprise_code: string; status: BatchStatus }>`
          with r as (
            update insp_batch_use set returned_at = ${at}
            where inventory_id = any(${inventoryIds}::uuid[]) and returned_at is null and written_off_at is null
              and ${from === 'reserved' ? sql`released_at is null` : sql`released_at is not null`}
            returning batch_id, qty
          ), s as (select batch_id, sum(qty) as q from r group by batch_id)
          update insp_batch b set
            ${from === 'reserved' ? sql`reserved_qty = b.reserved_qty - s.q` : sql`released_qty = b.released_qty - s.q`},
            returned_qty = b.returned_qty + s.q
          from s where b.id = s.batch_id
          returning b.enterprise_code, b.status`.execute(db);
        for (const r of rows) if (r.status === 'accepted') sellers.add(r.enterprise_code);
      }
      return [...sellers];
    },

    /** The draws of these parcels' lines, with their batch and where each stands. */
    async drawsOf(inventoryIds: string[]): Promise<DrawRow[]> {
      if (inventoryIds.length === 0) return [];
      const { rows } = await sql<DrawRow>`
        select u.inventory_id, u.gnum, b.batch_no, b.item_no, u.qty::text as qty,
               case when u.returned_at is not null then 'returned' when u.written_off_at is not null then 'written_off'
                    when u.released_at is not null then 'released' else 'reserved' end as state
        from insp_batch_use u join insp_batch b on b.id = u.batch_id
        where u.inventory_id = any(${inventoryIds}::uuid[])
        order by u.inventory_id, u.gnum`.execute(db);
      return rows;
    },
  };
}
