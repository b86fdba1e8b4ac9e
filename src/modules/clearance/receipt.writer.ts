import type { Clock } from '../../kernel/clock.ts';
import type { ExportMessageType } from '../../ceb/index.ts';
import type { ClearanceRepository, NewReceipt } from './clearance.repository.ts';
import type { Fields } from './rules/match.rules.ts';
import { receiptFields, receiptTypeOf, statusInfo } from './rules/receipts.rules.ts';
import { returnTime } from './rules/numbering.rules.ts';

/**
 * Who receives a document's receipts: the enterprise that sent it and the RET/ALL subscribers of
 * its message (BaseSubscribe), as the national single window routes them. Other parties read the
 * document and its receipts by query.
 */
export function recipientsOf(d: { sender_org_id: string; receipt_copies?: string[] | null }): string[] {
  return d.receipt_copies?.length ? [...new Set([d.sender_org_id, ...d.receipt_copies])] : [d.sender_org_id];
}

export interface ReceiptIntent {
  messageType: ExportMessageType;
  documentId: string | null;
  recipients: string[];
  head: Fields;
  preNo?: string | null;
  invtNo?: string | null;
  status: string;
  detail?: string;
}

/** Collects receipts during a batch and writes them in one statement, in the order they were made. */
export function receiptBatch(clock: Clock) {
  const rows: NewReceipt[] = [];
  // Receipts made in one batch share a clock reading but keep their order through the id sequence.
  const now = clock.now();
  const time = returnTime(now);
  return {
    add(r: ReceiptIntent): void {
      const info = statusInfo(r.status, r.detail);
      const fields = receiptFields(r.messageType, r.head, { preNo: r.preNo ?? null, invtNo: r.invtNo ?? null });
      for (const recipient of new Set(r.recipients)) {
        rows.push({
          recipient_org_id: recipient,
          message_type: receiptTypeOf(r.messageType),
          document_id: r.documentId,
          guid: r.head.guid ?? '',
          return_status: r.status,
          return_info: info,
          return_time: time,
          fields,
          created_at: now,
        });
      }
    },
    get size(): number {
      return rows.length;
    },
    async flush(repo: ClearanceRepository): Promise<void> {
      await repo.insertReceipts(rows.splice(0));
    },
  };
}
