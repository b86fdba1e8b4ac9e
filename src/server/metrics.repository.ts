import { sql } from 'kysely';
import type { Executor } from '../kernel/db.ts';

/** Read-only aggregates for /metrics; cheap enough for a scrape every 15 s, cached by the caller. */
export function createMetricsRepository(db: Executor) {
  return {
    /** Per outbox handler: pending deliveries and the age of the oldest one (the pipeline lag). */
    async outboxLag(): Promise<{ handler: string; pending: number; dead: number; lag_seconds: number }[]> {
      const r = await sql<{ handler: string; pending: number; dead: number; lag_seconds: number | null }>`
        select d.handler,
               count(*) filter (where d.status = 0)::int as pending,
               count(*) filter (where d.status = 2)::int as dead,
               coalesce(extract(epoch from now() - min(e.created_at) filter (where d.status = 0)), 0)::float8 as lag_seconds
        from outbox_delivery d join outbox_event e on e.id = d.event_id
        group by d.handler`.execute(db);
      return r.rows.map((x) => ({ ...x, lag_seconds: x.lag_seconds ?? 0 }));
    },

    /** Inventories decided per lane: the decision receipts (399 green, 300 review) by document. */
    async decisionsByLane(): Promise<{ lane: string; n: number }[]> {
      const r = await sql<{ status: string; n: number }>`
        select return_status as status, count(distinct document_id)::int as n
        from clr_receipt where message_type = 'CEB604' and return_status in ('399', '300')
        group by return_status`.execute(db);
      return r.rows.map((x) => ({ lane: x.status === '399' ? 'green' : 'review', n: x.n }));
    },
  };
}
