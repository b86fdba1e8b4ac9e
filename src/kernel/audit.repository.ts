import { sql } from 'kysely';
import { tables, type Db, type Executor } from './db.ts';

export interface AuditRow {
  seq: number;
  at: Date;
  actor_user_id: string | null;
  actor_org_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface PendingAuditRow {
  id: number;
  at: Date;
  actor_user_id: string | null;
  actor_org_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

interface AuditTables {
  audit_log: AuditRow;
  audit_head: { id: boolean; seq: number; hash: string };
}

export function createAuditRepository() {
  return {
    /** In the caller's transaction, without any lock: the chainer hashes it onto the chain later. */
    async insertPending(trx: Executor, rows: Omit<PendingAuditRow, 'id'>[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 500) {
        const c = rows.slice(i, i + 500);
        await sql`
          insert into audit_pending (at, actor_user_id, actor_org_id, action, entity, entity_id, before, after, request_id)
          select * from unnest(${c.map((r) => r.at)}::timestamptz[], ${c.map((r) => r.actor_user_id)}::uuid[], ${c.map((r) => r.actor_org_id)}::uuid[],
            ${c.map((r) => r.action)}::text[], ${c.map((r) => r.entity)}::text[], ${c.map((r) => r.entity_id)}::text[],
            ${c.map((r) => (r.before === null ? null : JSON.stringify(r.before)))}::jsonb[], ${c.map((r) => (r.after === null ? null : JSON.stringify(r.after)))}::jsonb[],
            ${c.map((r) => r.request_id)}::text[])`.execute(trx);
      }
    },
    /**
     * Committed pending entries, oldest first. Called under the head lock (a new snapshot after
     * it): what one pass chains, the next cannot see; what commits later is chained later.
     */
    async takePending(trx: Executor, limit: number): Promise<PendingAuditRow[]> {
      const r = await sql<PendingAuditRow>`
        select id, at, actor_user_id, actor_org_id, action, entity, entity_id, before, after, request_id from audit_pending
        order by id limit ${limit}`.execute(trx);
      return r.rows;
    },
    async deletePending(trx: Executor, ids: number[]): Promise<void> {
      await sql`delete from audit_pending where id = any(${ids}::bigint[])`.execute(trx);
    },
    async pendingCount(db: Db): Promise<number> {
      const r = await sql<{ n: number }>`select count(*)::int as n from audit_pending`.execute(db);
      return r.rows[0]?.n ?? 0;
    },
    /** Locks the chain head until the caller's transaction ends: appends are serialised. */
    async lockHead(trx: Executor): Promise<{ seq: number; hash: string }> {
      const t = tables<AuditTables>(trx);
      return t.selectFrom('audit_head').select(['seq', 'hash']).forUpdate().executeTakeFirstOrThrow();
    },
    async insert(trx: Executor, rows: AuditRow[], head: { seq: number; hash: string }): Promise<void> {
      const t = tables<AuditTables>(trx);
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500).map((r) => ({
          ...r,
          before: r.before === undefined || r.before === null ? null : JSON.stringify(r.before),
          after: r.after === undefined || r.after === null ? null : JSON.stringify(r.after),
        }));
        await t
          .insertInto('audit_log')
          .values(chunk as never)
          .execute();
      }
      await t.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).where('id', '=', true).execute();
    },
    async head(db: Db): Promise<{ seq: number; hash: string }> {
      return tables<AuditTables>(db).selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    },
    async page(db: Db, afterSeq: number, limit: number): Promise<AuditRow[]> {
      return tables<AuditTables>(db)
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute() as Promise<AuditRow[]>;
    },
    async list(
      db: Db,
      opts: { beforeSeq?: number; limit: number; actorOrgId?: string; entity?: string; entityId?: string },
    ): Promise<AuditRow[]> {
      let q = tables<AuditTables>(db).selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(opts.limit);
      if (opts.beforeSeq !== undefined) q = q.where('seq', '<', opts.beforeSeq);
      if (opts.actorOrgId !== undefined) q = q.where('actor_org_id', '=', opts.actorOrgId);
      if (opts.entity !== undefined) q = q.where('entity', '=', opts.entity);
      if (opts.entityId !== undefined) q = q.where('entity_id', '=', opts.entityId);
      return q.execute() as Promise<AuditRow[]>;
    },
    async count(db: Db): Promise<number> {
      const r = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(db);
      return r.rows[0]?.n ?? 0;
    },
  };
}
