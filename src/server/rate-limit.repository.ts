import { sql } from 'kysely';
import type { Executor } from '../kernel/db.ts';

export interface RateLimitCount {
  /** requests counted in the current window, this one included */
  hits: number;
  /** milliseconds until the window ends */
  ttlMs: number;
}

/**
 * The shared request counts of the rate limits (table rate_limit_hit, kernel migration 004): one
 * statement per counted request, on the database's clock so every process agrees on the window.
 */
export function createRateLimitRepository(db: Executor) {
  return {
    /**
     * Counts one request of `key` on `route`: a fixed window of `windowMs` from the first request;
     * a request after the window has passed starts a new one at 1. Atomic under concurrency (the
     * upsert locks the row), so N processes counting the same client never lose a request.
     */
    async hit(route: string, key: string, windowMs: number): Promise<RateLimitCount> {
      const r = await sql<{ hits: number; ttl_ms: number }>`
        insert into rate_limit_hit as r (route, key, window_start, window_ms, hits)
        values (${route}, ${key}, now(), ${windowMs}, 1)
        on conflict (route, key) do update set
          window_start = case when r.window_start + r.window_ms * interval '1 millisecond' <= now() then now() else r.window_start end,
          window_ms = case when r.window_start + r.window_ms * interval '1 millisecond' <= now() then excluded.window_ms else r.window_ms end,
          hits = case when r.window_start + r.window_ms * interval '1 millisecond' <= now() then 1 else r.hits + 1 end
        returning hits, greatest(0, ceil(extract(epoch from r.window_start + r.window_ms * interval '1 millisecond' - now()) * 1000))::int as ttl_ms`.execute(
        db,
      );
      const row = r.rows[0]!;
      return { hits: row.hits, ttlMs: row.ttl_ms };
    },

    /** The current count of `key` on `route` without counting (0 when its window has passed). */
    async read(route: string, key: string): Promise<RateLimitCount> {
      const r = await sql<{ hits: number; ttl_ms: number }>`
        select hits, ceil(extract(epoch from window_start + window_ms * interval '1 millisecond' - now()) * 1000)::int as ttl_ms
        from rate_limit_hit
        where route = ${route} and key = ${key} and window_start + window_ms * interval '1 millisecond' > now()`.execute(db);
      const row = r.rows[0];
      return row ? { hits: row.hits, ttlMs: row.ttl_ms } : { hits: 0, ttlMs: 0 };
    },

    /** Deletes the rows whose window has passed; answers how many. */
    async prune(): Promise<number> {
      const r = await sql`delete from rate_limit_hit where window_start + window_ms * interval '1 millisecond' <= now()`.execute(
        db,
      );
      return Number(r.numAffectedRows ?? 0);
    },
  };
}
