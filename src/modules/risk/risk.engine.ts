import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { NewEvent } from '../../kernel/outbox.ts';
import type { Decision, DecisionHook } from '../clearance/index.ts';
import { createRiskCreditRepository } from './risk-credit.repository.ts';
import type { RiskPorts } from './risk.ports.ts';
import { createRiskRepository } from './risk.repository.ts';
import { creditLevelFor } from './rules/credit.rules.ts';
import {
  BUYER_KEY_FIELD,
  buyerFingerprint,
  DEFAULT_SPLIT_KEY_FIELDS,
  evaluate,
  isBuyerKey,
  rulesInForce,
  splitKeyOf,
  SPLIT_KEY_FIELDS,
  type CreditLevel,
  type LineFacts,
  type ParcelFacts,
  type RiskRule,
  type RuleHit,
} from './rules/risk.rules.ts';

type Doc = { head: Record<string, string>; lines: Record<string, string>[] };
type Item = { id: string; guid: string; doc: Doc };

/** An enterprise with no credit record is graded B ("general") until the credit system says otherwise. */
export const DEFAULT_CREDIT_LEVEL: CreditLevel = 'B';
const HS_MEDIAN_DAYS = 90;
const num = (s: string | undefined): number => (s === undefined || s === '' ? 0 : Number(s));
const pairKey = (ebc: string, itemNo: string): string => `${ebc}|${itemNo}`;
const orderKey = (h: Record<string, string>): string => `${h.ebcCode ?? ''}|${h.ebpCode ?? ''}|${h.orderNo ?? ''}`;
/** What the officer's queue shows of the goods: name ×quantity per line. */
const goodsSummary = (lines: Doc['lines']): string =>
  lines.map((l) => `${l.gname ?? l.itemName ?? ''} ×${l.qty ?? ''}`).join('; ');

/**
 * The split counts' key fields, window and value limit: those of the split-shipment rule in
 * force. Saving a second one in force at the same time is refused (risk.service.ts saveRule,
 * `splitRuleClash`), so the first is the only one. Key fields are checked when saved; a stored
 * one unknown (saved before the check) is left out, and none left means the defaults, never a
 * key of '' that every parcel would share.
 */
function splitParams(rules: readonly RiskRule[]) {
  const r = rules.find((x) => x.kind === 'split_shipment');
  const given = Array.isArray(r?.params.keyFields)
    ? (r.params.keyFields as unknown[]).filter(
        (k): k is string => typeof k === 'string' && (SPLIT_KEY_FIELDS as readonly string[]).includes(k),
      )
    : [];
  const keyFields = given.length ? given : [...DEFAULT_SPLIT_KEY_FIELDS];
  return {
    inForce: r !== undefined,
    keyFields,
    windowHours: Number(r?.params.windowHours ?? 24),
    maxValue: Number(r?.params.maxValue ?? Infinity),
  };
}

/**
 * The split key of each item. With the key field `buyer`, the buyers of the batch's orders are read
 * in one statement through the port and kept only as fingerprints; a parcel whose order has no
 * imported buyer falls back to the other key fields, and one with no key at all (buyer-only rule,
 * buyer unknown) gets a key of its own, so it groups with nothing.
 */
async function splitKeys(exec: Executor, ports: RiskPorts, items: readonly Item[], keyFields: readonly string[]) {
  const buyers = keyFields.includes(BUYER_KEY_FIELD)
    ? await ports.buyers(
        exec,
        items
          .map((i) => i.doc.head)
          .filter((h) => h.orderNo)
          .map((h) => ({ ebcCode: h.ebcCode ?? '', ebpCode: h.ebpCode ?? '', orderNo: h.orderNo ?? '' })),
      )
    : new Map<string, { name: string; address: string }>();
  return items.map((i) => {
    const b = buyers.get(orderKey(i.doc.head));
    return splitKeyOf(i.doc.head, keyFields, b ? buyerFingerprint(b.name, b.address) : null) ?? `parcel:${i.id}`;
  });
}

/**
 * What a replay in chunks (the dry run) carries from one chunk to the next: the sellers already
 * seen (not first-time any more), the recent low-value times per split key (pruned by
 * `pruneReplay`, so memory is bounded by the split window, not the period), and the start of the
 * replayed period: only decisions before it count as a seller's history.
 */
export interface ReplayState {
  seen: Set<string>;
  splitTimes: Map<string, number[]>;
  historyBefore: Date;
}

export const newReplayState = (historyBefore: Date): ReplayState => ({
  seen: new Set(),
  splitTimes: new Map(),
  historyBefore,
});

/** Drops split times that no later parcel (decided at or after `upTo`) can count in its window. */
export function pruneReplay(state: ReplayState, rules: readonly RiskRule[], upTo: Date): void {
  const cutoff = upTo.getTime() - splitParams(rules).windowHours * 3_600_000;
  for (const [key, times] of state.splitTimes) {
    const kept = times.filter((x) => x > cutoff);
    if (kept.length) state.splitTimes.set(key, kept);
    else state.splitTimes.delete(key);
  }
}

/**
 * Gathers the facts every rule needs for a batch of inventories in a fixed number of statements
 * (credit levels, history, buyers, split counts, HS medians, product filings), then evaluates the pure
 * rules. Used by the pipeline (store = true) and by the dry run (store = false, candidate rules).
 */
export async function assess(
  exec: Executor,
  ports: RiskPorts,
  items: readonly Item[],
  rules: readonly RiskRule[],
  now: Date,
  /**
   * draw: quarantine lines draw on batches (the pipeline); the dry run never draws.
   * at: the dry run's items in decision order, each with its own decision time: split counts and
   * first-time are then taken over these items as of that time, not as of `now`.
   * firstTimeRules: the pipeline's rule ids of kind first_time_exporter (any version): an item
   * decided before keeps whether that decision found its seller exporting for the first time.
   */
  opts: {
    excludeFromHistory: string[];
    draw?: boolean;
    at?: readonly Date[];
    replay?: ReplayState;
    firstTimeRules?: readonly string[];
  },
): Promise<{ item: Item; facts: ParcelFacts; lane: Decision['lane']; hits: RuleHit[]; splitKey: string }[]> {
  const repo = createRiskRepository(exec);
  const split = splitParams(rules);
  const sellers = [...new Set(items.map((i) => i.doc.head.ebcCode ?? ''))];
  const pairs = items.flatMap((i) => i.doc.lines.map((l) => ({ ebcCode: i.doc.head.ebcCode ?? '', itemNo: l.itemNo ?? '' })));
  const hsKeys = [...new Set(items.flatMap((i) => i.doc.lines.map((l) => `${l.gcode ?? ''}|${l.currency ?? ''}`)))];
  const keys = await splitKeys(exec, ports, items, split.keyFields);
  const since = new Date(now.getTime() - split.windowHours * 3_600_000);
  // A document names its seller by customs code or USCC: the credit system answers for the
  // enterprise, and a customs override or an earlier decision under either code counts.
  const rated = await ports.credit(exec, sellers);
  const aliases = new Map(sellers.map((c) => [c, rated.get(c)?.codes ?? [c]]));
  const sellerOf = (ebc: string): string => [...(aliases.get(ebc) ?? [ebc])].sort().join('|');
  const [credit, history, splitDb, medians, products, inspected, wasFirstTime] = await Promise.all([
    createRiskCreditRepository(exec).creditLevels(sellers, now, aliases),
    repo.sellersWithHistory(sellers, opts.excludeFromHistory, aliases, opts.replay?.historyBefore),
    // Only the split-shipment rule reads the counts; with none in force (the shipped R-SPLIT is off)
    // the window is not counted at all.
    split.inForce
      ? repo.splitCounts([...new Set(keys)], since, split.maxValue, opts.excludeFromHistory)
      : new Map<string, number>(),
    repo.hsMedians(hsKeys, new Date(now.getTime() - HS_MEDIAN_DAYS * 86_400_000)),
    ports.products(exec, pairs),
    ports.inspectionFiled(exec, pairs),
    opts.firstTimeRules?.length
      ? repo.earlierFirstTime(
          items.map((i) => i.id),
          [...opts.firstTimeRules],
        )
      : new Map<string, boolean>(),
  ]);
  const drawn = opts.draw
    ? await ports.drawOnBatches(
        exec,
        items.flatMap((i) =>
          i.doc.lines
            .filter((l) => {
              const k = pairKey(i.doc.head.ebcCode ?? '', l.itemNo ?? '');
              return !!products.get(k)?.quarantineCategory && inspected.has(k);
            })
            .map((l) => ({
              inventoryId: i.id,
              gnum: l.gnum ?? '',
              ebcCode: i.doc.head.ebcCode ?? '',
              itemNo: l.itemNo ?? '',
              qty: num(l.qty),
            })),
        ),
      )
    : null;
  const seenInBatch = opts.replay?.seen ?? new Set<string>();
  const splitInBatch = new Map<string, number>();
  const splitTimes = opts.replay?.splitTimes ?? new Map<string, number[]>();
  return items.map((item, idx) => {
    const head = item.doc.head;
    const ebc = head.ebcCode ?? '';
    const total = item.doc.lines.reduce((a, l) => a + num(l.totalPrice), 0);
    const key = keys[idx]!;
    let splitSoFar: number;
    const at = opts.at?.[idx]?.getTime();
    if (at === undefined) {
      if (total < split.maxValue) splitInBatch.set(key, (splitInBatch.get(key) ?? 0) + 1);
      splitSoFar = (splitDb.get(key) ?? 0) + (splitInBatch.get(key) ?? 0);
    } else {
      // Replayed in time order: the window ends at this inventory's own decision, not at now.
      const times = (splitTimes.get(key) ?? []).filter((x) => x > at - split.windowHours * 3_600_000);
      if (total < split.maxValue) times.push(at);
      if (times.length) splitTimes.set(key, times);
      else splitTimes.delete(key);
      splitSoFar = times.length;
    }
    const known = rated.get(ebc);
    const grade = creditLevelFor(credit.get(ebc), known?.rated, known?.history, now, known?.blacklisted ?? false);
    // A credit record (set by customs or rated by the credit system) means a known exporter; a
    // grade derived from history alone does not. A parcel decided again (a rule changed, a hold
    // fixed) was its seller's first or not when first decided: its seller's later parcels do not
    // make it known.
    const was = wasFirstTime.get(item.id);
    const firstTime = grade.source === 'history' && (was ?? (!history.has(ebc) && !seenInBatch.has(sellerOf(ebc))));
    seenInBatch.add(sellerOf(ebc));
    const lines: LineFacts[] = item.doc.lines.map((l) => {
      const p = products.get(pairKey(ebc, l.itemNo ?? ''));
      const currency = l.currency ?? '';
      return {
        gnum: l.gnum ?? '',
        itemNo: l.itemNo ?? '',
        name: l.gname ?? l.itemName ?? '',
        hsCode: l.gcode ?? '',
        currency,
        qty: num(l.qty),
        unitPrice: num(l.price),
        referencePrice: p && p.currency === currency ? Number(p.referencePrice) : null,
        hsMedian: medians.get(`${l.gcode ?? ''}|${currency}`) ?? null,
        quarantineCategory: p?.quarantineCategory ?? null,
        inspectionFiled: inspected.has(pairKey(ebc, l.itemNo ?? '')),
        batchCovered: drawn ? drawn.has(`${item.id}|${l.gnum ?? ''}`) : null,
      };
    });
    const facts: ParcelFacts = {
      guid: item.guid,
      ebcCode: ebc,
      country: head.country ?? '',
      head,
      total,
      lines,
      creditLevel: grade.level,
      blacklisted: grade.source === 'blacklist',
      firstTime,
      // The window of the split rule is the one the counts were taken for.
      splitCount: () => splitSoFar,
      splitByBuyer: isBuyerKey(key),
    };
    const { lane, hits } = evaluate(rules, facts);
    return { item, facts, lane, hits, splitKey: key };
  });
}

/**
 * The risk engine as the clearance decision hook: rules in force today, every decision stored
 * with its hits (rsk_decision) in the pipeline's transaction.
 */
export const TOPIC_INSPECT = 'risk.inspect';

/** Published in the pipeline's transaction for an inventory selected for inspection. */
export interface InspectPayload {
  inventoryId: string;
  /** every agency whose rule selected it: both means one joint task */
  agencies: ('customs' | 'inspection')[];
  logisticsNo: string;
  customsCode: string | null;
  ebcCode: string;
}

/**
 * Published in the pipeline's transaction for every decided parcel with a line in a quarantine
 * category: the inspection module declares them to the inspection authority in batches (集中申报).
 */
export const TOPIC_QUARANTINE = 'risk.quarantine';

export interface QuarantinePayload {
  decidedAt: string;
  parcels: {
    inventoryId: string;
    ebcCode: string;
    customsCode: string | null;
    logisticsNo: string;
    lane: Decision['lane'];
    lines: { gnum: string; itemNo: string; name: string; hsCode: string; qty: number; category: string }[];
  }[];
}

export function createRiskEngine(deps: {
  clock: Clock;
  ports: RiskPorts;
  outbox: { publish(trx: Executor, events: NewEvent[]): Promise<unknown> };
}): DecisionHook {
  return async (items, exec) => {
    const out = new Map<string, Decision>();
    if (items.length === 0) return out;
    const repo = createRiskRepository(exec);
    const now = deps.clock.now();
    const all = await repo.allRules();
    const rules = rulesInForce(all, now);
    const ids = items.map((i) => i.id);
    const firstTimeRules = [...new Set(all.filter((r) => r.kind === 'first_time_exporter').map((r) => r.id))];
    const assessed = await assess(exec, deps.ports, items, rules, now, { excludeFromHistory: ids, draw: true, firstTimeRules });
    await repo.saveDecisions(
      assessed.map((a) => ({
        inventory_id: a.item.id,
        guid: a.item.guid,
        ebc_code: a.facts.ebcCode,
        customs_code: a.item.doc.head.customsCode ?? null,
        split_key: a.splitKey,
        total: String(a.facts.total),
        logistics_no: a.item.doc.head.logisticsNo ?? null,
        order_no: a.item.doc.head.orderNo ?? null,
        app_time: a.item.doc.head.appTime ?? null,
        goods: goodsSummary(a.item.doc.lines),
        lane: a.lane,
        hits: a.hits,
      })),
      now,
    );
    await repo.savePrices(
      assessed.flatMap((a) =>
        a.facts.lines.map((l) => ({
          inventory_id: a.item.id,
          gnum: l.gnum,
          hs_code: l.hsCode,
          currency: l.currency,
          unit_price: l.unitPrice,
        })),
      ),
      now,
    );
    const inspect: NewEvent[] = assessed
      .filter((a) => a.lane === 'inspect')
      .map((a) => {
        const payload: InspectPayload = {
          inventoryId: a.item.id,
          // Every agency whose rule stopped the parcel, not only those that asked for inspection: a
          // customs review hit (a vague name) with an inspection-agency inspect hit is one joint
          // task, released only when both have cleared it (一次查验、一次放行).
          agencies: [...new Set(a.hits.filter((h) => h.lane !== 'green').map((h) => h.agency))].sort(),
          logisticsNo: a.item.doc.head.logisticsNo ?? '',
          customsCode: a.item.doc.head.customsCode ?? null,
          ebcCode: a.facts.ebcCode,
        };
        return { topic: TOPIC_INSPECT, key: a.item.id, payload };
      });
    const quarantine: QuarantinePayload['parcels'] = assessed
      .filter((a) => a.facts.lines.some((l) => l.quarantineCategory))
      .map((a) => ({
        inventoryId: a.item.id,
        ebcCode: a.facts.ebcCode,
        customsCode: a.item.doc.head.customsCode ?? null,
        logisticsNo: a.item.doc.head.logisticsNo ?? '',
        lane: a.lane,
        lines: a.facts.lines
          .filter((l) => l.quarantineCategory)
          .map((l) => ({
            gnum: l.gnum,
            itemNo: l.itemNo,
            name: l.name,
            hsCode: l.hsCode,
            qty: l.qty,
            category: l.quarantineCategory!,
          })),
      }));
    if (quarantine.length) {
      const payload: QuarantinePayload = { decidedAt: now.toISOString(), parcels: quarantine };
      inspect.push({ topic: TOPIC_QUARANTINE, payload });
    }
    if (inspect.length) await deps.outbox.publish(exec, inspect);
    for (const a of assessed) {
      out.set(a.item.id, {
        lane: a.lane,
        reasons: a.hits.map((h) => ({
          rule: h.rule,
          lane: h.lane,
          zh: `[${h.rule}] ${h.zh}：${h.detailZh}`,
          en: `[${h.rule}] ${h.en}: ${h.detailEn}`,
        })),
      });
    }
    return out;
  };
}
