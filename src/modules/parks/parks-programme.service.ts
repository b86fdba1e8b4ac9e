import { randomUUID } from 'node:crypto';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { applicationsWorkbook } from './parks.export.ts';
import { createParksRepository, type ApplicationRow, type ListedApplicationRow, type ProgrammeRow } from './parks.repository.ts';
import {
  appView,
  changeOwned,
  closeOwned,
  creatorOf,
  cstTime,
  parksOwnerOf,
  PROGRAMME,
  programmeView,
  refuseClosed,
  type OwnedKind,
  type ParksServiceDeps,
} from './parks.shared.ts';
import { checkEligibility, type Figures } from './rules/eligibility.rules.ts';
import { asProblems, checkDecision, checkWindow, day, rulesOf, sameRules, validRules } from './rules/programme.rules.ts';
import { checkCriteria, criteriaOf } from './rules/scoring.rules.ts';

/** The platform figures an application carries (statistics, tax refunds, credit), wired in platform.ts. */
export interface FiguresPort {
  figuresOf(org: { id: string; code: string }): Promise<Omit<Figures, 'parkMember'>>;
}

export interface ProgrammeServiceDeps extends ParksServiceDeps {
  figures: FiguresPort;
}

const NO_APPLICATION = { zh: '不再受理申报', en: 'it accepts no application' };

/** Programmes as a manager edits or closes them. */
const PROGRAMMES: OwnedKind<ProgrammeRow, ReturnType<typeof programmeView>> = {
  what: PROGRAMME,
  entity: 'pk_programme',
  // locked: an application checking against the rules (a shared lock) waits, or this waits for it
  lock: (repo, id, owner) => repo.programme(id, owner, 'update'),
  view: programmeView,
  action: (verb) => `programme.${verb}`,
  close: (repo, id, at) => repo.updateProgramme(id, { status: 'closed', closed_at: at }),
};

/** Support programmes (扶持项目): criteria, eligibility, applications and their review. */
export function createProgrammeService(deps: ProgrammeServiceDeps) {
  const { db, clock } = deps;

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
    async programmes() {
      // when a programme was closed is the managers' (and the audit log's), not the public's
      return (await createParksRepository(db).programmes()).map((x) => {
        const { closedAt: _, ...view } = programmeView(x);
        return view;
      });
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
      return changeOwned(deps, p, PROGRAMMES, programmeId, 'update', async (repo, before) => {
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
        return repo.updateProgramme(programmeId, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.category !== undefined ? { category: input.category } : {}),
          ...(rules !== undefined ? { rules: JSON.stringify(rules) } : {}),
          ...(input.opensOn !== undefined ? { opens_on: input.opensOn } : {}),
          ...(input.closesOn !== undefined ? { closes_on: input.closesOn } : {}),
        });
      });
    },

    /**
     * Closes a programme (archived, not deleted): it accepts no application from then on; those
     * made stay, and are reviewed and decided as before.
     */
    async closeProgramme(p: Principal | null | undefined, programmeId: string) {
      requirePermission(p, 'parks.manage');
      return closeOwned(deps, p, PROGRAMMES, programmeId);
    },

    /**
     * Programmes for the commerce department's admin page: with their scoring criteria (the
     * standard rubric where none were set) and how many applications wait or were decided; once
     * one was decided the criteria are fixed.
     */
    async programmesAdmin(p: Principal | null | undefined) {
      requirePermission(p, 'parks.manage');
      return (await createParksRepository(db).programmesWithCounts(parksOwnerOf(p))).map((x) => ({
        ...programmeView(x),
        criteria: criteriaOf(x.criteria),
        standardCriteria: !Array.isArray(x.criteria) || x.criteria.length === 0,
        applications: { submitted: x.submitted, decided: x.decided },
        criteriaLocked: x.decided > 0,
        /** an enterprise applied: the eligibility rules are fixed */
        rulesLocked: x.submitted + x.decided > 0,
        ownerOrgId: x.owner_org_id,
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
        // shared lock: criteria cannot change under a decision being scored against them
        const prog = input.scores ? await repo.programme(row.programme_id, 'any', 'share') : undefined;
        const { score, note, problems } = checkDecision(criteriaOf(prog?.criteria), input);
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

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
