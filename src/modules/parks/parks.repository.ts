import { sql, type Executor } from '../../kernel/db.ts';

export interface OfferingRow {
  id: string;
  kind: 'course' | 'event';
  title: string;
  title_en: string | null;
  starts_at: Date;
  ends_at: Date;
  place: string;
  capacity: number;
  enrolled: number;
  created_at: Date;
  /** the agency organisation that created it (null: from before ownership, the operator's alone) */
  owner_org_id: string | null;
  /** closed: cancelled or archived, takes no enrolment (migration 005) */
  status: Status;
  closed_at: Date | null;
}

/** Parks, offerings and programmes are closed, never deleted (migration 005). */
export type Status = 'open' | 'closed';

export interface ParkRow {
  id: string;
  name: string;
  name_en: string | null;
  region: string;
  kind: 'park' | 'distribution_centre';
  address: string | null;
  created_at: Date;
  owner_org_id: string | null;
  status: Status;
  closed_at: Date | null;
}

export interface ProgrammeRow {
  id: string;
  name: string;
  category: 'park' | 'training' | 'overseas_service' | 'new_model';
  rules: unknown;
  criteria: unknown;
  opens_on: Date | string;
  closes_on: Date | string;
  created_at: Date;
  owner_org_id: string | null;
  status: Status;
  closed_at: Date | null;
}

/**
 * Whose parks, offerings and programmes a query may touch: an organisation's id (a commerce
 * department: what it owns), or undefined (the platform operator: all).
 */
export type Owner = string | undefined;

export interface ApplicationRow {
  id: string;
  programme_id: string;
  org_id: string;
  org_code: string;
  statement: string;
  figures: Record<string, number>;
  eligibility: unknown;
  status: 'submitted' | 'approved' | 'rejected';
  score: number | null;
  /** points per scoring criterion, when the reviewer scored by criteria */
  scores: Record<string, number> | null;
  note: string | null;
  created_at: Date;
  decided_at: Date | null;
}

/** An application as listed: with its programme's name and scoring criteria (null: the standard rubric). */
export type ListedApplicationRow = ApplicationRow & { programme_name: string; programme_criteria: unknown };

export interface EnrolmentRow {
  offering_id: string;
  user_id: string;
  org_id: string | null;
  enrolled_at: Date;
  attended: boolean;
  certificate_no: string | null;
  participant_name: string | null;
  participant_username: string | null;
  org_name: string | null;
  certificate_issued_at: Date | null;
}

export function createParksRepository(exec: Executor) {
  return {
    insertPark: (row: Record<string, unknown>) => exec.insertInto('pk_park').values(row).execute(),
    parks: () =>
      sql<{
        id: string;
        name: string;
        name_en: string | null;
        region: string;
        kind: string;
        address: string | null;
        members: number;
        status: Status;
      }>`
        select p.id, p.name, p.name_en, p.region, p.kind, p.address, count(m.org_id)::int as members, p.status
        from pk_park p left join pk_park_member m on m.park_id = p.id group by p.id order by p.region, p.name`
        .execute(exec)
        .then((r) => r.rows),
    /** Adds enterprises to a park; members already there keep their joining date. Returns how many joined. */
    async addMembers(parkId: string, orgs: { id: string; code: string | null }[], at: Date): Promise<number> {
      if (orgs.length === 0) return 0;
      const r = await exec
        .insertInto('pk_park_member')
        .values(orgs.map((o) => ({ park_id: parkId, org_id: o.id, org_code: o.code, joined_at: at })))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },
    members: (parkId: string) =>
      exec
        .selectFrom('pk_park_member')
        .select(['org_id', 'org_code', 'joined_at'])
        .where('park_id', '=', parkId)
        .orderBy('joined_at')
        .orderBy('org_code')
        .execute() as Promise<{ org_id: string; org_code: string | null; joined_at: Date }[]>,
    async removeMember(parkId: string, orgId: string): Promise<boolean> {
      const r = await exec
        .deleteFrom('pk_park_member')
        .where('park_id', '=', parkId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** Locks the park row (if the owner's): membership changes of one park run one after the other. */
    lockPark: async (id: string, owner: Owner) => {
      let q = exec.selectFrom('pk_park').select('id').where('id', '=', id);
      if (owner !== undefined) q = q.where('owner_org_id', '=', owner);
      return !!(await q.forUpdate().executeTakeFirst());
    },
    /** Whether the enterprise is in a park that is open: a closed park's members are no longer in a park. */
    isMember: async (orgId: string) =>
      !!(await exec
        .selectFrom('pk_park_member as m')
        .innerJoin('pk_park as p', 'p.id', 'm.park_id')
        .select('m.org_id')
        .where('m.org_id', '=', orgId)
        .where('p.status', '=', 'open')
        .limit(1)
        .executeTakeFirst()),
    /** The park, if the owner's, locked: an edit or close and a membership change run one after the other. */
    lockParkRow: async (id: string, owner: Owner) => {
      let q = exec.selectFrom('pk_park').selectAll().where('id', '=', id);
      if (owner !== undefined) q = q.where('owner_org_id', '=', owner);
      return (await q.forUpdate().executeTakeFirst()) as ParkRow | undefined;
    },
    updatePark: async (id: string, patch: Partial<Omit<ParkRow, 'id' | 'created_at' | 'owner_org_id'>>) =>
      (await exec.updateTable('pk_park').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()) as ParkRow,
    /** Whether the park exists and is the owner's. */
    parkExists: async (id: string, owner: Owner) => {
      let q = exec.selectFrom('pk_park').select('id').where('id', '=', id);
      if (owner !== undefined) q = q.where('owner_org_id', '=', owner);
      return !!(await q.executeTakeFirst());
    },

    /** Whether the course or event exists and is the owner's. */
    offeringExists: async (id: string, owner: Owner) => {
      let q = exec.selectFrom('pk_offering').select('id').where('id', '=', id);
      if (owner !== undefined) q = q.where('owner_org_id', '=', owner);
      return !!(await q.executeTakeFirst());
    },
    /** A course or event: any (enterprises, the public), or only the owner's; `update` locks it. */
    offering: async (id: string, owner?: Owner | 'any', lock?: 'update') => {
      let q = exec.selectFrom('pk_offering').selectAll().where('id', '=', id);
      if (owner !== undefined && owner !== 'any') q = q.where('owner_org_id', '=', owner);
      return (await (lock === 'update' ? q.forUpdate() : q).executeTakeFirst()) as OfferingRow | undefined;
    },
    updateOffering: async (
      id: string,
      patch: Partial<Omit<OfferingRow, 'id' | 'kind' | 'enrolled' | 'created_at' | 'owner_org_id'>>,
    ) =>
      (await exec
        .updateTable('pk_offering')
        .set(patch)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as OfferingRow,
    /** A new offering is open (the column's default) unless the row says otherwise. */
    insertOffering: (row: Omit<OfferingRow, 'status' | 'closed_at'> & Partial<Pick<OfferingRow, 'status' | 'closed_at'>>) =>
      exec.insertInto('pk_offering').values(row).execute(),
    offerings: async (kind?: 'course' | 'event') => {
      let b = exec.selectFrom('pk_offering').selectAll();
      if (kind) b = b.where('kind', '=', kind);
      return (await b.orderBy('starts_at').limit(500).execute()) as OfferingRow[];
    },
    /**
     * Takes a seat only while one is free and the offering open: a single conditional update, safe
     * under concurrency (a close committed meanwhile is seen: the update re-reads the row).
     */
    async takeSeat(offeringId: string): Promise<'ok' | 'full' | 'closed' | 'missing'> {
      const r = await sql<{
        id: string;
      }>`update pk_offering set enrolled = enrolled + 1
          where id = ${offeringId} and enrolled < capacity and status = 'open' returning id`.execute(exec);
      if (r.rows.length) return 'ok';
      const row = await exec.selectFrom('pk_offering').select('status').where('id', '=', offeringId).executeTakeFirst();
      return !row ? 'missing' : row.status === 'closed' ? 'closed' : 'full';
    },
    /** Gives back the seat of a withdrawn enrolment. */
    async releaseSeat(offeringId: string): Promise<void> {
      await sql`update pk_offering set enrolled = enrolled - 1 where id = ${offeringId} and enrolled > 0`.execute(exec);
    },
    /** Deletes one enrolment (a withdrawal); true if there was one. */
    async deleteEnrolment(offeringId: string, userId: string): Promise<boolean> {
      const r = await exec
        .deleteFrom('pk_enrolment')
        .where('offering_id', '=', offeringId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async insertEnrolment(
      row: Pick<
        EnrolmentRow,
        'offering_id' | 'user_id' | 'org_id' | 'enrolled_at' | 'participant_name' | 'participant_username' | 'org_name'
      >,
    ): Promise<boolean> {
      const r = await exec
        .insertInto('pk_enrolment')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    enrolments: async (offeringId: string) =>
      (await exec
        .selectFrom('pk_enrolment')
        .selectAll()
        .where('offering_id', '=', offeringId)
        .orderBy('enrolled_at')
        .orderBy('user_id')
        .execute()) as EnrolmentRow[],
    enrolment: async (offeringId: string, userId: string) =>
      (await exec
        .selectFrom('pk_enrolment')
        .selectAll()
        .where('offering_id', '=', offeringId)
        .where('user_id', '=', userId)
        .executeTakeFirst()) as EnrolmentRow | undefined,
    /** One person's enrolments with what they enrolled in, newest course first. */
    enrolmentsOf: (userId: string) =>
      sql<EnrolmentRow & Omit<OfferingRow, 'id' | 'created_at'>>`
        select e.*, o.kind, o.title, o.title_en, o.starts_at, o.ends_at, o.place, o.capacity, o.enrolled
        from pk_enrolment e join pk_offering o on o.id = e.offering_id
        where e.user_id = ${userId} order by o.starts_at desc limit 500`
        .execute(exec)
        .then((r) => r.rows),
    /** Marks the listed people present; returns how many rows were touched. */
    async markAttended(offeringId: string, userIds: string[]): Promise<number> {
      if (userIds.length === 0) return 0;
      const r = await sql`update pk_enrolment set attended = true
        where offering_id = ${offeringId} and user_id = any(${userIds}::uuid[])`.execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },
    /** The enrolment row, locked: an undo and a certificate for the same person run one after the other. */
    lockEnrolment: async (offeringId: string, userId: string) =>
      (await exec
        .selectFrom('pk_enrolment')
        .selectAll()
        .where('offering_id', '=', offeringId)
        .where('user_id', '=', userId)
        .forUpdate()
        .executeTakeFirst()) as EnrolmentRow | undefined,
    /** Takes back an attendance mark, only while no certificate was issued on it. */
    async unmarkAttended(offeringId: string, userId: string): Promise<boolean> {
      const r = await sql`update pk_enrolment set attended = false
        where offering_id = ${offeringId} and user_id = ${userId}::uuid and attended and certificate_no is null`.execute(exec);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
    /**
     * Issues certificates to the listed attendees who have none yet, numbered from one sequence
     * (CERT-<year of issue, Beijing time>-<number>) and dated, once; people not marked present get
     * none. Returns how many were issued.
     */
    async issueCertificates(offeringId: string, userIds: string[], at: Date): Promise<number> {
      if (userIds.length === 0) return 0;
      const r = await sql`
        with due as (
          select user_id from pk_enrolment
           where offering_id = ${offeringId} and user_id = any(${userIds}::uuid[]) and attended and certificate_no is null
           order by enrolled_at, user_id for update),
        numbered as (select user_id, nextval('pk_certificate_no') as n from due)
        update pk_enrolment e
           set certificate_no = 'CERT-' || to_char(${at}::timestamptz at time zone 'Asia/Shanghai', 'YYYY') || '-' ||
                 lpad(x.n::text, greatest(6, length(x.n::text)), '0'),
               certificate_issued_at = ${at}::timestamptz
          from numbered x
         where e.offering_id = ${offeringId} and e.user_id = x.user_id`.execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },

    insertProgramme: (row: Record<string, unknown>) => exec.insertInto('pk_programme').values(row).execute(),
    programmes: async () =>
      (await exec.selectFrom('pk_programme').selectAll().orderBy('closes_on', 'desc').execute()) as ProgrammeRow[],
    /**
     * A programme (any, or only the owner's), optionally locked: `update` to change its criteria,
     * `share` to score against them.
     */
    programme: async (id: string, owner: Owner | 'any', lock?: 'update' | 'share') => {
      let q = exec.selectFrom('pk_programme').selectAll().where('id', '=', id);
      if (owner !== undefined && owner !== 'any') q = q.where('owner_org_id', '=', owner);
      return (await (lock === 'update' ? q.forUpdate() : lock === 'share' ? q.forShare() : q).executeTakeFirst()) as
        ProgrammeRow | undefined;
    },
    updateProgramme: async (
      id: string,
      patch: Partial<Omit<ProgrammeRow, 'id' | 'criteria' | 'created_at' | 'owner_org_id' | 'rules'>> & { rules?: string },
    ) =>
      (await exec
        .updateTable('pk_programme')
        .set(patch)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as ProgrammeRow,
    /** How many applications were made to the programme, whatever their state. */
    applicationCount: async (programmeId: string) =>
      (
        await sql<{ n: number }>`
          select count(*)::int as n from pk_application where programme_id = ${programmeId}`.execute(exec)
      ).rows[0]!.n,
    /** The owner's programmes with how many of their applications wait for review and how many were decided. */
    programmesWithCounts: (owner: Owner) =>
      sql<{
        id: string;
        name: string;
        category: string;
        rules: unknown;
        criteria: unknown;
        opens_on: Date | string;
        closes_on: Date | string;
        owner_org_id: string | null;
        status: Status;
        closed_at: Date | null;
        submitted: number;
        decided: number;
      }>`
        select p.id, p.name, p.category, p.rules, p.criteria, p.opens_on, p.closes_on, p.owner_org_id, p.status, p.closed_at,
               count(a.id) filter (where a.status = 'submitted')::int as submitted,
               count(a.id) filter (where a.status <> 'submitted')::int as decided
          from pk_programme p left join pk_application a on a.programme_id = p.id
         where ${owner === undefined ? sql`true` : sql`p.owner_org_id = ${owner}`}
         group by p.id order by p.closes_on desc, p.created_at desc limit 500`
        .execute(exec)
        .then((r) => r.rows),
    decidedApplications: async (programmeId: string) =>
      (
        await sql<{ n: number }>`
          select count(*)::int as n from pk_application where programme_id = ${programmeId} and status <> 'submitted'`.execute(
          exec,
        )
      ).rows[0]!.n,
    setCriteria: (id: string, criteria: unknown[] | null) =>
      exec
        .updateTable('pk_programme')
        .set({ criteria: criteria && JSON.stringify(criteria) })
        .where('id', '=', id)
        .execute(),
    async insertApplication(row: ApplicationRow): Promise<boolean> {
      const r = await exec
        .insertInto('pk_application')
        .values({
          ...row,
          figures: JSON.stringify(row.figures),
          eligibility: JSON.stringify(row.eligibility),
          scores: row.scores && JSON.stringify(row.scores),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Whether the organisation applied to the programme already. */
    hasApplied: async (programmeId: string, orgId: string) =>
      !!(await exec
        .selectFrom('pk_application')
        .select('id')
        .where('programme_id', '=', programmeId)
        .where('org_id', '=', orgId)
        .executeTakeFirst()),
    /**
     * Applications with their programme: an enterprise's own (`orgId`), or those to the programmes
     * of one owner (`programmeOwner`), or all (neither).
     */
    applications: async (q: {
      orgId?: string;
      programmeOwner?: string;
      programmeId?: string;
      status?: ApplicationRow['status'];
    }) => {
      let b = exec
        .selectFrom('pk_application as a')
        .innerJoin('pk_programme as p', 'p.id', 'a.programme_id')
        .selectAll('a')
        .select(['p.name as programme_name', 'p.criteria as programme_criteria']);
      if (q.orgId) b = b.where('a.org_id', '=', q.orgId);
      if (q.programmeOwner) b = b.where('p.owner_org_id', '=', q.programmeOwner);
      if (q.programmeId) b = b.where('a.programme_id', '=', q.programmeId);
      if (q.status) b = b.where('a.status', '=', q.status);
      return (await b.orderBy('a.created_at', 'desc').orderBy('a.id').limit(500).execute()) as ListedApplicationRow[];
    },
    /** An application, locked, if it was made to a programme of the owner. */
    lockApplication: async (id: string, owner: Owner) => {
      let q = exec.selectFrom('pk_application').selectAll().where('id', '=', id);
      if (owner !== undefined)
        q = q.where('programme_id', 'in', exec.selectFrom('pk_programme').select('id').where('owner_org_id', '=', owner));
      return (await q.forUpdate().executeTakeFirst()) as ApplicationRow | undefined;
    },
    updateApplication: async (id: string, patch: Partial<ApplicationRow>) =>
      (await exec
        .updateTable('pk_application')
        .set({ ...patch, ...(patch.scores !== undefined ? { scores: patch.scores && JSON.stringify(patch.scores) } : {}) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as ApplicationRow,
  };
}
