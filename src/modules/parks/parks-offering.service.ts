import { randomUUID } from 'node:crypto';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { certificatePdf } from './parks.certificate.ts';
import { rosterWorkbook } from './parks.export.ts';
import { createParksRepository, type OfferingRow } from './parks.repository.ts';
import {
  changeOwned,
  closeOwned,
  creatorOf,
  cstTime,
  iso,
  OFFERING,
  offeringView,
  parksOwnerOf,
  refuseClosed,
  refuseOnceStarted,
  rosterView,
  type OwnedKind,
  type ParksServiceDeps,
} from './parks.shared.ts';

const NO_ENROLMENT = { zh: '不再接受报名', en: 'it takes no enrolment' };

/** Courses and events as a manager edits or closes them; the audit names the kind. */
const OFFERINGS: OwnedKind<OfferingRow, ReturnType<typeof offeringView>> = {
  what: OFFERING,
  entity: 'pk_offering',
  // locked: an enrolment taking a seat waits, so the capacity is checked against the seats taken
  lock: (repo, id, owner) => repo.offering(id, owner, 'update'),
  view: offeringView,
  action: (verb, o) => `${o.kind}.${verb}`,
  close: (repo, id, at) => repo.updateOffering(id, { status: 'closed', closed_at: at }),
};

/** Training courses and matchmaking events (培训课程、对接会): enrolment, attendance, certificates, rosters. */
export function createOfferingService(deps: ParksServiceDeps) {
  const { db, clock } = deps;

  return {
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
      const owner = creatorOf(p);
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
        owner_org_id: owner,
        status: 'open',
        closed_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await createParksRepository(trx).insertOffering(row);
        await deps.audit.append(trx, actorOf(p), [
          { action: `${input.kind}.create`, entity: 'pk_offering', entityId: row.id, after: offeringView(row) },
        ]);
      });
      return offeringView(row);
    },

    /**
     * Reschedules or corrects a course or event (its kind stays). Seats cannot drop below those
     * taken: the people enrolled keep theirs.
     */
    async updateOffering(
      p: Principal | null | undefined,
      offeringId: string,
      input: {
        title?: string;
        titleEn?: string | null;
        startsAt?: string;
        endsAt?: string;
        place?: string;
        capacity?: number;
      },
    ) {
      requirePermission(p, 'parks.manage');
      return changeOwned(deps, p, OFFERINGS, offeringId, 'update', async (repo, before) => {
        const startsAt = input.startsAt !== undefined ? new Date(input.startsAt) : before.starts_at;
        const endsAt = input.endsAt !== undefined ? new Date(input.endsAt) : before.ends_at;
        const problems = [];
        if (endsAt <= startsAt)
          problems.push({
            field: input.endsAt !== undefined ? 'endsAt' : 'startsAt',
            rule: 'after',
            message: {
              zh: `结束时间（${cstTime(endsAt)}）须晚于开始时间（${cstTime(startsAt)}，北京时间）`,
              en: `endsAt (${cstTime(endsAt)}) must be after startsAt (${cstTime(startsAt)}, China Standard Time)`,
            },
          });
        if (input.capacity !== undefined && input.capacity < before.enrolled)
          problems.push({
            field: 'capacity',
            rule: 'minimum',
            message: {
              zh: `名额（${input.capacity}）不能少于已报名人数（${before.enrolled}）`,
              en: `capacity (${input.capacity}) cannot be below the ${before.enrolled} seat(s) already taken`,
            },
            value: input.capacity,
          });
        if (problems.length) throw validationError(problems);
        return repo.updateOffering(offeringId, {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.titleEn !== undefined ? { title_en: input.titleEn || null } : {}),
          ...(input.startsAt !== undefined ? { starts_at: startsAt } : {}),
          ...(input.endsAt !== undefined ? { ends_at: endsAt } : {}),
          ...(input.place !== undefined ? { place: input.place } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
        });
      });
    },

    /**
     * Closes (cancels or archives) a course or event: it takes no enrolment from then on; the roster,
     * attendance and certificates stay.
     */
    async closeOffering(p: Principal | null | undefined, offeringId: string) {
      requirePermission(p, 'parks.manage');
      return closeOwned(deps, p, OFFERINGS, offeringId);
    },

    /**
     * Enrolment (报名): one seat per person; refused when full, however many ask at once, and once
     * the course or event has started (or ended).
     */
    async enrol(p: Principal | null | undefined, offeringId: string, name?: string) {
      requirePermission(p, 'parks.apply');
      if (!p.userId) throw forbidden();
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const offering = await repo.offering(offeringId, 'any');
        if (!offering) throw notFound(OFFERING);
        if (offering.status === 'closed') refuseClosed(OFFERING, offering.closed_at, NO_ENROLMENT, 'offeringId');
        refuseOnceStarted(offering, clock.now(), 'enrol');
        const inserted = await repo
          .insertEnrolment({
            offering_id: offeringId,
            user_id: p.userId!,
            org_id: p.organisation?.id ?? null,
            enrolled_at: clock.now(),
            // the name the participant gives is the one printed on the certificate
            participant_name: name?.trim() || p.username,
            participant_username: p.username,
            org_name: p.organisation?.name ?? null,
          })
          .catch((e: unknown) => {
            if ((e as { code?: string }).code === '23503') throw notFound(OFFERING);
            throw e;
          });
        if (!inserted) return { enrolled: true, already: true };
        const seat = await repo.takeSeat(offeringId);
        if (seat === 'missing') throw notFound(OFFERING);
        if (seat === 'closed') {
          const now = await repo.offering(offeringId, 'any');
          refuseClosed(OFFERING, now?.closed_at ?? null, NO_ENROLMENT, 'offeringId');
        }
        if (seat === 'full') throw new DomainError('parks.conflict', { zh: '名额已满', en: 'no seats left' }, { offeringId });
        await deps.audit.append(trx, actorOf(p), [{ action: 'enrolment.create', entity: 'pk_enrolment', entityId: offeringId }]);
        return { enrolled: true, already: false };
      });
    },

    /**
     * Withdrawal (取消报名): the caller's own enrolment is deleted and its seat given back, until the
     * course or event starts. Refused once it has started, and once attendance was recorded or a
     * certificate issued on it (the roster keeps them).
     */
    async withdraw(p: Principal | null | undefined, offeringId: string) {
      requirePermission(p, 'parks.apply');
      if (!p.userId) throw forbidden();
      const userId = p.userId;
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const offering = await repo.offering(offeringId, 'any');
        if (!offering) throw notFound(OFFERING);
        const e = await repo.lockEnrolment(offeringId, userId);
        if (!e) throw notFound({ zh: '报名记录', en: 'enrolment' });
        refuseOnceStarted(offering, clock.now(), 'withdraw');
        if (e.attended || e.certificate_no)
          throw new DomainError(
            'parks.invalid_state',
            {
              zh: '已签到或已颁发证书，不能取消报名（规则：签到后报名记录保留）',
              en: 'attendance was recorded (or a certificate issued): the enrolment can no longer be withdrawn',
            },
            { field: 'offeringId', rule: 'notAttended' },
          );
        await repo.deleteEnrolment(offeringId, userId);
        await repo.releaseSeat(offeringId);
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'enrolment.withdraw',
            entity: 'pk_enrolment',
            entityId: offeringId,
            before: { userId, enrolledAt: e.enrolled_at.toISOString() },
          },
        ]);
        const after = await repo.offering(offeringId, 'any');
        return { withdrawn: true, seatsLeft: after ? after.capacity - after.enrolled : 0 };
      });
    },

    /** The organiser's roster: everyone enrolled, with names, attendance and certificates. */
    async roster(p: Principal | null | undefined, offeringId: string) {
      requirePermission(p, 'parks.manage');
      const repo = createParksRepository(db);
      const offering = await repo.offering(offeringId, parksOwnerOf(p));
      if (!offering) throw notFound(OFFERING);
      return { offering: offeringView(offering), items: (await repo.enrolments(offeringId)).map(rosterView) };
    },

    /** A course's or event's roster as an Excel workbook, for its organiser (another's: 404). */
    async exportRoster(p: Principal | null | undefined, offeringId: string, lang: 'zh' | 'en' = 'zh'): Promise<Buffer> {
      requirePermission(p, 'parks.manage');
      return rosterWorkbook(await this.roster(p, offeringId), lang);
    },

    /**
     * Attendance from the roster (签到). Only people on the roster can be marked: any other id
     * refuses the whole call. No certificate yet: a mark can be taken back until one is issued.
     */
    async recordAttendance(p: Principal | null | undefined, offeringId: string, userIds: string[]) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.offeringExists(offeringId, owner))) throw notFound(OFFERING);
        const enrolled = new Set((await repo.enrolments(offeringId)).map((e) => e.user_id));
        const strangers = userIds.flatMap((u, i) => (enrolled.has(u) ? [] : [i]));
        if (strangers.length)
          throw validationError(
            strangers.map((i) => ({
              field: `userIds[${i}]`,
              rule: 'enrolled',
              message: { zh: '该人员未报名本课程或活动', en: 'this person is not enrolled in the course or event' },
              value: userIds[i],
            })),
          );
        const n = await repo.markAttended(offeringId, userIds);
        await deps.audit.append(trx, actorOf(p), [
          { action: 'enrolment.attend', entity: 'pk_offering', entityId: offeringId, after: { userIds } },
        ]);
        return { marked: n, enrolments: (await repo.enrolments(offeringId)).map(rosterView) };
      });
    },

    /**
     * Takes back an attendance mark made by mistake (撤销签到). Refused once a certificate was
     * issued on that attendance: the participant may hold it already. A mark already taken back
     * answers `unmarked: false` and changes nothing.
     */
    async unmarkAttendance(p: Principal | null | undefined, offeringId: string, userId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.offeringExists(offeringId, owner))) throw notFound(OFFERING);
        const e = await repo.lockEnrolment(offeringId, userId);
        if (!e) throw notFound({ zh: '报名记录', en: 'enrolment' });
        if (e.certificate_no)
          throw new DomainError(
            'parks.invalid_state',
            {
              zh: `已凭此次签到颁发证书（编号 ${e.certificate_no}），不能撤销签到`,
              en: `a certificate (no. ${e.certificate_no}) was issued on this attendance: it cannot be undone`,
            },
            { field: 'userId', rule: 'noCertificate', certificateNo: e.certificate_no },
          );
        const unmarked = e.attended && (await repo.unmarkAttended(offeringId, userId));
        if (unmarked)
          await deps.audit.append(trx, actorOf(p), [
            {
              action: 'enrolment.unattend',
              entity: 'pk_offering',
              entityId: offeringId,
              before: { userId, attended: true },
              after: { userId, attended: false },
            },
          ]);
        return { unmarked, enrolments: (await repo.enrolments(offeringId)).map(rosterView) };
      });
    },

    /**
     * Issues the certificates (结业证书 / 参会证明) of attendees, each numbered once: the listed
     * people, or every attendee without one. Someone not marked present refuses the whole call.
     */
    async issueCertificates(p: Principal | null | undefined, offeringId: string, userIds?: string[]) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.offeringExists(offeringId, owner))) throw notFound(OFFERING);
        const rows = await repo.enrolments(offeringId);
        const attended = new Set(rows.filter((e) => e.attended).map((e) => e.user_id));
        const who = userIds ?? rows.filter((e) => e.attended && !e.certificate_no).map((e) => e.user_id);
        const absent = who.flatMap((u, i) => (attended.has(u) ? [] : [i]));
        if (userIds && absent.length)
          throw validationError(
            absent.map((i) => ({
              field: `userIds[${i}]`,
              rule: 'attended',
              message: {
                zh: '该人员未签到，不能颁发证书',
                en: 'this person is not marked present: no certificate can be issued',
              },
              value: who[i],
            })),
          );
        const n = await repo.issueCertificates(offeringId, who, clock.now());
        if (n > 0)
          await deps.audit.append(trx, actorOf(p), [
            { action: 'enrolment.certify', entity: 'pk_offering', entityId: offeringId, after: { userIds: who, issued: n } },
          ]);
        return { issued: n, enrolments: (await repo.enrolments(offeringId)).map(rosterView) };
      });
    },

    /** The caller's own enrolments, with attendance and certificate numbers. */
    async myEnrolments(p: Principal | null | undefined) {
      requirePermission(p, 'parks.apply');
      if (!p.userId) return { items: [] };
      return {
        items: (await createParksRepository(db).enrolmentsOf(p.userId)).map((e) => ({
          offeringId: e.offering_id,
          kind: e.kind,
          title: e.title,
          titleEn: e.title_en,
          startsAt: e.starts_at.toISOString(),
          endsAt: e.ends_at.toISOString(),
          place: e.place,
          enrolledAt: e.enrolled_at.toISOString(),
          attended: e.attended,
          certificateNo: e.certificate_no,
          certificateIssuedAt: iso(e.certificate_issued_at),
        })),
      };
    },

    /**
     * A certificate as PDF: the participant's own (no userId), or anyone's on the roster for the
     * organiser. No certificate issued (or not enrolled) answers 404.
     */
    async certificate(p: Principal | null | undefined, offeringId: string, userId?: string) {
      if (userId) requirePermission(p, 'parks.manage');
      else requirePermission(p, 'parks.apply');
      const who = userId ?? p.userId;
      const CERT = { zh: '证书', en: 'certificate' };
      if (!who) throw notFound(CERT);
      const repo = createParksRepository(db);
      // the organiser prints certificates of its own courses only; a participant its own of any
      const [offering, e] = await Promise.all([
        repo.offering(offeringId, userId ? parksOwnerOf(p) : 'any'),
        repo.enrolment(offeringId, who),
      ]);
      if (!offering || !e?.certificate_no) throw notFound(CERT);
      const pdf = await certificatePdf({
        certificateNo: e.certificate_no,
        participant: e.participant_name ?? e.participant_username ?? who,
        organisation: e.org_name,
        kind: offering.kind,
        title: offering.title,
        titleEn: offering.title_en,
        startsAt: offering.starts_at,
        endsAt: offering.ends_at,
        place: offering.place,
        issuedAt: e.certificate_issued_at ?? clock.now(),
      });
      return { certificateNo: e.certificate_no, pdf };
    },
  };
}

export type OfferingService = ReturnType<typeof createOfferingService>;
