import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { actorOf, isAdmin, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { certificatePdf } from './parks.certificate.ts';
import { applicationsWorkbook, rosterWorkbook } from './parks.export.ts';
import {
  createParksRepository,
  type ApplicationRow,
  type EnrolmentRow,
  type ListedApplicationRow,
  type OfferingRow,
  type Owner,
  type ParkRow,
  type ProgrammeRow,
} from './parks.repository.ts';
import { checkEligibility, checkRules, type EligibilityRule, type Figures, type RuleProblem } from './rules/eligibility.rules.ts';
import { checkCriteria, criteriaOf, scoreAgainst, type ScoreProblem } from './rules/scoring.rules.ts';

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
  // public (the catalogue): whether it takes enrolments; when it was closed is in the audit log
  status: o.status,
});
const parkView = (p: ParkRow) => ({
  id: p.id,
  name: p.name,
  nameEn: p.name_en,
  region: p.region,
  kind: p.kind,
  address: p.address,
  status: p.status,
  closedAt: iso(p.closed_at),
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
  scores: a.scores ?? null,
  /** the reviewer's reason for the decision */
  note: a.note,
  createdAt: a.created_at.toISOString(),
  decidedAt: iso(a.decided_at),
});
const PROGRAMME = { zh: '扶持项目', en: 'programme' };
const asProblems = (ps: (ScoreProblem | RuleProblem)[]) =>
  ps.map((x) => ({
    field: x.field,
    rule: x.rule,
    message: { zh: x.zh, en: x.en },
    ...('value' in x && x.value !== undefined ? { value: x.value } : {}),
  }));
const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
/** A programme's editable fields as the admin page and an update answer them. */
const programmeView = (x: ProgrammeRow) => ({
  id: x.id,
  name: x.name,
  category: x.category,
  rules: rulesOf(x.rules),
  opensOn: day(x.opens_on),
  closesOn: day(x.closes_on),
  status: x.status,
  closedAt: iso(x.closed_at),
});
/** Stored rules as {metric, op, value} in that order (jsonb keeps its own key order). */
const rulesOf = (v: unknown): EligibilityRule[] =>
  (Array.isArray(v) ? (v as EligibilityRule[]) : []).map((r) => ({ metric: r.metric, op: r.op, value: r.value }));
const sameRules = (a: unknown, b: unknown) => JSON.stringify(rulesOf(a)) === JSON.stringify(rulesOf(b));
/** An application window whose end is before its start names closesOn. */
function checkWindow(opensOn: string, closesOn: string): void {
  if (closesOn < opensOn)
    throw validationError([
      {
        field: 'closesOn',
        rule: 'after',
        message: {
          zh: `申报截止日（${closesOn}）不能早于开始日（${opensOn}）`,
          en: `closesOn (${closesOn}) must not be before opensOn (${opensOn})`,
        },
        value: closesOn,
      },
    ]);
}
/** The rules as sent, checked field by field; stored as {metric, op, value} only. */
function validRules(input: readonly unknown[]): EligibilityRule[] {
  const { rules, problems } = checkRules(input);
  if (problems.length) throw validationError(asProblems(problems));
  return rules;
}
/** A roster line: who enrolled (names as taken at enrolment), attendance and certificate. */
const rosterView = (e: EnrolmentRow) => ({
  userId: e.user_id,
  name: e.participant_name ?? e.participant_username ?? e.user_id,
  username: e.participant_username,
  orgName: e.org_name,
  enrolledAt: e.enrolled_at.toISOString(),
  attended: e.attended,
  certificateNo: e.certificate_no,
  certificateIssuedAt: iso(e.certificate_issued_at),
});
const PARK = { zh: '园区', en: 'park' };
const OFFERING = { zh: '课程或活动', en: 'course or event' };

const CST_MS = 8 * 3_600_000;
/** A time as the organisers mean it: China Standard Time, YYYY-MM-DD HH:mm. */
const cstTime = (d: Date): string => new Date(d.getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ');

/**
 * What is closed stays as it was closed (migration 005): an edit, a second close, a new member,
 * an enrolment or an application refuse it, saying what and since when.
 */
function refuseClosed(what: Bilingual, closedAt: Date | null, refused: Bilingual, field = 'status'): never {
  const when = closedAt
    ? { zh: `已于 ${cstTime(closedAt)}（北京时间）关闭`, en: `was closed at ${cstTime(closedAt)} (China Standard Time)` }
    : { zh: '已关闭', en: 'was closed' };
  throw new DomainError(
    'parks.invalid_state',
    { zh: `该${what.zh}${when.zh}，${refused.zh}`, en: `the ${what.en} ${when.en}: ${refused.en}` },
    { field, rule: 'open', closedAt: iso(closedAt) },
  );
}
const READ_ONLY = { zh: '不能再修改或关闭', en: 'it can no longer be changed or closed' };
const NO_ENROLMENT = { zh: '不再接受报名', en: 'it takes no enrolment' };
const NO_APPLICATION = { zh: '不再受理申报', en: 'it accepts no application' };

/**
 * Enrolment closes when a course or event starts (报名截止于开始时间): no one enrols in, or
 * withdraws from, one that has started or ended.
 */
function refuseOnceStarted(o: OfferingRow, now: Date, what: 'enrol' | 'withdraw'): void {
  if (now < o.starts_at) return;
  const ended = now >= o.ends_at;
  const when = ended ? `${cstTime(o.ends_at)} 结束` : `${cstTime(o.starts_at)} 开始`;
  const whenEn = ended ? `ended at ${cstTime(o.ends_at)}` : `started at ${cstTime(o.starts_at)}`;
  throw new DomainError(
    'parks.invalid_state',
    what === 'enrol'
      ? {
          zh: `报名已截止：该课程或活动已于 ${when}（北京时间），开始后不能报名`,
          en: `enrolment is closed: the course or event ${whenEn} (China Standard Time); no one can enrol once it has started`,
        }
      : {
          zh: `不能取消报名：该课程或活动已于 ${when}（北京时间），开始后不能取消报名`,
          en: `the enrolment cannot be withdrawn: the course or event ${whenEn} (China Standard Time); no withdrawal once it has started`,
        },
    { field: 'offeringId', rule: 'notStarted', startsAt: o.starts_at.toISOString(), endsAt: o.ends_at.toISOString() },
  );
}

/**
 * Whose parks, courses, events and programmes a manager (parks.manage) reads and changes: the
 * platform operator all of them, a commerce department those its own organisation owns (created).
 * Another department's answer as missing (404), as a row that is not there.
 */
export function parksOwnerOf(p: Principal): Owner {
  if (isAdmin(p)) return undefined;
  if (!p.organisation) throw forbidden();
  return p.organisation.id;
}

/** The organisation that will own what a manager creates: its own (the operator's, for the operator). */
function creatorOf(p: Principal): string {
  if (!p.organisation) throw forbidden();
  return p.organisation.id;
}

export function createParksService(deps: ParksServiceDeps) {
  const { db, clock } = deps;

  /** Enterprises by customs code or USCC; an unknown code or a non-enterprise refuses them all. */
  async function enterprisesByCodes(field: string, codes: string[]): Promise<{ id: string; code: string | null }[]> {
    const orgs = await organisationDirectory(db).byCodes(codes);
    const of = (c: string) => orgs.find((o) => o.customs_code === c || o.uscc === c);
    const unknown = codes.filter((c) => !of(c));
    if (unknown.length)
      throw validationError([
        {
          field,
          rule: 'exists',
          message: { zh: `企业不存在：${unknown.join('、')}`, en: `unknown enterprises: ${unknown.join(', ')}` },
        },
      ]);
    const others = codes.filter((c) => of(c)!.kind !== 'enterprise');
    if (others.length)
      throw validationError([
        {
          field,
          rule: 'enterprise',
          message: {
            zh: `只有企业可以入驻园区：${others.join('、')}`,
            en: `only enterprises can be park members: ${others.join(', ')}`,
          },
        },
      ]);
    return orgs.filter((o) => o.kind === 'enterprise').map((o) => ({ id: o.id, code: o.customs_code ?? o.uscc }));
  }

  /** Member rows with the enterprises' current names: one directory lookup by code. */
  async function memberViews(rows: { org_id: string; org_code: string | null; joined_at: Date }[]) {
    const dir = organisationDirectory(db);
    const byCode = await dir.byCodes(rows.flatMap((r) => (r.org_code ? [r.org_code] : [])));
    // rows from before codes were kept (migration 002) are looked up one by one
    const legacy = await Promise.all(rows.filter((r) => !r.org_code).map((r) => dir.byId(r.org_id)));
    const byId = new Map([...byCode, ...legacy.filter((o) => o !== undefined)].map((o) => [o.id, o]));
    return rows.map((r) => {
      const o = byId.get(r.org_id);
      return {
        orgId: r.org_id,
        code: r.org_code ?? o?.customs_code ?? o?.uscc ?? null,
        name: o?.name ?? null,
        joinedAt: r.joined_at.toISOString(),
      };
    });
  }

  /**
   * What an application by the caller's enterprise to a programme carries, as of now: its platform
   * figures and the eligibility check; whether the programme is open today and whether it applied.
   */
  async function assess(p: Principal, programmeId: string) {
    const org = p.organisation;
    if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
    const repo = createParksRepository(db);
    // any published programme, whichever department owns it
    const prog = await repo.programme(programmeId, 'any');
    if (!prog) throw notFound(PROGRAMME);
    const today = clock.now().toISOString().slice(0, 10);
    const open = prog.status === 'open' && today >= day(prog.opens_on) && today <= day(prog.closes_on);
    const [figs, member, alreadyApplied] = await Promise.all([
      deps.figures.figuresOf({ id: org.id, code: org.code }),
      repo.isMember(org.id),
      repo.hasApplied(programmeId, org.id),
    ]);
    const figures: Figures = { ...figs, parkMember: member ? 1 : 0 };
    const eligibility = checkEligibility(rulesOf(prog.rules), figures);
    return { org: { id: org.id, code: org.code }, prog, open, alreadyApplied, figures, eligibility };
  }

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
      const owner = creatorOf(p);
      const id = randomUUID();
      const now = clock.now();
      const orgs = await enterprisesByCodes('memberCodes', input.memberCodes ?? []);
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
          owner_org_id: owner,
        });
        await repo.addMembers(id, orgs, now);
        await deps.audit.append(trx, actorOf(p), [{ action: 'park.create', entity: 'pk_park', entityId: id, after: input }]);
      });
      return { id };
    },

    /** Corrects a park's name, region, kind or address (null clears the English name or the address). */
    async updatePark(
      p: Principal | null | undefined,
      parkId: string,
      input: {
        name?: string;
        nameEn?: string | null;
        region?: string;
        kind?: 'park' | 'distribution_centre';
        address?: string | null;
      },
    ) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const before = await repo.lockParkRow(parkId, owner);
        if (!before) throw notFound(PARK);
        if (before.status === 'closed') refuseClosed(PARK, before.closed_at, READ_ONLY);
        const after = await repo.updatePark(parkId, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.nameEn !== undefined ? { name_en: input.nameEn || null } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
          ...(input.kind !== undefined ? { kind: input.kind } : {}),
          ...(input.address !== undefined ? { address: input.address || null } : {}),
        });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.update', entity: 'pk_park', entityId: parkId, before: parkView(before), after: parkView(after) },
        ]);
        return parkView(after);
      });
    },

    /**
     * Closes a park (archived, not deleted): its members stay listed, it takes no new ones, and
     * none of them counts as a park member in an application from then on.
     */
    async closePark(p: Principal | null | undefined, parkId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const before = await repo.lockParkRow(parkId, owner);
        if (!before) throw notFound(PARK);
        if (before.status === 'closed') refuseClosed(PARK, before.closed_at, READ_ONLY);
        const after = await repo.updatePark(parkId, { status: 'closed', closed_at: clock.now() });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.close', entity: 'pk_park', entityId: parkId, before: parkView(before), after: parkView(after) },
        ]);
        return parkView(after);
      });
    },

    /** A park's member enterprises with their current names (never on the public pages). */
    async members(p: Principal | null | undefined, parkId: string) {
      requirePermission(p, 'parks.manage');
      const repo = createParksRepository(db);
      if (!(await repo.parkExists(parkId, parksOwnerOf(p)))) throw notFound(PARK);
      return { items: await memberViews(await repo.members(parkId)) };
    },
    /** Enterprises join a park after it was registered (入驻); those already in keep their date. */
    async addMembers(p: Principal | null | undefined, parkId: string, codes: string[]) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      // the park first: a caller naming no park of its own learns nothing about the codes
      if (!(await createParksRepository(db).parkExists(parkId, owner))) throw notFound(PARK);
      if (codes.length === 0)
        throw validationError([
          {
            field: 'codes',
            rule: 'minItems',
            message: { zh: '请填写至少一个企业代码', en: 'name at least one enterprise code' },
          },
        ]);
      const orgs = await enterprisesByCodes('codes', codes);
      const added = await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const park = await repo.lockParkRow(parkId, owner);
        if (!park) throw notFound(PARK);
        if (park.status === 'closed')
          refuseClosed(PARK, park.closed_at, { zh: '不能再有企业入驻', en: 'no enterprise can join it' }, 'codes');
        const n = await repo.addMembers(parkId, orgs, clock.now());
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.members.add', entity: 'pk_park', entityId: parkId, after: { codes, added: n } },
        ]);
        return n;
      });
      return { added, items: await memberViews(await createParksRepository(db).members(parkId)) };
    },
    async removeMember(p: Principal | null | undefined, parkId: string, orgId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.lockPark(parkId, owner))) throw notFound(PARK);
        if (!(await repo.removeMember(parkId, orgId))) throw notFound({ zh: '园区入驻企业', en: 'park member' });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.members.remove', entity: 'pk_park', entityId: parkId, before: { orgId } },
        ]);
      });
      return { items: await memberViews(await createParksRepository(db).members(parkId)) };
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
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        // locked: an enrolment taking a seat waits, so the capacity is checked against the seats taken
        const before = await repo.offering(offeringId, owner, 'update');
        if (!before) throw notFound(OFFERING);
        if (before.status === 'closed') refuseClosed(OFFERING, before.closed_at, READ_ONLY);
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
        const after = await repo.updateOffering(offeringId, {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.titleEn !== undefined ? { title_en: input.titleEn || null } : {}),
          ...(input.startsAt !== undefined ? { starts_at: startsAt } : {}),
          ...(input.endsAt !== undefined ? { ends_at: endsAt } : {}),
          ...(input.place !== undefined ? { place: input.place } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
        });
        await deps.audit.append(trx, actorOf(p), [
          {
            action: `${before.kind}.update`,
            entity: 'pk_offering',
            entityId: offeringId,
            before: offeringView(before),
            after: offeringView(after),
          },
        ]);
        return offeringView(after);
      });
    },

    /**
     * Closes (cancels or archives) a course or event: it takes no enrolment from then on; the roster,
     * attendance and certificates stay.
     */
    async closeOffering(p: Principal | null | undefined, offeringId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const before = await repo.offering(offeringId, owner, 'update');
        if (!before) throw notFound(OFFERING);
        if (before.status === 'closed') refuseClosed(OFFERING, before.closed_at, READ_ONLY);
        const after = await repo.updateOffering(offeringId, { status: 'closed', closed_at: clock.now() });
        await deps.audit.append(trx, actorOf(p), [
          {
            action: `${before.kind}.close`,
            entity: 'pk_offering',
            entityId: offeringId,
            before: offeringView(before),
            after: offeringView(after),
          },
        ]);
        return offeringView(after);
      });
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

    async programmes() {
      return (await createParksRepository(db).programmes()).map((x) => ({
        id: x.id,
        name: x.name,
        category: x.category,
        rules: rulesOf(x.rules),
        opensOn: day(x.opens_on),
        closesOn: day(x.closes_on),
        status: x.status,
      }));
    },
    async createProgramme(
      p: Principal | null | undefined,
      input: {
        name: string;
        category: 'park' | 'training' | 'overseas_service' | 'new_model';
        rules: unknown[];
        /** scoring criteria; none: the standard rubric */
        criteria?: unknown[];
        opensOn: string;
        closesOn: string;
      },
    ) {
      requirePermission(p, 'parks.manage');
      const owner = creatorOf(p);
      const { criteria, problems } = checkCriteria(input.criteria ?? []);
      if (problems.length) throw validationError(asProblems(problems));
      const rules = validRules(input.rules);
      checkWindow(input.opensOn, input.closesOn);
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await createParksRepository(trx).insertProgramme({
          id,
          name: input.name,
          category: input.category,
          rules: JSON.stringify(rules),
          criteria: criteria.length ? JSON.stringify(criteria) : null,
          opens_on: input.opensOn,
          closes_on: input.closesOn,
          created_at: clock.now(),
          owner_org_id: owner,
        });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'programme.create', entity: 'pk_programme', entityId: id, after: { ...input, rules } },
        ]);
      });
      return { id };
    },

    /**
     * Edits a programme's name, category, application window or eligibility rules. The rules are
     * fixed once an enterprise applied: its application was checked against them.
     */
    async updateProgramme(
      p: Principal | null | undefined,
      programmeId: string,
      input: {
        name?: string;
        category?: ProgrammeRow['category'];
        rules?: unknown[];
        opensOn?: string;
        closesOn?: string;
      },
    ) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        // locked: an application checking against the rules (a shared lock) waits, or this waits for it
        const before = await repo.programme(programmeId, owner, 'update');
        if (!before) throw notFound(PROGRAMME);
        if (before.status === 'closed') refuseClosed(PROGRAMME, before.closed_at, READ_ONLY);
        const rules = input.rules !== undefined ? validRules(input.rules) : undefined;
        checkWindow(input.opensOn ?? day(before.opens_on), input.closesOn ?? day(before.closes_on));
        if (rules && !sameRules(rules, before.rules)) {
          const applied = await repo.applicationCount(programmeId);
          if (applied > 0)
            throw new DomainError(
              'parks.invalid_state',
              {
                zh: `该项目已有 ${applied} 份申报按现行资格规则审核，资格规则不能再修改`,
                en: `${applied} application(s) were checked against this programme's eligibility rules: the rules can no longer change`,
              },
              { field: 'rules', rule: 'noApplications', applications: applied },
            );
        }
        const after = await repo.updateProgramme(programmeId, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.category !== undefined ? { category: input.category } : {}),
          ...(rules !== undefined ? { rules: JSON.stringify(rules) } : {}),
          ...(input.opensOn !== undefined ? { opens_on: input.opensOn } : {}),
          ...(input.closesOn !== undefined ? { closes_on: input.closesOn } : {}),
        });
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'programme.update',
            entity: 'pk_programme',
            entityId: programmeId,
            before: programmeView(before),
            after: programmeView(after),
          },
        ]);
        return programmeView(after);
      });
    },

    /**
     * Closes a programme (archived, not deleted): it accepts no application from then on; those
     * made stay, and are reviewed and decided as before.
     */
    async closeProgramme(p: Principal | null | undefined, programmeId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const before = await repo.programme(programmeId, owner, 'update');
        if (!before) throw notFound(PROGRAMME);
        if (before.status === 'closed') refuseClosed(PROGRAMME, before.closed_at, READ_ONLY);
        const after = await repo.updateProgramme(programmeId, { status: 'closed', closed_at: clock.now() });
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'programme.close',
            entity: 'pk_programme',
            entityId: programmeId,
            before: programmeView(before),
            after: programmeView(after),
          },
        ]);
        return programmeView(after);
      });
    },

    /**
     * Programmes for the commerce department's admin page: with their scoring criteria (the
     * standard rubric where none were set) and how many applications wait or were decided; once
     * one was decided the criteria are fixed.
     */
    async programmesAdmin(p: Principal | null | undefined) {
      requirePermission(p, 'parks.manage');
      return (await createParksRepository(db).programmesWithCounts(parksOwnerOf(p))).map((x) => ({
        id: x.id,
        name: x.name,
        category: x.category,
        rules: rulesOf(x.rules),
        opensOn: day(x.opens_on),
        closesOn: day(x.closes_on),
        criteria: criteriaOf(x.criteria),
        standardCriteria: !Array.isArray(x.criteria) || x.criteria.length === 0,
        applications: { submitted: x.submitted, decided: x.decided },
        criteriaLocked: x.decided > 0,
        /** an enterprise applied: the eligibility rules are fixed */
        rulesLocked: x.submitted + x.decided > 0,
        ownerOrgId: x.owner_org_id,
        status: x.status,
        closedAt: iso(x.closed_at),
      }));
    },

    /**
     * Replaces a programme's scoring criteria (none: the standard rubric). Refused once an
     * application was decided: its points were given against the criteria it was scored by.
     */
    async setCriteria(p: Principal | null | undefined, programmeId: string, input: unknown[]) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      const { criteria, problems } = checkCriteria(input);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        // locked: a decision scoring against these criteria waits, or this waits for it
        const prog = await repo.programme(programmeId, owner, 'update');
        if (!prog) throw notFound(PROGRAMME);
        if (problems.length) throw validationError(asProblems(problems));
        const decided = await repo.decidedApplications(programmeId);
        if (decided > 0)
          throw new DomainError(
            'parks.invalid_state',
            {
              zh: `该项目已有 ${decided} 份申报完成评审，评分项不能再修改`,
              en: `${decided} application(s) to this programme were decided: its criteria can no longer change`,
            },
            { field: 'criteria', rule: 'undecided', decided },
          );
        const before = criteriaOf(prog.criteria);
        await repo.setCriteria(programmeId, criteria.length ? criteria : null);
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'programme.criteria',
            entity: 'pk_programme',
            entityId: programmeId,
            before: { criteria: before, standard: !Array.isArray(prog.criteria) || prog.criteria.length === 0 },
            after: { criteria: criteriaOf(criteria), standard: criteria.length === 0 },
          },
        ]);
        return { id: programmeId, criteria: criteriaOf(criteria), standardCriteria: criteria.length === 0 };
      });
    },

    /**
     * Dry run of an application (申报预览): the platform figures that would be attached now, the
     * eligibility check against the programme's rules, whether the programme is open and whether
     * the enterprise applied already. Nothing is stored.
     */
    async previewApplication(p: Principal | null | undefined, programmeId: string) {
      requirePermission(p, 'parks.apply');
      const a = await assess(p, programmeId);
      return {
        programme: {
          id: a.prog.id,
          name: a.prog.name,
          category: a.prog.category,
          opensOn: day(a.prog.opens_on),
          closesOn: day(a.prog.closes_on),
          status: a.prog.status,
        },
        open: a.open,
        alreadyApplied: a.alreadyApplied,
        figures: a.figures,
        eligibility: a.eligibility,
        canApply: a.open && !a.alreadyApplied && a.eligibility.eligible,
      };
    },

    /** An enterprise applies; its platform figures and the eligibility check are attached then. */
    async apply(p: Principal | null | undefined, programmeId: string, statement: string) {
      requirePermission(p, 'parks.apply');
      const { org, prog, open, figures, eligibility } = await assess(p, programmeId);
      if (prog.status === 'closed') refuseClosed(PROGRAMME, prog.closed_at, NO_APPLICATION, 'programmeId');
      if (!open)
        throw new DomainError('parks.invalid_state', { zh: '不在申报期内', en: 'the programme is not open for applications' });
      const text = statement.trim();
      if (!text)
        throw validationError([
          {
            field: 'statement',
            rule: 'required',
            message: { zh: '请填写申报说明', en: 'the statement must not be blank' },
          },
        ]);
      const row: ApplicationRow = {
        id: randomUUID(),
        programme_id: programmeId,
        org_id: org.id,
        org_code: org.code,
        statement: text,
        figures,
        eligibility,
        status: 'submitted',
        score: null,
        scores: null,
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
        const repo = createParksRepository(trx);
        // shared lock: a close or a change of rules waits for this application, or this sees it
        const now = await repo.programme(programmeId, 'any', 'share');
        if (!now) throw notFound(PROGRAMME);
        if (now.status === 'closed') refuseClosed(PROGRAMME, now.closed_at, NO_APPLICATION, 'programmeId');
        if (!sameRules(now.rules, prog.rules))
          throw new DomainError(
            'parks.conflict',
            {
              zh: '资格规则刚刚修改，请重新预览后再申报',
              en: "the programme's eligibility rules just changed: preview the application again",
            },
            { field: 'rules', rule: 'unchanged' },
          );
        if (!(await repo.insertApplication(row)))
          throw new DomainError('parks.duplicate', { zh: '已申报过该项目', en: 'already applied to this programme' });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'application.submit', entity: 'pk_application', entityId: row.id, after: appView(row) },
        ]);
      });
      return appView(row);
    },

    /**
     * Applications with their programme and scoring criteria: a commerce department those to its
     * own programmes (the operator all), with the applicants' names; an enterprise its own with the
     * decision and its reason.
     */
    async applications(p: Principal | null | undefined, programmeId?: string, status?: ApplicationRow['status']) {
      const isReviewer = !!p?.permissions.has('parks.manage');
      requirePermission(p, isReviewer ? 'parks.manage' : 'parks.apply');
      const owner = isReviewer ? parksOwnerOf(p) : undefined;
      const rows = await createParksRepository(db).applications({
        ...(isReviewer ? (owner !== undefined ? { programmeOwner: owner } : {}) : { orgId: p.organisation?.id ?? '' }),
        ...(programmeId ? { programmeId } : {}),
        ...(status ? { status } : {}),
      });
      const names = new Map<string, string>();
      for (const o of await organisationDirectory(db).byCodes([...new Set(rows.map((r) => r.org_code))]))
        for (const c of [o.customs_code, o.uscc]) if (c) names.set(c, o.name);
      return rows.map((r: ListedApplicationRow) => ({
        ...appView(r),
        orgName: names.get(r.org_code) ?? null,
        programmeName: r.programme_name,
        criteria: criteriaOf(r.programme_criteria),
      }));
    },

    /**
     * The review list as an Excel workbook: the same applications (same filters, same scope: a
     * department those to its own programmes) with the figures attached and the decision.
     */
    async exportApplications(
      p: Principal | null | undefined,
      q: { programmeId?: string; status?: ApplicationRow['status']; lang?: 'zh' | 'en' },
    ): Promise<Buffer> {
      requirePermission(p, 'parks.manage');
      const rows = await this.applications(p, q.programmeId, q.status);
      const lang = q.lang ?? 'zh';
      const status = q.status ? ` · ${q.status}` : '';
      const caption =
        (lang === 'en' ? 'Support applications' : '扶持资金申报') +
        (q.programmeId ? ` · ${rows[0]?.programmeName ?? q.programmeId}` : '') +
        status +
        ` · ${cstTime(clock.now())}`;
      return applicationsWorkbook(rows, lang, caption);
    },

    /** A course's or event's roster as an Excel workbook, for its organiser (another's: 404). */
    async exportRoster(p: Principal | null | undefined, offeringId: string, lang: 'zh' | 'en' = 'zh'): Promise<Buffer> {
      requirePermission(p, 'parks.manage');
      return rosterWorkbook(await this.roster(p, offeringId), lang);
    },

    /**
     * The commerce department scores and decides (approve / reject). Scores are given per criterion
     * of the programme (the total is their sum) or, for a programme reviewed as a whole, as one
     * score; a rejection states its reason, which the enterprise reads.
     */
    async decide(
      p: Principal | null | undefined,
      id: string,
      input: { decision: 'approve' | 'reject'; score?: number; scores?: Record<string, number>; note?: string },
    ) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        // only applications to the department's own programmes: another's answer as missing
        const row = await repo.lockApplication(id, owner);
        if (!row) throw notFound({ zh: '申报', en: 'application' });
        if (row.status !== 'submitted')
          throw new DomainError(
            'parks.invalid_state',
            { zh: '该申报已有决定', en: 'the application is already decided' },
            { state: row.status },
          );
        const problems: { field: string; rule: string; message: { zh: string; en: string } }[] = [];
        let score = input.score;
        if (input.scores) {
          // shared lock: criteria cannot change under a decision being scored against them
          const prog = await repo.programme(row.programme_id, 'any', 'share');
          const r = scoreAgainst(criteriaOf(prog?.criteria), input.scores);
          problems.push(...asProblems(r.problems));
          if (!r.problems.length && score !== undefined && score !== r.total)
            problems.push({
              field: 'score',
              rule: 'sum',
              message: {
                zh: `总分应为各项得分按权重折算之和（${r.total}）`,
                en: `the score must be the weighted sum of the criteria (${r.total})`,
              },
            });
          score = r.total;
        } else if (score === undefined)
          problems.push({
            field: 'scores',
            rule: 'required',
            message: { zh: '请按评分项打分', en: 'score the application by its criteria' },
          });
        const note = input.note?.trim() || null;
        if (input.decision === 'reject' && !note)
          problems.push({
            field: 'note',
            rule: 'required',
            message: { zh: '驳回须说明理由', en: 'a rejection needs a reason' },
          });
        if (problems.length) throw validationError(problems);
        const updated = await repo.updateApplication(id, {
          status: input.decision === 'approve' ? 'approved' : 'rejected',
          score: score!,
          scores: input.scores ?? null,
          note,
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
