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

interface AuditTables {
  audit_log: AuditRow;
  audit_head: { id: boolean; seq: number; hash: string };
}

export function createAuditRepository() {
  return {
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
