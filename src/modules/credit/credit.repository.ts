import { sql, type Executor } from '../../kernel/db.ts';
import type { CreditLevel, FactorResult } from './rules/rating.rules.ts';
import type { CaseKind, CaseStatus, Severity } from './credit.states.ts';

export interface CaseRow {
  id: string;
  kind: CaseKind;
  subject_org_id: string;
  subject_code: string;
  subject_name: string;
  status: CaseStatus;
  source: 'officer' | 'public';
  reporter_org_id: string | null;
  reporter_contact: string | null;
  summary: string;
  trace_code: string | null;
  severity: Severity | null;
  blacklist: boolean;
  decision: string | null;
  appeal_reason: string | null;
  created_at: Date;
  updated_at: Date;
  decided_at: Date | null;
  published_at: Date | null;
}

export interface RatingRow {
  id: number;
  org_id: string;
  code: string;
  level: CreditLevel;
  score: number;
  factors: FactorResult[];
  rules_version: string;
  computed_at: Date;
}

export interface BlacklistRow {
  id: string;
  org_id: string;
  code: string;
  name: string;
  reason: string;
  case_id: string | null;
  listed_at: Date;
  lifted_at: Date | null;
}

export interface RecomputeRunRow {
  id: number;
  kind: 'schedule' | 'cli';
  started_at: Date;
  finished_at: Date | null;
  enterprises: number | null;
  changed: number | null;
}

// Advisory lock classes (two-key form, apart from the kernel's one-key locks): one per rated
// organisation, and one for claiming a scheduled run.
const ORG_LOCK = 0x63720001;
const RUN_LOCK = 0x63720002;

export function createCreditRepository(exec: Executor) {
  return {
    /**
     * Serialises rating one organisation: a rating computed from data read before a concurrent
     * publication committed must not be stored after that publication's rating. Locks are taken
     * in one fixed order, so two batches never wait on each other in a cycle.
     */
    async lockOrgs(orgIds: string[]): Promise<void> {
      if (orgIds.length === 0) return;
      await sql`select pg_advisory_xact_lock(${ORG_LOCK}, k)
        from (select distinct hashtext(x::text) as k from unnest(${orgIds}::uuid[]) as x order by 1 offset 0) s`.execute(exec);
    },
    /** One claimer at a time across processes; released when the claiming transaction ends. */
    async tryLockRun(): Promise<boolean> {
      const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${RUN_LOCK}, 0) as ok`.execute(exec);
      return r.rows[0]!.ok;
    },
    async lastRun(): Promise<RecomputeRunRow | undefined> {
      return (await exec.selectFrom('cr_recompute_run').selectAll().orderBy('started_at', 'desc').limit(1).executeTakeFirst()) as
        RecomputeRunRow | undefined;
    },
    async startRun(kind: RecomputeRunRow['kind'], at: Date): Promise<number> {
      const r = await exec
        .insertInto('cr_recompute_run')
        .values({ kind, started_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(r.id);
    },
    async finishRun(id: number, at: Date, enterprises: number, changed: number): Promise<void> {
      await exec.updateTable('cr_recompute_run').set({ finished_at: at, enterprises, changed }).where('id', '=', id).execute();
    },
    /** The codes of every organisation ever rated (its latest code) or named in a case. */
    async subjectCodes(): Promise<string[]> {
      const r = await sql<{ code: string }>`
        select code from (select distinct on (org_id) code from cr_rating order by org_id, id desc) r
        union select subject_code from cr_case`.execute(exec);
      return r.rows.map((x) => x.code);
    },
    /** The current rating per organisation, to store a recomputed one only when it differs. */
    async currentRatings(orgIds: string[]): Promise<RatingRow[]> {
      if (orgIds.length === 0) return [];
      const r = await sql<RatingRow>`
        select distinct on (org_id) * from cr_rating where org_id = any(${orgIds}::uuid[]) order by org_id, id desc`.execute(
        exec,
      );
      return r.rows;
    },
    async insertRatings(rows: Omit<RatingRow, 'id'>[]): Promise<void> {
      if (rows.length === 0) return;
      await exec
        .insertInto('cr_rating')
        .values(rows.map((r) => ({ ...r, factors: JSON.stringify(r.factors) })))
        .execute();
    },
    async currentLevels(orgIds: string[]): Promise<{ org_id: string; level: CreditLevel }[]> {
      if (orgIds.length === 0) return [];
      const r = await sql<{ org_id: string; level: CreditLevel }>`
        select distinct on (org_id) org_id, level from cr_rating where org_id = any(${orgIds}::uuid[]) order by org_id, id desc`.execute(
        exec,
      );
      return r.rows;
    },
    /**
     * The current rating of each rated organisation, newest first; `orgIds`: only these (an
     * officer's jurisdiction), null: every one.
     */
    async latestRatings(orgIds: string[] | null, limit: number): Promise<RatingRow[]> {
      if (orgIds && orgIds.length === 0) return [];
      const r = await sql<RatingRow>`
        select * from (select distinct on (org_id) * from cr_rating
          ${orgIds ? sql`where org_id = any(${orgIds}::uuid[])` : sql``} order by org_id, id desc) cur
        order by computed_at desc, id desc limit ${limit}`.execute(exec);
      return r.rows;
    },
    async ratingHistory(orgId: string, limit: number): Promise<RatingRow[]> {
      return (await exec
        .selectFrom('cr_rating')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()) as RatingRow[];
    },
    async caseCounts(orgIds: string[], since: Date): Promise<{ org_id: string; minor: number; major: number }[]> {
      if (orgIds.length === 0) return [];
      const r = await sql<{ org_id: string; minor: number; major: number }>`
        select subject_org_id as org_id, count(*) filter (where severity = 'minor')::int as minor,
          count(*) filter (where severity = 'major')::int as major
        from cr_case where subject_org_id = any(${orgIds}::uuid[]) and status in ('published', 'appealed')
          and published_at >= ${since} group by 1`.execute(exec);
      return r.rows;
    },
    async insertCase(row: CaseRow): Promise<void> {
      await exec.insertInto('cr_case').values(row).execute();
    },
    async lockCase(id: string): Promise<CaseRow | undefined> {
      return (await exec.selectFrom('cr_case').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) as
        CaseRow | undefined;
    },
    async getCase(id: string): Promise<CaseRow | undefined> {
      return (await exec.selectFrom('cr_case').selectAll().where('id', '=', id).executeTakeFirst()) as CaseRow | undefined;
    },
    async updateCase(id: string, patch: Partial<CaseRow>): Promise<CaseRow> {
      return (await exec
        .updateTable('cr_case')
        .set(patch)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as CaseRow;
    },
    /** `subjectOrgIds`: only cases about these enterprises (an officer's jurisdiction). */
    async listCases(q: {
      subjectOrgId?: string;
      subjectOrgIds?: string[];
      status?: CaseStatus;
      limit: number;
    }): Promise<CaseRow[]> {
      let b = exec.selectFrom('cr_case').selectAll();
      if (q.subjectOrgId) b = b.where('subject_org_id', '=', q.subjectOrgId);
      if (q.subjectOrgIds) {
        if (q.subjectOrgIds.length === 0) return [];
        b = b.where('subject_org_id', 'in', q.subjectOrgIds);
      }
      if (q.status) b = b.where('status', '=', q.status);
      return (await b.orderBy('created_at', 'desc').limit(q.limit).execute()) as CaseRow[];
    },
    /** Cases once published (also while under appeal); a decision appealed before publication is 'appealed' too, and was never published. */
    async publishedCases(limit: number): Promise<CaseRow[]> {
      return (await exec
        .selectFrom('cr_case')
        .selectAll()
        .where('status', 'in', ['published', 'appealed'])
        .where('published_at', 'is not', null)
        .orderBy('published_at', 'desc')
        .limit(limit)
        .execute()) as CaseRow[];
    },
    async addCaseEvent(e: {
      case_id: string;
      event: string;
      from_status: string | null;
      to_status: string;
      actor_user_id: string | null;
      actor_org_id: string | null;
      note: string | null;
      at: Date;
    }): Promise<void> {
      await exec.insertInto('cr_case_event').values(e).execute();
    },
    async caseEvents(caseId: string) {
      return exec.selectFrom('cr_case_event').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
    },
    async activeBlacklist(orgIds?: string[]): Promise<BlacklistRow[]> {
      let b = exec.selectFrom('cr_blacklist').selectAll().where('lifted_at', 'is', null);
      if (orgIds) {
        if (orgIds.length === 0) return [];
        b = b.where('org_id', 'in', orgIds);
      }
      return (await b.orderBy('listed_at', 'desc').execute()) as BlacklistRow[];
    },
    async list(row: BlacklistRow): Promise<boolean> {
      const r = await exec
        .insertInto('cr_blacklist')
        .values(row)
        .onConflict((oc) => oc.column('org_id').where('lifted_at', 'is', null).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async lift(orgId: string, at: Date, caseId?: string): Promise<number> {
      let b = exec.updateTable('cr_blacklist').set({ lifted_at: at }).where('org_id', '=', orgId).where('lifted_at', 'is', null);
      if (caseId) b = b.where('case_id', '=', caseId);
      const r = await b.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
