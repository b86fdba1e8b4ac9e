import { tables, type Executor } from '../../kernel/db.ts';
import type { TaxProfileRow, TaxPurchaseRow, TaxTables } from './tax.tables.ts';

export function createTaxRepository(exec: Executor) {
  const db = tables<TaxTables>(exec);
  return {
    async profiles(orgIds: readonly string[]): Promise<TaxProfileRow[]> {
      if (!orgIds.length) return [];
      return db
        .selectFrom('tax_profile')
        .selectAll()
        .where('org_id', 'in', [...orgIds])
        .execute();
    },
    async upsertProfile(row: TaxProfileRow): Promise<TaxProfileRow> {
      const { org_id: _id, ...rest } = row;
      return db
        .insertInto('tax_profile')
        .values(row)
        .onConflict((oc) => oc.column('org_id').doUpdateSet(rest))
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async purchases(declarationIds: readonly string[]): Promise<TaxPurchaseRow[]> {
      if (!declarationIds.length) return [];
      return db
        .selectFrom('tax_purchase')
        .selectAll()
        .where('declaration_id', 'in', [...declarationIds])
        .orderBy('declaration_id')
        .orderBy('line_no')
        .orderBy('invoice_no')
        .execute();
    },
    async replacePurchases(declarationId: string, rows: TaxPurchaseRow[]): Promise<void> {
      await db.deleteFrom('tax_purchase').where('declaration_id', '=', declarationId).execute();
      if (rows.length) await db.insertInto('tax_purchase').values(rows).execute();
    },
  };
}
