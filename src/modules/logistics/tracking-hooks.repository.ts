import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { HookDeliveryRow, HookRow, LogisticsTables } from './logistics.tables.ts';

export function createTrackingHookRepository(exec: Executor) {
  const db = tables<LogisticsTables>(exec);
  return {
    insert: (r: HookRow) => db.insertInto('lgx_hook').values(r).returningAll().executeTakeFirstOrThrow(),

    ofOrganisation: (orgId: string) =>
      db.selectFrom('lgx_hook').selectAll().where('organisation_id', '=', orgId).orderBy('created_at').execute(),

    async remove(orgId: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('lgx_hook').where('id', '=', id).where('organisation_id', '=', orgId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async ofOrganisations(orgIds: string[]): Promise<HookRow[]> {
      if (!orgIds.length) return [];
      return db.selectFrom('lgx_hook').selectAll().where('organisation_id', 'in', orgIds).execute();
    },

    async queue(rows: HookDeliveryRow[]): Promise<void> {
      if (!rows.length) return;
      await db
        .insertInto('lgx_hook_delivery')
        .values(rows.map((r) => ({ ...r, items: JSON.stringify(r.items) })))
        .execute();
    },

    /**
     * The oldest due delivery whose hook has nothing older waiting (each receiver gets its
     * batches in order), locked until the attempt is logged; skipped when another process holds it.
     */
    async claimDue(now: Date): Promise<(HookDeliveryRow & { url: string; secret: string }) | undefined> {
      const r = await sql<HookDeliveryRow & { url: string; secret: string }>`
        select d.*, h.url, h.secret from lgx_hook_delivery d join lgx_hook h on h.id = d.hook_id
         where d.delivered_at is null and d.failed_at is null and d.next_attempt_at <= ${now}
           and not exists (select 1 from lgx_hook_delivery o
                            where o.hook_id = d.hook_id and o.delivered_at is null and o.failed_at is null
                              and (o.created_at, o.id) < (d.created_at, d.id))
         order by d.next_attempt_at, d.created_at
         limit 1
         for update of d skip locked`.execute(exec);
      return r.rows[0];
    },

    update: (id: string, patch: Partial<HookDeliveryRow>) =>
      db.updateTable('lgx_hook_delivery').set(patch).where('id', '=', id).execute(),

    /** A batch went through: the hook is healthy again. */
    async delivered(hookId: string): Promise<void> {
      await db
        .updateTable('lgx_hook')
        .set({ failing_since: null })
        .where('id', '=', hookId)
        .where('failing_since', 'is not', null)
        .execute();
    },

    /**
     * Gives up on every batch of the hook still waiting that was queued before `before` (the one
     * just attempted among them) and flags the hook, in one statement; answers how many.
     */
    async giveUp(hookId: string, before: Date, now: Date): Promise<number> {
      const r = await sql<{ n: number }>`
        with failed as (
          update lgx_hook_delivery set failed_at = ${now}
           where hook_id = ${hookId} and delivered_at is null and failed_at is null and created_at <= ${before}
          returning 1
        ), flagged as (
          update lgx_hook set failing_since = coalesce(failing_since, ${now}) where id = ${hookId} returning 1
        )
        select (select count(*)::int from failed) as n, (select count(*) from flagged) as h`.execute(exec);
      return r.rows[0]?.n ?? 0;
    },

    /** Deletes at most `limit` finished batches (delivered or given up) queued before `before`; answers how many. */
    async purgeFinished(before: Date, limit: number): Promise<number> {
      const r = await sql`
        delete from lgx_hook_delivery where id in (
          select id from lgx_hook_delivery
           where (delivered_at is not null or failed_at is not null) and created_at < ${before}
           limit ${limit} for update skip locked)`.execute(exec);
      return Number(r.numAffectedRows ?? 0n);
    },

    /** Per hook: undelivered batches, the last error and the last delivery time. */
    async status(hookIds: string[]) {
      if (!hookIds.length) return [];
      const r = await sql<{
        hook_id: string;
        pending: number;
        failed: number;
        last_error: string | null;
        last_delivered_at: Date | null;
      }>`
        select hook_id,
               count(*) filter (where delivered_at is null and failed_at is null)::int as pending,
               count(*) filter (where failed_at is not null)::int as failed,
               (array_agg(last_error order by created_at desc) filter (where delivered_at is null and last_error is not null))[1] as last_error,
               max(delivered_at) as last_delivered_at
          from lgx_hook_delivery where hook_id = any(${hookIds}::uuid[]) group by hook_id`.execute(exec);
      return r.rows;
    },
  };
}
