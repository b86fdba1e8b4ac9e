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
}

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
      }>`
        select p.id, p.name, p.name_en, p.region, p.kind, p.address, count(m.org_id)::int as members
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
    /** Locks the park row: membership changes of one park run one after the other. */
    lockPark: async (id: string) =>
      !!(await exec.selectFrom('pk_park').select('id').where('id', '=', id).forUpdate().executeTakeFirst()),
    isMember: async (orgId: string) =>
      !!(await exec.selectFrom('pk_park_member').select('org_id').where('org_id', '=', orgId).limit(1).executeTakeFirst()),
    parkExists: async (id: string) => !!(await exec.selectFrom('pk_park').select('id').where('id', '=', id).executeTakeFirst()),

    offeringExists: async (id: string) =>
      !!(await exec.selectFrom('pk_offering').select('id').where('id', '=', id).executeTakeFirst()),
    offering: async (id: string) =>
      (await exec.selectFrom('pk_offering').selectAll().where('id', '=', id).executeTakeFirst()) as OfferingRow | undefined,
    insertOffering: (row: OfferingRow) => exec.insertInto('pk_offering').values(row).execute(),
    offerings: async (kind?: 'course' | 'event') => {
      let b = exec.selectFrom('pk_offering').selectAll();
      if (kind) b = b.where('kind', '=', kind);
      return (await b.orderBy('starts_at').limit(500).execute()) as OfferingRow[];
    },
    /** Takes a seat only while one is free: a single conditional update, safe under concurrency. */
    async takeSeat(offeringId: string): Promise<'ok' | 'full' | 'missing'> {
      const r = await sql<{
        id: string;
      }>`update pk_offering set enrolled = enrolled + 1 where id = ${offeringId} and enrolled < capacity returning id`.execute(
        exec,
      );
      if (r.rows.length) return 'ok';
      const exists = await exec.selectFrom('pk_offering').select('id').where('id', '=', offeringId).executeTakeFirst();
      return exists ? 'full' : 'missing';
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
    /** Marks attendance and issues each attendee's certificate once: a second call keeps number and date. */
    async markAttended(
      offeringId: string,
      userIds: string[],
      certificate: (userId: string) => string,
      at: Date,
    ): Promise<number> {
      if (userIds.length === 0) return 0;
      const r = await sql`update pk_enrolment e set attended = true, certificate_no = coalesce(e.certificate_no, c.cert),
          certificate_issued_at = coalesce(e.certificate_issued_at, ${at}::timestamptz)
        from unnest(${userIds}::uuid[], ${userIds.map(certificate)}::text[]) as c(uid, cert)
        where e.offering_id = ${offeringId} and e.user_id = c.uid`.execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },

    insertProgramme: (row: Record<string, unknown>) => exec.insertInto('pk_programme').values(row).execute(),
    programmes: () => exec.selectFrom('pk_programme').selectAll().orderBy('closes_on', 'desc').execute(),
    programme: (id: string) => exec.selectFrom('pk_programme').selectAll().where('id', '=', id).executeTakeFirst(),
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
    applications: async (q: { orgId?: string; programmeId?: string; status?: ApplicationRow['status'] }) => {
      let b = exec
        .selectFrom('pk_application as a')
        .innerJoin('pk_programme as p', 'p.id', 'a.programme_id')
        .selectAll('a')
        .select(['p.name as programme_name', 'p.criteria as programme_criteria']);
      if (q.orgId) b = b.where('a.org_id', '=', q.orgId);
      if (q.programmeId) b = b.where('a.programme_id', '=', q.programmeId);
      if (q.status) b = b.where('a.status', '=', q.status);
      return (await b.orderBy('a.created_at', 'desc').orderBy('a.id').limit(500).execute()) as ListedApplicationRow[];
    },
    lockApplication: async (id: string) =>
      (await exec.selectFrom('pk_application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) as
        ApplicationRow | undefined,
    updateApplication: async (id: string, patch: Partial<ApplicationRow>) =>
      (await exec
        .updateTable('pk_application')
        .set({ ...patch, ...(patch.scores !== undefined ? { scores: patch.scores && JSON.stringify(patch.scores) } : {}) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as ApplicationRow,
  };
}
