import { sql, type Db, type Executor } from '../../kernel/db.ts';
import type { EventRow } from './logistics.tables.ts';

/** Advisory lock of the sequencing pass: one pass at a time across every process. */
const FEED_LOCK = 4242610007;

export function createTrackingFeedRepository(exec: Executor) {
  return {
    /** Queues stored events for the feed in the storing transaction: one batch row, one element per (event, recipient). */
    async queue(pairs: { eventId: string; recipient: string }[], now: Date): Promise<void> {
      if (!pairs.length) return;
      await sql`
        insert into lgx_feed_batch (event_ids, recipients, created_at)
        values (${pairs.map((p) => p.eventId)}::uuid[], ${pairs.map((p) => p.recipient)}::uuid[], ${now})`.execute(exec);
    },

    /** Whether committed events wait to enter the feed (those of open transactions are not visible). */
    async pending(): Promise<boolean> {
      const r = await sql<{ waiting: boolean }>`select exists (select 1 from lgx_feed_batch) as waiting`.execute(exec);
      return r.rows[0]?.waiting ?? false;
    },

    /**
     * Appends the committed batches to the feed, oldest first, one position per event. Serialised
     * by an advisory lock across processes, and the batches are read after taking it (a new
     * snapshot): positions go out in one increasing order and a batch that commits later gets a
     * later position, so a reader at position c never misses an entry (as the receipt feed, ADR 0007).
     * Answers how many batches it took, the organisations whose feeds moved and the last position.
     */
    async sequence(limit: number): Promise<{ batches: number; orgs: string[]; last: number }> {
      return (exec as Db).transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${FEED_LOCK})`.execute(trx);
        const r = await sql<{ batches: number; orgs: string[] | null; last: number | null }>`
          with taken as (
            delete from lgx_feed_batch where id in (select id from lgx_feed_batch order by id limit ${limit})
            returning id, event_ids, recipients, created_at
          ), pairs as (
            select t.id as batch, t.created_at, u.event_id, u.recipient, u.ord
              from taken t cross join lateral unnest(t.event_ids, t.recipients) with ordinality as u(event_id, recipient, ord)
          ), events as (
            select batch, event_id, min(ord) as ord from pairs group by batch, event_id
          ), numbered as (
            select batch, event_id, nextval('lgx_feed_seq') as seq from (select * from events order by batch, ord) e
          ), appended as (
            insert into lgx_feed_entry (recipient_org_id, seq, event_id, created_at)
            select distinct p.recipient, n.seq, p.event_id, p.created_at from pairs p join numbered n using (batch, event_id)
            returning recipient_org_id, seq
          )
          select (select count(*)::int from taken) as batches,
                 (select array_agg(distinct recipient_org_id) from appended) as orgs,
                 (select max(seq) from appended) as last`.execute(trx);
        const row = r.rows[0];
        return { batches: row?.batches ?? 0, orgs: row?.orgs ?? [], last: Number(row?.last ?? 0) };
      });
    },

    /** An organisation's feed after a position: the events it may see, in feed order. */
    async after(orgId: string, after: number, limit: number): Promise<(EventRow & { seq: number })[]> {
      const r = await sql<EventRow & { seq: number }>`
        select e.*, f.seq
          from (select seq, event_id from lgx_feed_entry
                 where recipient_org_id = ${orgId} and seq > ${after} order by seq limit ${limit}) f
          join lgx_event e on e.id = f.event_id
         order by f.seq`.execute(exec);
      return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
    },

    /**
     * Deletes at most `limit` feed entries stored before `before` (retention); answers how many.
     * A stream whose cursor is older resumes at the first entry kept.
     */
    async purge(before: Date, limit: number): Promise<number> {
      const r = await sql`
        delete from lgx_feed_entry where (recipient_org_id, seq) in (
          select recipient_org_id, seq from lgx_feed_entry where created_at < ${before}
           limit ${limit} for update skip locked)`.execute(exec);
      return Number(r.numAffectedRows ?? 0n);
    },

    /** The last position of an organisation's feed (0 before its first event). */
    async end(orgId: string): Promise<number> {
      const r = await sql<{ n: number | null }>`
        select max(seq) as n from lgx_feed_entry where recipient_org_id = ${orgId}`.execute(exec);
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}
