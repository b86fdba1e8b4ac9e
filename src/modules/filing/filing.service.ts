import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type Bilingual, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { createFilingRepository, type ReviewScope } from './filing.repository.ts';
import type { EnterpriseFiling, EnterpriseFilingInput, Product, ProductInput } from './filing.schema.ts';
import { filingLifecycle, STATUS_LABELS, type FilingEvent, type FilingStatus } from './filing.states.ts';
import type { EnterpriseFilingRow, OrganisationView, ProductFilingRow } from './filing.tables.ts';
import { DEFAULT_PRODUCT_APPROVAL_RULES, productApproval, type ProductApprovalRule } from './rules/approval.ts';
import { checkEnterpriseFiling } from './rules/enterprise.ts';
import { checkProduct, DEFAULT_CURRENCY, DEFAULT_ORIGIN_COUNTRY, duplicateItemNos } from './rules/product.ts';

const ENTERPRISE_FILING: Bilingual = { zh: '企业备案', en: 'enterprise filing' };
const PRODUCT: Bilingual = { zh: '商品备案', en: 'product filing' };

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

function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeCursor<T>(cursor: string | undefined, valid: (v: unknown) => v is T): T | undefined {
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

const isIdCursor = (v: unknown): v is { id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';
const isItemCursor = (v: unknown): v is { itemNo: string; id: string } =>
  isIdCursor(v) && typeof (v as { itemNo?: unknown }).itemNo === 'string';

const clampLimit = (n: number | undefined): number => Math.min(Math.max(n ?? 50, 1), 200);

/** The enterprise the caller acts for; officers, the operator and the public file nothing. */
function enterpriseOf(p: Principal): NonNullable<Principal['organisation']> {
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

const inScope = (scope: ReviewScope, jurisdiction: string | null): boolean => (jurisdiction ?? '').startsWith(scope.prefix);

const isUniqueViolation = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '23505';

function productRow(
  input: ProductInput,
  seller: { orgId: string; ebcCode: string; ebcUscc: string | null; jurisdiction: string | null },
): Omit<ProductFilingRow, 'created_at' | 'updated_at' | 'status' | 'reason' | 'submitted_at' | 'reviewed_at' | 'reviewed_by'> {
  return {
    id: newId(),
    seller_org_id: seller.orgId,
    ebc_code: seller.ebcCode,
    ebc_uscc: seller.ebcUscc,
    item_no: input.itemNo,
    gname: input.gname,
    gname_en: input.gnameEn || null,
    hs_code: input.hsCode,
    gmodel: input.gmodel,
    unit: input.unit,
    legal_unit1: input.legalUnit1,
    legal_unit2: input.legalUnit2 || null,
    origin_country: input.originCountry ?? DEFAULT_ORIGIN_COUNTRY,
    reference_price: input.referencePrice,
    currency: input.currency ?? DEFAULT_CURRENCY,
    barcode: input.barcode || null,
    quarantine_category: input.quarantineCategory ?? null,
    jurisdiction: seller.jurisdiction,
  };
}

export type FilingService = ReturnType<typeof createFilingService>;

export function createFilingService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** When product filings are approved on filing; default: products of filed enterprises. */
  productApprovalRules?: readonly ProductApprovalRule[];
}) {
  const { db, clock, audit } = deps;
  const approvalRules = deps.productApprovalRules ?? DEFAULT_PRODUCT_APPROVAL_RULES;

  /** The seller's approved filing as an ebc, or a 409 saying it must file first. */
  async function filedSeller(exec: Executor, orgId: string): Promise<EnterpriseFilingRow> {
    const filing = await createFilingRepository(exec).findEnterpriseByOrg(orgId);
    if (!filing || filing.status !== 'approved' || !filing.roles.includes('ebc')) {
      throw new DomainError(
        'filing.invalid_state',
        {
          zh: '本企业尚未完成电商企业（ebc）备案，不能备案商品',
          en: 'file the enterprise as a seller (ebc) and have it approved before filing products',
        },
        { rule: 'enterpriseNotFiled' },
      );
    }
    return filing;
  }

  async function fileProductsIn(p: Principal, items: readonly ProductInput[], bulk: boolean): Promise<Product[]> {
    const org = enterpriseOf(p);
    const prefix = (i: number) => (bulk ? `items[${i}].` : '');
    const errors: FieldProblem[] = items.flatMap((it, i) => checkProduct(it, prefix(i)));
    if (bulk) errors.push(...duplicateItemNos(items));
    return db.transaction().execute(async (trx) => {
      const seller = await filedSeller(trx, org.id);
      const repo = createFilingRepository(trx);
      const existing = new Set(
        await repo.existingItemNos(
          org.id,
          items.map((it) => it.itemNo),
        ),
      );
      if (!bulk && items[0] && existing.has(items[0].itemNo) && errors.length === 0) {
        throw new DomainError('filing.duplicate', {
          zh: `商品货号 ${items[0].itemNo} 已备案`,
          en: `item ${items[0].itemNo} is already filed`,
        });
      }
      items.forEach((it, i) => {
        if (existing.has(it.itemNo)) {
          errors.push({
            field: `${prefix(i)}itemNo`,
            rule: 'unique',
            message: { zh: `商品货号“${it.itemNo}”已备案`, en: `itemNo "${it.itemNo}" is already filed` },
            value: it.itemNo,
          });
        }
      });
      if (errors.length) throw validationError(errors);
      const now = clock.now();
      const who = {
        orgId: org.id,
        ebcCode: seller.customs_code ?? seller.uscc ?? '',
        ebcUscc: seller.uscc,
        jurisdiction: seller.jurisdiction,
      };
      const rows = items.map((it) => {
        const submitted = nextStatus(filingLifecycle.initial, 'submit', PRODUCT);
        const auto =
          productApproval(approvalRules, { sellerFiled: true, hsCode: it.hsCode, quarantineCategory: it.quarantineCategory }) ===
          'approve';
        return {
          ...productRow(it, who),
          status: auto ? nextStatus(submitted, 'approve', PRODUCT) : submitted,
          reason: null,
          submitted_at: now,
          reviewed_at: auto ? now : null,
          reviewed_by: null,
        };
      });
      let stored: ProductFilingRow[];
      try {
        stored = await repo.insertProducts(rows, now);
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new DomainError('filing.duplicate', { zh: '商品货号已备案', en: 'an itemNo is already filed' });
        }
        throw e;
      }
      const products = stored.map(toProduct);
      await audit.append(
        trx,
        actorOf(p),
        products.map((pr) => ({ action: 'product_filing.file', entity: 'product_filing', entityId: pr.id, after: pr })),
      );
      return products;
    });
  }

  async function reviewEnterprise(p: Principal, id: string, event: 'approve' | 'reject', reason: string | null) {
    const scope = reviewScopeOf(p);
    return db.transaction().execute(async (trx) => {
      const repo = createFilingRepository(trx);
      const row = await repo.lockEnterprise(id);
      if (!row || !inScope(scope, row.jurisdiction)) throw notFound(ENTERPRISE_FILING);
      const status = nextStatus(row.status, event, ENTERPRISE_FILING);
      const now = clock.now();
      const updated = await repo.updateEnterprise(id, { status, reason, reviewed_at: now, reviewed_by: p.userId }, now);
      await audit.append(trx, actorOf(p), [
        {
          action: `enterprise_filing.${event}`,
          entity: 'enterprise_filing',
          entityId: id,
          before: toEnterpriseFiling(row),
          after: toEnterpriseFiling(updated),
        },
      ]);
      return toEnterpriseFiling(updated);
    });
  }

  async function reviewProduct(p: Principal, id: string, event: 'approve' | 'reject', reason: string | null) {
    const scope = reviewScopeOf(p);
    return db.transaction().execute(async (trx) => {
      const repo = createFilingRepository(trx);
      const row = await repo.lockProduct(id);
      if (!row || !inScope(scope, row.jurisdiction)) throw notFound(PRODUCT);
      const status = nextStatus(row.status, event, PRODUCT);
      const now = clock.now();
      const updated = await repo.updateProduct(id, { status, reason, reviewed_at: now, reviewed_by: p.userId }, now);
      await audit.append(trx, actorOf(p), [
        {
          action: `product_filing.${event}`,
          entity: 'product_filing',
          entityId: id,
          before: toProduct(row),
          after: toProduct(updated),
        },
      ]);
      return toProduct(updated);
    });
  }

  const requireReason = (reason: string): string => {
    if (reason.trim() === '') {
      throw validationError([
        { field: 'reason', rule: 'required', message: { zh: '退回须写明原因', en: 'a rejection needs a reason' } },
      ]);
    }
    return reason.trim();
  };

  return {
    // --- enterprise side: own application -------------------------------------------------------
    async getOwnEnterpriseFiling(p: Principal | null): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      const row = await createFilingRepository(db).findEnterpriseByOrg(org.id);
      if (!row) throw notFound(ENTERPRISE_FILING);
      return toEnterpriseFiling(row);
    },

    /** Creates the organisation's application as a draft, or edits it while draft or rejected. */
    async saveEnterpriseFiling(
      p: Principal | null,
      input: EnterpriseFilingInput,
    ): Promise<{ filing: EnterpriseFiling; created: boolean }> {
      requirePermission(p, 'filings.submit');
      const me = enterpriseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createFilingRepository(trx);
        const org: OrganisationView | undefined = await organisationDirectory(trx).byId(me.id);
        if (!org) throw notFound(ENTERPRISE_FILING);
        const errors = checkEnterpriseFiling(input, org);
        if (errors.length) throw validationError(errors);
        const fields = {
          customs_code: org.customs_code,
          uscc: org.uscc,
          name: org.name,
          licence_no: input.licenceNo,
          legal_rep: input.legalRep.trim(),
          contact_name: input.contactName.trim(),
          contact_phone: input.contactPhone.trim(),
          contact_email: input.contactEmail || null,
          address: input.address.trim(),
          roles: [...input.roles],
          jurisdiction: org.jurisdiction,
        };
        const now = clock.now();
        const existing = await repo.findEnterpriseByOrg(org.id);
        if (existing) {
          await repo.lockEnterprise(existing.id);
          const status = nextStatus(existing.status, 'edit', ENTERPRISE_FILING);
          const updated = await repo.updateEnterprise(existing.id, { ...fields, status }, now);
          await audit.append(trx, actorOf(p), [
            {
              action: 'enterprise_filing.edit',
              entity: 'enterprise_filing',
              entityId: existing.id,
              before: toEnterpriseFiling(existing),
              after: toEnterpriseFiling(updated),
            },
          ]);
          return { filing: toEnterpriseFiling(updated), created: false };
        }
        let row: EnterpriseFilingRow;
        try {
          row = await repo.insertEnterprise(
            {
              id: newId(),
              organisation_id: org.id,
              ...fields,
              status: filingLifecycle.initial,
              reason: null,
              submitted_at: null,
              reviewed_at: null,
              reviewed_by: null,
            },
            now,
          );
        } catch (e) {
          if (isUniqueViolation(e)) {
            throw new DomainError('filing.duplicate', {
              zh: '本企业已有备案申请',
              en: 'the organisation already has a filing application',
            });
          }
          throw e;
        }
        await audit.append(trx, actorOf(p), [
          { action: 'enterprise_filing.create', entity: 'enterprise_filing', entityId: row.id, after: toEnterpriseFiling(row) },
        ]);
        return { filing: toEnterpriseFiling(row), created: true };
      });
    },

    /** Submits a draft, or resubmits a rejected application. */
    async submitEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createFilingRepository(trx);
        const row = await repo.lockEnterprise(id);
        if (!row || row.organisation_id !== org.id) throw notFound(ENTERPRISE_FILING);
        const event: FilingEvent = row.status === 'rejected' ? 'resubmit' : 'submit';
        const status = nextStatus(row.status, event, ENTERPRISE_FILING);
        const now = clock.now();
        const updated = await repo.updateEnterprise(id, { status, submitted_at: now }, now);
        await audit.append(trx, actorOf(p), [
          {
            action: `enterprise_filing.${event}`,
            entity: 'enterprise_filing',
            entityId: id,
            before: toEnterpriseFiling(row),
            after: toEnterpriseFiling(updated),
          },
        ]);
        return toEnterpriseFiling(updated);
      });
    },

    // --- customs side: enterprise filings within jurisdiction ------------------------------------
    async listEnterpriseFilings(
      p: Principal | null,
      opts: { status?: FilingStatus; q?: string; cursor?: string; limit?: number },
    ): Promise<{ items: EnterpriseFiling[]; nextCursor: string | null }> {
      requirePermission(p, 'filings.review');
      const scope = reviewScopeOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor, isIdCursor);
      const rows = await createFilingRepository(db).listEnterprise({
        scope,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.q ? { q: opts.q } : {}),
        ...(after ? { afterId: after.id } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map(toEnterpriseFiling),
        nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
      };
    },

    async getEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      const scope = reviewScopeOf(p);
      const row = await createFilingRepository(db).findEnterpriseById(id);
      if (!row || !inScope(scope, row.jurisdiction)) throw notFound(ENTERPRISE_FILING);
      return toEnterpriseFiling(row);
    },

    async approveEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      return reviewEnterprise(p, id, 'approve', null);
    },

    async rejectEnterpriseFiling(p: Principal | null, id: string, reason: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      return reviewEnterprise(p, id, 'reject', requireReason(reason));
    },

    // --- enterprise side: products ---------------------------------------------------------------
    async fileProduct(p: Principal | null, input: ProductInput): Promise<Product> {
      requirePermission(p, 'filings.submit');
      const [product] = await fileProductsIn(p, [input], false);
      if (!product) throw new Error('product filing stored no row');
      return product;
    },

    /** Up to 500 products: all validated first (per-row errors), stored in one INSERT or not at all. */
    async fileProducts(p: Principal | null, items: readonly ProductInput[]): Promise<Product[]> {
      requirePermission(p, 'filings.submit');
      return fileProductsIn(p, items, true);
    },

    /** Corrects a rejected product filing and submits it again. */
    async resubmitProduct(p: Principal | null, id: string, input: ProductInput): Promise<Product> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      const errors = checkProduct(input);
      return db.transaction().execute(async (trx) => {
        const repo = createFilingRepository(trx);
        const row = await repo.lockProduct(id);
        if (!row || row.seller_org_id !== org.id) throw notFound(PRODUCT);
        if (input.itemNo !== row.item_no) {
          errors.push({
            field: 'itemNo',
            rule: 'immutable',
            message: { zh: '商品货号不能修改', en: 'itemNo cannot change' },
            value: input.itemNo,
          });
        }
        const status = nextStatus(row.status, 'resubmit', PRODUCT);
        if (errors.length) throw validationError(errors);
        const seller = await filedSeller(trx, org.id);
        const now = clock.now();
        const auto =
          productApproval(approvalRules, {
            sellerFiled: true,
            hsCode: input.hsCode,
            quarantineCategory: input.quarantineCategory,
          }) === 'approve';
        const {
          id: _id,
          seller_org_id: _s,
          ...fields
        } = productRow(input, {
          orgId: org.id,
          ebcCode: seller.customs_code ?? seller.uscc ?? '',
          ebcUscc: seller.uscc,
          jurisdiction: seller.jurisdiction,
        });
        const updated = await repo.updateProduct(
          id,
          {
            ...fields,
            status: auto ? nextStatus(status, 'approve', PRODUCT) : status,
            reason: null,
            submitted_at: now,
            reviewed_at: auto ? now : null,
            reviewed_by: null,
          },
          now,
        );
        await audit.append(trx, actorOf(p), [
          {
            action: 'product_filing.resubmit',
            entity: 'product_filing',
            entityId: id,
            before: toProduct(row),
            after: toProduct(updated),
          },
        ]);
        return toProduct(updated);
      });
    },

    async listProducts(
      p: Principal | null,
      opts: { status?: FilingStatus; q?: string; cursor?: string; limit?: number },
    ): Promise<{ items: Product[]; nextCursor: string | null }> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor, isItemCursor);
      const rows = await createFilingRepository(db).listOwnProducts({
        sellerOrgId: org.id,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.q ? { q: opts.q } : {}),
        ...(after ? { after: { itemNo: after.itemNo, id: after.id } } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map(toProduct),
        nextCursor: rows.length > limit && last ? encodeCursor({ itemNo: last.item_no, id: last.id }) : null,
      };
    },

    async getProduct(p: Principal | null, id: string): Promise<Product> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      const row = await createFilingRepository(db).findProductById(id);
      if (!row || row.seller_org_id !== org.id) throw notFound(PRODUCT);
      return toProduct(row);
    },

    // --- customs side: product filings within jurisdiction ----------------------------------------
    async listProductFilings(
      p: Principal | null,
      opts: { status?: FilingStatus; q?: string; cursor?: string; limit?: number },
    ): Promise<{ items: Product[]; nextCursor: string | null }> {
      requirePermission(p, 'filings.review');
      const scope = reviewScopeOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor, isIdCursor);
      const rows = await createFilingRepository(db).listProductsForReview({
        scope,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.q ? { q: opts.q } : {}),
        ...(after ? { afterId: after.id } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toProduct), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
    },

    async getProductFiling(p: Principal | null, id: string): Promise<Product> {
      requirePermission(p, 'filings.review');
      const scope = reviewScopeOf(p);
      const row = await createFilingRepository(db).findProductById(id);
      if (!row || !inScope(scope, row.jurisdiction)) throw notFound(PRODUCT);
      return toProduct(row);
    },

    async approveProductFiling(p: Principal | null, id: string): Promise<Product> {
      requirePermission(p, 'filings.review');
      return reviewProduct(p, id, 'approve', null);
    },

    async rejectProductFiling(p: Principal | null, id: string, reason: string): Promise<Product> {
      requirePermission(p, 'filings.review');
      return reviewProduct(p, id, 'reject', requireReason(reason));
    },
  };
}
