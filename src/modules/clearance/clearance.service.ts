import { encodeCeb, encodeCebReceipt, type ReceiptMessageType } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { TOPIC_REVIEWED, TOPIC_WITHDRAWN, type ReviewedPayload, type WithdrawnPayload } from './clearance.pipeline.ts';
import { createClearanceRepository, type DocumentRow, type ReceiptRow } from './clearance.repository.ts';
import { receiptBatch, recipientsOf } from './receipt.writer.ts';
import { receiptRecord } from './rules/receipts.rules.ts';
import { DOC_KINDS, KIND_TO_MESSAGE, type DocKind } from './rules/documents.rules.ts';

const DOC = { zh: '单证', en: 'document' };

/** Who sees which documents: parties see theirs; customs its jurisdiction; the operator all. */
type Scope = { partyOrgId?: string; customsPrefix?: string };

function scopeOf(p: Principal): Scope {
  if (isAdmin(p)) return {};
  const org = p.organisation;
  if (org?.kind === 'agency') return { customsPrefix: jurisdictionPrefix(org.jurisdiction) ?? '\u0000' };
  return { partyOrgId: org?.id ?? '00000000-0000-0000-0000-000000000000' };
}

function visible(scope: Scope, d: DocumentRow): boolean {
  if (scope.partyOrgId !== undefined) return d.parties.includes(scope.partyOrgId) || (d.readers ?? []).includes(scope.partyOrgId);
  if (scope.customsPrefix !== undefined) return (d.customs_code ?? '').startsWith(scope.customsPrefix) || d.customs_code === null;
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
      if (!d || !visible(scopeOf(p), d)) throw notFound(DOC);
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
      const d = await createClearanceRepository(db).getDocument(id);
      if (!d || !visible(scopeOf(p), d)) throw notFound(DOC);
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
      if (!d || d.kind !== 'inventory' || !visible(scopeOf(p), d)) throw notFound(DOC);
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
