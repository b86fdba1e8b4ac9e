import { validateCeb, type CebMessage } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, type Principal } from '../identity/index.ts';
import type { DirectoryPort, SignaturePort, SummaryIntakePort } from './clearance.ports.ts';
import { createClearanceRepository, type NewReceipt } from './clearance.repository.ts';
import { formatRejection } from './intake.checks.ts';
import { returnTime } from './rules/numbering.rules.ts';

/** Same shape as IntakeOutcome (kept here so the two files do not import each other). */
interface SummaryEntityOutcome {
  index: number;
  guid: string;
  businessKey: string;
  accepted: boolean;
  documentId: string | null;
  returnStatus: string;
  returnInfo: string;
  preNo?: string;
}
export interface SummaryIntakeOutcome {
  messageGuid: string;
  messageType: 'CEB701';
  accepted: number;
  rejected: number;
  replayed: boolean;
  entities: SummaryEntityOutcome[];
}

const bi = (zh: string, en: string): { zh: string; en: string } => ({ zh, en });

/**
 * CEB701 汇总申请单 on the CEB endpoint. Clearance keeps what every message gets — sender checks,
 * validation against the XSD-derived spec, signature, replay by message guid, the receipt feed —
 * and the summary module forms the declarations. The CEB702 receipt and one CEB792 head per
 * declaration enter the sender's feed (pull, SSE, webhooks); the CEB792 heads enter the consignor's
 * feed too when a declaring agent sent the application (the consignor declares the result and
 * claims the refund). The full CEB792 with its inventory list (up to 100×100 rows per message) is
 * read at GET /api/v1/summary/…/ceb792.
 */
export async function submitSummaryApply(
  deps: {
    db: Db;
    clock: Clock;
    audit: AuditLog;
    directory: DirectoryPort;
    signatures?: SignaturePort;
    summary?: SummaryIntakePort;
  },
  p: Principal,
  message: CebMessage,
  format: 'xml' | 'json',
  requestId: string | undefined,
  raw?: Buffer,
): Promise<SummaryIntakeOutcome> {
  const { db, clock } = deps;
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !deps.summary) {
    throw new DomainError(
      'clearance.forbidden',
      bi('CEB701（汇总申请单）只能由企业发送', 'CEB701 (summary application) may be sent only by an enterprise'),
      { messageType: 'CEB701' },
    );
  }
  const codes = await deps.directory.codesOf(db, org.id);
  const copCode = message.baseTransfer?.copCode;
  if (copCode !== undefined && !codes.includes(copCode)) {
    throw new DomainError(
      'clearance.forbidden',
      bi(
        `BaseTransfer/copCode ${copCode} 不是登录企业的代码`,
        `BaseTransfer/copCode ${copCode} is not the code of the logged-in enterprise`,
      ),
      { field: 'BaseTransfer/copCode', value: copCode },
    );
  }
  const errors = validateCeb(message);
  if (errors.length) throw formatRejection(message, errors, raw);
  await deps.signatures?.requireSignature(p, message, format, raw);

  const prior = await createClearanceRepository(db).findMessage(org.id, message.guid);
  if (prior) return { ...(prior.outcome as SummaryIntakeOutcome), replayed: true };

  const now = clock.now();
  const time = returnTime(now);
  const receipts: NewReceipt[] = [];
  const receipt = (
    messageType: 'CEB702' | 'CEB792',
    fields: Record<string, string>,
    status: string,
    info: string,
    recipient: string = org.id,
  ): void => {
    receipts.push({
      recipient_org_id: recipient,
      message_type: messageType,
      document_id: null,
      guid: fields.guid ?? '',
      return_status: status,
      return_info: info,
      return_time: fields.returnTime ?? time,
      fields,
      created_at: now,
    });
  };
  const entities: SummaryEntityOutcome[] = [];
  for (const [index, entity] of message.entities.entries()) {
    const head = entity.head as Record<string, string>;
    const invtNos = (entity.lists.SummaryApplyList ?? []).map((l) => l.invtNo ?? '').filter(Boolean);
    const key = head.copNo ?? '';
    // Like every other message: the sender is the consignor or the agent the application names.
    if (!codes.includes(head.ebcCode ?? '') && !codes.includes(head.agentCode ?? '')) {
      const info =
        `ebcCode=${head.ebcCode ?? '（空）'}，agentCode=${head.agentCode ?? '（空）'} 不是发送企业的代码 / ` +
        `ebcCode=${head.ebcCode ?? '(empty)'}, agentCode=${head.agentCode ?? '(empty)'} is not the sending enterprise's code`;
      entities.push({
        index,
        guid: head.guid ?? '',
        businessKey: key,
        accepted: false,
        documentId: null,
        returnStatus: '-301020',
        returnInfo: info,
      });
      receipt(
        'CEB702',
        {
          guid: head.guid ?? '',
          agentCode: head.agentCode ?? '',
          ebcCode: head.ebcCode ?? '',
          copNo: head.copNo ?? '',
          msgSeqNo: head.msgSeqNo ?? '1',
          returnStatus: '-301020',
          returnTime: time,
          returnInfo: info,
        },
        '-301020',
        info,
      );
      continue;
    }
    const r = await deps.summary.apply(p, head, invtNos);
    const status = r.ceb702.returnStatus ?? (r.accepted ? '399' : '100');
    const info = r.ceb702.returnInfo ?? '';
    entities.push({
      index,
      guid: head.guid ?? '',
      businessKey: key,
      accepted: r.accepted,
      documentId: r.applicationId,
      returnStatus: status,
      returnInfo: info,
      ...(r.ceb702.preNo ? { preNo: r.ceb702.preNo } : {}),
    });
    receipt('CEB702', r.ceb702, status, info);
    const recipients = [...new Set([org.id, ...(r.consignorOrgId ? [r.consignorOrgId] : [])])];
    for (const h of r.ceb792)
      for (const to of recipients)
        receipt('CEB792', h, h.decState ?? '', `报关单${h.entryId ?? ''}已形成 / declaration formed`, to);
  }
  const outcome: SummaryIntakeOutcome = {
    messageGuid: message.guid,
    messageType: 'CEB701',
    accepted: entities.filter((e) => e.accepted).length,
    rejected: entities.filter((e) => !e.accepted).length,
    replayed: false,
    entities,
  };
  await db.transaction().execute(async (trx) => {
    const repo = createClearanceRepository(trx);
    const messageId = newId();
    await repo.insertMessage({
      id: messageId,
      senderOrgId: org.id,
      guid: message.guid,
      messageType: 'CEB701',
      format,
      entityCount: message.entities.length,
      outcome,
      receivedAt: now,
    });
    await repo.insertReceipts(receipts);
    await deps.audit.append(trx, { ...actorOf(p), requestId: requestId ?? null }, [
      {
        action: 'ceb.CEB701',
        entity: 'clr_message',
        entityId: messageId,
        after: { guid: message.guid, format, accepted: outcome.accepted, rejected: outcome.rejected },
      },
    ]);
  });
  return outcome;
}
