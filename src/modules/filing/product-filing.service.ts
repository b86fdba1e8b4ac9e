import type { Executor } from '../../kernel/db.ts';
import { DomainError, notFound, validationError, type Bilingual, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createFilingRepository } from './filing.repository.ts';
import type { Product, ProductInput } from './filing.schema.ts';
import {
  clampLimit,
  decodeCursor,
  encodeCursor,
  enterpriseOf,
  inScope,
  isItemCursor,
  isUniqueViolation,
  nextStatus,
  requireReason,
  reviewFiling,
  reviewPage,
  type ReviewListOptions,
  reviewScopeOf,
  toProduct,
  type FilingServiceDeps,
} from './filing.shared.ts';
import { filingLifecycle, type FilingStatus } from './filing.states.ts';
import type { EnterpriseFilingRow, ProductFilingRow } from './filing.tables.ts';
import { DEFAULT_PRODUCT_APPROVAL_RULES, productApproval } from './rules/approval.ts';
import {
  checkProduct,
  DEFAULT_CURRENCY,
  DEFAULT_ORIGIN_COUNTRY,
  duplicateItemNos,
  filedQuarantineCategory,
} from './rules/product.ts';

const PRODUCT: Bilingual = { zh: '商品备案', en: 'product filing' };

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
    quarantine_category: filedQuarantineCategory(input),
    jurisdiction: seller.jurisdiction,
  };
}

export type ProductFilingService = ReturnType<typeof createProductFilingService>;

/** Product filings: the seller's products, and customs review of them. */
export function createProductFilingService(deps: FilingServiceDeps) {
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
          productApproval(approvalRules, {
            sellerFiled: true,
            hsCode: it.hsCode,
            quarantineCategory: filedQuarantineCategory(it),
          }) === 'approve';
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

  const reviewProduct = (p: Principal, id: string, event: 'approve' | 'reject', reason: string | null) =>
    reviewFiling(deps, p, id, event, reason, {
      entity: 'product_filing',
      label: PRODUCT,
      lock: (repo, fid) => repo.lockProduct(fid),
      update: (repo, fid, patch, now) => repo.updateProduct(fid, patch, now),
      view: toProduct,
    });

  return {
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
            quarantineCategory: filedQuarantineCategory(input),
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
      opts: ReviewListOptions,
    ): Promise<{ items: Product[]; nextCursor: string | null }> {
      requirePermission(p, 'filings.review');
      return reviewPage(p, opts, (q) => createFilingRepository(db).listProductsForReview(q), toProduct);
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
