import type { CebMessage } from '../../ceb/index.ts';
import { encodeFormatReceipt } from '../../ceb/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Principal } from '../identity/index.ts';
import { createClearanceRepository } from './clearance.repository.ts';
import type { DocKindSpec } from './rules/documents.rules.ts';
import { formatInvtNo, formatPreNo, returnTime, ymd } from './rules/numbering.rules.ts';

/** Checks and numbers the intake needs before its transaction: who may send, message refusal, number blocks. */
const bi = (zh: string, en: string): { zh: string; en: string } => ({ zh, en });

export interface NumberBlocks {
  day: Date;
  preNo(): string;
  invtNo(customs: string): string;
}

/** The roles under which this organisation may send the message (empty: it may not). */
export function checkSender(
  p: Principal,
  codes: string[],
  message: CebMessage,
  spec: DocKindSpec,
): { role: string; field: string }[] {
  const org = p.organisation;
  const allowed = org && org.kind === 'enterprise' ? spec.senders.filter((s) => org.roles.includes(s.role)) : [];
  if (allowed.length === 0) {
    const roles = [...new Set(spec.senders.map((s) => s.role))];
    throw new DomainError(
      'clearance.forbidden',
      bi(
        `${message.messageType}（${spec.zh}）只能由以下角色的企业发送：${roles.join('、')}`,
        `${message.messageType} (${spec.en}) may be sent only by an enterprise holding the role ${roles.join(' or ')}`,
      ),
      { messageType: message.messageType, requiredRoles: roles },
    );
  }
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
  return allowed;
}

/**
 * preNo and invtNo blocks for every entity of the message, taken in their own short transaction
 * before the intake: the counter rows are locked for microseconds instead of for the whole
 * intake, so concurrent messages do not queue on them. Numbers of a message that is then
 * refused or replayed are simply unused (customs numbers may have gaps).
 */
export async function allocateNumbers(db: Db, clock: Clock, message: CebMessage, spec: DocKindSpec): Promise<NumberBlocks> {
  const day = clock.now();
  const repo = createClearanceRepository(db);
  const n = message.entities.length;
  let pre = spec.preNo ? await repo.allocate(`pre:${ymd(day)}`, n) : 0;
  const invt = new Map<string, number>();
  if (spec.kind === 'inventory') {
    const perCustoms = new Map<string, number>();
    for (const e of message.entities)
      perCustoms.set(e.head.customsCode ?? '0000', (perCustoms.get(e.head.customsCode ?? '0000') ?? 0) + 1);
    for (const [customs, count] of perCustoms)
      invt.set(customs, await repo.allocate(`invt:${customs}:${day.getUTCFullYear()}`, count));
  }
  return {
    day,
    preNo: () => formatPreNo(day, pre++),
    invtNo: (customs) => {
      const next = invt.get(customs) ?? 0;
      invt.set(customs, next + 1);
      return formatInvtNo(customs, day, next);
    },
  };
}

/**
 * A message refused as a whole: 400 with every error, and the CEB900 format-check receipt customs
 * would send (negative returnStatus), so a CEB client handles it like any other receipt.
 */
export function formatRejection(message: CebMessage, errors: FieldProblem[], raw: Buffer | undefined): DomainError {
  const base = validationError(errors);
  const receiptGuid = newId().toUpperCase();
  const receipt = {
    guid: receiptGuid,
    returnStatus: '-301000',
    returnInfo: base.bilingual.zh + ' / ' + base.bilingual.en,
    returnTime: returnTime(new Date()),
    oriCopMsgId: message.guid,
    oriMessageType: message.messageType,
    oriBizMessage: raw ? raw.toString('base64') : Buffer.from(JSON.stringify(message)).toString('base64'),
  };
  return new DomainError('validation', base.bilingual, {
    errors,
    receipt: { messageType: 'CEB900', ...receipt, oriBizMessage: undefined, xml: encodeFormatReceipt(receiptGuid, receipt) },
  });
}
