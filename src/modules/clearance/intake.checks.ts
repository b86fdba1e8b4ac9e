import type { CebMessage } from '../../ceb/index.ts';
import { encodeFormatReceipt } from '../../ceb/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Principal } from '../identity/index.ts';
import { createClearanceRepository } from './clearance.repository.ts';
import type { DocKindSpec } from './rules/documents.rules.ts';
import { cstYear, formatInvtNo, formatPreNo, returnTime, ymd } from './rules/numbering.rules.ts';

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

/** Numbers a process takes from a counter at a time (customs numbers may have gaps). */
const NUMBER_BLOCK = 1000;

interface CachedBlock {
  next: number;
  end: number;
}

/** Per database, per counter: the rest of this process's block, and the allocation in flight. */
const numberBlocks = new WeakMap<Db, Map<string, { block: CachedBlock; pending: Promise<void> }>>();

/**
 * n consecutive numbers of a counter, from this process's cached block. A message's numbers stay
 * consecutive: when the block cannot hold them all, its rest is left unused and a new block of at
 * least NUMBER_BLOCK is taken. One counter upsert per thousand documents instead of one per
 * message: concurrent intake requests queued on the counter row (3.4 s of waiting per 20,000
 * parcels). After a restart the rest of a block is a gap, never a duplicate.
 */
async function takeNumbers(db: Db, name: string, n: number): Promise<number> {
  let perDb = numberBlocks.get(db);
  if (!perDb) numberBlocks.set(db, (perDb = new Map()));
  let entry = perDb.get(name);
  if (!entry) perDb.set(name, (entry = { block: { next: 0, end: 0 }, pending: Promise.resolve() }));
  const e = entry;
  // Requests for one counter run one after another, so two never refill the same block.
  const turn = e.pending.then(async () => {
    if (e.block.end - e.block.next < n) {
      const size = Math.max(n, NUMBER_BLOCK);
      const first = await createClearanceRepository(db).allocate(name, size);
      e.block = { next: first, end: first + size };
    }
    const first = e.block.next;
    e.block.next += n;
    return first;
  });
  e.pending = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

/**
 * preNo and invtNo for every entity of the message, taken before the intake transaction from the
 * process's cached blocks. Numbers of a message that is then refused or replayed are simply
 * unused (customs numbers may have gaps).
 */
export async function allocateNumbers(db: Db, clock: Clock, message: CebMessage, spec: DocKindSpec): Promise<NumberBlocks> {
  const day = clock.now();
  const n = message.entities.length;
  let pre = spec.preNo ? await takeNumbers(db, `pre:${ymd(day)}`, n) : 0;
  const invt = new Map<string, number>();
  if (spec.kind === 'inventory') {
    const perCustoms = new Map<string, number>();
    for (const e of message.entities)
      perCustoms.set(e.head.customsCode ?? '0000', (perCustoms.get(e.head.customsCode ?? '0000') ?? 0) + 1);
    for (const [customs, count] of perCustoms) invt.set(customs, await takeNumbers(db, `invt:${customs}:${cstYear(day)}`, count));
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
  return new DomainError('validation', base.bilingual, { errors, receipt: messageReceipt(message, raw, '-301000', base) });
}

/**
 * A message from a sender the standard does not name for it (403): refused as a whole with the
 * CEB900 -301020 "sender does not match" receipt, as an entity naming another party is.
 */
export function senderRejection(message: CebMessage, err: DomainError, raw: Buffer | undefined): DomainError {
  return new DomainError(err.code, err.bilingual, { ...err.details, receipt: messageReceipt(message, raw, '-301020', err) });
}

function messageReceipt(message: CebMessage, raw: Buffer | undefined, returnStatus: string, err: DomainError) {
  const receiptGuid = newId().toUpperCase();
  const receipt = {
    guid: receiptGuid,
    returnStatus,
    returnInfo: err.bilingual.zh + ' / ' + err.bilingual.en,
    returnTime: returnTime(new Date()),
    oriCopMsgId: message.guid,
    oriMessageType: message.messageType,
    oriBizMessage: raw ? raw.toString('base64') : Buffer.from(JSON.stringify(message)).toString('base64'),
  };
  return { messageType: 'CEB900', ...receipt, oriBizMessage: undefined, xml: encodeFormatReceipt(receiptGuid, receipt) };
}

/**
 * A message that cannot be read as a CEB message at all (not well-formed, not one of the export
 * roots, a DTD, too deep or too many entities) still gets its CEB900: the national platform answers
 * an XSD failure with returnStatus -999999 (facts file §receipts), echoing what it could make out of
 * the original — the message guid and type, when the root carries them, and the bytes.
 */
export function unreadableMessage(err: DomainError, raw: Buffer): DomainError {
  const head = raw.subarray(0, 4096).toString('utf8');
  const root = /<(?:[\w.-]+:)?(CEB\d{3})Message\b[^>]*>/.exec(head);
  const guid = root ? (/\bguid\s*=\s*["']([^"']{1,255})["']/.exec(root[0])?.[1] ?? '') : '';
  const receiptGuid = newId().toUpperCase();
  const receipt = {
    guid: receiptGuid,
    returnStatus: '-999999',
    returnInfo: `${err.bilingual.zh} / ${err.bilingual.en}`,
    returnTime: returnTime(new Date()),
    oriCopMsgId: guid,
    oriMessageType: root?.[1] ?? '',
    oriBizMessage: raw.toString('base64'),
  };
  return new DomainError(err.code, err.bilingual, {
    ...err.details,
    receipt: { messageType: 'CEB900', ...receipt, oriBizMessage: undefined, xml: encodeFormatReceipt(receiptGuid, receipt) },
  });
}
