import { sql, type Executor } from '../../kernel/db.ts';
import type { InspFilingStatus, TaskStatus } from './inspection.states.ts';

export interface Certificate {
  type: string;
  number: string;
  validUntil: string | null;
}

export interface FilingRow {
  id: string;
  kind: 'enterprise' | 'product';
  organisation_id: string;
  enterprise_code: string;
  item_no: string | null;
  goods_name: string | null;
  quarantine_category: string | null;
  producer: string;
  certificates: Certificate[];
  status: InspFilingStatus;
  reason: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TaskRow {
  id: string;
  inventory_id: string;
  logistics_no: string;
  customs_code: string | null;
  ebc_code: string;
  agencies: string[];
  status: TaskStatus;
  outcome_note: string | null;
  created_at: Date;
  completed_at: Date | null;
  released_at: Date | null;
}

export interface FindingRow {
  task_id: string;
  agency: string;
  result: 'pass' | 'fail';
  codes: string[];
  notes: string | null;
  photos: string[];
  user_id: string | null;
  recorded_at: Date;
}

export interface PhotoMetaRow {
  id: string;
  task_id: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_by: string | null;
  uploaded_at: Date;
}

export interface PhotoRow extends PhotoMetaRow {
  bytes: Buffer;
}

/**
 * Advisory lock class (two-key form, apart from the kernel's one-key locks and credit's) of a
 * seller's inspection filings and batches, keyed by the hash of its enterprise code: whoever
 * decides the seller's parcels from its filings or draws on its batches holds it shared until
 * commit, whoever brings a filing or a batch into force holds it exclusively (`lockSellerFilings`).
 */
const FILING_LOCK = 0x69730001;

/** The inspection module's SQL. */
export function createInspectionRepository(db: Executor) {
  return {
    /**
     * Closes the "missed wake-up": a decision that read a seller's filings before one came into
     * force must commit before that approval does, so the approval's re-decision (risk.redecide,
     * run after it commits) sees the parcel the decision held. `shared`: a decision (many at
     * once), taken before it reads the filings; exclusive: an approval, which then waits for every
     * decision in flight that may have read the filing as it was, and makes a later one wait and
     * read it approved. Transaction-scoped; one statement, in one order (no deadlock between
     * batches of sellers).
     */
    async lockSellerFilings(enterpriseCodes: readonly string[], mode: 'shared' | 'exclusive'): Promise<void> {
      const codes = [...new Set(enterpriseCodes.filter(Boolean))];
      if (codes.length === 0) return;
      const lock = mode === 'shared' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`;
      await sql`select ${lock}(${FILING_LOCK}, k)
        from (select distinct hashtext(c) as k from unnest(${codes}::text[]) as c order by 1 offset 0) s`.execute(db);
    },

    async insertFiling(r: FilingRow): Promise<void> {
      await sql`
        insert into insp_filing (id, kind, organisation_id, enterprise_code, item_no, goods_name, quarantine_category, producer,
          certificates, status, reason, submitted_at, reviewed_at, created_at, updated_at)
        values (${r.id}, ${r.kind}, ${r.organisation_id}, ${r.enterprise_code}, ${r.item_no}, ${r.goods_name}, ${r.quarantine_category},
          ${r.producer}, ${JSON.stringify(r.certificates)}::jsonb, ${r.status}, ${r.reason}, ${r.submitted_at}, ${r.reviewed_at},
          ${r.created_at}, ${r.updated_at})`.execute(db);
    },

    async filingByKey(enterpriseCode: string, itemNo: string | null): Promise<FilingRow | undefined> {
      const { rows } = await sql<FilingRow>`
        select * from insp_filing where enterprise_code = ${enterpriseCode} and coalesce(item_no, '') = ${itemNo ?? ''} for update`.execute(
        db,
      );
      return rows[0];
    },

    async filing(id: string, lock = false): Promise<FilingRow | undefined> {
      const { rows } = lock
        ? await sql<FilingRow>`select * from insp_filing where id = ${id} for update`.execute(db)
        : await sql<FilingRow>`select * from insp_filing where id = ${id}`.execute(db);
      return rows[0];
    },

    async updateFiling(
      id: string,
      set: Partial<
        Pick<
          FilingRow,
          | 'status'
          | 'reason'
          | 'submitted_at'
          | 'reviewed_at'
          | 'producer'
          | 'certificates'
          | 'quarantine_category'
          | 'goods_name'
        >
      >,
      now: Date,
    ) {
      const cur = (await this.filing(id))!;
      const n = { ...cur, ...set };
      await sql`
        update insp_filing set status = ${n.status}, reason = ${n.reason}, submitted_at = ${n.submitted_at}, reviewed_at = ${n.reviewed_at},
          producer = ${n.producer}, certificates = ${JSON.stringify(n.certificates)}::jsonb, quarantine_category = ${n.quarantine_category},
          goods_name = ${n.goods_name}, updated_at = ${now}
        where id = ${id}`.execute(db);
      return { ...n, updated_at: now };
    },

    /** `organisationIds`: only these enterprises' filings (an agency's jurisdiction). */
    async listFilings(opts: {
      organisationId?: string;
      organisationIds?: string[];
      status?: string;
      limit: number;
    }): Promise<FilingRow[]> {
      const { rows } = await sql<FilingRow>`
        select * from insp_filing
        where (${opts.organisationId ?? null}::uuid is null or organisation_id = ${opts.organisationId ?? null}::uuid)
          and (${opts.organisationIds ?? null}::uuid[] is null or organisation_id = any(${opts.organisationIds ?? null}::uuid[]))
          and (${opts.status ?? null}::text is null or status = ${opts.status ?? null}::text)
        order by updated_at desc, id limit ${opts.limit}`.execute(db);
      return rows;
    },

    /**
     * `${enterpriseCode}|${itemNo}` of the pairs whose product filing counts for a decision on
     * `day` (yyyy-mm-dd, Beijing), in one statement: approved (not under review for an amendment,
     * suspended or revoked) with no certificate past its valid-until day (both yyyy-mm-dd,
     * compared as text), and so is its enterprise's filing (全备案).
     */
    async approvedProducts(pairs: { ebcCode: string; itemNo: string }[], day: string): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const { rows } = await sql<{ k: string }>`
        select f.enterprise_code || '|' || f.item_no as k
        from insp_filing f
        join unnest(${pairs.map((p) => p.ebcCode)}::text[], ${pairs.map((p) => p.itemNo)}::text[]) as t(ebc, item)
          on f.enterprise_code = t.ebc and f.item_no = t.item
        where f.kind = 'product' and f.status = 'approved'
          and not exists (select 1 from jsonb_array_elements(f.certificates) c
                          where coalesce(c->>'validUntil', '') <> '' and c->>'validUntil' < ${day}::text)
          and exists (select 1 from insp_filing e
                      where e.kind = 'enterprise' and e.status = 'approved' and e.enterprise_code = f.enterprise_code
                        and not exists (select 1 from jsonb_array_elements(e.certificates) c
                                        where coalesce(c->>'validUntil', '') <> '' and c->>'validUntil' < ${day}::text))`.execute(
        db,
      );
      return new Set(rows.map((r) => r.k));
    },

    /** Creates tasks; an inventory already with a task keeps it (the outbox may deliver twice). */
    async insertTasks(rows: Omit<TaskRow, 'status' | 'outcome_note' | 'completed_at' | 'released_at'>[]): Promise<number> {
      if (rows.length === 0) return 0;
      const r = await sql`
        insert into insp_task (id, inventory_id, logistics_no, customs_code, ebc_code, agencies, status, created_at)
        select t.id, t.inv, t.lno, t.cc, t.ebc, string_to_array(t.ag, ','), 'open', t.at
        from unnest(${rows.map((x) => x.id)}::uuid[], ${rows.map((x) => x.inventory_id)}::uuid[], ${rows.map((x) => x.logistics_no)}::text[],
                    ${rows.map((x) => x.customs_code)}::text[], ${rows.map((x) => x.ebc_code)}::text[],
                    ${rows.map((x) => x.agencies.join(','))}::text[], ${rows.map((x) => x.created_at)}::timestamptz[])
          as t(id, inv, lno, cc, ebc, ag, at)
        on conflict (inventory_id) do nothing`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async task(id: string, lock = false): Promise<TaskRow | undefined> {
      const { rows } = lock
        ? await sql<TaskRow>`select * from insp_task where id = ${id} for update`.execute(db)
        : await sql<TaskRow>`select * from insp_task where id = ${id}`.execute(db);
      return rows[0];
    },

    async tasksByWaybill(logisticsNo: string): Promise<TaskRow[]> {
      const { rows } =
        await sql<TaskRow>`select * from insp_task where logistics_no = ${logisticsNo} order by created_at desc`.execute(db);
      return rows;
    },

    async listTasks(opts: { status?: string; customsPrefix: string | null; limit: number }): Promise<TaskRow[]> {
      const { rows } = await sql<TaskRow>`
        select * from insp_task
        where (${opts.status ?? null}::text is null or status = ${opts.status ?? null}::text)
          and (${opts.customsPrefix}::text is null or coalesce(customs_code, '') like ${`${opts.customsPrefix ?? ''}%`})
        order by created_at desc limit ${opts.limit}`.execute(db);
      return rows;
    },

    async findings(taskIds: string[]): Promise<FindingRow[]> {
      if (taskIds.length === 0) return [];
      const { rows } = await sql<FindingRow>`
        select * from insp_finding where task_id = any(${taskIds}::uuid[]) order by recorded_at`.execute(db);
      return rows;
    },

    async insertFinding(f: FindingRow): Promise<void> {
      await sql`
        insert into insp_finding (task_id, agency, result, codes, notes, photos, user_id, recorded_at)
        values (${f.task_id}, ${f.agency}, ${f.result}, ${f.codes}::text[], ${f.notes}, ${f.photos}::text[], ${f.user_id}, ${f.recorded_at})`.execute(
        db,
      );
    },

    // --- photos (the bytes are read only when served) ------------------------------------------
    async insertPhoto(r: PhotoRow): Promise<void> {
      await sql`
        insert into insp_photo (id, task_id, content_type, size_bytes, sha256, bytes, uploaded_by, uploaded_at)
        values (${r.id}, ${r.task_id}, ${r.content_type}, ${r.size_bytes}, ${r.sha256}, ${r.bytes}, ${r.uploaded_by}, ${r.uploaded_at})`.execute(
        db,
      );
    },

    /** Photos of the tasks, oldest first, without their bytes. */
    async photos(taskIds: string[]): Promise<PhotoMetaRow[]> {
      if (taskIds.length === 0) return [];
      const { rows } = await sql<PhotoMetaRow>`
        select id, task_id, content_type, size_bytes, sha256, uploaded_by, uploaded_at from insp_photo
        where task_id = any(${taskIds}::uuid[]) order by uploaded_at, id`.execute(db);
      return rows;
    },

    async photo(id: string): Promise<PhotoRow | undefined> {
      const { rows } = await sql<PhotoRow>`select * from insp_photo where id = ${id}`.execute(db);
      return rows[0];
    },

    async setTask(
      id: string,
      set: { status: TaskStatus; outcome_note?: string | null; completed_at?: Date | null },
    ): Promise<void> {
      await sql`
        update insp_task set status = ${set.status}, outcome_note = coalesce(${set.outcome_note ?? null}, outcome_note),
          completed_at = coalesce(${set.completed_at ?? null}::timestamptz, completed_at)
        where id = ${id}`.execute(db);
    },

    /** Open tasks of rejected or cancelled inventories are withdrawn (idempotent). */
    async withdrawTasks(inventoryIds: string[], at: Date): Promise<void> {
      if (inventoryIds.length === 0) return;
      await sql`
        update insp_task set status = 'withdrawn', completed_at = ${at}
        where inventory_id = any(${inventoryIds}::uuid[]) and status = 'open'`.execute(db);
    },

    /** Task status per inventory, for the risk measures (inspection hit rate per rule). */
    async taskStatuses(inventoryIds: string[]): Promise<Map<string, TaskStatus>> {
      if (inventoryIds.length === 0) return new Map();
      const { rows } = await sql<{ inventory_id: string; status: TaskStatus }>`
        select inventory_id, status from insp_task where inventory_id = any(${inventoryIds}::uuid[])`.execute(db);
      return new Map(rows.map((r) => [r.inventory_id, r.status]));
    },

    async markReleased(id: string, at: Date): Promise<void> {
      await sql`update insp_task set released_at = ${at} where id = ${id}`.execute(db);
    },

    /** Measures: tasks and how many found something, since a day. */
    async taskMeasures(since: Date, customsPrefix: string | null) {
      const { rows } = await sql<{ total: string; failed: string; open: string; passed: string }>`
        select count(*) as total, count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'open') as open,
               count(*) filter (where status = 'passed') as passed
        from insp_task where created_at >= ${since}
          and (${customsPrefix}::text is null or coalesce(customs_code, '') like ${`${customsPrefix ?? ''}%`})`.execute(db);
      return {
        total: Number(rows[0]?.total ?? 0),
        failed: Number(rows[0]?.failed ?? 0),
        open: Number(rows[0]?.open ?? 0),
        passed: Number(rows[0]?.passed ?? 0),
      };
    },
  };
}
