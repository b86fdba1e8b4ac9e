import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../src/kernel/db.ts';

/**
 * Helpers of the interleaving ("missed wake-up") tests: they stop one transaction on a lock, run
 * another meanwhile, and watch the database until each step has happened.
 */
export function lockWaits(db: () => Db) {
  return {
    /** How many of this database's backends wait for a lock of this kind ('relation', 'advisory'). */
    async waitingFor(kind: 'relation' | 'advisory'): Promise<number> {
      const r = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and wait_event = ${kind}`.execute(db());
      return r.rows[0]!.n;
    },

    async until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
        await sleep(25);
      }
    },

    /** Events the handler has still to deliver. */
    async pending(handler: string): Promise<number[]> {
      const r = await sql<{ id: string }>`
        select event_id as id from outbox_delivery where handler = ${handler} and status = 0 order by event_id`.execute(db());
      return r.rows.map((x) => Number(x.id));
    },
  };
}
