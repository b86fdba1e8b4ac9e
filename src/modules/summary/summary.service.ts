import { createHash } from 'node:crypto';
import { canonicalJson, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createHolidayCalendarService } from './holiday-calendar.service.ts';
import { reminders, summaryDeadline } from './rules/deadline.rules.ts';
import { effectiveKeys, ruleSetById, ruleSetForPeriod, type SummaryRuleSet } from './rules/summary.rulesets.ts';
import { createSummaryDeadlineService } from './summary-deadline.service.ts';
import { createSummaryRepository, type SummaryRepository } from './summary.repository.ts';
import {
  applicationView,
  declarationOffice,
  loadApplication,
  readableApplication,
  type DeclarationLineView,
  type DeclarationView,
  type SummaryApplicationView,
  type SummaryPreview,
} from './summary.views.ts';

export type { DeclarationLineView, DeclarationView, SummaryApplicationView, SummaryPreview };
import {
  cstDay,
  customsPrefixOf,
  DUPLICATE,
  enterpriseScope,
  periodWindow,
  staleResult,
  type EnterpriseScope,
} from './summary.shared.ts';
import type { SummaryApplicationRow } from './summary.tables.ts';

export interface SummaryServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export interface SummaryRequest {
  period: string;
  summaryFlag?: '1' | '2';
  itemNameFlag?: '1' | '';
  ruleSetId?: string;
  copNo?: string;
  declAgentCode?: string;
  declAgentName?: string;
  /** CEB701 agentCode/agentName: the declaring company (web: the caller's organisation) */
  agentCode?: string;
  agentName?: string;
  /** CEB701 customsCode: the office the application is lodged at (web: the smallest office of its declarations) */
  customsCode?: string;
  /** the resultHash of the preview being submitted: a different result now is refused (409) */
  resultHash?: string;
}

function pickRuleSet(req: SummaryRequest): SummaryRuleSet {
  if (req.ruleSetId === undefined) return ruleSetForPeriod(req.period);
  const rs = ruleSetById(req.ruleSetId);
  if (!rs)
    throw validationError([
      {
        field: 'ruleSetId',
        rule: 'known',
        message: { zh: '汇总规则版本不存在', en: 'unknown summary rule set' },
        value: req.ruleSetId,
      },
    ]);
  return rs;
}

const resultHash = (body: unknown, lineageHash: string): string =>
  createHash('sha256').update(canonicalJson(body)).update(lineageHash).digest('hex');

export function createSummaryService(deps: SummaryServiceDeps) {
  const { db, clock, audit } = deps;
  // The holiday calendar the deadlines are computed with: built in, with the years entered on the platform.
  const calendar = createHolidayCalendarService(deps);

  /**
   * Stages and aggregates inside `trx`; everything the preview shows and the submit stores.
   * `only.window` narrows the month (CEB701 startTime/endTime).
   */
  async function compute(
    repo: SummaryRepository,
    scope: EnterpriseScope,
    req: SummaryRequest,
    only: { invtNos?: readonly string[]; agentCodes?: readonly string[]; window?: { from: Date; to: Date } } = {},
    opts: { lineage?: boolean } = {},
  ): Promise<SummaryPreview> {
    const window = only.window ?? periodWindow(req.period);
    const rs = pickRuleSet(req);
    const summaryFlag = req.summaryFlag ?? rs.defaultSummaryFlag;
    const itemNameFlag = req.itemNameFlag ?? '';
    const keys = effectiveKeys(rs, summaryFlag, itemNameFlag);
    // The source table is filled as inventories close; whatever a late or failed event left out
    // is copied now, so the summary never misses a closed inventory.
    await repo.addMissingSourceLines(scope.codes, window.from, window.to);
    await repo.stage(
      {
        ebcCodes: scope.codes,
        ...window,
        head: keys.head,
        line: keys.line,
        ...(only.invtNos ? { invtNos: only.invtNos } : {}),
        ...(only.agentCodes ? { agentCodes: only.agentCodes } : {}),
      },
      opts,
    );
    const decls = await repo.stagedDeclarations();
    const lines = await repo.stagedLines();
    const byDecl = new Map<number, DeclarationLineView[]>();
    for (const l of lines) {
      const list = byDecl.get(l.decl_seq) ?? [];
      list.push({
        lineNo: l.line_no,
        key: l.line_key,
        gcode: l.gcode,
        gname: l.gname,
        country: l.country,
        currency: l.currency,
        unit: l.unit,
        qty: l.qty,
        totalPrice: l.total_price,
        sourceCount: l.source_count,
      });
      byDecl.set(l.decl_seq, list);
    }
    const declarations: DeclarationView[] = decls.map((d) => ({
      id: null,
      seq: d.decl_seq,
      declSeqNo: null,
      entryId: null,
      customsCode: d.customs_code || '0000',
      key: d.head_key,
      grossWeight: d.gross_weight,
      netWeight: d.net_weight,
      inventoryCount: d.inventory_count,
      lines: byDecl.get(d.decl_seq) ?? [],
    }));
    const deadline = summaryDeadline(req.period, rs, await calendar.calendar(db));
    return {
      period: req.period,
      ruleSet: { id: rs.id, source: rs.source },
      summaryFlag,
      itemNameFlag,
      keys,
      deadline,
      reminders: reminders(deadline, cstDay(clock.now())),
      inventoryCount: declarations.reduce((a, d) => a + d.inventoryCount, 0),
      lineCount: lines.reduce((a, l) => a + l.source_count, 0),
      resultHash: resultHash({ ruleSet: rs.id, summaryFlag, itemNameFlag, declarations }, await repo.stagedLineageHash()),
      declarations,
      statistics: await repo.statistics({ ebcCodes: scope.codes, ...window }),
    };
  }

  /** Inventories still closing in the window cannot be summarised yet (the web: the month; CEB701: its window). */
  function ensureEnded(period: string, end: Date): void {
    if (clock.now() < end)
      throw new DomainError(
        'summary.invalid_state',
        { zh: `${period}尚未结束，月度汇总须在次月办理`, en: `${period} has not ended; a month is summarised after it ends` },
        { period, reason: 'period_open' },
      );
  }

  /** SUM-<code>-<period>, then -2, -3 … for the further applications of the month. */
  async function defaultCopNo(repo: SummaryRepository, scope: EnterpriseScope, period: string): Promise<string> {
    const base = `SUM-${scope.primaryCode}-${period}`;
    const used = await repo.copNosLike(scope.orgId, base);
    for (let n = 1; ; n++) {
      const c = n === 1 ? base : `${base}-${n}`;
      if (!used.has(c)) return c;
    }
  }

  const deadlineService = createSummaryDeadlineService({ db, clock, calendar });

  return {
    /** The holiday calendar of the deadlines: a year's view, and the days the operator or customs enter. */
    calendar,

    /** Months with closed inventories or summaries, their deadlines and reminders. */
    deadlines: deadlineService.deadlines,
    /** Deadline reminders sent to the caller's enterprise (summary.deadline_reminder), after a feed position. */
    reminders: deadlineService.reminders,

    /** What the summary of `period` would be now; changes nothing (beyond copying missing source lines). */
    async preview(p: Principal | null, req: SummaryRequest): Promise<SummaryPreview> {
      requirePermission(p, 'summary.submit');
      const scope = await enterpriseScope(db, p);
      periodWindow(req.period);
      return db.transaction().execute((trx) => compute(createSummaryRepository(trx), scope, req));
    },

    /** Forms the declarations of `period` and stores them with their lineage (汇总申报). */
    async submit(p: Principal | null, req: SummaryRequest): Promise<SummaryApplicationView> {
      requirePermission(p, 'summary.submit');
      return this.submitAs(p, await enterpriseScope(db, p), req);
    },

    /**
     * The submit for an enterprise scope already checked by the caller: the web (own scope) or a
     * CEB701 from the consignor or its declaring agent (ceb701.service.ts). Not a route. A month
     * may take several applications (an agent's, a listed CEB701's, the consignor's): each
     * summarises what no earlier one took (sum_claim), so the month's inventories are covered
     * exactly once; one consignor's submits run one at a time.
     */
    async submitAs(
      p: Principal,
      scope: EnterpriseScope,
      req: SummaryRequest,
      opts: {
        source?: 'web' | 'ceb701';
        guid?: string;
        invtNos?: readonly string[];
        agentCodes?: readonly string[];
        /** CEB701 startTime/endTime, inside the period */
        window?: { from: Date; to: Date };
      } = {},
    ): Promise<SummaryApplicationView> {
      const source = opts.source ?? 'web';
      const guid = opts.guid;
      ensureEnded(req.period, (opts.window ?? periodWindow(req.period)).to);
      return db.transaction().execute(async (trx) => {
        const repo = createSummaryRepository(trx);
        await repo.lockConsignor(scope.orgId);
        const result = await compute(
          repo,
          scope,
          req,
          {
            ...(opts.invtNos ? { invtNos: opts.invtNos } : {}),
            ...(opts.agentCodes ? { agentCodes: opts.agentCodes } : {}),
            ...(opts.window ? { window: opts.window } : {}),
          },
          { lineage: true },
        );
        if (result.declarations.length === 0) {
          const month = periodWindow(req.period);
          const waiting = (await repo.pendingByPeriod(scope.codes, month.from, month.to)).reduce((n, x) => n + x.inventories, 0);
          const taken = waiting ? [] : await repo.livePeriods(scope.codes, [req.period]);
          if (taken.length) throw DUPLICATE(req.period, taken.map((a) => a.sum_no).sort());
          // some of the month may still wait outside what this application selects (window, list, agent)
          const scoped = waiting > 0;
          throw new DomainError(
            'summary.unprocessable',
            {
              zh: `${req.period}${scoped ? '所选范围内' : ''}没有待汇总的已结关B类清单`,
              en: `no closed B-type inventories of ${req.period}${scoped ? ' in the selection' : ''} are waiting for a summary`,
            },
            { period: req.period, reason: 'empty' },
          );
        }
        if (req.resultHash !== undefined && req.resultHash !== result.resultHash)
          throw staleResult(req.period, req.resultHash, result.resultHash);
        const now = clock.now();
        const year = String(now.getUTCFullYear());
        // Each declaration is numbered by its own office; the application by the office it is
        // lodged at (CEB701 customsCode), else the smallest of its declarations' offices.
        const perOffice = new Map<string, number>();
        for (const d of result.declarations) perOffice.set(d.customsCode, (perOffice.get(d.customsCode) ?? 0) + 1);
        const offices = [...perOffice.keys()].sort();
        const customsCode = req.customsCode ?? offices[0]!;
        const appNo = await repo.allocate(`app.${customsCode}.${year}`, 1);
        const firstNos = new Map<string, number>();
        for (const o of offices) firstNos.set(o, await repo.allocate(`decl.${o}.${year}`, perOffice.get(o)!));
        const id = newId();
        const day = cstDay(now).replaceAll('-', '');
        const copNo = req.copNo ?? (await defaultCopNo(repo, scope, req.period));
        if (await repo.applicationByCop(scope.orgId, copNo))
          throw new DomainError(
            'summary.duplicate',
            { zh: `企业内部编号${copNo}已使用`, en: `copNo ${copNo} is already used` },
            { copNo },
          );
        const row: SummaryApplicationRow = {
          id,
          org_id: scope.orgId,
          ebc_code: scope.primaryCode,
          ebc_name: scope.name,
          period: req.period,
          rule_set: result.ruleSet.id,
          summary_flag: result.summaryFlag,
          item_name_flag: result.itemNameFlag,
          source,
          guid: guid ?? id.toUpperCase(),
          cop_no: copNo,
          pre_no: `B${day}7${String(appNo).padStart(8, '0')}`,
          sum_no: `${customsCode}${year}H${String(appNo).padStart(9, '0')}`,
          customs_code: customsCode,
          agent_code: req.agentCode ?? p.organisation?.code ?? scope.primaryCode,
          agent_name: req.agentName ?? p.organisation?.name ?? scope.name,
          decl_agent_code: req.declAgentCode ?? p.organisation?.code ?? scope.primaryCode,
          decl_agent_name: req.declAgentName ?? p.organisation?.name ?? scope.name,
          // The platform forms the declarations itself (CEB792 at once): 汇总结果 "formed".
          status: 'formed',
          inventory_count: result.inventoryCount,
          line_count: result.lineCount,
          result_hash: result.resultHash,
          deadline: result.deadline,
          submitted_at: now,
          created_at: now,
        };
        await repo.insertApplication(row);
        await repo.persistStaged({ applicationId: id, year, firstNos, decState: '10', now });
        const out = await loadApplication(repo, p, row);
        await audit.append(trx, actorOf(p), [
          {
            action: 'summary.submit',
            entity: 'summary_application',
            entityId: id,
            after: {
              period: row.period,
              ruleSet: row.rule_set,
              declarations: out.declarations.length,
              inventories: row.inventory_count,
              resultHash: row.result_hash,
            },
          },
        ]);
        return { ...out, statistics: result.statistics, reminders: result.reminders };
      });
    },

    async list(p: Principal | null, limit = 50): Promise<SummaryApplicationView[]> {
      requirePermission(p, 'summary.read');
      const repo = createSummaryRepository(db);
      let rows: SummaryApplicationRow[];
      if (p.organisation?.kind === 'enterprise') rows = await repo.listApplications({ orgId: p.organisation.id, limit });
      else {
        const prefix = customsPrefixOf(p, ['customs', 'tax', 'forex']);
        if (prefix === undefined) return [];
        rows = await repo.listApplications({ customsPrefix: prefix, limit });
      }
      const office = p.organisation?.kind === 'enterprise' ? undefined : customsPrefixOf(p, ['customs', 'tax', 'forex']);
      const byApp = new Map(rows.map((a) => [a.id, a]));
      // an officer sees the declarations lodged at the office only
      const decls = (await repo.declarationsOf(rows.map((r) => r.id))).filter(
        (d) => office === undefined || declarationOffice(byApp.get(d.application_id)!, d).startsWith(office),
      );
      const lines = await repo.linesOf(decls.map((d) => d.id));
      const declOf = new Map(decls.map((d) => [d.id, d.application_id]));
      return rows.map((a) =>
        applicationView(
          a,
          decls.filter((d) => d.application_id === a.id),
          lines.filter((l) => declOf.get(l.declaration_id) === a.id),
          [],
        ),
      );
    },

    async get(p: Principal | null, id: string): Promise<SummaryApplicationView> {
      requirePermission(p, 'summary.read');
      const repo = createSummaryRepository(db);
      return loadApplication(repo, p, await repo.applicationById(id));
    },

    /** Which inventory lines fed a declaration (line): the CEB792 SummaryResultList. */
    async lineage(
      p: Principal | null,
      applicationId: string,
      declarationId: string,
      opts: { lineNo?: number; limit?: number; offset?: number },
    ): Promise<{ lineNo: number; invtNo: string; gnum: number; logisticsNo: string; gcode: string }[]> {
      requirePermission(p, 'summary.read');
      const repo = createSummaryRepository(db);
      const { declarations } = await readableApplication(p, repo, await repo.applicationById(applicationId));
      if (!declarations.some((d) => d.id === declarationId)) throw notFound({ zh: '报关单', en: 'declaration' });
      const rows = await repo.lineage(declarationId, {
        ...(opts.lineNo !== undefined ? { lineNo: opts.lineNo } : {}),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
        offset: Math.max(opts.offset ?? 0, 0),
      });
      return rows.map((r) => ({
        lineNo: r.line_no,
        invtNo: r.invt_no,
        gnum: r.gnum,
        logisticsNo: r.logistics_no,
        gcode: r.gcode,
      }));
    },
  };
}

export type SummaryService = ReturnType<typeof createSummaryService>;
