import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { TOPIC_REVIEWED, TOPIC_WITHDRAWN, type ReviewedPayload, type WithdrawnPayload } from './clearance.pipeline.ts';
import { createClearanceRepository, type DecisionRow, type DocumentRow } from './clearance.repository.ts';
import { DOC, scopeOf, toDocumentView, visible } from './clearance.shared.ts';
import { receiptBatch, recipientsOf } from './receipt.writer.ts';
import type { DecisionHook, Lane } from './rules/decision.rules.ts';

// Held inventories: the officer's review queue and decisions, the inspection module's release after
// a (joint) inspection, and the risk engine deciding again what it held (hold or review lane).

/** The lanes a parcel waits in that the risk engine may decide again: no officer or inspection has it yet. */
const REDECIDABLE: readonly string[] = ['hold', 'review'] satisfies Lane[];

/** What the seller is told when a parcel the engine decided again is released. */
const RELEASED_AGAIN: Record<string, string> = {
  hold: '暂扣原因已消除，重新判定通过 / hold cleared: decided again and passed',
  review: '风险规则调整后重新判定通过，无需人工审核 / decided again after a risk rule change and passed: no manual review needed',
};

export function createClearanceReview(deps: { db: Db; clock: Clock; audit: AuditLog; outbox: Outbox }) {
  const { db, clock, audit, outbox } = deps;

  return {
    /** Inventories held for manual review in the officer's jurisdiction, with their linked documents. */
    async reviewQueue(p: Principal | null, limit = 100) {
      requirePermission(p, 'clearance.review');
      const repo = createClearanceRepository(db);
      const rows = await repo.heldInventories({ ...scopeOf(p), limit });
      const keys = rows.map((r) => r.business_key);
      const wkeys = rows.map((r) => `${r.head.logisticsCode}|${r.head.logisticsNo}`);
      const [orders, waybills, payments] = await Promise.all([
        repo.liveByKeys('order', keys),
        repo.liveByKeys('waybill', wkeys),
        repo.liveByKeys('payment', keys),
      ]);
      const by = (docs: DocumentRow[]) => new Map(docs.map((d) => [d.business_key, toDocumentView(d)]));
      const o = by(orders);
      const w = by(waybills);
      const pay = by(payments);
      return rows.map((r) => ({
        inventory: toDocumentView(r),
        review: { lane: r.lane, reason: r.review_reason },
        order: o.get(r.business_key) ?? null,
        waybill: w.get(`${r.head.logisticsCode}|${r.head.logisticsNo}`) ?? null,
        payment: pay.get(r.business_key) ?? null,
      }));
    },

    /**
     * A customs officer decides a held inventory: approve → 399 (then release as usual), reject → 100.
     * An inventory selected for inspection (lane `inspect`) is not approved here: "one inspection,
     * one release" (一次查验、一次放行) means it is released only after the (joint) inspection has
     * passed, through `decideInspected`.
     */
    async review(p: Principal | null, id: string, decision: { approve: boolean; reason?: string }) {
      requirePermission(p, 'clearance.review');
      return decide(p, id, decision, 'review');
    },

    /**
     * The same decision for several held inventories, in one transaction: every id is locked (in
     * id order), each is checked as `review` checks one, and those that can be decided are
     * decided together (one statement per table, one outbox event, one audit append). One that
     * cannot be decided (no inventory, no longer held, selected for inspection or held by a
     * rule) is reported with its reason and does not stop the others. A rejection without a
     * reason, or an id outside the officer's jurisdiction, refuses the request whole.
     */
    async reviewBulk(p: Principal | null, ids: string[], decision: Decision) {
      requirePermission(p, 'clearance.review');
      needsReason(decision);
      const unique = [...new Set(ids)];
      const { customsPrefix } = scopeOf(p);
      const result = await db.transaction().execute(async (trx) => {
        const repo = createClearanceRepository(trx);
        // An id outside the officer's jurisdiction (or no document at all) refuses the whole request
        // as not found, before anything is decided: a foreign id is never told apart from a missing one.
        const seen = await repo.inJurisdiction(unique, customsPrefix ?? '');
        const foreign = unique.find((id) => !seen.has(id));
        if (foreign !== undefined) throw notFound({ zh: `清单 ${foreign}`, en: `inventory ${foreign}` });
        const rows = new Map((await repo.inventoriesForDecision(unique)).map((d) => [d.id, d]));
        const decidable: DecisionRow[] = [];
        const items = unique.map((id): BulkItem => {
          const d = rows.get(id);
          const refused = refusal(d, decision, 'review');
          if (refused)
            return { id, ok: false, status: null, code: refused.code, zh: refused.bilingual.zh, en: refused.bilingual.en };
          decidable.push(d!);
          return { id, ok: true, status: decision.approve ? '399' : '100', code: null, zh: null, en: null };
        });
        await applyDecisions(trx, p, decidable, decision, 'review');
        return { items, decided: decidable.length };
      });
      if (result.decided) outbox.kick();
      return { items: result.items };
    },

    /**
     * The inspection module's path (wired through its port in the composition root, never a
     * route): the (joint) inspection task is complete, so every involved agency has decided; the
     * inventory is released (or rejected) once, here, with the same receipts as a review.
     */
    async decideInspected(p: Principal | null, id: string, decision: { approve: boolean; reason?: string }) {
      requirePermission(p, 'inspection.work');
      return decide(p, id, decision, 'inspection');
    },

    /**
     * The risk engine's path (its follow-up handler, wired in the composition root, never a route):
     * what held these inventories may be fixed (an inspection filing approved, a batch declared) or
     * changed (customs edited or switched off a rule), so the decision hook decides them again in
     * the caller's transaction. Each is re-checked under lock: only a live inventory still in 300,
     * in the `hold` or `review` lane and not decided by an officer is decided again; one an officer
     * approved or rejected, or one selected for inspection, is left alone. The new lane is compared
     * with the one it waited in: green → 399 (released once bound, as after an approval); the same
     * lane for the same reasons changes nothing; another lane keeps it in 300 under that lane with
     * the pipeline's receipt (inspect 500, hold 300 telling the seller why, review 300 when it was
     * held before); still in review for other reasons only the officer's reason changes (the seller
     * was told 300 already and never sees the rules).
     */
    async redecideHeld(exec: Executor, ids: string[], decideHook: DecisionHook): Promise<{ released: string[] }> {
      const repo = createClearanceRepository(exec);
      // One locking read of the documents with their inventory's lane and decision, not a read per document.
      const held: { d: DecisionRow; invtNo: string; lane: string; reason: string | null }[] = [];
      for (const d of await repo.inventoriesForDecision(ids)) {
        if (d.kind !== 'inventory' || !d.live || d.status !== '300' || d.invt_no === null) continue;
        if (d.lane && REDECIDABLE.includes(d.lane) && d.decided_at === null)
          held.push({ d, invtNo: d.invt_no, lane: d.lane, reason: d.review_reason });
      }
      if (held.length === 0) return { released: [] };
      const verdicts = await decideHook(
        held.map(({ d }) => ({ id: d.id, guid: d.guid, doc: d })),
        exec,
      );
      const now = clock.now();
      const receipts = receiptBatch(clock);
      const statuses: { id: string; status: string }[] = [];
      const decisions: { id: string; lane: string; reason: string | null; decided: boolean }[] = [];
      const released: string[] = [];
      const changed: { id: string; before: unknown; after: unknown }[] = [];
      for (const { d, invtNo, lane: was, reason: wasReason } of held) {
        const v = verdicts.get(d.id) ?? { lane: 'green' as const, reasons: [] };
        const reason = v.lane === 'green' ? null : v.reasons.map((r) => `${r.zh} / ${r.en}`).join('; ');
        if (v.lane === was && reason === wasReason) continue;
        const base = {
          messageType: 'CEB603' as const,
          documentId: d.id,
          recipients: recipientsOf(d),
          head: d.head,
          preNo: d.pre_no,
          invtNo,
        };
        if (v.lane === 'green') {
          statuses.push({ id: d.id, status: '399' });
          released.push(d.id);
          receipts.add({ ...base, status: '399', detail: RELEASED_AGAIN[was] ?? RELEASED_AGAIN.hold! });
        } else if (v.lane === 'inspect') receipts.add({ ...base, status: '500', detail: '查验 / selected for inspection' });
        else if (v.lane === 'review') {
          if (was !== 'review') receipts.add({ ...base, status: '300' });
        } else {
          const told = v.reasons.filter((r) => r.lane === 'hold');
          receipts.add({
            ...base,
            status: '300',
            detail: (told.length ? told : v.reasons).map((r) => `${r.zh} / ${r.en}`).join('; '),
          });
        }
        decisions.push({ id: d.id, lane: v.lane, reason, decided: v.lane === 'green' });
        changed.push({
          id: d.id,
          before: { status: '300', lane: was, reason: wasReason },
          after: { status: v.lane === 'green' ? '399' : '300', lane: v.lane, reason },
        });
      }
      await repo.setStatuses(statuses, now);
      await repo.setInventoryDecisions(decisions, now);
      await receipts.flush(repo);
      if (released.length) {
        const payload: ReviewedPayload = { ids: released };
        await outbox.publish(exec, [{ topic: TOPIC_REVIEWED, payload }]);
      }
      if (changed.length)
        await audit.append(
          exec,
          SYSTEM_ACTOR,
          changed.map((c) => ({
            action: 'inventory.redecide',
            entity: 'clr_document',
            entityId: c.id,
            before: c.before,
            after: c.after,
          })),
        );
      return { released };
    },
  };

  async function decide(p: Principal, id: string, decision: Decision, via: Via) {
    needsReason(decision);
    const result = await db.transaction().execute(async (trx) => {
      const repo = createClearanceRepository(trx);
      const [d] = await repo.inventoriesForDecision([id]);
      if (!d || d.kind !== 'inventory' || !(await visible(repo, scopeOf(p), d))) throw notFound(DOC);
      const refused = refusal(d, decision, via);
      if (refused) throw refused;
      await applyDecisions(trx, p, [d], decision, via);
      return { id, status: decision.approve ? '399' : '100' };
    });
    outbox.kick();
    return result;
  }

  /**
   * Writes the decisions on inventories locked and checked (`refusal`) in the caller's
   * transaction: approve → 399 (lane reviewed or inspected; released once bound), reject → 100
   * (withdrawn). One statement per table, one receipt batch, one outbox event, one audit append.
   */
  async function applyDecisions(trx: Executor, p: Principal, rows: DecisionRow[], decision: Decision, via: Via) {
    if (rows.length === 0) return;
    const repo = createClearanceRepository(trx);
    const ids = rows.map((d) => d.id);
    // A single decision keeps its id as the event key (the order of one inventory's events).
    const key = ids.length === 1 ? { key: ids[0]! } : {};
    const now = clock.now();
    const receipts = receiptBatch(clock);
    const receiptOf = (d: DecisionRow) => ({
      messageType: 'CEB603' as const,
      documentId: d.id,
      recipients: recipientsOf(d),
      head: d.head,
      preNo: d.pre_no,
      invtNo: d.invt_no!,
    });
    if (decision.approve) {
      await repo.setStatuses(
        ids.map((id) => ({ id, status: '399' })),
        now,
      );
      await repo.setInventoryDecisions(
        rows.map((d) => ({
          id: d.id,
          lane: via === 'inspection' ? 'inspected' : 'reviewed',
          reason: d.review_reason,
          decided: true,
        })),
        now,
      );
      const detail = via === 'inspection' ? '查验通过 / passed inspection' : '人工审核通过 / approved on review';
      for (const d of rows) receipts.add({ ...receiptOf(d), status: '399', detail });
      const payload: ReviewedPayload = { ids };
      await outbox.publish(trx, [{ topic: TOPIC_REVIEWED, ...key, payload }]);
    } else {
      const reason = decision.reason ?? '';
      await repo.setStatuses(
        ids.map((id) => ({ id, status: '100', live: false, info: reason })),
        now,
      );
      await repo.clearHeld(ids);
      for (const d of rows) receipts.add({ ...receiptOf(d), status: '100', detail: reason });
      const payload: WithdrawnPayload = { ids };
      await outbox.publish(trx, [{ topic: TOPIC_WITHDRAWN, ...key, payload }]);
    }
    await receipts.flush(repo);
    const kind = via === 'inspection' ? 'inventory.inspection' : 'inventory.review';
    await audit.append(
      trx,
      actorOf(p),
      rows.map((d) => ({
        action: `${kind}.${decision.approve ? 'approve' : 'reject'}`,
        entity: 'clr_document',
        entityId: d.id,
        before: { status: '300', lane: d.lane },
        after: { status: decision.approve ? '399' : '100', reason: decision.reason ?? null },
      })),
    );
  }
}

type Decision = { approve: boolean; reason?: string };
type Via = 'review' | 'inspection';
type BulkItem = { id: string; ok: boolean; status: string | null; code: string | null; zh: string | null; en: string | null };

/** A rejection must say why: refused before anything is read. */
function needsReason(decision: Decision): void {
  if (!decision.approve && !decision.reason?.trim()) {
    throw validationError([
      { field: 'reason', rule: 'required', message: { zh: '退单必须说明理由', en: 'a rejection needs a reason' } },
    ]);
  }
}

/**
 * Why this document cannot be decided this way (null: it can), for one decision and for many
 * alike. An inventory selected for inspection (lane `inspect`) is not approved on review: "one
 * inspection, one release" (一次查验、一次放行) means it is released only after the (joint)
 * inspection has passed, through `decideInspected`.
 */
function refusal(d: DecisionRow | undefined, decision: Decision, via: Via): DomainError | null {
  if (!d || d.kind !== 'inventory' || d.invt_no === null) return notFound(DOC);
  if (d.status !== '300') {
    return new DomainError('clearance.invalid_state', {
      zh: `清单状态为 ${d.status}，不在人工审核中`,
      en: `the inventory is in status ${d.status}, not under manual review`,
    });
  }
  if (via === 'review' && decision.approve && d.lane === 'inspect') {
    return new DomainError('clearance.invalid_state', {
      zh: `清单 ${d.invt_no} 已被布控查验，须在查验任务中由各相关部门查验通过后放行，不能在人工审核中直接通过`,
      en: `inventory ${d.invt_no} is selected for inspection: it is released when every involved agency has passed the inspection task, not approved on review`,
    });
  }
  if (via === 'review' && decision.approve && d.lane === 'hold') {
    // A hold is for the seller to fix (a missing inspection filing, no batch balance) or goods
    // that may not leave (a prohibited HS code): rejected on review, never approved; once the
    // cause is fixed the risk engine decides it again (`redecideHeld`).
    const rules = [...new Set([...(d.review_reason ?? '').matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]))].join(', ');
    return new DomainError('clearance.invalid_state', {
      zh: `清单 ${d.invt_no} 被风险规则 ${rules} 暂扣（${d.review_reason ?? ''}），不能在人工审核中直接通过：缺少检验检疫备案或批次余量的，待企业补正（备案获批、申报批次）后由风险判定重新放行；禁止出口的商品只能退单`,
      en: `inventory ${d.invt_no} is held by risk rule ${rules} (${d.review_reason ?? ''}) and cannot be approved on review: one held for a missing inspection filing or batch balance moves on when the seller fixes it (filing approved, batch declared) and the risk engine decides it again; prohibited goods can only be rejected`,
    });
  }
  if (via === 'inspection' && d.lane !== 'inspect') {
    return new DomainError('clearance.invalid_state', {
      zh: `清单 ${d.invt_no} 未被布控查验`,
      en: `inventory ${d.invt_no} is not selected for inspection`,
    });
  }
  return null;
}
