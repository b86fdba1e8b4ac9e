import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { LANES, type Lane } from '../clearance/index.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { assess } from './risk.engine.ts';
import type { ClearancePort, RiskPorts } from './risk.ports.ts';
import { createRiskRepository, type DecisionRow } from './risk.repository.ts';
import {
  checkParams,
  CREDIT_LEVELS,
  RULE_KINDS,
  rulesInForce,
  type CreditLevel,
  type RiskRule,
  type RuleKind,
} from './rules/risk.rules.ts';

export interface RuleInput {
  id: string;
  effectiveFrom: string;
  kind: string;
  lane: string;
  params: Record<string, unknown>;
  explainZh: string;
  explainEn: string;
  enabled: boolean;
}

const DRY_RUN_DAYS = 30;
const DRY_RUN_LIMIT = 20_000;
const DECISION = { zh: '风险判定', en: 'risk decision' };

/** An agency sees its jurisdiction (customs code prefix); the operator everything. */
function prefixOf(p: Principal): string | null {
  if (isAdmin(p)) return null;
  return jurisdictionPrefix(p.organisation?.jurisdiction ?? null) ?? '\u0000';
}

function problem(field: string, rule: string, zh: string, en: string): FieldProblem {
  return { field, rule, message: { zh, en } };
}

/** A draft rule is checked whole; every problem is named, nothing is stored. */
export function checkRule(input: RuleInput): RiskRule {
  const errors: FieldProblem[] = [];
  if (!/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(input.id))
    errors.push(
      problem('id', 'format', '规则编号为 2–40 位大写字母、数字或连字符', 'rule id: 2–40 capital letters, digits or hyphens'),
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom) || Number.isNaN(Date.parse(input.effectiveFrom)))
    errors.push(problem('effectiveFrom', 'date', '生效日期格式为 yyyy-mm-dd', 'effective date must be yyyy-mm-dd'));
  if (!(RULE_KINDS as readonly string[]).includes(input.kind))
    errors.push(problem('kind', 'enum', `规则类型须为 ${RULE_KINDS.join('、')}`, `kind must be one of ${RULE_KINDS.join(', ')}`));
  if (!(LANES as readonly string[]).includes(input.lane))
    errors.push(
      problem('lane', 'enum', '通道须为 green、review、inspect 或 hold', 'lane must be green, review, inspect or hold'),
    );
  if (!input.explainZh.trim())
    errors.push(problem('explainZh', 'required', '必须填写中文说明', 'a Chinese explanation is required'));
  if (!input.explainEn.trim())
    errors.push(problem('explainEn', 'required', '必须填写英文说明', 'an English explanation is required'));
  if ((RULE_KINDS as readonly string[]).includes(input.kind)) {
    for (const e of checkParams(input.kind as RuleKind, input.params)) errors.push(problem(e.field, 'params', e.zh, e.en));
  }
  if (errors.length) throw validationError(errors);
  return {
    id: input.id,
    version: 0,
    effectiveFrom: input.effectiveFrom,
    kind: input.kind as RuleKind,
    lane: input.lane as Lane,
    params: input.params,
    explainZh: input.explainZh.trim(),
    explainEn: input.explainEn.trim(),
    enabled: input.enabled,
  };
}

/** The queue's keyset: the last row's decision time (to the microsecond) and inventory id. */
const toCursor = (d: { at_key: string; inventory_id: string }): string =>
  Buffer.from(`${d.at_key}|${d.inventory_id}`).toString('base64url');

function parseCursor(cursor: string): { decidedAt: string; inventoryId: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (
    !at ||
    !id ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) ||
    Number.isNaN(Date.parse(at.slice(0, 23) + 'Z')) ||
    !/^[0-9a-f-]{36}$/i.test(id)
  )
    throw validationError([
      problem(
        'cursor',
        'format',
        '游标无效（须为上一页返回的 nextCursor）',
        'invalid cursor: pass the nextCursor of the previous page',
      ),
    ]);
  return { decidedAt: at, inventoryId: id };
}

function toDecisionView(d: DecisionRow) {
  return {
    inventoryId: d.inventory_id,
    guid: d.guid,
    ebcCode: d.ebc_code,
    customsCode: d.customs_code,
    total: String(d.total),
    lane: d.lane,
    hits: d.hits,
    goods: d.goods ?? '',
    logisticsNo: d.logistics_no,
    orderNo: d.order_no,
    decidedAt: new Date(d.decided_at).toISOString(),
  };
}

export type RiskService = ReturnType<typeof createRiskService>;

export function createRiskService(deps: { db: Db; clock: Clock; audit: AuditLog; ports: RiskPorts; clearance: ClearancePort }) {
  const { db, clock, audit } = deps;
  /** Which of these enterprise codes (customs code or USCC) belong to enterprises under `prefix` (null: all). */
  async function enterprisesInScope(codes: string[], prefix: string | null): Promise<Set<string>> {
    const orgs = await organisationDirectory(db).byCodes([...new Set(codes)]);
    const out = new Set<string>();
    for (const o of orgs) {
      if (o.kind !== 'enterprise') continue;
      if (prefix !== null && !(o.jurisdiction ?? '').startsWith(prefix)) continue;
      for (const c of [o.customs_code, o.uscc]) if (c && codes.includes(c)) out.add(c);
    }
    return out;
  }

  return {
    /** Every version of every rule, and which version is in force today. */
    async rules(p: Principal | null) {
      requirePermission(p, 'risk.read');
      const all = await createRiskRepository(db).allRules();
      const inForce = new Set(rulesInForce(all, clock.now()).map((r) => `${r.id}@${r.version}`));
      return all.map((r) => ({ ...r, inForce: inForce.has(`${r.id}@${r.version}`) }));
    },

    /** Saves a rule as a new version (a new id starts at 1); old versions stay. */
    async saveRule(p: Principal | null, input: RuleInput) {
      requirePermission(p, 'risk.manage');
      const draft = checkRule(input);
      return db.transaction().execute(async (trx) => {
        const repo = createRiskRepository(trx);
        const version = (await repo.lastVersion(draft.id)) + 1;
        const rule = { ...draft, version };
        await repo.insertRule(rule, p.userId, clock.now());
        await audit.append(trx, actorOf(p), [
          { action: 'risk.rule.save', entity: 'rsk_rule', entityId: `${rule.id}@${version}`, after: rule },
        ]);
        return rule;
      });
    },

    /**
     * How many of last month's inventories (in the officer's jurisdiction) the draft would have
     * hit, with examples. Nothing is stored. The inventories are replayed oldest first, each as of
     * its own decision time: split counts and first-time are taken over them as they stood then
     * (a month's parcels of one buyer are not one 24-hour split). Credit levels and HS medians are
     * as of now.
     */
    async dryRun(p: Principal | null, input: RuleInput) {
      requirePermission(p, 'risk.manage');
      const rule = { ...checkRule(input), version: 0, enabled: true };
      const now = clock.now();
      const rows = await createRiskRepository(db).decisionsSince(
        new Date(now.getTime() - DRY_RUN_DAYS * 86_400_000),
        prefixOf(p),
        DRY_RUN_LIMIT,
      );
      const docs = await deps.clearance.inventories(rows.map((r) => r.inventory_id));
      // An inventory deleted since (appType 3) has nothing left to replay.
      const ordered = [...rows].reverse().filter((r) => docs.has(r.inventory_id));
      const items = ordered.map((r) => ({ id: r.inventory_id, guid: r.guid, doc: docs.get(r.inventory_id)! }));
      const assessed = await assess(db, deps.ports, items, [rule], now, {
        excludeFromHistory: items.map((i) => i.id),
        at: ordered.map((r) => new Date(r.decided_at)),
      });
      const hit = assessed.filter((a) => a.hits.length > 0);
      return {
        days: DRY_RUN_DAYS,
        inventories: items.length,
        hits: hit.length,
        examples: hit
          .slice(-20)
          .reverse()
          .map((a) => ({
            inventoryId: a.item.id,
            logisticsNo: a.item.doc.head.logisticsNo ?? null,
            ebcCode: a.facts.ebcCode,
            detailZh: a.hits[0]!.detailZh,
            detailEn: a.hits[0]!.detailEn,
          })),
      };
    },

    /** The rules that decided one inventory, and why: officers only (the seller sees the outcome). */
    async decision(p: Principal | null, inventoryId: string) {
      requirePermission(p, 'risk.read');
      const [d] = await createRiskRepository(db).decisionsOf([inventoryId]);
      const prefix = prefixOf(p);
      if (!d || (prefix !== null && !(d.customs_code ?? '').startsWith(prefix))) throw notFound(DECISION);
      return toDecisionView(d);
    },

    /**
     * Decisions whose parcel is still held (300), with their explanations, newest first: what the
     * officer has to handle, a page at a time (keyset cursor), with how many there are in all. A
     * decision marked held that clearance no longer holds (a mark from before the queue tracked
     * it) is left out and its mark cleared; the cursor still moves past it.
     */
    async hitQueue(p: Principal | null, opts: { limit?: number; cursor?: string } = {}) {
      requirePermission(p, 'risk.read');
      const limit = Math.min(Math.max(opts.limit ?? 200, 1), 1000);
      const before = opts.cursor ? parseCursor(opts.cursor) : null;
      const prefix = prefixOf(p);
      const repo = createRiskRepository(db);
      const [rows, total] = await Promise.all([repo.hitQueue(prefix, before, limit + 1), repo.heldCount(prefix)]);
      const page = rows.slice(0, limit);
      const held = await deps.clearance.held(page.map((r) => r.inventory_id));
      const stale = page.filter((r) => !held.has(r.inventory_id)).map((r) => r.inventory_id);
      await repo.settle(stale);
      const last = page[page.length - 1];
      return {
        items: page.filter((r) => held.has(r.inventory_id)).map(toDecisionView),
        total: Math.max(total - stale.length, 0),
        nextCursor: rows.length > limit && last ? toCursor(last) : null,
      };
    },

    async credit(p: Principal | null) {
      requirePermission(p, 'risk.read');
      const rows = await createRiskRepository(db).listCredit();
      const prefix = prefixOf(p!);
      const inScope = await enterprisesInScope(
        rows.map((r) => r.enterprise_code),
        prefix,
      );
      return rows
        .filter((r) => inScope.has(r.enterprise_code))
        .map((r) => ({
          enterpriseCode: r.enterprise_code,
          level: r.level,
          source: r.source,
          updatedAt: new Date(r.updated_at).toISOString(),
        }));
    },

    async setCredit(p: Principal | null, enterpriseCode: string, level: string) {
      requirePermission(p, 'risk.manage');
      if (!(CREDIT_LEVELS as readonly string[]).includes(level))
        throw validationError([problem('level', 'enum', '信用等级须为 AA、A、B 或 C', 'credit level must be AA, A, B or C')]);
      if (!/^[0-9A-Z]{10}([0-9A-Z]{8})?$/.test(enterpriseCode))
        throw validationError([
          problem(
            'enterpriseCode',
            'format',
            '企业编码为 10 位海关编码或 18 位信用代码',
            'enterprise code: 10-character customs code or 18-character USCC',
          ),
        ]);
      // A customs office sets the levels of the enterprises it supervises; another's, or a code
      // no enterprise holds, is not found.
      if (!(await enterprisesInScope([enterpriseCode], prefixOf(p!))).has(enterpriseCode))
        throw notFound({ zh: `企业 ${enterpriseCode}`, en: `enterprise ${enterpriseCode}` });
      await db.transaction().execute(async (trx) => {
        const repo = createRiskRepository(trx);
        const before = (await repo.creditLevels([enterpriseCode])).get(enterpriseCode) ?? null;
        await repo.setCredit([{ code: enterpriseCode, level: level as CreditLevel, source: 'customs' }], clock.now());
        await audit.append(trx, actorOf(p), [
          {
            action: 'risk.credit.set',
            entity: 'rsk_credit',
            entityId: enterpriseCode,
            before: { level: before },
            after: { level },
          },
        ]);
      });
      return { enterpriseCode, level };
    },

    /** Share auto-released and hits per rule over the last `days` days, for the customs dashboard. */
    async measures(p: Principal | null, days = 30) {
      requirePermission(p, 'risk.read');
      const since = new Date(clock.now().getTime() - Math.min(Math.max(days, 1), 366) * 86_400_000);
      const { inspected, ...m } = await createRiskRepository(db).measures(since, prefixOf(p));
      const outcomes = await deps.ports.inspectionOutcomes(db, [...new Set(inspected.map((r) => r.inventory_id))]);
      const perRuleInspection = new Map<string, { inspected: number; found: number }>();
      for (const r of inspected) {
        const status = outcomes.get(r.inventory_id);
        if (status !== 'passed' && status !== 'failed') continue;
        const x = perRuleInspection.get(r.rule) ?? { inspected: 0, found: 0 };
        x.inspected += 1;
        if (status === 'failed') x.found += 1;
        perRuleInspection.set(r.rule, x);
      }
      return {
        days,
        ...m,
        autoReleasedShare: m.total ? m.green / m.total : null,
        // Of the completed inspections a rule caused, the share that found something (查获率).
        inspectionHitRates: [...perRuleInspection].map(([rule, x]) => ({ rule, ...x, hitRate: x.found / x.inspected })),
      };
    },
  };
}
