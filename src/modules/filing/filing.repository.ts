import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { FilingStatus } from './filing.states.ts';
import type { EnterpriseFilingRow, FilingTables, ProductFilingRow } from './filing.tables.ts';

type NewEnterpriseFilingRow = Omit<EnterpriseFilingRow, 'created_at' | 'updated_at'>;
type NewProductFilingRow = Omit<ProductFilingRow, 'created_at' | 'updated_at'>;

/** Which review rows an agency sees: jurisdiction codes starting with `prefix` ('' = all). */
export interface ReviewScope {
  prefix: string;
}

const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `(t.a, t.b) is distinct from (excluded.a, excluded.b)`: an upsert that changes nothing writes nothing. */
function changed(table: string, cols: readonly string[]) {
  return sql<boolean>`(${sql.join(cols.map((c) => sql.ref(`${table}.${c}`)))}) is distinct from (${sql.join(
    cols.map((c) => sql.ref(`excluded.${c}`)),
  )})`;
}

const ENTERPRISE_DEMO_COLS = [
  'customs_code',
  'uscc',
  'name',
  'licence_no',
  'legal_rep',
  'contact_name',
  'contact_phone',
  'contact_email',
  'address',
  'roles',
  'jurisdiction',
  'status',
  'reason',
] as const;

const PRODUCT_DEMO_COLS = [
  'ebc_code',
  'ebc_uscc',
  'gname',
  'gname_en',
  'hs_code',
  'gmodel',
  'unit',
  'legal_unit1',
  'legal_unit2',
  'origin_country',
  'reference_price',
  'currency',
  'barcode',
  'quarantine_category',
  'jurisdiction',
  'status',
  'reason',
] as const;

export function createFilingRepository(exec: Executor) {
  const db = tables<FilingTables>(exec);
  return {
    // --- enterprise filings --------------------------------------------------------------------
    async findEnterpriseById(id: string): Promise<EnterpriseFilingRow | undefined> {
      return db.selectFrom('enterprise_filing').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findEnterpriseByOrg(orgId: string): Promise<EnterpriseFilingRow | undefined> {
      return db.selectFrom('enterprise_filing').selectAll().where('organisation_id', '=', orgId).executeTakeFirst();
    },
    /** Locks the row for a state change within the caller's transaction. */
    async lockEnterprise(id: string): Promise<EnterpriseFilingRow | undefined> {
      return db.selectFrom('enterprise_filing').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async insertEnterprise(row: NewEnterpriseFilingRow, now: Date): Promise<EnterpriseFilingRow> {
      return db
        .insertInto('enterprise_filing')
        .values({ ...row, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async updateEnterprise(
      id: string,
      patch: Partial<Omit<EnterpriseFilingRow, 'id' | 'organisation_id' | 'created_at' | 'updated_at'>>,
      now: Date,
    ): Promise<EnterpriseFilingRow> {
      return db
        .updateTable('enterprise_filing')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Keyset page by id (time-ordered), oldest first. */
    async listEnterprise(opts: {
      scope: ReviewScope;
      status?: FilingStatus;
      q?: string;
      afterId?: string;
      limit: number;
    }): Promise<EnterpriseFilingRow[]> {
      let q = db.selectFrom('enterprise_filing').selectAll().orderBy('id').limit(opts.limit);
      if (opts.scope.prefix !== '') q = q.where('jurisdiction', 'like', `${opts.scope.prefix}%`);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.q) {
        const like = likePattern(opts.q);
        q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('customs_code', 'like', like), eb('uscc', 'like', like)]));
      }
      if (opts.afterId) q = q.where('id', '>', opts.afterId);
      return q.execute();
    },
    /** Demo: insert or restore; answers the rows it actually wrote. */
    async upsertEnterprises(rows: NewEnterpriseFilingRow[], now: Date): Promise<EnterpriseFilingRow[]> {
      if (rows.length === 0) return [];
      return db
        .insertInto('enterprise_filing')
        .values(rows.map((r) => ({ ...r, created_at: now, updated_at: now })))
        .onConflict((oc) =>
          oc
            .column('organisation_id')
            .doUpdateSet(
              Object.fromEntries(
                [...ENTERPRISE_DEMO_COLS, 'submitted_at', 'reviewed_at', 'reviewed_by', 'updated_at'].map((c) => [
                  c,
                  sql.ref(`excluded.${c}`),
                ]),
              ),
            )
            .where(changed('enterprise_filing', ENTERPRISE_DEMO_COLS)),
        )
        .returningAll()
        .execute();
    },
    /** Approved filings whose customs code or USCC is among `codes`: one statement. */
    async filedEnterprises(codes: readonly string[]): Promise<EnterpriseFilingRow[]> {
      if (codes.length === 0) return [];
      const arr = sql<string>`any(${[...codes]}::text[])`;
      return db
        .selectFrom('enterprise_filing')
        .selectAll()
        .where('status', '=', 'approved')
        .where((eb) => eb.or([eb('customs_code', '=', arr), eb('uscc', '=', arr)]))
        .execute();
    },

    // --- product filings -----------------------------------------------------------------------
    async findProductById(id: string): Promise<ProductFilingRow | undefined> {
      return db.selectFrom('product_filing').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async lockProduct(id: string): Promise<ProductFilingRow | undefined> {
      return db.selectFrom('product_filing').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    /** Which of `itemNos` the seller has filed already: one statement. */
    async existingItemNos(sellerOrgId: string, itemNos: readonly string[]): Promise<string[]> {
      if (itemNos.length === 0) return [];
      const rows = await db
        .selectFrom('product_filing')
        .select('item_no')
        .where('seller_org_id', '=', sellerOrgId)
        .where('item_no', '=', sql<string>`any(${[...itemNos]}::text[])`)
        .execute();
      return rows.map((r) => r.item_no);
    },
    /** All rows in ONE multi-row INSERT (≤ 500 rows × 27 columns stays under the 65,535-parameter limit). */
    async insertProducts(rows: NewProductFilingRow[], now: Date): Promise<ProductFilingRow[]> {
      if (rows.length === 0) return [];
      return db
        .insertInto('product_filing')
        .values(rows.map((r) => ({ ...r, created_at: now, updated_at: now })))
        .returningAll()
        .execute();
    },
    async updateProduct(
      id: string,
      patch: Partial<Omit<ProductFilingRow, 'id' | 'seller_org_id' | 'created_at' | 'updated_at'>>,
      now: Date,
    ): Promise<ProductFilingRow> {
      return db
        .updateTable('product_filing')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** A seller's own products, keyset by (item_no, id). */
    async listOwnProducts(opts: {
      sellerOrgId: string;
      status?: FilingStatus;
      q?: string;
      after?: { itemNo: string; id: string };
      limit: number;
    }): Promise<ProductFilingRow[]> {
      let q = db
        .selectFrom('product_filing')
        .selectAll()
        .where('seller_org_id', '=', opts.sellerOrgId)
        .orderBy('item_no')
        .orderBy('id')
        .limit(opts.limit);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.q) {
        const like = likePattern(opts.q);
        q = q.where((eb) => eb.or([eb('item_no', 'ilike', like), eb('gname', 'ilike', like), eb('hs_code', 'like', like)]));
      }
      const a = opts.after;
      if (a)
        q = q.where((eb) => eb.or([eb('item_no', '>', a.itemNo), eb.and([eb('item_no', '=', a.itemNo), eb('id', '>', a.id)])]));
      return q.execute();
    },
    /** Review desk: keyset by id (time-ordered), oldest first. */
    async listProductsForReview(opts: {
      scope: ReviewScope;
      status?: FilingStatus;
      q?: string;
      afterId?: string;
      limit: number;
    }): Promise<ProductFilingRow[]> {
      let q = db.selectFrom('product_filing').selectAll().orderBy('id').limit(opts.limit);
      if (opts.scope.prefix !== '') q = q.where('jurisdiction', 'like', `${opts.scope.prefix}%`);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.q) {
        const like = likePattern(opts.q);
        q = q.where((eb) =>
          eb.or([
            eb('item_no', 'ilike', like),
            eb('gname', 'ilike', like),
            eb('hs_code', 'like', like),
            eb('ebc_code', 'like', like),
          ]),
        );
      }
      if (opts.afterId) q = q.where('id', '>', opts.afterId);
      return q.execute();
    },
    /** Demo: insert or restore by (seller, itemNo); answers the rows it actually wrote. */
    async upsertProducts(rows: NewProductFilingRow[], now: Date): Promise<ProductFilingRow[]> {
      if (rows.length === 0) return [];
      return db
        .insertInto('product_filing')
        .values(rows.map((r) => ({ ...r, created_at: now, updated_at: now })))
        .onConflict((oc) =>
          oc
            .columns(['seller_org_id', 'item_no'])
            .doUpdateSet(
              Object.fromEntries(
                [...PRODUCT_DEMO_COLS, 'submitted_at', 'reviewed_at', 'reviewed_by', 'updated_at'].map((c) => [
                  c,
                  sql.ref(`excluded.${c}`),
                ]),
              ),
            )
            .where(changed('product_filing', PRODUCT_DEMO_COLS)),
        )
        .returningAll()
        .execute();
    },
    /**
     * Approved products for (ebcCode, itemNo) pairs, ebcCode being the customs code or the USCC:
     * one statement over unnest'ed arrays, for hundreds of pairs at a time.
     */
    async filedProducts(
      pairs: readonly { ebcCode: string; itemNo: string }[],
    ): Promise<(ProductFilingRow & { key_code: string })[]> {
      if (pairs.length === 0) return [];
      const codes = pairs.map((p) => p.ebcCode);
      const items = pairs.map((p) => p.itemNo);
      const result = await sql<ProductFilingRow & { key_code: string }>`
        select p.*, k.code as key_code
        from unnest(${codes}::text[], ${items}::text[]) as k(code, item_no)
        join product_filing p
          on p.item_no = k.item_no and (p.ebc_code = k.code or p.ebc_uscc = k.code)
        where p.status = 'approved'`.execute(exec);
      return result.rows;
    },
    /**
     * The customs facts of approved products (HS code, legal units) for (ebcCode, itemNo) pairs:
     * what intake compares each declared line with. Same probe as `filedProducts` (its indexes),
     * without the rest of the row.
     */
    async filedProductCodes(
      pairs: readonly { ebcCode: string; itemNo: string }[],
    ): Promise<{ key_code: string; item_no: string; hs_code: string; legal_unit1: string; legal_unit2: string | null }[]> {
      if (pairs.length === 0) return [];
      const result = await sql<{
        key_code: string;
        item_no: string;
        hs_code: string;
        legal_unit1: string;
        legal_unit2: string | null;
      }>`
        select k.code as key_code, p.item_no, p.hs_code, p.legal_unit1, p.legal_unit2
        from unnest(${pairs.map((p) => p.ebcCode)}::text[], ${pairs.map((p) => p.itemNo)}::text[]) as k(code, item_no)
        join product_filing p
          on p.item_no = k.item_no and (p.ebc_code = k.code or p.ebc_uscc = k.code)
        where p.status = 'approved'`.execute(exec);
      return result.rows;
    },
  };
}
