import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { QUARANTINE_CATEGORIES } from '../filing/index.ts';
import { actorOf, requirePermission, requirePrincipal, type Principal } from '../identity/index.ts';
import { TOPIC_REDECIDE, type RedecidePayload } from '../risk/index.ts';
import { createInspectionRepository, type Certificate, type FilingRow } from './inspection.repository.ts';
import { inspFilingLifecycle, type InspFilingEvent } from './inspection.states.ts';
import { coversEnterprise, enterprisesInScope } from './inspection.scope.ts';
import { actsFor } from './rules/authority.rules.ts';
import { beijingDay } from './rules/declaration.rules.ts';

export interface InspFilingInput {
  kind: 'enterprise' | 'product';
  itemNo?: string;
  goodsName?: string;
  quarantineCategory?: string;
  producer: string;
  certificates: Certificate[];
}

/** What an enterprise changes when it amends an approved (or suspended) filing. */
export type InspFilingAmendment = Omit<InspFilingInput, 'kind' | 'itemNo'>;

const FILING = { zh: '检验检疫备案', en: 'inspection filing' };

const STATUS_ZH: Record<FilingRow['status'], string> = {
  submitted: '待审核',
  approved: '已备案',
  rejected: '已退回',
  suspended: '已暂停',
  revoked: '已撤销',
};

/** The desk's measures on a filing in force, and what each answers. */
const MEASURES: Record<'suspend' | 'reinstate' | 'revoke', { zh: string; en: string; needsReason: boolean }> = {
  suspend: { zh: '暂停', en: 'suspended', needsReason: true },
  reinstate: { zh: '恢复', en: 'reinstated', needsReason: false },
  revoke: { zh: '撤销', en: 'revoked', needsReason: true },
};

/** Certificates past their valid-until day on `today` (yyyy-mm-dd, Beijing). */
export const expiredCertificates = (r: Pick<FilingRow, 'certificates'>, today: string): Certificate[] =>
  r.certificates.filter((c) => !!c.validUntil && c.validUntil < today);

/**
 * `today`: the Beijing day the filing is read on. `inForce`: it counts for new decisions (approved,
 * no certificate expired; for a product, its enterprise's filing must be in force too).
 */
export function toFilingView(r: FilingRow, today: string) {
  const expired = expiredCertificates(r, today).length > 0;
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
    expired,
    inForce: r.status === 'approved' && !expired,
    reason: r.reason,
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** A real calendar day written yyyy-mm-dd. */
function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `today`: the Beijing day; a certificate already past its valid-until day is refused. */
function check(input: InspFilingInput, today: string): void {
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
    if (c.validUntil && !isDay(c.validUntil))
      p(`certificates[${i}].validUntil`, 'date', '有效期须为有效日期 yyyy-mm-dd', 'valid-until must be a date, yyyy-mm-dd');
    else if (c.validUntil && c.validUntil < today)
      p(
        `certificates[${i}].validUntil`,
        'notExpired',
        `证书 ${c.number} 已于 ${c.validUntil} 过期`,
        `certificate ${c.number} expired on ${c.validUntil}`,
      );
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
  const today = (): string => beijingDay(clock.now());

  /**
   * A filing came into force: the seller's held parcels are decided again by the risk engine (in
   * the caller's transaction). The seller's filings are locked exclusively first, so every
   * decision that read them before (and may hold a parcel for want of this filing) has committed
   * when this transaction commits: the re-decision, run after it, sees those parcels held. A
   * decision starting meanwhile waits and reads the filing approved (inspection.lookup.ts).
   */
  const redecide = async (trx: Executor, ebcCode: string) => {
    await createInspectionRepository(trx).lockSellerFilings([ebcCode], 'exclusive');
    const payload: RedecidePayload = { ebcCodes: [ebcCode] };
    return outbox.publish(trx, [{ topic: TOPIC_REDECIDE, key: ebcCode, payload }]);
  };

  return {
    /**
     * An enterprise files itself or one of its products; a rejected or revoked filing is corrected
     * and resubmitted. An approved one is changed by amending it (`amend`).
     */
    async submit(p: Principal | null, input: InspFilingInput) {
      requirePermission(p, 'inspection.filing');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      check(input, beijingDay(clock.now()));
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
              zh: `已有${STATUS_ZH[existing.status]}的检验检疫备案${existing.status === 'submitted' ? '' : '，变更请提交备案变更'}`,
              en: `an inspection filing is already ${existing.status}${existing.status === 'submitted' ? '' : '; amend it to change it'}`,
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
            after: toFilingView(row, today()),
          },
        ]);
        return toFilingView(row, today());
      });
    },

    /**
     * The enterprise amends its approved (or suspended) filing: new producer, certificates (a
     * renewed one replacing an expired one) or goods name. It goes back to review: until the desk
     * approves it again it does not count for new decisions.
     */
    async amend(p: Principal | null, id: string, input: InspFilingAmendment) {
      requirePermission(p, 'inspection.filing');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      return db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const f = await repo.filing(id, true);
        // Another enterprise's filing answers as a missing one.
        if (!f || f.organisation_id !== org.id) throw notFound(FILING);
        const category = input.quarantineCategory ?? f.quarantine_category;
        check(
          {
            ...input,
            kind: f.kind,
            ...(f.item_no ? { itemNo: f.item_no } : {}),
            ...(category ? { quarantineCategory: category } : {}),
          },
          today(),
        );
        const t = inspFilingLifecycle.transition(f.status, 'amend');
        if (!t.ok)
          throw new DomainError('inspection.invalid_state', {
            zh: `备案状态为${STATUS_ZH[f.status]}，不能变更（只能变更已备案或已暂停的备案）`,
            en: `the filing is ${f.status}: only an approved or suspended filing is amended`,
          });
        const now = clock.now();
        const row = await repo.updateFiling(
          id,
          {
            producer: input.producer.trim(),
            certificates: input.certificates,
            quarantine_category: f.kind === 'product' ? category : null,
            goods_name: input.goodsName?.trim() || f.goods_name,
            status: t.to,
            reason: null,
            submitted_at: now,
          },
          now,
        );
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.filing.amend',
            entity: 'insp_filing',
            entityId: id,
            before: toFilingView(f, today()),
            after: toFilingView(row, today()),
          },
        ]);
        return toFilingView(row, today());
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
      const day = today();
      return rows.map((r) => toFilingView(r, day));
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
        const expired = decision.approve ? expiredCertificates(f, today()) : [];
        if (expired.length)
          throw validationError(
            expired.map((c) => ({
              field: `certificates[${f.certificates.indexOf(c)}].validUntil`,
              rule: 'notExpired',
              message: {
                zh: `证书 ${c.number} 已于 ${c.validUntil} 过期，不能通过备案；请企业变更证书后重新提交`,
                en: `certificate ${c.number} expired on ${c.validUntil}: the filing cannot be approved until the enterprise amends it`,
              },
            })),
          );
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
        if (t.to === 'approved') await redecide(trx, f.enterprise_code);
        return toFilingView(row, today());
      });
      outbox.kick();
      return view;
    },

    /**
     * The desk's measures on a filing in force: suspend it or revoke it (with a reason; from then
     * on the seller's new parcels of it are held), or reinstate a suspended one (the seller's held
     * parcels are decided again). Parcels decided before stay as they were.
     */
    async measure(p: Principal | null, id: string, event: 'suspend' | 'reinstate' | 'revoke', reason?: string) {
      requirePermission(p, 'inspection.work');
      requireInspector(p);
      const m = MEASURES[event];
      if (m.needsReason && !reason?.trim())
        throw validationError([
          {
            field: 'reason',
            rule: 'required',
            message: { zh: `${m.zh}备案必须说明理由`, en: `a filing is ${m.en} with a reason` },
          },
        ]);
      const view = await db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const f = await repo.filing(id, true);
        if (!f || !(await coversEnterprise(trx, p, f.organisation_id))) throw notFound(FILING);
        const t = inspFilingLifecycle.transition(f.status, event satisfies InspFilingEvent);
        if (!t.ok)
          throw new DomainError('inspection.invalid_state', {
            zh: `备案状态为${STATUS_ZH[f.status]}，不能${m.zh}`,
            en: `the filing is ${f.status}; it cannot be ${m.en}`,
          });
        const now = clock.now();
        const row = await repo.updateFiling(id, { status: t.to, reason: reason?.trim() || null, reviewed_at: now }, now);
        await audit.append(trx, actorOf(p), [
          {
            action: `inspection.filing.${event}`,
            entity: 'insp_filing',
            entityId: id,
            before: { status: f.status },
            after: { status: t.to, reason: row.reason },
          },
        ]);
        if (t.to === 'approved') await redecide(trx, f.enterprise_code);
        return toFilingView(row, today());
      });
      outbox.kick();
      return view;
    },
  };
}
