import { encodeCeb, encodeCebReceipt, type ReceiptMessageType } from '../../ceb/index.ts';
import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { TOPIC_REVIEWED, TOPIC_WITHDRAWN, type ReviewedPayload, type WithdrawnPayload } from './clearance.pipeline.ts';
import {
  createClearanceRepository,
  type ClearanceRepository,
  type DocumentRow,
  type ReceiptRow,
} from './clearance.repository.ts';
import { receiptBatch, recipientsOf } from './receipt.writer.ts';
import { receiptRecord } from './rules/receipts.rules.ts';
import { DOC_KINDS, KIND_TO_MESSAGE, type DocKind } from './rules/documents.rules.ts';
import type { DecisionHook } from './rules/decision.rules.ts';

const DOC = { zh: '单证', en: 'document' };

/** Who sees which documents: parties see theirs; customs its jurisdiction; the operator all. */
type Scope = { partyOrgId?: string; customsPrefix?: string };

function scopeOf(p: Principal): Scope {
  if (isAdmin(p)) return {};
  const org = p.organisation;
  if (org?.kind === 'agency') return { customsPrefix: jurisdictionPrefix(org.jurisdiction) ?? '\u0000' };
  return { partyOrgId: org?.id ?? '00000000-0000-0000-0000-000000000000' };
}

/**
 * Parties see their documents and subscribers theirs; an agency what is declared in its
 * jurisdiction and the place-less documents (orders, payment collections, waybills) linked to an
 * inventory there (asked of the repository: the link is in the database); the operator all.
 */
async function visible(repo: ClearanceRepository, scope: Scope, d: DocumentRow): Promise<boolean> {
  if (scope.partyOrgId !== undefined) return d.parties.includes(scope.partyOrgId) || (d.readers ?? []).includes(scope.partyOrgId);
  if (scope.customsPrefix !== undefined) {
    if (d.customs_code !== null) return d.customs_code.startsWith(scope.customsPrefix);
    return (await repo.inJurisdiction([d.id], scope.customsPrefix)).has(d.id);
  }
  return true;
}

// A type, not an interface: push channels take it as a plain JSON record.
export type ReceiptView = {
  /** unique receipt id: a client that sees it twice ignores the second */
  id: number;
  /** feed position, the cursor for `after` */
  seq: number | null;
  messageType: string;
  documentId: string | null;
  guid: string;
  returnStatus: string;
  returnInfo: string;
  returnTime: string;
  fields: Record<string, string>;
  xml: string;
};

export function toReceiptView(r: ReceiptRow): ReceiptView {
  const record = receiptRecord(r.message_type as ReceiptMessageType, r.fields, {
    guid: r.guid,
    returnStatus: r.return_status,
    returnInfo: r.return_info,
    returnTime: r.return_time,
  });
  return {
    id: r.id,
    seq: r.seq,
    messageType: r.message_type,
    documentId: r.document_id,
    guid: r.guid,
    returnStatus: r.return_status,
    returnInfo: r.return_info,
    returnTime: r.return_time,
    fields: record,
    // The receipt id, not a random guid, names the envelope: pulling twice gives the same bytes.
    xml: encodeCebReceipt(r.message_type as ReceiptMessageType, receiptEnvelopeGuid(r.id), [record]),
  };
}

function receiptEnvelopeGuid(id: number): string {
  const hex = id.toString(16).padStart(12, '0');
  return `CBEC0000-0000-4000-8000-${hex}`.toUpperCase();
}

export function toDocumentView(d: DocumentRow & { invt_no?: string | null }) {
  return {
    id: d.id,
    kind: d.kind,
    guid: d.guid,
    businessKey: d.business_key,
    copNo: d.cop_no,
    preNo: d.pre_no,
    invtNo: d.invt_no ?? null,
    status: d.status,
    live: d.live,
    customsCode: d.customs_code,
    returnInfo: d.return_info,
    head: d.head,
    lines: d.lines,
    createdAt: new Date(d.created_at).toISOString(),
    updatedAt: new Date(d.updated_at).toISOString(),
  };
}

export type ClearanceService = ReturnType<typeof createClearanceService>;

export function createClearanceService(deps: { db: Db; clock: Clock; audit: AuditLog; outbox: Outbox }) {
  const { db, clock, audit, outbox } = deps;

  return {
    /** Receipts for the caller's organisation after a cursor, oldest first. */
    async receipts(p: Principal | null, after: number, limit: number): Promise<{ items: ReceiptView[]; next: number }> {
      requirePermission(p, 'clearance.read');
      const org = p.organisation;
      if (!org) return { items: [], next: after };
      const rows = await createClearanceRepository(db).receiptsAfter(org.id, after, limit);
      return { items: rows.map(toReceiptView), next: rows.length ? rows[rows.length - 1]!.seq! : after };
    },

    async list(p: Principal | null, opts: { kind?: DocKind; status?: string; q?: string; cursor?: string; limit?: number }) {
      requirePermission(p, 'clearance.read');
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      let before: { created_at: Date; id: string } | undefined;
      if (opts.cursor) {
        const [t, id] = Buffer.from(opts.cursor, 'base64url').toString('utf8').split('|');
        if (!t || !id || Number.isNaN(Date.parse(t))) {
          throw validationError([{ field: 'cursor', rule: 'format', message: { zh: '游标无效', en: 'invalid cursor' } }]);
        }
        before = { created_at: new Date(t), id };
      }
      const rows = await createClearanceRepository(db).listDocuments({
        ...scopeOf(p),
        limit: limit + 1,
        ...(opts.kind ? { kind: opts.kind } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.q ? { q: opts.q } : {}),
        ...(before ? { before } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toDocumentView),
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(`${new Date(last.created_at).toISOString()}|${last.id}`).toString('base64url')
            : null,
      };
    },

    async get(p: Principal | null, id: string) {
      requirePermission(p, 'clearance.read');
      const repo = createClearanceRepository(db);
      const d = await repo.getDocument(id);
      if (!d || !(await visible(repo, scopeOf(p), d))) throw notFound(DOC);
      // Whoever may see the document sees its receipts (one copy of each), whoever they went to.
      const receipts = await repo.receiptsOfDocument(id, null);
      const view = toDocumentView({ ...d, invt_no: d.inventory?.invt_no ?? null });
      const isOfficer = p.organisation?.kind !== 'enterprise';
      return {
        ...view,
        // Risk reasons are for the officer; the seller sees only the outcome.
        review: d.inventory && isOfficer ? { lane: d.inventory.lane, reason: d.inventory.review_reason } : null,
        receipts: receipts.map(toReceiptView),
      };
    },

    /** The stored entity re-encoded as its CEB message, with the original message's guid as the entity's. */
    async documentXml(p: Principal | null, id: string): Promise<string> {
      requirePermission(p, 'clearance.read');
      const repo = createClearanceRepository(db);
      const d = await repo.getDocument(id);
      if (!d || !(await visible(repo, scopeOf(p), d))) throw notFound(DOC);
      const messageType = KIND_TO_MESSAGE[d.kind];
      const spec = DOC_KINDS[messageType];
      return encodeCeb({
        messageType,
        guid: d.guid,
        version: '1.0',
        entities: [{ head: d.head, lists: spec.list ? { [spec.list]: d.lines } : {} }],
        baseTransfer: { copCode: d.head[spec.senders[0]!.field] ?? '', copName: '', dxpMode: 'DXP', dxpId: 'DXPCBECWINDOW01' },
      });
    },

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
      const full = await Promise.all(rows.map((r) => repo.getDocument(r.id)));
      return rows.map((r, i) => ({
        inventory: toDocumentView(r),
        review: { lane: full[i]?.inventory?.lane ?? null, reason: full[i]?.inventory?.review_reason ?? null },
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
     * what held these inventories in the `hold` lane may be fixed (an inspection filing approved, a
     * batch declared), so the decision hook decides them again in the caller's transaction. Each is
     * re-checked under lock: only a live inventory still in 300 and the `hold` lane is decided.
     * Green → 399 (released once bound, as after an approval); another lane keeps it in 300 under
     * that lane with the pipeline's receipt (inspect 500, review 300, hold 300 with a changed reason).
     */
    async redecideHeld(exec: Executor, ids: string[], decideHook: DecisionHook): Promise<{ released: string[] }> {
      const repo = createClearanceRepository(exec);
      const held: { d: DocumentRow; invtNo: string; reason: string | null }[] = [];
      for (const d of await repo.documentsByIds(ids)) {
        if (d.kind !== 'inventory' || !d.live || d.status !== '300') continue;
        const inv = (await repo.getDocument(d.id))?.inventory;
        if (inv?.lane === 'hold') held.push({ d, invtNo: inv.invt_no, reason: inv.review_reason });
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
      for (const { d, invtNo, reason: was } of held) {
        const v = verdicts.get(d.id) ?? { lane: 'green' as const, reasons: [] };
        const reason = v.lane === 'green' ? null : v.reasons.map((r) => `${r.zh} / ${r.en}`).join('; ');
        const base = {
          messageType: 'CEB603' as const,
          documentId: d.id,
          recipients: recipientsOf(d),
          head: d.head,
          preNo: d.pre_no,
          invtNo,
        };
        if (v.lane === 'hold' && reason === was) continue;
        if (v.lane === 'green') {
          statuses.push({ id: d.id, status: '399' });
          released.push(d.id);
          receipts.add({
            ...base,
            status: '399',
            detail: '暂扣原因已消除，重新判定通过 / hold cleared: decided again and passed',
          });
        } else if (v.lane === 'inspect') receipts.add({ ...base, status: '500', detail: '查验 / selected for inspection' });
        else if (v.lane === 'review') receipts.add({ ...base, status: '300' });
        else {
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
          before: { status: '300', lane: 'hold', reason: was },
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

    newMessageGuid: (): string => newId().toUpperCase(),
  };

  async function decide(p: Principal, id: string, decision: { approve: boolean; reason?: string }, via: 'review' | 'inspection') {
    if (!decision.approve && !decision.reason?.trim()) {
      throw validationError([
        { field: 'reason', rule: 'required', message: { zh: '退单必须说明理由', en: 'a rejection needs a reason' } },
      ]);
    }
    const result = await db.transaction().execute(async (trx) => {
      const repo = createClearanceRepository(trx);
      const [d] = await repo.documentsByIds([id]);
      if (!d || d.kind !== 'inventory' || !(await visible(repo, scopeOf(p), d))) throw notFound(DOC);
      if (d.status !== '300') {
        throw new DomainError('clearance.invalid_state', {
          zh: `清单状态为 ${d.status}，不在人工审核中`,
          en: `the inventory is in status ${d.status}, not under manual review`,
        });
      }
      const inv = (await repo.getDocument(id))!.inventory!;
      if (via === 'review' && decision.approve && inv.lane === 'inspect') {
        throw new DomainError('clearance.invalid_state', {
          zh: `清单 ${inv.invt_no} 已被布控查验，须在查验任务中由各相关部门查验通过后放行，不能在人工审核中直接通过`,
          en: `inventory ${inv.invt_no} is selected for inspection: it is released when every involved agency has passed the inspection task, not approved on review`,
        });
      }
      if (via === 'review' && decision.approve && inv.lane === 'hold') {
        // A hold is for the seller to fix (a missing inspection filing, no batch balance) or goods
        // that may not leave (a prohibited HS code): rejected on review, never approved; once the
        // cause is fixed the risk engine decides it again (`redecideHeld`).
        const rules = [...new Set([...(inv.review_reason ?? '').matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]))].join(', ');
        throw new DomainError('clearance.invalid_state', {
          zh: `清单 ${inv.invt_no} 被风险规则 ${rules} 暂扣（${inv.review_reason ?? ''}），不能在人工审核中直接通过：缺少检验检疫备案或批次余量的，待企业补正（备案获批、申报批次）后由风险判定重新放行；禁止出口的商品只能退单`,
          en: `inventory ${inv.invt_no} is held by risk rule ${rules} (${inv.review_reason ?? ''}) and cannot be approved on review: one held for a missing inspection filing or batch balance moves on when the seller fixes it (filing approved, batch declared) and the risk engine decides it again; prohibited goods can only be rejected`,
        });
      }
      if (via === 'inspection' && inv.lane !== 'inspect') {
        throw new DomainError('clearance.invalid_state', {
          zh: `清单 ${inv.invt_no} 未被布控查验`,
          en: `inventory ${inv.invt_no} is not selected for inspection`,
        });
      }
      const now = clock.now();
      const receipts = receiptBatch(clock);
      const base = {
        messageType: 'CEB603' as const,
        documentId: id,
        recipients: recipientsOf(d),
        head: d.head,
        preNo: d.pre_no,
        invtNo: inv.invt_no,
      };
      if (decision.approve) {
        await repo.setStatuses([{ id, status: '399' }], now);
        await repo.setInventoryDecisions(
          [{ id, lane: via === 'inspection' ? 'inspected' : 'reviewed', reason: inv.review_reason, decided: true }],
          now,
        );
        receipts.add({
          ...base,
          status: '399',
          detail: via === 'inspection' ? '查验通过 / passed inspection' : '人工审核通过 / approved on review',
        });
        const payload: ReviewedPayload = { ids: [id] };
        await outbox.publish(trx, [{ topic: TOPIC_REVIEWED, key: id, payload }]);
      } else {
        await repo.setStatuses([{ id, status: '100', live: false, info: decision.reason ?? null }], now);
        await repo.clearHeld([id]);
        receipts.add({ ...base, status: '100', detail: decision.reason ?? '' });
        const payload: WithdrawnPayload = { ids: [id] };
        await outbox.publish(trx, [{ topic: TOPIC_WITHDRAWN, key: id, payload }]);
      }
      await receipts.flush(repo);
      const kind = via === 'inspection' ? 'inventory.inspection' : 'inventory.review';
      await audit.append(trx, actorOf(p), [
        {
          action: `${kind}.${decision.approve ? 'approve' : 'reject'}`,
          entity: 'clr_document',
          entityId: id,
          before: { status: '300', lane: inv.lane },
          after: { status: decision.approve ? '399' : '100', reason: decision.reason ?? null },
        },
      ]);
      return { id, status: decision.approve ? '399' : '100' };
    });
    outbox.kick();
    return result;
  }
}
