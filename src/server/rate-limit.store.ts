import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Db } from '../kernel/db.ts';
import { createRateLimitRepository } from './rate-limit.repository.ts';

type Done = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store that counts in PostgreSQL (table rate_limit_hit), so every API
 * process on the database shares one count per route and client: with N processes a client still
 * gets the route's `max` per window, not N × max (ADR 0026). Fixed windows on the database's clock;
 * `continueExceeding` and `exponentialBackoff` are not supported (no route uses them). Every
 * `pruneEvery`-th counted request of a process also deletes the rows whose window has passed.
 */
export function pgRateLimitStore(db: Db, opts: { pruneEvery?: number } = {}): FastifyRateLimitStoreCtor {
  const repo = createRateLimitRepository(db);
  const pruneEvery = opts.pruneEvery ?? 1000;
  let counted = 0;
  const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

  class PgRateLimitStore implements FastifyRateLimitStore {
    /** `new Store(globalOptions)` is how the plugin makes the root store; routes get theirs from child(). */
    constructor(
      _options: unknown,
      private readonly route = '*',
    ) {}

    incr(key: string, done: Done, timeWindow: number): void {
      repo.hit(this.route, key, timeWindow).then(
        (c) => done(null, { current: c.hits, ttl: c.ttlMs }),
        (e: unknown) => done(asError(e)),
      );
      if (++counted % pruneEvery === 0) repo.prune().catch(() => undefined);
    }

    /** The plugin's non-counting peek (`{ increment: false }`). */
    read(key: string, done: Done): void {
      repo.read(this.route, key).then(
        (c) => done(null, { current: c.hits, ttl: c.ttlMs }),
        (e: unknown) => done(asError(e)),
      );
    }

    /**
     * One store per rate-limited route, keyed `METHOD url`: each route has its own count. The
     * plugin passes the route's merged limit settings, the route itself under `routeInfo`.
     */
    child(routeOptions: object): FastifyRateLimitStore {
      const info = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      const method = Array.isArray(info?.method) ? info.method.join(',') : info?.method;
      return new PgRateLimitStore(undefined, info?.url ? `${method ?? '*'} ${info.url}` : '*');
    }
  }
  return PgRateLimitStore;
}
