import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { fromScaled, normalizeDecimal, toScaled } from '../../kernel/decimal.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, requirePermission, requirePrincipal, type Principal } from '../identity/index.ts';
import { TOPIC_REDECIDE, type RedecidePayload } from '../risk/index.ts';
import { createLedgerRepository, type BatchRow } from './inspection-ledger.repository.ts';
import { createInspectionRepository } from './inspection.repository.ts';
import { coversEnterprise, enterprisesInScope } from './inspection.scope.ts';
import { batchLifecycle, BATCH_STATES, type BatchEvent } from './inspection.states.ts';
import { beijingDay } from './rules/declaration.rules.ts';
import { actsFor } from './rules/authority.rules.ts';

export interface BatchInput {
  batchNo: string;
  itemNo: string;
  qty: string;
  unit?: string;
}

const BATCH = { zh: '批次', en: 'batch' };

const STATUS_ZH: Record<BatchRow['status'], string> = {
  declared: '待受理',
  accepted: '已受理',
  rejected: '已退回',
  closed: '已关闭',
};

/**
 * The ledger line of a batch. Quantities as decimal strings: declared; reserved (drawn at decision,
 * the parcel not yet released); released (the parcel reached 399; written-off ones included);
 * written off (departed); returned (given back by rejected or cancelled parcels); balance (what
 * parcels may still draw: declared − reserved − released); in transit (released, not departed).
 */
export function toBatchView(b: BatchRow) {
  // numeric columns arrive as text; exact scaled-integer arithmetic, never floats ("0.19999999999999998")
  const declared = toScaled(b.declared_qty);
  const reserved = toScaled(b.reserved_qty);
  const released = toScaled(b.released_qty);
  const writtenOff = toScaled(b.written_off_qty);
  return {
    id: b.id,
    batchNo: b.batch_no,
    enterpriseCode: b.enterprise_code,
    itemNo: b.item_no,
    unit: b.unit,
    status: b.status,
    reason: b.reason,
    declared: fromScaled(declared),
    reserved: fromScaled(reserved),
    released: fromScaled(released),
    writtenOff: fromScaled(writtenOff),
    returned: normalizeDecimal(b.returned_qty),
    balance: fromScaled(declared - reserved - released),
    inTransit: fromScaled(released - writtenOff),
    decidedAt: b.decided_at ? new Date(b.decided_at).toISOString() : null,
    closedAt: b.closed_at ? new Date(b.closed_at).toISOString() : null,
    createdAt: new Date(b.created_at).toISOString(),
  };
}

export type InspectionBatchService = ReturnType<typeof createInspectionBatchService>;

/**
 * Batches of quarantine goods (分批核销): the seller declares one, the inspection authority
 * accepts (parcels draw on it from then on), rejects or closes it; the write-off ledger.
 */
export function createInspectionBatchService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
}) {
  const { db, clock, audit, outbox } = deps;

  /** The authority's step (accept, reject, close) on a batch of its jurisdiction. */
  async function step(p: Principal | null, id: string, event: BatchEvent, reason: string | undefined) {
    requirePermission(p, 'inspection.work');
    if (!actsFor(p, 'inspection')) throw forbidden();
    if (event === 'reject' && !reason?.trim())
      throw validationError([
        { field: 'reason', rule: 'required', message: { zh: '退回批次必须说明理由', en: 'a rejection needs a reason' } },
      ]);
    const view = await db.transaction().execute(async (trx) => {
      const ledger = createLedgerRepository(trx);
      // Another jurisdiction's batch answers as a missing one (seller and enterprise never change).
      const seen = await ledger.batch(id);
      if (!seen || !(await coversEnterprise(trx, p, seen.organisation_id))) throw notFound(BATCH);
      // Accepting brings quantity into force, as approving a filing does (inspection-filing.service.ts
      // `redecide`): the seller's lock is taken exclusively, before the batch row (the order a
      // decision takes them in, inspection.lookup.ts `drawOnBatches`), so every decision that drew
      // for the seller before — even one that looked before this batch was declared, and so never
      // locked its row — has committed when this does: the re-decision asked for below sees the
      // parcels it held. A decision starting meanwhile waits and draws on the accepted batch.
      if (event === 'accept') await createInspectionRepository(trx).lockSellerFilings([seen.enterprise_code], 'exclusive');
      const b = await ledger.batch(id, true);
      if (!b) throw notFound(BATCH);
      const t = batchLifecycle.transition(b.status, event);
      if (!t.ok)
        throw new DomainError('inspection.invalid_state', {
          zh: `批次 ${b.batch_no} 状态为${STATUS_ZH[b.status]}，不能${event === 'accept' ? '受理' : event === 'reject' ? '退回' : '关闭'}`,
          en: `batch ${b.batch_no} is ${b.status}; it cannot be ${event === 'accept' ? 'accepted' : event === 'reject' ? 'rejected' : 'closed'}`,
        });
      const now = clock.now();
      await ledger.setBatchStatus(b.id, {
        status: t.to,
        reason: reason?.trim() || null,
        by: p.userId,
        at: now,
        closing: event === 'close',
      });
      await audit.append(trx, actorOf(p), [
        {
          action: `inspection.batch.${event}`,
          entity: 'insp_batch',
          entityId: b.id,
          before: { status: b.status },
          after: {
            status: t.to,
            reason: reason?.trim() || null,
            ...(event === 'close' ? { balance: toBatchView(b).balance } : {}),
          },
        },
      ]);
      // Accepted: the seller's parcels held for want of batch balance are decided again.
      if (t.to === 'accepted') {
        const payload: RedecidePayload = { ebcCodes: [b.enterprise_code] };
        await outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: b.enterprise_code, payload }]);
      }
      return toBatchView((await ledger.batch(b.id))!);
    });
    outbox.kick();
    return view;
  }

  return {
    /**
     * The seller declares a batch of a product it has filed with inspection (approved, no
     * certificate expired). Parcels draw on it once the inspection authority has accepted it.
     */
    async declare(p: Principal | null, input: BatchInput) {
      requirePermission(p, 'inspection.filing');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      const errors = [];
      if (!/^[A-Za-z0-9-]{3,40}$/.test(input.batchNo))
        errors.push({
          field: 'batchNo',
          rule: 'format',
          message: { zh: '批次号为 3–40 位字母、数字或连字符', en: 'batch number: 3–40 letters, digits or hyphens' },
        });
      if (!/^\d+(\.\d{1,5})?$/.test(input.qty) || !(Number(input.qty) > 0))
        errors.push({
          field: 'qty',
          rule: 'positive',
          message: { zh: '申报数量必须为正数', en: 'the declared quantity must be positive' },
        });
      if (errors.length) throw validationError(errors);
      return db.transaction().execute(async (trx) => {
        const ledger = createLedgerRepository(trx);
        const now = clock.now();
        const filed = await createInspectionRepository(trx).approvedProducts(
          [{ ebcCode: org.code!, itemNo: input.itemNo }],
          beijingDay(now),
        );
        if (!filed.size)
          throw validationError([
            {
              field: 'itemNo',
              rule: 'filed',
              message: {
                zh: `商品 ${input.itemNo} 未办理检验检疫备案（或备案未生效、证书已过期）`,
                en: `product ${input.itemNo} has no approved inspection filing in force (or a certificate has expired)`,
              },
            },
          ]);
        if (await ledger.batchNoTaken(input.batchNo))
          throw new DomainError('inspection.duplicate', {
            zh: `批次号 ${input.batchNo} 已存在`,
            en: `batch ${input.batchNo} already exists`,
          });
        const row = {
          id: newId(),
          batch_no: input.batchNo,
          organisation_id: org.id,
          enterprise_code: org.code!,
          item_no: input.itemNo,
          unit: input.unit ?? null,
          declared_qty: input.qty,
          created_at: now,
        };
        await ledger.insertBatch(row);
        await audit.append(trx, actorOf(p), [
          { action: 'inspection.batch.declare', entity: 'insp_batch', entityId: row.id, after: { ...row, status: 'declared' } },
        ]);
        return toBatchView((await ledger.batch(row.id))!);
      });
    },

    /** The ledger: an enterprise its own batches, the inspection desk those of its jurisdiction's enterprises. */
    async ledger(p: Principal | null, opts: { status?: string; limit?: number } = {}) {
      requirePrincipal(p);
      const own = p.organisation?.kind === 'enterprise';
      requirePermission(p, own ? 'inspection.filing' : 'inspection.read');
      if (opts.status !== undefined && !(BATCH_STATES as readonly string[]).includes(opts.status))
        throw validationError([
          {
            field: 'status',
            rule: 'enum',
            message: { zh: `批次状态须为 ${BATCH_STATES.join('、')}`, en: `status must be one of ${BATCH_STATES.join(', ')}` },
          },
        ]);
      const inScope = own ? null : await enterprisesInScope(db, p);
      const rows = await createLedgerRepository(db).listBatches({
        ...(own ? { organisationId: p.organisation!.id } : {}),
        ...(inScope ? { organisationIds: inScope } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
      });
      return rows.map(toBatchView);
    },

    /** The inspection authority accepts a declared batch: its seller's parcels draw on it from now on. */
    accept: (p: Principal | null, id: string) => step(p, id, 'accept', undefined),
    /** The inspection authority rejects a declared batch (with a reason): nothing is drawn on it. */
    reject: (p: Principal | null, id: string, reason: string | undefined) => step(p, id, 'reject', reason),
    /**
     * The inspection authority closes an accepted batch: no new draws; what parcels drew already
     * still releases, writes off or goes back on it.
     */
    close: (p: Principal | null, id: string, reason: string | undefined) => step(p, id, 'close', reason),
  };
}
