import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, requirePermission, requirePrincipal, type Principal } from '../identity/index.ts';
import { TOPIC_REDECIDE, type RedecidePayload } from '../risk/index.ts';
import { createInspectionRepository, type BatchRow } from './inspection.repository.ts';
import { enterprisesInScope } from './inspection.scope.ts';

export interface BatchInput {
  batchNo: string;
  itemNo: string;
  qty: string;
  unit?: string;
}

export function toBatchView(b: BatchRow) {
  const declared = Number(b.declared_qty);
  const released = Number(b.released_qty);
  const writtenOff = Number(b.written_off_qty);
  return {
    id: b.id,
    batchNo: b.batch_no,
    enterpriseCode: b.enterprise_code,
    itemNo: b.item_no,
    unit: b.unit,
    declared: String(declared),
    released: String(released),
    writtenOff: String(writtenOff),
    /** what parcels may still draw */
    balance: String(declared - released),
    /** released but not yet departed */
    inTransit: String(released - writtenOff),
    createdAt: new Date(b.created_at).toISOString(),
  };
}

export type InspectionBatchService = ReturnType<typeof createInspectionBatchService>;

/** Centralised declaration (集中申报) of quarantine goods in batches, and the write-off ledger. */
export function createInspectionBatchService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
}) {
  const { db, clock, audit, outbox } = deps;
  return {
    /**
     * The seller declares a batch of a product it has filed with inspection. Its parcels held for
     * want of batch balance are decided again by the risk engine (in this transaction's outbox).
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
      const view = await db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const filed = await repo.approvedProducts([{ ebcCode: org.code!, itemNo: input.itemNo }]);
        if (!filed.size)
          throw validationError([
            {
              field: 'itemNo',
              rule: 'filed',
              message: {
                zh: `商品 ${input.itemNo} 未办理检验检疫备案`,
                en: `product ${input.itemNo} has no approved inspection filing`,
              },
            },
          ]);
        if (await repo.batchNoTaken(input.batchNo))
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
          created_at: clock.now(),
        };
        await repo.insertBatch(row);
        await audit.append(trx, actorOf(p), [
          { action: 'inspection.batch.declare', entity: 'insp_batch', entityId: row.id, after: row },
        ]);
        const payload: RedecidePayload = { ebcCodes: [org.code!] };
        await outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: org.code!, payload }]);
        return toBatchView({ ...row, released_qty: '0', written_off_qty: '0' });
      });
      outbox.kick();
      return view;
    },

    /** The ledger: an enterprise its own batches, the inspection desk those of its jurisdiction's enterprises. */
    async ledger(p: Principal | null, limit = 200) {
      requirePrincipal(p);
      const own = p.organisation?.kind === 'enterprise';
      requirePermission(p, own ? 'inspection.filing' : 'inspection.read');
      const inScope = own ? null : await enterprisesInScope(db, p);
      const rows = await createInspectionRepository(db).listBatches({
        ...(own ? { organisationId: p.organisation!.id } : {}),
        ...(inScope ? { organisationIds: inScope } : {}),
        limit: Math.min(Math.max(limit, 1), 1000),
      });
      return rows.map(toBatchView);
    },
  };
}
