import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import type { Db, Executor } from './db.ts';
import { createAuditRepository, type AuditRow } from './audit.repository.ts';

/** Who did it. Set from the authenticated principal; `system` work (pipeline, seed) has no user. */
export interface Actor {
  userId: string | null;
  orgId: string | null;
  requestId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, orgId: null };

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Stable JSON: sorted keys, so a jsonb round trip (which reorders keys) hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function normalise(v: unknown): unknown {
  return v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown);
}

export function hashAuditRow(r: Omit<AuditRow, 'hash'>): string {
  const body = canonicalJson({
    seq: r.seq,
    at: r.at.toISOString(),
    actorUserId: r.actor_user_id,
    actorOrgId: r.actor_org_id,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
  });
  return createHash('sha256').update(r.prev_hash).update('\n').update(body).digest('hex');
}

export interface AuditVerifyResult {
  ok: boolean;
  rows: number;
  problems: { seq: number; problem: string }[];
}

export type AuditLog = ReturnType<typeof createAuditLog>;

export function createAuditLog(deps: { clock: Clock }) {
  const repo = createAuditRepository();

  async function chain(db: Db): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await db.transaction().execute(async (trx) => {
        const head = await repo.lockHead(trx);
        const pending = await repo.takePending(trx, 5000);
        if (pending.length === 0) return 0;
        let { seq, hash } = head;
        const rows: AuditRow[] = [];
        for (const p of pending) {
          seq += 1;
          const row: Omit<AuditRow, 'hash'> = { ...p, seq, at: new Date(p.at), prev_hash: hash };
          delete (row as { id?: number }).id;
          hash = hashAuditRow(row);
          rows.push({ ...row, hash });
        }
        await repo.insert(trx, rows, { seq, hash });
        await repo.deletePending(
          trx,
          pending.map((p) => p.id),
        );
        return pending.length;
      });
      total += n;
      if (n < 5000) return total;
    }
  }

  async function flush(db: Db, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await chain(db);
      if ((await repo.pendingCount(db)) === 0 || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  return {
    /**
     * Append within the caller's transaction, so the record and the change commit together (or
     * not at all). The entry is hashed onto the chain by `chain()` once committed.
     */
    async append(trx: Executor, actor: Actor, entries: AuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const at = deps.clock.now();
      await repo.insertPending(
        trx,
        entries.map((e) => ({
          at,
          actor_user_id: actor.userId,
          actor_org_id: actor.orgId,
          action: e.action,
          entity: e.entity,
          entity_id: e.entityId ?? null,
          before: normalise(e.before),
          after: normalise(e.after),
          request_id: actor.requestId ?? null,
        })),
      );
    },

    /** Moves committed entries onto the hash chain, in one short transaction per 5,000. */
    chain,

    /** Chains until nothing committed is left pending (bounded). */
    flush,

    async list(db: Db, opts: Parameters<typeof repo.list>[1]) {
      // Read-your-writes for the auditor: what has committed is on the chain before it is listed.
      await flush(db, 3_000);
      return repo.list(db, opts);
    },

    /** Walks the whole chain in pages; reports every changed, deleted or re-ordered row. */
    async verify(db: Db, onProgress?: (done: number, total: number) => void): Promise<AuditVerifyResult> {
      await flush(db, 10_000);
      const head = await repo.head(db);
      const total = await repo.count(db);
      const problems: AuditVerifyResult['problems'] = [];
      let expectedSeq = 1;
      let prevHash = 'genesis';
      let rows = 0;
      let lastSeq = 0;
      for (;;) {
        const page = await repo.page(db, lastSeq, 5000);
        if (page.length === 0) break;
        for (const r of page) {
          if (r.seq !== expectedSeq) {
            problems.push({ seq: expectedSeq, problem: `rows ${expectedSeq}..${r.seq - 1} are missing (deleted)` });
          }
          if (r.prev_hash !== prevHash) {
            problems.push({ seq: r.seq, problem: 'prev_hash does not match the previous row (chain broken)' });
          }
          const recomputed = hashAuditRow(r);
          if (recomputed !== r.hash) problems.push({ seq: r.seq, problem: 'content changed (hash mismatch)' });
          prevHash = r.hash;
          lastSeq = r.seq;
          expectedSeq = r.seq + 1;
          rows++;
        }
        onProgress?.(rows, total);
      }
      if (head.seq !== expectedSeq - 1) {
        problems.push({
          seq: head.seq,
          problem: `head says ${head.seq} rows but the log ends at ${expectedSeq - 1} (tail deleted)`,
        });
      } else if (head.hash !== prevHash) {
        problems.push({ seq: head.seq, problem: 'head hash does not match the last row' });
      }
      return { ok: problems.length === 0, rows, problems };
    },
  };
}
