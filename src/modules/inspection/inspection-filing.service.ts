import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { QUARANTINE_CATEGORIES } from '../filing/index.ts';
import { actorOf, requirePermission, requirePrincipal, type Principal } from '../identity/index.ts';
import { TOPIC_REDECIDE, type RedecidePayload } from '../risk/index.ts';
import { createInspectionRepository, type Certificate, type FilingRow } from './inspection.repository.ts';
import { inspFilingLifecycle } from './inspection.states.ts';
import { coversEnterprise, enterprisesInScope } from './inspection.scope.ts';
import { actsFor } from './rules/authority.rules.ts';

export interface InspFilingInput {
  kind: 'enterprise' | 'product';
  itemNo?: string;
  goodsName?: string;
  quarantineCategory?: string;
  producer: string;
  certificates: Certificate[];
}

const FILING = { zh: '检验检疫备案', en: 'inspection filing' };

export function toFilingView(r: FilingRow) {
  return {
    id: r.id,
    kind: r.kind,
    enterpriseCode: r.enterprise_code,
    itemNo: r.item_no,
    goodsName: r.goods_name,
    quarantineCategory: r.quarantine_category,
    producer: r.producer,
    certificates: r.certificates,
    status: r.status,
    reason: r.reason,
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function check(input: InspFilingInput): void {
  const errors: FieldProblem[] = [];
  const p = (field: string, rule: string, zh: string, en: string) => errors.push({ field, rule, message: { zh, en } });
  if (!input.producer.trim()) p('producer', 'required', '必须填写生产企业', 'the producer is required');
  if (input.kind === 'product') {
    if (!input.itemNo?.trim()) p('itemNo', 'required', '商品备案必须填写企业商品货号', 'a product filing needs the item number');
    if (!input.quarantineCategory || !(QUARANTINE_CATEGORIES as readonly string[]).includes(input.quarantineCategory))
      p(
        'quarantineCategory',
        'enum',
        `检疫类别须为 ${QUARANTINE_CATEGORIES.join('、')}`,
        `quarantine category must be one of ${QUARANTINE_CATEGORIES.join(', ')}`,
      );
    if (input.certificates.length === 0)
      p(
        'certificates',
        'required',
        '检疫类商品至少提供一份证书（如果园注册、检疫证书）',
        'a quarantine product needs at least one certificate (e.g. orchard registration)',
      );
  } else if (input.itemNo) {
    p('itemNo', 'forbidden', '企业备案不填商品货号', 'an enterprise filing has no item number');
  }
  input.certificates.forEach((c, i) => {
    if (!c.type.trim() || !c.number.trim())
      p(`certificates[${i}]`, 'required', '证书须有类型和编号', 'a certificate needs a type and a number');
    if (c.validUntil && !/^\d{4}-\d{2}-\d{2}$/.test(c.validUntil))
      p(`certificates[${i}].validUntil`, 'date', '有效期格式为 yyyy-mm-dd', 'valid-until must be yyyy-mm-dd');
  });
  if (errors.length) throw validationError(errors);
}

/**
 * The inspection authority's desk: an inspection officer of the agency holding the inspection duty
 * (customs in the merged set-up, the separate inspection agency otherwise), or the operator.
 */
function requireInspector(p: Principal): void {
  if (!actsFor(p, 'inspection')) throw forbidden();
}

export type InspectionFilingService = ReturnType<typeof createInspectionFilingService>;

export function createInspectionFilingService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
}) {
  const { db, clock, audit, outbox } = deps;
  return {
    /** An enterprise files itself or one of its products; a rejected filing is corrected and resubmitted. */
    async submit(p: Principal | null, input: InspFilingInput) {
      requirePermission(p, 'inspection.filing');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      check(input);
      const itemNo = input.kind === 'product' ? input.itemNo!.trim() : null;
      return db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const now = clock.now();
        const existing = await repo.filingByKey(org.code!, itemNo);
        const fields = {
          producer: input.producer.trim(),
          certificates: input.certificates,
          quarantine_category: input.quarantineCategory ?? null,
          goods_name: input.goodsName?.trim() || null,
        };
        let row: FilingRow;
        if (existing) {
          const t = inspFilingLifecycle.transition(existing.status, 'resubmit');
          if (!t.ok) {
            throw new DomainError('inspection.duplicate', {
              zh: `已有${existing.status === 'approved' ? '已备案' : '审核中'}的检验检疫备案`,
              en: `an inspection filing is already ${existing.status}`,
            });
          }
          row = await repo.updateFiling(existing.id, { ...fields, status: t.to, reason: null, submitted_at: now }, now);
        } else {
          row = {
            id: newId(),
            kind: input.kind,
            organisation_id: org.id,
            enterprise_code: org.code!,
            item_no: itemNo,
            ...fields,
            status: inspFilingLifecycle.initial,
            reason: null,
            submitted_at: now,
            reviewed_at: null,
            created_at: now,
            updated_at: now,
          };
          await repo.insertFiling(row);
        }
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.filing.submit',
            entity: 'insp_filing',
            entityId: row.id,
            before: existing ? { status: existing.status } : null,
            after: toFilingView(row),
          },
        ]);
        return toFilingView(row);
      });
    },

    /** An enterprise sees its own filings; the inspection desk those of its jurisdiction's enterprises. */
    async list(p: Principal | null, opts: { status?: string; limit?: number } = {}) {
      requirePrincipal(p);
      const own = p.organisation?.kind === 'enterprise';
      if (own) requirePermission(p, 'inspection.filing');
      else requirePermission(p, 'inspection.read');
      const inScope = own ? null : await enterprisesInScope(db, p);
      const rows = await createInspectionRepository(db).listFilings({
        ...(own ? { organisationId: p.organisation!.id } : {}),
        ...(inScope ? { organisationIds: inScope } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
      });
      return rows.map(toFilingView);
    },

    /**
     * The inspection desk approves or rejects a filing. An approval asks the risk engine, in the
     * same transaction, to decide the seller's held parcels again: those held only for want of
     * this filing move on (released, or to inspection or review as the rules now say); a hold
     * cannot be approved on review.
     */
    async review(p: Principal | null, id: string, decision: { approve: boolean; reason?: string }) {
      requirePermission(p, 'inspection.work');
      requireInspector(p);
      if (!decision.approve && !decision.reason?.trim())
        throw validationError([
          { field: 'reason', rule: 'required', message: { zh: '退回必须说明理由', en: 'a rejection needs a reason' } },
        ]);
      const view = await db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const f = await repo.filing(id, true);
        // Another jurisdiction's filing answers as a missing one.
        if (!f || !(await coversEnterprise(trx, p, f.organisation_id))) throw notFound(FILING);
        const t = inspFilingLifecycle.transition(f.status, decision.approve ? 'approve' : 'reject');
        if (!t.ok)
          throw new DomainError('inspection.invalid_state', {
            zh: `备案状态为 ${f.status}，不能审核`,
            en: `the filing is ${f.status}; it cannot be reviewed`,
          });
        const now = clock.now();
        const row = await repo.updateFiling(
          id,
          { status: t.to, reason: decision.approve ? null : decision.reason!.trim(), reviewed_at: now },
          now,
        );
        await audit.append(trx, actorOf(p), [
          {
            action: `inspection.filing.${decision.approve ? 'approve' : 'reject'}`,
            entity: 'insp_filing',
            entityId: id,
            before: { status: f.status },
            after: { status: t.to, reason: row.reason },
          },
        ]);
        if (t.to === 'approved') {
          const payload: RedecidePayload = { ebcCodes: [f.enterprise_code] };
          await outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: f.enterprise_code, payload }]);
        }
        return toFilingView(row);
      });
      outbox.kick();
      return view;
    },
  };
}
