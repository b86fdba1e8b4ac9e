import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createParksRepository, type ApplicationRow, type OfferingRow } from './parks.repository.ts';
import { checkEligibility, isRule, type EligibilityRule, type Figures } from './rules/eligibility.rules.ts';

/** The platform figures an application carries (statistics, tax refunds, credit), wired in platform.ts. */
export interface FiguresPort {
  figuresOf(org: { id: string; code: string }): Promise<Omit<Figures, 'parkMember'>>;
}

export interface ParksServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  figures: FiguresPort;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const offeringView = (o: OfferingRow) => ({
  id: o.id,
  kind: o.kind,
  title: o.title,
  titleEn: o.title_en,
  startsAt: o.starts_at.toISOString(),
  endsAt: o.ends_at.toISOString(),
  place: o.place,
  capacity: o.capacity,
  enrolled: o.enrolled,
  seatsLeft: o.capacity - o.enrolled,
});
const appView = (a: ApplicationRow) => ({
  id: a.id,
  programmeId: a.programme_id,
  orgId: a.org_id,
  orgCode: a.org_code,
  statement: a.statement,
  figures: a.figures,
  eligibility: a.eligibility,
  status: a.status,
  score: a.score,
  note: a.note,
  createdAt: a.created_at.toISOString(),
  decidedAt: iso(a.decided_at),
});

export function createParksService(deps: ParksServiceDeps) {
  const { db, clock } = deps;

  return {
    async parks() {
      return createParksRepository(db).parks();
    },
    async createPark(
      p: Principal | null | undefined,
      input: {
        name: string;
        nameEn?: string;
        region: string;
        kind: 'park' | 'distribution_centre';
        address?: string;
        memberCodes?: string[];
      },
    ) {
      requirePermission(p, 'parks.manage');
      const id = randomUUID();
      const now = clock.now();
      const orgs = await organisationDirectory(db).byCodes(input.memberCodes ?? []);
      const unknown = (input.memberCodes ?? []).filter((c) => !orgs.some((o) => o.customs_code === c || o.uscc === c));
      if (unknown.length)
        throw validationError([
          {
            field: 'memberCodes',
            rule: 'exists',
            message: { zh: `企业不存在：${unknown.join('、')}`, en: `unknown enterprises: ${unknown.join(', ')}` },
          },
        ]);
      await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        await repo.insertPark({
          id,
          name: input.name,
          name_en: input.nameEn ?? null,
          region: input.region,
          kind: input.kind,
          address: input.address ?? null,
          created_at: now,
        });
        await repo.addMembers(
          id,
          orgs.map((o) => o.id),
          now,
        );
        await deps.audit.append(trx, actorOf(p), [{ action: 'park.create', entity: 'pk_park', entityId: id, after: input }]);
      });
      return { id };
    },

    async offerings(kind?: 'course' | 'event') {
      return (await createParksRepository(db).offerings(kind)).map(offeringView);
    },
    async createOffering(
      p: Principal | null | undefined,
      input: {
        kind: 'course' | 'event';
        title: string;
        titleEn?: string;
        startsAt: string;
        endsAt: string;
        place: string;
        capacity: number;
      },
    ) {
      requirePermission(p, 'parks.manage');
      if (new Date(input.endsAt) <= new Date(input.startsAt))
        throw validationError([
          { field: 'endsAt', rule: 'after', message: { zh: '结束时间须晚于开始时间', en: 'endsAt must be after startsAt' } },
        ]);
      const row: OfferingRow = {
        id: randomUUID(),
        kind: input.kind,
        title: input.title,
        title_en: input.titleEn ?? null,
        starts_at: new Date(input.startsAt),
        ends_at: new Date(input.endsAt),
        place: input.place,
        capacity: input.capacity,
        enrolled: 0,
        created_at: clock.now(),
      };
      await db.transaction().execute(async (trx) => {
        await createParksRepository(trx).insertOffering(row);
        await deps.audit.append(trx, actorOf(p), [
          { action: `${input.kind}.create`, entity: 'pk_offering', entityId: row.id, after: offeringView(row) },
        ]);
      });
      return offeringView(row);
    },

    /** Enrolment (报名): one seat per person; refused when full, however many ask at once. */
    async enrol(p: Principal | null | undefined, offeringId: string) {
      requirePermission(p, 'parks.apply');
      if (!p.userId) throw forbidden();
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const inserted = await repo
          .insertEnrolment({
            offering_id: offeringId,
            user_id: p.userId!,
            org_id: p.organisation?.id ?? null,
            enrolled_at: clock.now(),
          })
          .catch((e: unknown) => {
            if ((e as { code?: string }).code === '23503') throw notFound({ zh: '课程或活动', en: 'course or event' });
            throw e;
          });
        if (!inserted) return { enrolled: true, already: true };
        const seat = await repo.takeSeat(offeringId);
        if (seat === 'missing') throw notFound({ zh: '课程或活动', en: 'course or event' });
        if (seat === 'full') throw new DomainError('parks.conflict', { zh: '名额已满', en: 'no seats left' }, { offeringId });
        await deps.audit.append(trx, actorOf(p), [{ action: 'enrolment.create', entity: 'pk_enrolment', entityId: offeringId }]);
        return { enrolled: true, already: false };
      });
    },

    /** Attendance; attendees of a course get a certificate number (结业证书). */
    async recordAttendance(p: Principal | null | undefined, offeringId: string, userIds: string[]) {
      requirePermission(p, 'parks.manage');
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.offeringExists(offeringId))) throw notFound({ zh: '课程或活动', en: 'course or event' });
        const n = await repo.markAttended(offeringId, userIds, (u) =>
          `CERT-${offeringId.slice(0, 8)}-${u.slice(0, 8)}`.toUpperCase(),
        );
        await deps.audit.append(trx, actorOf(p), [
          { action: 'enrolment.attend', entity: 'pk_offering', entityId: offeringId, after: { userIds } },
        ]);
        return {
          marked: n,
          enrolments: (await repo.enrolments(offeringId)).map((e) => ({
            userId: e.user_id as string,
            attended: e.attended as boolean,
            certificateNo: e.certificate_no as string | null,
          })),
        };
      });
    },

    async programmes() {
      return (await createParksRepository(db).programmes()).map((x) => ({
        id: x.id as string,
        name: x.name as string,
        category: x.category as string,
        rules: x.rules as EligibilityRule[],
        opensOn: String(x.opens_on instanceof Date ? x.opens_on.toISOString().slice(0, 10) : x.opens_on),
        closesOn: String(x.closes_on instanceof Date ? x.closes_on.toISOString().slice(0, 10) : x.closes_on),
      }));
    },
    async createProgramme(
      p: Principal | null | undefined,
      input: {
        name: string;
        category: 'park' | 'training' | 'overseas_service' | 'new_model';
        rules: unknown[];
        opensOn: string;
        closesOn: string;
      },
    ) {
      requirePermission(p, 'parks.manage');
      const bad = input.rules.findIndex((r) => !isRule(r));
      if (bad >= 0)
        throw validationError([
          {
            field: `rules[${bad}]`,
            rule: 'format',
            message: { zh: '规则应为 {metric, op, value}', en: 'a rule is {metric, op (>=, <=, =), value}' },
            value: input.rules[bad],
          },
        ]);
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await createParksRepository(trx).insertProgramme({
          id,
          name: input.name,
          category: input.category,
          rules: JSON.stringify(input.rules),
          opens_on: input.opensOn,
          closes_on: input.closesOn,
          created_at: clock.now(),
        });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'programme.create', entity: 'pk_programme', entityId: id, after: input },
        ]);
      });
      return { id };
    },

    /** An enterprise applies; its platform figures and the eligibility check are attached then. */
    async apply(p: Principal | null | undefined, programmeId: string, statement: string) {
      requirePermission(p, 'parks.apply');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      const repo = createParksRepository(db);
      const prog = await repo.programme(programmeId);
      if (!prog) throw notFound({ zh: '扶持项目', en: 'programme' });
      const today = clock.now().toISOString().slice(0, 10);
      const d = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
      if (today < d(prog.opens_on) || today > d(prog.closes_on))
        throw new DomainError('parks.invalid_state', { zh: '不在申报期内', en: 'the programme is not open for applications' });
      const figures: Figures = {
        ...(await deps.figures.figuresOf({ id: org.id, code: org.code })),
        parkMember: (await repo.isMember(org.id)) ? 1 : 0,
      };
      const eligibility = checkEligibility(prog.rules as EligibilityRule[], figures);
      const row: ApplicationRow = {
        id: randomUUID(),
        programme_id: programmeId,
        org_id: org.id,
        org_code: org.code,
        statement,
        figures,
        eligibility,
        status: 'submitted',
        score: null,
        note: null,
        created_at: clock.now(),
        decided_at: null,
      };
      if (!eligibility.eligible)
        throw new DomainError(
          'parks.unprocessable',
          { zh: '不符合申报条件', en: 'not eligible for this programme' },
          { eligibility, figures },
        );
      await db.transaction().execute(async (trx) => {
        if (!(await createParksRepository(trx).insertApplication(row)))
          throw new DomainError('parks.duplicate', { zh: '已申报过该项目', en: 'already applied to this programme' });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'application.submit', entity: 'pk_application', entityId: row.id, after: appView(row) },
        ]);
      });
      return appView(row);
    },

    async applications(p: Principal | null | undefined, programmeId?: string) {
      const isReviewer = !!p?.permissions.has('parks.manage');
      requirePermission(p, isReviewer ? 'parks.manage' : 'parks.apply');
      return (
        await createParksRepository(db).applications({
          ...(isReviewer ? {} : { orgId: p.organisation?.id ?? '' }),
          ...(programmeId ? { programmeId } : {}),
        })
      ).map(appView);
    },

    /** The commerce department scores and decides (approve / reject). */
    async decide(
      p: Principal | null | undefined,
      id: string,
      input: { decision: 'approve' | 'reject'; score: number; note?: string },
    ) {
      requirePermission(p, 'parks.manage');
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const row = await repo.lockApplication(id);
        if (!row) throw notFound({ zh: '申报', en: 'application' });
        if (row.status !== 'submitted')
          throw new DomainError(
            'parks.invalid_state',
            { zh: '该申报已有决定', en: 'the application is already decided' },
            { state: row.status },
          );
        const updated = await repo.updateApplication(id, {
          status: input.decision === 'approve' ? 'approved' : 'rejected',
          score: input.score,
          note: input.note ?? null,
          decided_at: clock.now(),
        });
        await deps.audit.append(trx, actorOf(p), [
          {
            action: `application.${input.decision}`,
            entity: 'pk_application',
            entityId: id,
            before: appView(row),
            after: appView(updated),
          },
        ]);
        return appView(updated);
      });
    },
  };
}

export type ParksService = ReturnType<typeof createParksService>;
