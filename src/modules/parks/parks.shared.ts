import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, type Bilingual } from '../../kernel/errors.ts';
import { actorOf, isAdmin, type Principal } from '../identity/index.ts';
import {
  createParksRepository,
  type ApplicationRow,
  type EnrolmentRow,
  type OfferingRow,
  type Owner,
  type ParkRow,
  type ProgrammeRow,
  type Status,
} from './parks.repository.ts';
import { day, rulesOf } from './rules/programme.rules.ts';

/** What the parks, offering and programme services are built from. */
export interface ParksServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export type ParksRepository = ReturnType<typeof createParksRepository>;

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

const CST_MS = 8 * 3_600_000;
/** A time as the organisers mean it: China Standard Time, YYYY-MM-DD HH:mm. */
export const cstTime = (d: Date): string => new Date(d.getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ');

export const PARK = { zh: '园区', en: 'park' };
export const OFFERING = { zh: '课程或活动', en: 'course or event' };
export const PROGRAMME = { zh: '扶持项目', en: 'programme' };
export const READ_ONLY = { zh: '不能再修改或关闭', en: 'it can no longer be changed or closed' };

export const parkView = (p: ParkRow) => ({
  id: p.id,
  name: p.name,
  nameEn: p.name_en,
  region: p.region,
  kind: p.kind,
  address: p.address,
  status: p.status,
  closedAt: iso(p.closed_at),
});
export const offeringView = (o: OfferingRow) => ({
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
/** A roster line: who enrolled (names as taken at enrolment), attendance and certificate. */
export const rosterView = (e: EnrolmentRow) => ({
  userId: e.user_id,
  name: e.participant_name ?? e.participant_username ?? e.user_id,
  username: e.participant_username,
  orgName: e.org_name,
  enrolledAt: e.enrolled_at.toISOString(),
  attended: e.attended,
  certificateNo: e.certificate_no,
  certificateIssuedAt: iso(e.certificate_issued_at),
});
/** A programme's editable fields as the admin page and an update answer them (listed with counts, too). */
export const programmeView = (
  x: Pick<ProgrammeRow, 'id' | 'name' | 'rules' | 'opens_on' | 'closes_on' | 'status' | 'closed_at'> & { category: string },
) => ({
  id: x.id,
  name: x.name,
  category: x.category,
  rules: rulesOf(x.rules),
  opensOn: day(x.opens_on),
  closesOn: day(x.closes_on),
  status: x.status,
  closedAt: iso(x.closed_at),
});
export const appView = (a: ApplicationRow) => ({
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

/**
 * What is closed stays as it was closed (migration 005): an edit, a second close, a new member,
 * an enrolment or an application refuse it, saying what and since when.
 */
export function refuseClosed(what: Bilingual, closedAt: Date | null, refused: Bilingual, field = 'status'): never {
  const when = closedAt
    ? { zh: `已于 ${cstTime(closedAt)}（北京时间）关闭`, en: `was closed at ${cstTime(closedAt)} (China Standard Time)` }
    : { zh: '已关闭', en: 'was closed' };
  throw new DomainError(
    'parks.invalid_state',
    { zh: `该${what.zh}${when.zh}，${refused.zh}`, en: `the ${what.en} ${when.en}: ${refused.en}` },
    { field, rule: 'open', closedAt: iso(closedAt) },
  );
}

/**
 * Enrolment closes when a course or event starts (报名截止于开始时间): no one enrols in, or
 * withdraws from, one that has started or ended.
 */
export function refuseOnceStarted(o: OfferingRow, now: Date, what: 'enrol' | 'withdraw'): void {
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
export function creatorOf(p: Principal): string {
  if (!p.organisation) throw forbidden();
  return p.organisation.id;
}

/** A park, a course or event, or a programme as a manager edits or closes it. */
export interface OwnedKind<Row extends { status: Status; closed_at: Date | null }, View> {
  /** named in the 404 and in the refusal once closed */
  what: Bilingual;
  entity: string;
  /** the row if the owner's, locked: enrolments, applications and member changes wait for the change */
  lock: (repo: ParksRepository, id: string, owner: Owner) => Promise<Row | undefined>;
  view: (row: Row) => View;
  action: (verb: 'update' | 'close', before: Row) => string;
  /** archives the row (closed, never deleted) */
  close: (repo: ParksRepository, id: string, at: Date) => Promise<Row>;
}

/**
 * An edit or a close of the caller's own park, course or event, or programme, in one transaction:
 * the row locked in the caller's scope (another department's answers 404), refused once closed,
 * changed by `apply` (which may refuse too), audited with its views before and after.
 */
export async function changeOwned<Row extends { status: Status; closed_at: Date | null }, View>(
  deps: ParksServiceDeps,
  p: Principal,
  kind: OwnedKind<Row, View>,
  id: string,
  verb: 'update' | 'close',
  apply: (repo: ParksRepository, before: Row) => Promise<Row>,
): Promise<View> {
  const owner = parksOwnerOf(p);
  return deps.db.transaction().execute(async (trx) => {
    const repo = createParksRepository(trx);
    const before = await kind.lock(repo, id, owner);
    if (!before) throw notFound(kind.what);
    if (before.status === 'closed') refuseClosed(kind.what, before.closed_at, READ_ONLY);
    const after = await apply(repo, before);
    await deps.audit.append(trx, actorOf(p), [
      {
        action: kind.action(verb, before),
        entity: kind.entity,
        entityId: id,
        before: kind.view(before),
        after: kind.view(after),
      },
    ]);
    return kind.view(after);
  });
}

/** A close of the caller's own park, course or event, or programme: as `changeOwned`, stamped now. */
export function closeOwned<Row extends { status: Status; closed_at: Date | null }, View>(
  deps: ParksServiceDeps,
  p: Principal,
  kind: OwnedKind<Row, View>,
  id: string,
): Promise<View> {
  return changeOwned(deps, p, kind, id, 'close', (repo) => kind.close(repo, id, deps.clock.now()));
}
