import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { actorOf, isAdmin, jurisdictionPrefix, type Principal } from '../identity/index.ts';
import { createFilingRepository, type ReviewScope } from './filing.repository.ts';
import type { EnterpriseFiling, Product } from './filing.schema.ts';
import { filingLifecycle, STATUS_LABELS, type FilingEvent, type FilingStatus } from './filing.states.ts';
import type { EnterpriseFilingRow, ProductFilingRow } from './filing.tables.ts';
import type { ProductApprovalRule } from './rules/approval.ts';

/** What the filing services are built from (both take the same deps, so they compose). */
export interface FilingServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** When product filings are approved on filing; default: products of filed enterprises. */
  productApprovalRules?: readonly ProductApprovalRule[];
}

/** Agency duties whose officers review filings. */
const REVIEW_DUTIES = ['customs', 'inspection'];

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toEnterpriseFiling(r: EnterpriseFilingRow): EnterpriseFiling {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    customsCode: r.customs_code,
    uscc: r.uscc,
    licenceNo: r.licence_no,
    legalRep: r.legal_rep,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    contactEmail: r.contact_email,
    address: r.address,
    roles: r.roles,
    jurisdiction: r.jurisdiction,
    status: r.status,
    reason: r.reason,
    submittedAt: iso(r.submitted_at),
    reviewedAt: iso(r.reviewed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** numeric comes back as "150.00000": shown as "150". */
const decimal = (v: string): string => (v.includes('.') ? v.replace(/\.?0+$/, '') : v);

export function toProduct(r: ProductFilingRow): Product {
  return {
    id: r.id,
    sellerOrgId: r.seller_org_id,
    ebcCode: r.ebc_code,
    ebcUscc: r.ebc_uscc,
    itemNo: r.item_no,
    gname: r.gname,
    gnameEn: r.gname_en,
    hsCode: r.hs_code,
    gmodel: r.gmodel,
    unit: r.unit,
    legalUnit1: r.legal_unit1,
    legalUnit2: r.legal_unit2,
    originCountry: r.origin_country,
    referencePrice: decimal(r.reference_price),
    currency: r.currency,
    barcode: r.barcode,
    quarantineCategory: r.quarantine_category,
    jurisdiction: r.jurisdiction,
    status: r.status,
    reason: r.reason,
    submittedAt: iso(r.submitted_at),
    reviewedAt: iso(r.reviewed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const EVENT_ZH: Readonly<Record<FilingEvent, string>> = {
  edit: '修改',
  submit: '提交',
  approve: '审核通过',
  reject: '退回',
  resubmit: '重新提交',
};

/** The lifecycle table decides; a refused transition is a 409 naming the state and what is allowed. */
export function nextStatus(from: FilingStatus, event: FilingEvent, what: Bilingual): FilingStatus {
  const t = filingLifecycle.transition(from, event);
  if (t.ok) return t.to;
  throw new DomainError(
    'filing.invalid_state',
    {
      zh: `${what.zh}处于“${STATUS_LABELS[from].zh}”状态，不能${EVENT_ZH[event]}`,
      en: `a ${what.en} in state "${from}" cannot take "${event}"`,
    },
    { state: from, event, allowed: t.allowed },
  );
}

export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!valid(v)) throw validationError([{ field: 'cursor', rule: 'format', message: { zh: '游标无效', en: 'invalid cursor' } }]);
  return v;
}

export const isIdCursor = (v: unknown): v is { id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';
export const isItemCursor = (v: unknown): v is { itemNo: string; id: string } =>
  isIdCursor(v) && typeof (v as { itemNo?: unknown }).itemNo === 'string';

export const clampLimit = (n: number | undefined): number => Math.min(Math.max(n ?? 50, 1), 200);

/** The enterprise the caller acts for; officers, the operator and the public file nothing. */
export function enterpriseOf(p: Principal): NonNullable<Principal['organisation']> {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise') throw forbidden();
  return org;
}

/** Which filings an officer reviews: admin all; a customs or inspection agency its jurisdiction. */
export function reviewScopeOf(p: Principal): ReviewScope {
  if (isAdmin(p)) return { prefix: '' };
  const org = p.organisation;
  if (!org || org.kind !== 'agency' || !org.roles.some((r) => REVIEW_DUTIES.includes(r))) throw forbidden();
  const prefix = jurisdictionPrefix(org.jurisdiction);
  if (prefix === null) throw forbidden();
  return { prefix };
}

export const inScope = (scope: ReviewScope, jurisdiction: string | null): boolean =>
  (jurisdiction ?? '').startsWith(scope.prefix);

export const isUniqueViolation = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '23505';

export function requireReason(reason: string): string {
  if (reason.trim() === '') {
    throw validationError([
      { field: 'reason', rule: 'required', message: { zh: '退回须写明原因', en: 'a rejection needs a reason' } },
    ]);
  }
  return reason.trim();
}

type FilingRepository = ReturnType<typeof createFilingRepository>;

/**
 * Customs approves or rejects a filing within its jurisdiction: the same steps for an enterprise
 * filing and a product filing, given how to lock, update and show that kind.
 */
export async function reviewFiling<Row extends { status: FilingStatus; jurisdiction: string | null }, View>(
  deps: FilingServiceDeps,
  p: Principal,
  id: string,
  event: 'approve' | 'reject',
  reason: string | null,
  kind: {
    entity: 'enterprise_filing' | 'product_filing';
    label: Bilingual;
    lock(repo: FilingRepository, id: string): Promise<Row | undefined>;
    update(repo: FilingRepository, id: string, patch: Pick<Row, 'status'> & Record<string, unknown>, now: Date): Promise<Row>;
    view(row: Row): View;
  },
): Promise<View> {
  const scope = reviewScopeOf(p);
  return deps.db.transaction().execute(async (trx) => {
    const repo = createFilingRepository(trx);
    const row = await kind.lock(repo, id);
    if (!row || !inScope(scope, row.jurisdiction)) throw notFound(kind.label);
    const status = nextStatus(row.status, event, kind.label);
    const now = deps.clock.now();
    const updated = await kind.update(repo, id, { status, reason, reviewed_at: now, reviewed_by: p.userId }, now);
    await deps.audit.append(trx, actorOf(p), [
      { action: `${kind.entity}.${event}`, entity: kind.entity, entityId: id, before: kind.view(row), after: kind.view(updated) },
    ]);
    return kind.view(updated);
  });
}

export interface ReviewListOptions {
  status?: FilingStatus;
  q?: string;
  cursor?: string;
  limit?: number;
}

/** One keyset page of filings for customs review within the officer's jurisdiction. */
export async function reviewPage<Row extends { id: string }, View>(
  p: Principal,
  opts: ReviewListOptions,
  fetch: (q: { scope: ReviewScope; limit: number; status?: FilingStatus; q?: string; afterId?: string }) => Promise<Row[]>,
  view: (row: Row) => View,
): Promise<{ items: View[]; nextCursor: string | null }> {
  const limit = clampLimit(opts.limit);
  const after = decodeCursor(opts.cursor, isIdCursor);
  const rows = await fetch({
    scope: reviewScopeOf(p),
    limit: limit + 1,
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.q ? { q: opts.q } : {}),
    ...(after ? { afterId: after.id } : {}),
  });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
}
