import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createRiskCreditRepository } from './risk-credit.repository.ts';
import { createRiskDryRun } from './risk-dry-run.service.ts';
import { TOPIC_REDECIDE, type RedecidePayload } from './risk.handler.ts';
import type { ClearancePort, RiskPorts } from './risk.ports.ts';
import { createRiskRepository, type DecisionRow } from './risk.repository.ts';
import { checkRule, prefixOf, problem, type RuleInput } from './risk.shared.ts';
import { CREDIT_OVERRIDE_DAYS } from './rules/credit.rules.ts';
import { beijingDay, CREDIT_LEVELS, rulesInForce, splitRuleClash, type CreditLevel, type RiskRule } from './rules/risk.rules.ts';

export { checkRule, type RuleInput } from './risk.shared.ts';

const DECISION = { zh: '风险判定', en: 'risk decision' };

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

/** A second split-shipment rule in force at the same time as another: refused, naming both and the day. */
function splitClashError(id: string, other: RiskRule, day: string): DomainError {
  return new DomainError(
    'risk.conflict',
    {
      zh: `拆单规则 ${id} 不能生效：拆单规则 ${other.id}（第 ${other.version} 版，${other.effectiveFrom} 起生效）在 ${day} 也生效。风险引擎只按一条拆单规则的键字段、时间窗和金额计数，同一时间只能有一条拆单规则生效；请编辑 ${other.id}，或先保存一个停用的 ${other.id} 新版本`,
      en: `split shipment rule ${id} cannot be in force: split shipment rule ${other.id} (version ${other.version}, effective ${other.effectiveFrom}) is in force on ${day} too. The risk engine counts split parcels with one split rule's key fields, window and value, so only one split shipment rule may be in force at a time; edit ${other.id}, or first save a new version of ${other.id} switched off`,
    },
    { ruleId: id, conflictsWith: other.id, conflictVersion: other.version, day },
  );
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

export function createRiskService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
  ports: RiskPorts;
  clearance: ClearancePort;
}) {
  const { db, clock, audit, outbox } = deps;
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

    /**
     * Saves a rule as a new version (a new id starts at 1); old versions stay. A version in force
     * today (Beijing day) changes what holds parcels now: the parcels this rule holds are decided
     * again (TOPIC_REDECIDE, published in the same transaction), so switching a rule off or
     * loosening it releases what it alone held.
     */
    async saveRule(p: Principal | null, input: RuleInput) {
      requirePermission(p, 'risk.manage');
      const draft = checkRule(input);
      const saved = await db.transaction().execute(async (trx) => {
        const repo = createRiskRepository(trx);
        const version = (await repo.lastVersion(draft.id)) + 1;
        const rule = { ...draft, version };
        const now = clock.now();
        if (rule.kind === 'split_shipment' && rule.enabled) {
          // Two officers saving two split rules at once would each see the other's missing.
          await repo.lockSplitRules();
          const clash = splitRuleClash(await repo.allRules(), rule, beijingDay(now));
          if (clash) throw splitClashError(rule.id, clash.other, clash.day);
        }
        await repo.insertRule(rule, p.userId, now);
        const held = rule.effectiveFrom <= beijingDay(now) ? await repo.heldByRule(rule.id) : [];
        if (held.length) {
          const payload: RedecidePayload = { ebcCodes: [], inventoryIds: held };
          await outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: rule.id, payload }]);
        }
        await audit.append(trx, actorOf(p), [
          { action: 'risk.rule.save', entity: 'rsk_rule', entityId: `${rule.id}@${version}`, after: rule },
        ]);
        return { rule, redecide: held.length > 0 };
      });
      if (saved.redecide) outbox.kick();
      return saved.rule;
    },

    dryRun: createRiskDryRun(deps),

    /** The rules that decided one inventory, and why: officers only (the seller sees the outcome). */
    async decision(p: Principal | null, inventoryId: string) {
      requirePermission(p, 'risk.read');
      const repo = createRiskRepository(db);
      const [d] = await repo.decisionsOf([inventoryId]);
      const prefix = prefixOf(p);
      if (!d || (prefix !== null && !(d.customs_code ?? '').startsWith(prefix))) throw notFound(DECISION);
      // A parcel decided again (a hold fixed, a rule changed) keeps the decisions it had before.
      const earlier = await repo.earlierDecisions(inventoryId);
      return {
        ...toDecisionView(d),
        earlier: earlier.map((e) => ({
          lane: e.lane,
          hits: e.hits,
          decidedAt: new Date(e.decided_at).toISOString(),
          supersededAt: new Date(e.superseded_at).toISOString(),
        })),
      };
    },

    /**
     * Decisions whose parcel is still held (300), with their explanations, oldest first (officers
     * work the queue first in, first out): what the officer has to handle, a page at a time (keyset
     * cursor), with how many there are in all. A
     * decision marked held that clearance no longer holds (a mark from before the queue tracked
     * it) is left out and its mark cleared; the cursor still moves past it.
     */
    async hitQueue(p: Principal | null, opts: { limit?: number; cursor?: string } = {}) {
      requirePermission(p, 'risk.read');
      const limit = Math.min(Math.max(opts.limit ?? 200, 1), 1000);
      const after = opts.cursor ? parseCursor(opts.cursor) : null;
      const prefix = prefixOf(p);
      const repo = createRiskRepository(db);
      const [rows, total] = await Promise.all([repo.hitQueue(prefix, after, limit + 1), repo.heldCount(prefix)]);
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

    /** The overrides customs (or the demo seed) set, expired ones too: `expired` says which no longer count. */
    async credit(p: Principal | null) {
      requirePermission(p, 'risk.read');
      const rows = await createRiskCreditRepository(db).listCredit();
      const prefix = prefixOf(p!);
      const inScope = await enterprisesInScope(
        rows.map((r) => r.enterprise_code),
        prefix,
      );
      const now = clock.now().getTime();
      return rows
        .filter((r) => inScope.has(r.enterprise_code))
        .map((r) => ({
          enterpriseCode: r.enterprise_code,
          level: r.level,
          source: r.source,
          updatedAt: new Date(r.updated_at).toISOString(),
          validUntil: new Date(r.valid_until).toISOString(),
          expired: new Date(r.valid_until).getTime() <= now,
        }));
    },

    /**
     * Customs overrides an enterprise's credit level until `validUntil` (ISO date-time; default a
     * year from now): until then it outranks the credit system's rating, after it the rating
     * applies again. A time not after now is refused.
     */
    async setCredit(p: Principal | null, enterpriseCode: string, level: string, validUntil?: string) {
      requirePermission(p, 'risk.manage');
      const now = clock.now();
      const problems: FieldProblem[] = [];
      if (!(CREDIT_LEVELS as readonly string[]).includes(level))
        problems.push(problem('level', 'enum', '信用等级须为 AA、A、B 或 C', 'credit level must be AA, A, B or C'));
      if (!/^[0-9A-Z]{10}([0-9A-Z]{8})?$/.test(enterpriseCode))
        problems.push(
          problem(
            'enterpriseCode',
            'format',
            '企业编码为 10 位海关编码或 18 位信用代码',
            'enterprise code: 10-character customs code or 18-character USCC',
          ),
        );
      const until = validUntil === undefined ? new Date(now.getTime() + CREDIT_OVERRIDE_DAYS * 86_400_000) : new Date(validUntil);
      if (Number.isNaN(until.getTime()))
        problems.push(
          problem(
            'validUntil',
            'format',
            '有效期（validUntil）须为 ISO 日期时间，如 2027-06-30T00:00:00+08:00',
            'validUntil must be an ISO date-time, e.g. 2027-06-30T00:00:00+08:00',
          ),
        );
      else if (until.getTime() <= now.getTime())
        problems.push(
          problem(
            'validUntil',
            'future',
            `有效期（validUntil）${until.toISOString()} 不晚于当前时间 ${now.toISOString()}：人工设定的信用等级须在将来到期`,
            `validUntil ${until.toISOString()} is not after now (${now.toISOString()}): an override must expire in the future`,
          ),
        );
      if (problems.length) throw validationError(problems);
      // A customs office sets the levels of the enterprises it supervises; another's, or a code
      // no enterprise holds, is not found.
      if (!(await enterprisesInScope([enterpriseCode], prefixOf(p!))).has(enterpriseCode))
        throw notFound({ zh: `企业 ${enterpriseCode}`, en: `enterprise ${enterpriseCode}` });
      await db.transaction().execute(async (trx) => {
        const repo = createRiskCreditRepository(trx);
        const before = (await repo.creditLevels([enterpriseCode], now)).get(enterpriseCode) ?? null;
        await repo.setCredit([{ code: enterpriseCode, level: level as CreditLevel, source: 'customs', validUntil: until }], now);
        await audit.append(trx, actorOf(p), [
          {
            action: 'risk.credit.set',
            entity: 'rsk_credit',
            entityId: enterpriseCode,
            before: { level: before },
            after: { level, validUntil: until.toISOString() },
          },
        ]);
      });
      return { enterpriseCode, level, validUntil: until.toISOString() };
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
