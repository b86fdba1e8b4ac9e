import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit.ts';
import { SYSTEM_ACTOR } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { filingLookup } from '../filing/index.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type OrganisationProfile,
  type Principal,
} from '../identity/index.ts';
import { blacklistWorkbook, casesWorkbook, type ExportLang } from './credit.export.ts';
import { createCreditRepository, type CaseRow, type RatingRow } from './credit.repository.ts';
import { caseLifecycle, type CaseEvent, type CaseKind, type Severity } from './credit.states.ts';
import { codesOf, factorsOverCodes, type ExternalFactorCounts } from './rules/factors.rules.ts';
import { RATING_RULES, rateEnterprise, type CreditLevel, type RatingRules } from './rules/rating.rules.ts';

/**
 * The counts behind the factors other modules supply (inspection, summary declarations, forex), per
 * seller code as their documents name it, over the rating window from `since`; wired in
 * src/server/platform.ts. Credit asks with every code of each enterprise (customs code and USCC)
 * and adds the counts up per enterprise (rules/factors.rules.ts). A missing value means "no data":
 * no deduction.
 */
export interface ExternalFactorsPort {
  factors(exec: Executor, codes: string[], since: Date): Promise<Map<string, ExternalFactorCounts>>;
}

export interface CreditServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  rules?: RatingRules;
  external?: ExternalFactorsPort;
}

const CASE_LABEL = { zh: '信用案件', en: 'credit case' };
const ORG_LABEL = { zh: '企业', en: 'enterprise' };

export interface CaseView {
  id: string;
  kind: CaseKind;
  subjectOrgId: string;
  subjectCode: string;
  subjectName: string;
  status: string;
  source: string;
  summary: string;
  traceCode: string | null;
  severity: Severity | null;
  blacklist: boolean;
  decision: string | null;
  appealReason: string | null;
  createdAt: string;
  decidedAt: string | null;
  publishedAt: string | null;
  allowedEvents: string[];
}

const toCase = (r: CaseRow): CaseView => ({
  id: r.id,
  kind: r.kind,
  subjectOrgId: r.subject_org_id,
  subjectCode: r.subject_code,
  subjectName: r.subject_name,
  status: r.status,
  source: r.source,
  summary: r.summary,
  traceCode: r.trace_code,
  severity: r.severity,
  blacklist: r.blacklist,
  decision: r.decision,
  appealReason: r.appeal_reason,
  createdAt: r.created_at.toISOString(),
  decidedAt: r.decided_at?.toISOString() ?? null,
  publishedAt: r.published_at?.toISOString() ?? null,
  allowedEvents: caseLifecycle.eventsFrom(r.status),
});

const toRating = (r: RatingRow) => ({
  level: r.level,
  score: r.score,
  factors: r.factors,
  rulesVersion: r.rules_version,
  computedAt: r.computed_at.toISOString(),
});

/** An enterprise sees itself; an agency the enterprises of its jurisdiction; the operator all. */
function canSee(p: Principal, subject: { id: string; jurisdiction: string | null }): boolean {
  if (isAdmin(p)) return true;
  const org = p.organisation;
  if (!org) return false;
  if (org.kind === 'enterprise') return org.id === subject.id;
  const prefix = jurisdictionPrefix(org.jurisdiction);
  return prefix !== null && (subject.jurisdiction ?? '').startsWith(prefix);
}

/** Enterprises rated per transaction in a full recomputation: short transactions, bounded statements. */
const RECOMPUTE_CHUNK = 200;

export interface RecomputeResult {
  /** false: another process holds the run, or the last run is more recent than `dueAfterMs` */
  ran: boolean;
  runId: number | null;
  enterprises: number;
  /** ratings that differ from the current one and were stored */
  changed: number;
}

const sameRating = (a: Pick<RatingRow, 'level' | 'score' | 'rules_version' | 'factors'>, b: typeof a): boolean =>
  a.level === b.level &&
  a.score === b.score &&
  a.rules_version === b.rules_version &&
  JSON.stringify(a.factors.map((f) => [f.factor, f.value, f.points])) ===
    JSON.stringify(b.factors.map((f) => [f.factor, f.value, f.points]));

const isOfficer = (p: Principal): boolean => p.organisation?.kind === 'agency' || p.organisation?.kind === 'operator';

/** The enterprises an officer's lists cover: null every one (the operator, GACC), else its jurisdiction's. */
async function officerScope(exec: Executor, p: Principal): Promise<string[] | null> {
  const prefix = isAdmin(p) ? '' : jurisdictionPrefix(p.organisation?.jurisdiction ?? null);
  return prefix === '' ? null : prefix === null ? [] : organisationDirectory(exec).enterpriseIdsIn(prefix);
}

/** The current credit level per organisation (null: never rated) and whether it is blacklisted. */
export async function creditLevelOf(
  exec: Executor,
  orgIds: string[],
): Promise<Map<string, { level: CreditLevel | null; blacklisted: boolean }>> {
  const repo = createCreditRepository(exec);
  const ids = [...new Set(orgIds)];
  const [levels, black] = await Promise.all([repo.currentLevels(ids), repo.activeBlacklist(ids)]);
  const out = new Map(ids.map((id) => [id, { level: null as CreditLevel | null, blacklisted: false }]));
  for (const l of levels) out.get(l.org_id)!.level = l.level;
  for (const b of black) {
    const v = out.get(b.org_id)!;
    v.blacklisted = true;
    v.level = 'C';
  }
  return out;
}

export function createCreditService(deps: CreditServiceDeps) {
  const { db, clock } = deps;
  const rules = deps.rules ?? RATING_RULES;

  /** Rates these organisations (in the order given; unknown ids skipped): their profiles in one statement. */
  async function computeRatings(exec: Executor, orgIds: string[]): Promise<Map<string, RatingRow>> {
    const ids = [...new Set(orgIds)];
    const byId = new Map((await organisationDirectory(exec).byIds(ids)).map((o) => [o.id, o]));
    const orgs = ids.map((id) => byId.get(id)).filter((o): o is OrganisationProfile => o !== undefined);
    return (await rateProfiles(exec, orgs)).rows;
  }

  /**
   * Rates enterprises from their factors now and stores the ratings; `onlyChanged` stores a rating
   * only where it differs from the current one (a scheduled run keeps the history to changes).
   */
  async function rateProfiles(
    exec: Executor,
    profiles: readonly OrganisationProfile[],
    opts: { onlyChanged?: boolean } = {},
  ): Promise<{ rows: Map<string, RatingRow>; changed: number }> {
    const orgs = [...new Map(profiles.map((o) => [o.id, o])).values()].filter(
      (o) => o.kind === 'enterprise' && (o.customs_code || o.uscc),
    );
    if (orgs.length === 0) return { rows: new Map(), changed: 0 };
    const repo = createCreditRepository(exec);
    await repo.lockOrgs(orgs.map((o) => o.id));
    const now = clock.now();
    const since = new Date(now.getTime() - rules.windowDays * 86_400_000);
    // Every code of every enterprise: its documents and its filing may name it by either.
    const codes = [...new Set(orgs.flatMap(codesOf))];
    const [counts, filed, cases, black, ext] = await Promise.all([
      clearanceLookup(exec).enterpriseClearanceCounts(codes, since),
      filingLookup(exec).filedEnterprises(codes),
      repo.caseCounts(
        orgs.map((o) => o.id),
        since,
      ),
      repo.activeBlacklist(orgs.map((o) => o.id)),
      deps.external ? deps.external.factors(exec, codes, since) : Promise.resolve(null),
    ]);
    const byCode = new Map(counts.map((c) => [c.ebcCode, c]));
    const casesBy = new Map(cases.map((c) => [c.org_id, c]));
    const blackSet = new Set(black.map((b) => b.org_id));
    const rows: Omit<RatingRow, 'id'>[] = orgs.map((o) => {
      const r = rateEnterprise(
        {
          ...factorsOverCodes(codesOf(o), byCode, (c) => filed.has(c), ext),
          minorCases: casesBy.get(o.id)?.minor ?? 0,
          majorCases: casesBy.get(o.id)?.major ?? 0,
          blacklisted: blackSet.has(o.id),
        },
        rules,
      );
      return {
        org_id: o.id,
        code: (o.customs_code ?? o.uscc)!,
        level: r.level,
        score: r.score,
        factors: r.factors,
        rules_version: rules.version,
        computed_at: now,
      };
    });
    const current = opts.onlyChanged
      ? new Map((await repo.currentRatings(orgs.map((o) => o.id))).map((r) => [r.org_id, r]))
      : new Map<string, RatingRow>();
    const fresh = rows.filter((r) => {
      const cur = current.get(r.org_id);
      return !cur || !sameRating(cur, r);
    });
    await repo.insertRatings(fresh);
    return { rows: new Map(rows.map((r) => [r.org_id, { ...r, id: 0 }])), changed: fresh.length };
  }

  /**
   * Every enterprise ever rated or named in a case, and every seller that declared within the
   * rating window, rated again: factors move without a case (rejections, findings, forex), and
   * the risk engine reads the current level. `dueAfterMs`: only when the last run started at
   * least that long ago (the schedule); one run at a time across processes.
   */
  async function recomputeAll(opts: { kind: 'schedule' | 'cli'; dueAfterMs?: number }): Promise<RecomputeResult> {
    const skipped: RecomputeResult = { ran: false, runId: null, enterprises: 0, changed: 0 };
    const started = clock.now();
    const runId = await db.transaction().execute(async (trx) => {
      const repo = createCreditRepository(trx);
      if (!(await repo.tryLockRun())) return null;
      const last = await repo.lastRun();
      if (opts.dueAfterMs !== undefined && last && started.getTime() - last.started_at.getTime() < opts.dueAfterMs) return null;
      return repo.startRun(opts.kind, started);
    });
    if (runId === null) return skipped;
    const since = new Date(started.getTime() - rules.windowDays * 86_400_000);
    const codes = [
      ...new Set([...(await createCreditRepository(db).subjectCodes()), ...(await clearanceLookup(db).activeSellerCodes(since))]),
    ];
    const profiles = [...new Map((await organisationDirectory(db).byCodes(codes)).map((o) => [o.id, o])).values()].filter(
      (o) => o.kind === 'enterprise',
    );
    let enterprises = 0;
    let changed = 0;
    for (let i = 0; i < profiles.length; i += RECOMPUTE_CHUNK) {
      const r = await db
        .transaction()
        .execute((trx) => rateProfiles(trx, profiles.slice(i, i + RECOMPUTE_CHUNK), { onlyChanged: true }));
      enterprises += r.rows.size;
      changed += r.changed;
    }
    await db.transaction().execute(async (trx) => {
      await createCreditRepository(trx).finishRun(runId, clock.now(), enterprises, changed);
      await deps.audit.append(trx, SYSTEM_ACTOR, [
        {
          action: 'credit_rating.recompute_all',
          entity: 'cr_recompute_run',
          entityId: String(runId),
          after: { kind: opts.kind, enterprises, changed, rules: rules.version },
        },
      ]);
    });
    return { ran: true, runId, enterprises, changed };
  }

  /** The enterprise a case is about; an officer names only one of its jurisdiction (another answers as unknown). */
  async function subjectOf(exec: Executor, code: string, p: Principal | null = null) {
    const [o] = await organisationDirectory(exec).byCodes([code]);
    if (!o || o.kind !== 'enterprise' || (p && !canSee(p, o)))
      throw validationError([
        {
          field: 'subjectCode',
          rule: 'exists',
          message: { zh: '被举报企业不存在', en: 'no enterprise with this code' },
          value: code,
        },
      ]);
    return o;
  }

  async function newCase(
    p: Principal | null,
    input: { kind: CaseKind; subjectCode: string; summary: string; contact?: string; traceCode?: string },
  ): Promise<CaseView> {
    if (input.summary.trim().length < 5)
      throw validationError([
        {
          field: 'summary',
          rule: 'minLength',
          message: { zh: '请描述问题（至少 5 个字）', en: 'describe the problem (5 characters or more)' },
        },
      ]);
    return db.transaction().execute(async (trx) => {
      const subject = await subjectOf(trx, input.subjectCode, p);
      const now = clock.now();
      const row: CaseRow = {
        id: randomUUID(),
        kind: input.kind,
        subject_org_id: subject.id,
        subject_code: input.subjectCode,
        subject_name: subject.name,
        status: caseLifecycle.initial,
        source: p ? 'officer' : 'public',
        reporter_org_id: p?.organisation?.id ?? null,
        reporter_contact: input.contact ?? null,
        summary: input.summary.trim(),
        trace_code: input.traceCode ?? null,
        severity: null,
        blacklist: false,
        decision: null,
        appeal_reason: null,
        created_at: now,
        updated_at: now,
        decided_at: null,
        published_at: null,
      };
      const repo = createCreditRepository(trx);
      await repo.insertCase(row);
      await repo.addCaseEvent({
        case_id: row.id,
        event: 'report',
        from_status: null,
        to_status: row.status,
        actor_user_id: p?.userId ?? null,
        actor_org_id: p?.organisation?.id ?? null,
        note: null,
        at: now,
      });
      await deps.audit.append(trx, p ? actorOf(p) : SYSTEM_ACTOR, [
        { action: 'credit_case.report', entity: 'cr_case', entityId: row.id, after: toCase(row) },
      ]);
      return toCase(row);
    });
  }

  /** An enterprise sees the cases about itself, an officer those about enterprises of its jurisdiction. */
  async function seesCase(exec: Executor, p: Principal, row: Pick<CaseRow, 'subject_org_id'>): Promise<boolean> {
    const subject = await organisationDirectory(exec).byId(row.subject_org_id);
    return !!subject && canSee(p, subject);
  }

  async function move(
    p: Principal,
    id: string,
    event: CaseEvent,
    patch: (row: CaseRow, now: Date) => Partial<CaseRow>,
    note: string | null,
    after?: (trx: Executor, row: CaseRow, now: Date) => Promise<void>,
  ): Promise<CaseView> {
    return db.transaction().execute(async (trx) => {
      const repo = createCreditRepository(trx);
      const row = await repo.lockCase(id);
      if (!row || !(await seesCase(trx, p, row))) throw notFound(CASE_LABEL);
      if (event === 'appeal' && row.subject_org_id !== p.organisation?.id) throw notFound(CASE_LABEL);
      const t = caseLifecycle.transition(row.status, event);
      if (!t.ok)
        throw new DomainError(
          'credit.invalid_state',
          { zh: `案件处于“${row.status}”状态，不能执行“${event}”`, en: `a case in state "${row.status}" cannot take "${event}"` },
          { state: row.status, event, allowed: t.allowed },
        );
      const now = clock.now();
      const updated = await repo.updateCase(id, { ...patch(row, now), status: t.to, updated_at: now });
      await repo.addCaseEvent({
        case_id: id,
        event,
        from_status: row.status,
        to_status: t.to,
        actor_user_id: p.userId,
        actor_org_id: p.organisation?.id ?? null,
        note,
        at: now,
      });
      if (after) await after(trx, updated, now);
      await deps.audit.append(trx, actorOf(p), [
        { action: `credit_case.${event}`, entity: 'cr_case', entityId: id, before: toCase(row), after: toCase(updated) },
      ]);
      return toCase(updated);
    });
  }

  /** Publishing a decision (or overturning it) changes the subject's rating at once. */
  async function onPublished(trx: Executor, row: CaseRow, now: Date): Promise<void> {
    const repo = createCreditRepository(trx);
    if (row.blacklist)
      await repo.list({
        id: randomUUID(),
        org_id: row.subject_org_id,
        code: row.subject_code,
        name: row.subject_name,
        reason: row.decision ?? row.summary,
        case_id: row.id,
        listed_at: now,
        lifted_at: null,
      });
    await computeRatings(trx, [row.subject_org_id]);
  }

  return {
    creditLevelOf: (orgIds: string[]) => creditLevelOf(db, orgIds),

    recomputeAll,

    async recompute(p: Principal | null | undefined, orgIds: string[]) {
      requirePermission(p, 'credit.manage');
      if (orgIds.length === 0 || orgIds.length > 1000)
        throw validationError([
          { field: 'orgIds', rule: 'size', message: { zh: '请给出 1 到 1000 家企业', en: 'give 1 to 1000 enterprises' } },
        ]);
      // Only enterprises the caller sees: another jurisdiction's (or an unknown id) answers 404.
      const known = new Map((await organisationDirectory(db).byIds(orgIds)).map((o) => [o.id, o]));
      for (const id of new Set(orgIds)) {
        const o = known.get(id);
        if (!o || o.kind !== 'enterprise' || !canSee(p, o)) throw notFound(ORG_LABEL);
      }
      const rows = await db.transaction().execute(async (trx) => {
        const out = await computeRatings(trx, orgIds);
        await deps.audit.append(trx, actorOf(p), [
          { action: 'credit_rating.compute', entity: 'cr_rating', after: { orgs: out.size, rules: rules.version } },
        ]);
        return out;
      });
      return [...rows.values()].map((r) => ({ orgId: r.org_id, code: r.code, ...toRating(r) }));
    },

    async rating(p: Principal | null | undefined, orgId: string) {
      requirePermission(p, 'credit.read');
      const subject = await organisationDirectory(db).byId(orgId);
      if (!subject || subject.kind !== 'enterprise' || !canSee(p, subject)) throw notFound(ORG_LABEL);
      const repo = createCreditRepository(db);
      const history = await repo.ratingHistory(orgId, 50);
      const level = (await creditLevelOf(db, [orgId])).get(orgId)!;
      return {
        orgId,
        name: subject.name,
        code: (subject.customs_code ?? subject.uscc)!,
        level: level.level,
        blacklisted: level.blacklisted,
        current: history[0] ? toRating(history[0]) : null,
        history: history.map(toRating),
      };
    },

    /**
     * The current ratings an officer sees (its jurisdiction's enterprises), newest first; `code`:
     * the one enterprise with this customs code or USCC, rated or not (another jurisdiction's, or
     * no enterprise, answers an empty list).
     */
    async ratings(p: Principal | null | undefined, q: { code?: string }) {
      requirePermission(p, 'credit.read');
      if (!isOfficer(p)) throw forbidden();
      const code = q.code?.trim().toUpperCase();
      let orgs: OrganisationProfile[];
      if (code) {
        orgs = (await organisationDirectory(db).byCodes([code])).filter((o) => o.kind === 'enterprise' && canSee(p, o));
      } else {
        const rated = await createCreditRepository(db).latestRatings(await officerScope(db, p), 200);
        const byCode = new Map(
          (await organisationDirectory(db).byCodes(rated.map((r) => r.code))).map((o) => [o.id, o] as const),
        );
        orgs = rated.map((r) => byCode.get(r.org_id)).filter((o): o is OrganisationProfile => !!o && canSee(p, o));
      }
      if (orgs.length === 0) return [];
      const ids = orgs.map((o) => o.id);
      const [current, levels] = await Promise.all([createCreditRepository(db).currentRatings(ids), creditLevelOf(db, ids)]);
      const cur = new Map(current.map((r) => [r.org_id, r]));
      return orgs.map((o) => ({
        orgId: o.id,
        name: o.name,
        code: (o.customs_code ?? o.uscc)!,
        level: levels.get(o.id)?.level ?? null,
        blacklisted: levels.get(o.id)?.blacklisted ?? false,
        score: cur.get(o.id)?.score ?? null,
        computedAt: cur.get(o.id)?.computed_at.toISOString() ?? null,
      }));
    },

    async openCase(p: Principal | null | undefined, input: { kind: CaseKind; subjectCode: string; summary: string }) {
      requirePermission(p, 'credit.manage');
      return newCase(p, input);
    },

    /** A report from anyone (a buyer abroad through a trace code): opens a case for officers. */
    async reportPublic(input: { kind: CaseKind; subjectCode: string; summary: string; contact?: string; traceCode?: string }) {
      return newCase(null, input);
    },

    async transition(
      p: Principal | null | undefined,
      id: string,
      body: { event: Exclude<CaseEvent, 'appeal'>; note?: string; severity?: Severity; decision?: string; blacklist?: boolean },
    ) {
      requirePermission(p, 'credit.manage');
      if (!isOfficer(p)) throw forbidden();
      if (body.event === 'decide') {
        const problems = [];
        if (!body.severity)
          problems.push({
            field: 'severity',
            rule: 'required',
            message: { zh: '处理决定须给出严重程度', en: 'a decision needs a severity' },
          });
        if (!body.decision?.trim())
          problems.push({ field: 'decision', rule: 'required', message: { zh: '请写明处理决定', en: 'write the decision' } });
        if (body.blacklist && body.severity !== 'major')
          problems.push({
            field: 'blacklist',
            rule: 'severity',
            message: { zh: '只有严重案件可列入失信名单', en: 'only a major case blacklists' },
          });
        if (problems.length) throw validationError(problems);
      }
      return move(
        p,
        id,
        body.event,
        (row, now) =>
          body.event === 'decide'
            ? { severity: body.severity!, decision: body.decision!.trim(), blacklist: body.blacklist ?? false, decided_at: now }
            : body.event === 'publish' || (body.event === 'uphold' && !row.published_at)
              ? // An upheld appeal against a decision not yet published publishes it: the case
                // leaves the appeal as 'published', so it is dated, listed and rated as published.
                { published_at: now }
              : {},
        body.note ?? null,
        body.event === 'publish' || body.event === 'uphold'
          ? (trx, row, now) =>
              row.published_at?.getTime() === now.getTime()
                ? onPublished(trx, row, now)
                : computeRatings(trx, [row.subject_org_id]).then(() => undefined)
          : body.event === 'overturn'
            ? async (trx, row, now) => {
                await createCreditRepository(trx).lift(row.subject_org_id, now, row.id);
                await computeRatings(trx, [row.subject_org_id]);
              }
            : undefined,
      );
    },

    async appeal(p: Principal | null | undefined, id: string, reason: string) {
      requirePermission(p, 'credit.read');
      if (reason.trim().length < 5)
        throw validationError([
          { field: 'reason', rule: 'minLength', message: { zh: '请写明申诉理由', en: 'give the reason for the appeal' } },
        ]);
      return move(p, id, 'appeal', () => ({ appeal_reason: reason.trim() }), reason.trim());
    },

    async getCase(p: Principal | null | undefined, id: string) {
      requirePermission(p, 'credit.read');
      const repo = createCreditRepository(db);
      const row = await repo.getCase(id);
      if (!row || !(await seesCase(db, p, row))) throw notFound(CASE_LABEL);
      const events = await repo.caseEvents(id);
      return {
        ...toCase(row),
        events: events.map((e) => ({
          event: e.event as string,
          from: e.from_status as string | null,
          to: e.to_status as string,
          note: e.note as string | null,
          at: (e.at as Date).toISOString(),
        })),
      };
    },

    async listCases(p: Principal | null | undefined, q: { status?: CaseView['status'] }) {
      requirePermission(p, 'credit.read');
      const repo = createCreditRepository(db);
      // An officer lists the cases about enterprises of its jurisdiction (every one: the operator, GACC).
      const inScope = isOfficer(p) ? await officerScope(db, p) : null;
      const rows = await repo.listCases({
        ...(isOfficer(p) ? {} : { subjectOrgId: p.organisation?.id ?? '00000000-0000-0000-0000-000000000000' }),
        ...(isOfficer(p) && inScope ? { subjectOrgIds: inScope } : {}),
        ...(q.status ? { status: q.status as CaseRow['status'] } : {}),
        limit: 200,
      });
      return rows.map(toCase);
    },

    async blacklist(p: Principal | null | undefined) {
      requirePermission(p, 'credit.read');
      if (!isOfficer(p)) throw forbidden();
      return (await createCreditRepository(db).activeBlacklist()).map((b) => ({
        orgId: b.org_id,
        code: b.code,
        name: b.name,
        reason: b.reason,
        caseId: b.case_id,
        listedAt: b.listed_at.toISOString(),
      }));
    },

    /** The cases an officer lists (its jurisdiction's, up to 5,000), as an Excel workbook. */
    async exportCases(p: Principal | null | undefined, q: { status?: CaseView['status']; lang?: ExportLang }) {
      requirePermission(p, 'credit.manage');
      if (!isOfficer(p)) throw forbidden();
      const inScope = await officerScope(db, p);
      const rows = await createCreditRepository(db).listCases({
        ...(inScope ? { subjectOrgIds: inScope } : {}),
        ...(q.status ? { status: q.status as CaseRow['status'] } : {}),
        limit: 5000,
      });
      return casesWorkbook(rows.map(toCase), q.lang ?? 'zh', p.organisation?.name ?? '');
    },

    /** The blacklist (every active entry), as an Excel workbook. */
    async exportBlacklist(p: Principal | null | undefined, q: { lang?: ExportLang }) {
      requirePermission(p, 'credit.manage');
      if (!isOfficer(p)) throw forbidden();
      const rows = (await createCreditRepository(db).activeBlacklist()).map((b) => ({
        orgId: b.org_id,
        code: b.code,
        name: b.name,
        reason: b.reason,
        caseId: b.case_id,
        listedAt: b.listed_at.toISOString(),
      }));
      return blacklistWorkbook(rows, q.lang ?? 'zh');
    },

    /** 信用公示: decided and published cases and the blacklist, for anyone. */
    async publicNotices() {
      const repo = createCreditRepository(db);
      const [cases, black] = await Promise.all([repo.publishedCases(200), repo.activeBlacklist()]);
      return {
        cases: cases.map((c) => ({
          id: c.id,
          kind: c.kind,
          subjectCode: c.subject_code,
          subjectName: c.subject_name,
          severity: c.severity,
          decision: c.decision,
          underAppeal: c.status === 'appealed',
          publishedAt: c.published_at?.toISOString() ?? null,
        })),
        blacklist: black.map((b) => ({ code: b.code, name: b.name, reason: b.reason, listedAt: b.listed_at.toISOString() })),
      };
    },
  };
}

export type CreditService = ReturnType<typeof createCreditService>;
