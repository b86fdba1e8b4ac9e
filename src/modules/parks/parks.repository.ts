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
  note: string | null;
  created_at: Date;
  decided_at: Date | null;
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
    async addMembers(parkId: string, orgIds: string[], at: Date): Promise<void> {
      if (orgIds.length === 0) return;
      await exec
        .insertInto('pk_park_member')
        .values(orgIds.map((org_id) => ({ park_id: parkId, org_id, joined_at: at })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    members: (parkId: string) =>
      exec.selectFrom('pk_park_member').select(['org_id', 'joined_at']).where('park_id', '=', parkId).execute(),
    isMember: async (orgId: string) =>
      !!(await exec.selectFrom('pk_park_member').select('org_id').where('org_id', '=', orgId).limit(1).executeTakeFirst()),
    parkExists: async (id: string) => !!(await exec.selectFrom('pk_park').select('id').where('id', '=', id).executeTakeFirst()),

    offeringExists: async (id: string) =>
      !!(await exec.selectFrom('pk_offering').select('id').where('id', '=', id).executeTakeFirst()),
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
    async insertEnrolment(row: {
      offering_id: string;
      user_id: string;
      org_id: string | null;
      enrolled_at: Date;
    }): Promise<boolean> {
      const r = await exec
        .insertInto('pk_enrolment')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    enrolments: (offeringId: string) =>
      exec.selectFrom('pk_enrolment').selectAll().where('offering_id', '=', offeringId).orderBy('enrolled_at').execute(),
    async markAttended(offeringId: string, userIds: string[], certificate: (userId: string) => string): Promise<number> {
      let n = 0;
      if (userIds.length === 0) return 0;
      const r = await sql`update pk_enrolment e set attended = true, certificate_no = coalesce(e.certificate_no, c.cert)
        from unnest(${userIds}::uuid[], ${userIds.map(certificate)}::text[]) as c(uid, cert)
        where e.offering_id = ${offeringId} and e.user_id = c.uid`.execute(exec);
      n = Number(r.numAffectedRows ?? 0);
      return n;
    },

    insertProgramme: (row: Record<string, unknown>) => exec.insertInto('pk_programme').values(row).execute(),
    programmes: () => exec.selectFrom('pk_programme').selectAll().orderBy('closes_on', 'desc').execute(),
    programme: (id: string) => exec.selectFrom('pk_programme').selectAll().where('id', '=', id).executeTakeFirst(),
    async insertApplication(row: ApplicationRow): Promise<boolean> {
      const r = await exec
        .insertInto('pk_application')
        .values({ ...row, figures: JSON.stringify(row.figures), eligibility: JSON.stringify(row.eligibility) })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    applications: async (q: { orgId?: string; programmeId?: string }) => {
      let b = exec.selectFrom('pk_application').selectAll();
      if (q.orgId) b = b.where('org_id', '=', q.orgId);
      if (q.programmeId) b = b.where('programme_id', '=', q.programmeId);
      return (await b.orderBy('created_at', 'desc').limit(500).execute()) as ApplicationRow[];
    },
    lockApplication: async (id: string) =>
      (await exec.selectFrom('pk_application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) as
        ApplicationRow | undefined,
    updateApplication: async (id: string, patch: Partial<ApplicationRow>) =>
      (await exec
        .updateTable('pk_application')
        .set(patch)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()) as ApplicationRow,
  };
}
