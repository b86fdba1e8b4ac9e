import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Named (prepared) statements for the platform's recurring SQL (ADR 0027).
 *
 * Every statement the platform sends comes from a fixed template, so the same text recurs
 * thousands of times a minute; sent unnamed, PostgreSQL parses, analyses and plans each one again
 * (planning alone was 9 % of the database time of a 20,000-parcel benchmark run). Once a text has
 * been seen `after` times it is sent as a named statement: each connection parses it once, and the
 * plan cache may keep a generic plan (PostgreSQL's own `plan_cache_mode = auto` rule: only when it
 * costs no more than the custom plans it has seen).
 *
 * Bounded on both sides: at most `limit` texts are ever named per process (each costs memory in
 * every backend that runs it), texts longer than `maxLength` never are, and the counts of texts
 * not yet named are forgotten when there are too many of them (SQL with varying literals).
 */
export interface PreparedStatementPolicy {
  /** name a text on its n-th sighting */
  after: number;
  /** most texts named per process */
  limit: number;
  /** longest text named (characters) */
  maxLength: number;
}

export const DEFAULT_PREPARED_POLICY: PreparedStatementPolicy = { after: 3, limit: 400, maxLength: 16_384 };

const MAX_COUNTED = 5_000;
const PATCHED = Symbol('cbec.prepared');

export function preparedStatementNamer(policy: PreparedStatementPolicy = DEFAULT_PREPARED_POLICY) {
  const named = new Map<string, string>();
  const seen = new Map<string, number>();
  return {
    /** The statement name to send `text` under, or undefined to send it unnamed. */
    nameFor(text: string): string | undefined {
      const name = named.get(text);
      if (name !== undefined) return name;
      if (text.length > policy.maxLength || named.size >= policy.limit) return undefined;
      const n = (seen.get(text) ?? 0) + 1;
      if (n < policy.after) {
        if (seen.size >= MAX_COUNTED) seen.clear();
        seen.set(text, n);
        return undefined;
      }
      seen.delete(text);
      const fresh = `cbec_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      named.set(text, fresh);
      return fresh;
    },
    get size(): number {
      return named.size;
    },
  };
}

export type PreparedStatementNamer = ReturnType<typeof preparedStatementNamer>;

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Makes a pool client send recurring parameterised texts as named statements. Idempotent: a client
 * the pool hands out again keeps its one wrapper. Texts without parameters (begin, commit, set …)
 * go as they are.
 */
export function namePooledClient(client: pg.PoolClient, namer: PreparedStatementNamer): pg.PoolClient {
  const c = client as pg.PoolClient & { [PATCHED]?: true };
  if (c[PATCHED]) return client;
  const original = client.query.bind(client) as QueryFn;
  const wrapped: QueryFn = (...args) => {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
      const name = namer.nameFor(text);
      if (name !== undefined) return original({ name, text, values });
    }
    return original(...args);
  };
  (client as unknown as { query: QueryFn }).query = wrapped;
  c[PATCHED] = true;
  return client;
}
