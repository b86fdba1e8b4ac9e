import { createHash } from 'node:crypto';
import { canonicalJson, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createHolidayCalendarService } from './holiday-calendar.service.ts';
import { isConfirmedDay, reminders, summaryDeadline, type Reminder } from './rules/deadline.rules.ts';
import { effectiveKeys, ruleSetById, ruleSetForPeriod, type SummaryRuleSet } from './rules/summary.rulesets.ts';
import { createSummaryRepository, type SummaryRepository } from './summary.repository.ts';
import {
  applicationView,
  loadApplication,
  readableApplication,
  type DeclarationLineView,
  type DeclarationView,
  type SummaryApplicationView,
  type SummaryPreview,
} from './summary.views.ts';

export type { DeclarationLineView, DeclarationView, SummaryApplicationView, SummaryPreview };
import { cstDay, customsPrefixOf, enterpriseScope, periodWindow, type EnterpriseScope } from './summary.shared.ts';
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
}

const DUPLICATE = (period: string) =>
  new DomainError(
    'summary.duplicate',
    { zh: `${period}的汇总申报已提交，不能重复提交`, en: `the summary of ${period} has already been submitted` },
    { period },
  );

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

  /** Stages and aggregates inside `trx`; everything the preview shows and the submit stores. */
  async function compute(
    repo: SummaryRepository,
    scope: EnterpriseScope,
    req: SummaryRequest,
    only: { invtNos?: readonly string[]; agentCodes?: readonly string[] } = {},
    opts: { lineage?: boolean } = {},
  ): Promise<SummaryPreview> {
    const window = periodWindow(req.period);
    const rs = pickRuleSet(req);
    const summaryFlag = req.summaryFlag ?? rs.defaultSummaryFlag;
    const itemNameFlag = req.itemNameFlag ?? '';
    const keys = effectiveKeys(rs, summaryFlag, itemNameFlag);
    // The source table is filled as inventories close; whatever a late or failed event left out
    // is copied now, so the summary never misses a closed inventory.
    await repo.addMissingSourceLines(scope.codes, window.from, window.to);
    await repo.stage({ ebcCodes: scope.codes, ...window, head: keys.head, line: keys.line, ...only }, opts);
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

  function ensurePeriodOver(period: string): void {
    if (clock.now() < periodWindow(period).to)
      throw new DomainError(
        'summary.invalid_state',
        { zh: `${period}尚未结束，月度汇总须在次月办理`, en: `${period} has not ended; a month is summarised after it ends` },
        { period, reason: 'period_open' },
      );
  }

  return {
    /** The holiday calendar of the deadlines: a year's view, and the days the operator or customs enter. */
    calendar,

    /** What the summary of `period` would be now; changes nothing (beyond copying missing source lines). */
    async preview(p: Principal | null, req: SummaryRequest): Promise<SummaryPreview> {
      requirePermission(p, 'summary.submit');
      const scope = await enterpriseScope(db, p);
      periodWindow(req.period);
      return db.transaction().execute(async (trx) => {
        const repo = createSummaryRepository(trx);
        const existing = await repo.livePeriods(scope.codes, [req.period]);
        if (existing.length) throw DUPLICATE(req.period);
        return compute(repo, scope, req);
      });
    },

    /** Forms the declarations of `period` and stores them with their lineage (汇总申报). */
    async submit(p: Principal | null, req: SummaryRequest): Promise<SummaryApplicationView> {
      requirePermission(p, 'summary.submit');
      return this.submitAs(p, await enterpriseScope(db, p), req);
    },

    /**
     * The submit for an enterprise scope already checked by the caller: the web (own scope) or a
     * CEB701 from the consignor or its declaring agent (ceb701.service.ts). Not a route.
     */
    async submitAs(
      p: Principal,
      scope: EnterpriseScope,
      req: SummaryRequest,
      opts: { source?: 'web' | 'ceb701'; guid?: string; invtNos?: readonly string[]; agentCodes?: readonly string[] } = {},
    ): Promise<SummaryApplicationView> {
      const source = opts.source ?? 'web';
      const guid = opts.guid;
      periodWindow(req.period);
      ensurePeriodOver(req.period);
      return db.transaction().execute(async (trx) => {
        const repo = createSummaryRepository(trx);
        // One summary per consignor and month: the unique index decides a race; this check names it.
        const existing = await repo.livePeriods(scope.codes, [req.period]);
        if (existing.length) throw DUPLICATE(req.period);
        const result = await compute(
          repo,
          scope,
          req,
          { ...(opts.invtNos ? { invtNos: opts.invtNos } : {}), ...(opts.agentCodes ? { agentCodes: opts.agentCodes } : {}) },
          { lineage: true },
        );
        if (result.declarations.length === 0)
          throw new DomainError(
            'summary.unprocessable',
            {
              zh: `${req.period}没有待汇总的已结关B类清单`,
              en: `no closed B-type inventories of ${req.period} are waiting for a summary`,
            },
            { period: req.period, reason: 'empty' },
          );
        const now = clock.now();
        const year = String(now.getUTCFullYear());
        const customsCode = await firstCustomsCode(repo);
        const appNo = await repo.allocate(`app.${customsCode}.${year}`, 1);
        const firstDecl = await repo.allocate(`decl.${customsCode}.${year}`, result.declarations.length);
        const id = newId();
        const day = cstDay(now).replaceAll('-', '');
        const copNo = req.copNo ?? `SUM-${scope.primaryCode}-${req.period}`;
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
        await repo.persistStaged({
          applicationId: id,
          declSeqPrefix: `${customsCode}${year}S`,
          entryPrefix: `${customsCode}${year}0`,
          firstNo: firstDecl,
          decState: '10',
          now,
        });
        const out = await loadApplication(repo, row);
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
      const decls = await repo.declarationsOf(rows.map((r) => r.id));
      const lines = await repo.linesOf(decls.map((d) => d.id));
      return rows.map((a) =>
        applicationView(
          a,
          decls.filter((d) => d.application_id === a.id),
          lines.filter((l) => decls.some((d) => d.id === l.declaration_id && d.application_id === a.id)),
          [],
        ),
      );
    },

    async get(p: Principal | null, id: string): Promise<SummaryApplicationView> {
      requirePermission(p, 'summary.read');
      const repo = createSummaryRepository(db);
      const a = readableApplication(p, await repo.applicationById(id));
      return loadApplication(repo, a);
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
      const a = readableApplication(p, await repo.applicationById(applicationId));
      const decls = await repo.declarationsOf([a.id]);
      if (!decls.some((d) => d.id === declarationId)) throw notFound({ zh: '报关单', en: 'declaration' });
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

    /** Months with closed inventories or summaries, their deadlines and reminders. */
    async deadlines(
      p: Principal | null,
      months = 6,
    ): Promise<
      {
        period: string;
        deadline: string;
        deadlineProvisional: boolean;
        ruleSet: string;
        pendingInventories: number;
        submitted: boolean;
        overdue: boolean;
        reminders: Reminder[];
      }[]
    > {
      requirePermission(p, 'summary.submit');
      const scope = await enterpriseScope(db, p);
      const now = clock.now();
      const today = cstDay(now);
      const periods: string[] = [];
      const [y, m] = today.split('-').map(Number) as [number, number];
      for (let i = months; i >= 1; i--) {
        const d = new Date(Date.UTC(y, m - 1 - i, 1));
        periods.push(d.toISOString().slice(0, 7));
      }
      const repo = createSummaryRepository(db);
      const pending = await repo.pendingByPeriod(
        scope.codes,
        periodWindow(periods[0]!).from,
        periodWindow(periods[periods.length - 1]!).to,
      );
      const done = new Set((await repo.livePeriods(scope.codes, periods)).map((a) => a.period));
      const cal = await calendar.calendar(db);
      return periods.map((period) => {
        const rs = ruleSetForPeriod(period);
        const deadline = summaryDeadline(period, rs, cal);
        const n = pending.find((x) => x.period === period)?.inventories ?? 0;
        return {
          period,
          deadline,
          // a deadline in a year whose State Council holiday notice is neither built in nor entered yet
          deadlineProvisional: !isConfirmedDay(deadline, cal),
          ruleSet: rs.id,
          pendingInventories: n,
          submitted: done.has(period),
          overdue: n > 0 && today > deadline,
          reminders: n > 0 ? reminders(deadline, today) : [],
        };
      });
    },
  };
}

async function firstCustomsCode(repo: SummaryRepository): Promise<string> {
  const d = await repo.stagedDeclarations();
  return d.map((x) => x.customs_code).sort()[0] ?? '0000';
}

export type SummaryService = ReturnType<typeof createSummaryService>;
