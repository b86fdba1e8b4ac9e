import { encodeCeb, encodeCebReceipt, type ReceiptMessageType } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { requirePermission, type Principal } from '../identity/index.ts';
import { senderCopCodes } from './ceb.forwarder.ts';
import { createClearanceReview } from './clearance-review.service.ts';
import { createClearanceRepository, type ReceiptRow } from './clearance.repository.ts';
import { DOC, scopeOf, toDocumentView, visible } from './clearance.shared.ts';
import { receiptRecord } from './rules/receipts.rules.ts';
import { DOC_KINDS, KIND_TO_MESSAGE, type DocKind } from './rules/documents.rules.ts';

export { toDocumentView } from './clearance.shared.ts';

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

export type ClearanceService = ReturnType<typeof createClearanceService>;

export function createClearanceService(deps: { db: Db; clock: Clock; audit: AuditLog; outbox: Outbox }) {
  const { db } = deps;

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
      // Under the code of the organisation that sent it (a seller's own CEB303 names the platform first).
      const copCode = (await senderCopCodes(db, [d])).get(d.sender_org_id) ?? '';
      return encodeCeb({
        messageType,
        guid: d.guid,
        version: '1.0',
        entities: [{ head: d.head, lists: spec.list ? { [spec.list]: d.lines } : {} }],
        baseTransfer: { copCode, copName: '', dxpMode: 'DXP', dxpId: 'DXPCBECWINDOW01' },
      });
    },

    // the review queue and decisions on held inventories (officer, inspection, risk engine)
    ...createClearanceReview(deps),

    newMessageGuid: (): string => newId().toUpperCase(),
  };
}
