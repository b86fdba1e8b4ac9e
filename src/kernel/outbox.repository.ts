import { sql } from 'kysely';
import type { Db, Executor } from './db.ts';

export interface PendingEvent {
  id: number;
  topic: string;
  key: string | null;
  payload: unknown;
  created_at: Date;
  attempts: number;
}

export function createOutboxRepository() {
  return {
    /** One statement: the events and one delivery row per subscribed handler. */
    async insert(
      trx: Executor,
      events: { topic: string; key: string | null; payload: unknown }[],
      subscriptions: { handler: string; topic: string }[],
    ): Promise<number[]> {
      const r = await sql<{ id: number }>`
        with ev as (
          insert into outbox_event (topic, key, payload)
          select * from unnest(${events.map((e) => e.topic)}::text[], ${events.map((e) => e.key)}::text[],
                               ${events.map((e) => JSON.stringify(e.payload))}::jsonb[])
          returning id, topic
        ), d as (
          insert into outbox_delivery (handler, event_id)
          select s.handler, ev.id
          from ev join unnest(${subscriptions.map((s) => s.handler)}::text[], ${subscriptions.map((s) => s.topic)}::text[])
            as s(handler, topic) on s.topic = ev.topic
        )
        select id from ev order by id`.execute(trx as Db);
      return r.rows.map((x) => x.id);
    },

    /** Claims a batch for this handler; SKIP LOCKED lets several workers share the queue. */
    async claim(trx: Executor, handler: string, limit: number): Promise<PendingEvent[]> {
      const r = await sql<PendingEvent>`
        select e.id, e.topic, e.key, e.payload, e.created_at, d.attempts
        from outbox_delivery d join outbox_event e on e.id = d.event_id
        where d.handler = ${handler} and d.status = 0 and d.next_attempt_at <= now()
        order by d.event_id
        limit ${limit}
        for update of d skip locked`.execute(trx as Db);
      return r.rows;
    },

    /** Serial handlers: held to the end of the transaction, so batches run one after another cluster-wide. */
    async lockHandler(trx: Executor, handler: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext(${'outbox:' + handler}))`.execute(trx as Db);
    },

    /** Claims exactly these events (a work message from the bus names them); delivered ones are gone. */
    async claimIds(trx: Executor, handler: string, ids: number[]): Promise<PendingEvent[]> {
      const r = await sql<PendingEvent>`
        select e.id, e.topic, e.key, e.payload, e.created_at, d.attempts
        from outbox_delivery d join outbox_event e on e.id = d.event_id
        where d.handler = ${handler} and d.event_id = any(${ids}::bigint[]) and d.status = 0 and d.next_attempt_at <= now()
        order by d.event_id
        for update of d skip locked`.execute(trx as Db);
      return r.rows;
    },

    /** Marks due, unannounced rows as announced and returns their ids, oldest first. */
    async announce(trx: Executor, handler: string, limit: number): Promise<number[]> {
      const r = await sql<{ event_id: string }>`
        update outbox_delivery d set announced_at = now()
        from (select event_id from outbox_delivery
              where handler = ${handler} and status = 0 and announced_at is null and next_attempt_at <= now()
              order by event_id limit ${limit}
              for update skip locked) due
        where d.handler = ${handler} and d.event_id = due.event_id
        returning d.event_id`.execute(trx as Db);
      return r.rows.map((x) => Number(x.event_id)).sort((a, b) => a - b);
    },

    /**
     * Announced long ago and still pending while the bus holds nothing for the handler: the work
     * message was lost (or its worker died after the bus forgot it). Cleared, so it is announced again.
     */
    async reannounceStale(db: Db, handler: string, olderThanMs: number): Promise<number> {
      const r = await sql`
        update outbox_delivery set announced_at = null
        where handler = ${handler} and status = 0 and announced_at is not null
          and announced_at < now() - make_interval(secs => ${olderThanMs / 1000})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async markDelivered(trx: Executor, handler: string, ids: number[]): Promise<void> {
      await sql`delete from outbox_delivery where handler = ${handler} and event_id = any(${ids}::bigint[])`.execute(trx as Db);
    },

    async markFailed(db: Db, handler: string, id: number, error: string, retryInMs: number, dead: boolean): Promise<void> {
      await sql`
        update outbox_delivery
        set attempts = attempts + 1, last_error = ${error.slice(0, 2000)},
            next_attempt_at = now() + make_interval(secs => ${retryInMs / 1000}),
            status = ${dead ? 2 : 0}, announced_at = null
        where handler = ${handler} and event_id = ${id}`.execute(db);
    },

    /** Events every handler has finished with, older than the retention, are removed. */
    async prune(db: Db, olderThanHours: number): Promise<number> {
      const r = await sql`
        delete from outbox_event e
        where e.created_at < now() - make_interval(hours => ${olderThanHours})
          and not exists (select 1 from outbox_delivery d where d.event_id = e.id)`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async stats(db: Db): Promise<{ handler: string; pending: number; dead: number }[]> {
      const r = await sql<{ handler: string; pending: number; dead: number }>`
        select handler, count(*) filter (where status = 0)::int as pending, count(*) filter (where status = 2)::int as dead
        from outbox_delivery group by handler order by handler`.execute(db);
      return r.rows;
    },
  };
}
