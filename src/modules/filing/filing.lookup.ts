import type { Executor } from '../../kernel/db.ts';
import { createFilingRepository } from './filing.repository.ts';
import type { Product } from './filing.schema.ts';
import { toProduct } from './filing.shared.ts';

export interface FiledEnterprise {
  orgId: string;
  /** the enterprise roles the approved filing covers (ebp, ebc, logistics, …) */
  roles: string[];
  /** when the filing was approved (the risk engine's provisional credit grade reads its age) */
  approvedAt: Date | null;
}

/** What customs filed of a product and a declaration line must repeat: HS code and legal units. */
export interface FiledProductCodes {
  hsCode: string;
  legalUnit1: string;
  legalUnit2: string | null;
}

export type FilingLookup = ReturnType<typeof filingLookup>;

/** The key `filedProducts` answers under: `${ebcCode}|${itemNo}`, ebcCode as the caller gave it. */
export const productKey = (ebcCode: string, itemNo: string): string => `${ebcCode}|${itemNo}`;

/**
 * What other modules ask of filing (the pipeline checks "is this party / product line filed?").
 * Batch-first: one SQL statement per call, for hundreds of keys. No access check: callers are
 * pipeline stages and services that have done their own; never expose it to a route unscoped.
 */
export function filingLookup(db: Executor) {
  return {
    /** Approved enterprise filings by customs code or USCC; a code not filed is absent from the map. */
    async filedEnterprises(codes: readonly string[]): Promise<Map<string, FiledEnterprise>> {
      const wanted = new Set(codes);
      const out = new Map<string, FiledEnterprise>();
      for (const r of await createFilingRepository(db).filedEnterprises([...wanted])) {
        const v = { orgId: r.organisation_id, roles: r.roles, approvedAt: r.reviewed_at };
        if (r.customs_code) out.set(r.customs_code, v);
        if (r.uscc) out.set(r.uscc, v);
      }
      // Only the codes asked for: a lookup by customs code does not also answer the USCC.
      for (const k of [...out.keys()]) if (!wanted.has(k)) out.delete(k);
      return out;
    },

    /** Approved products by (ebcCode, itemNo), ebcCode the seller's customs code or USCC. */
    async filedProducts(pairs: readonly { ebcCode: string; itemNo: string }[]): Promise<Map<string, Product>> {
      const unique = new Map(pairs.map((p) => [productKey(p.ebcCode, p.itemNo), p]));
      const out = new Map<string, Product>();
      for (const r of await createFilingRepository(db).filedProducts([...unique.values()])) {
        const { key_code, ...row } = r;
        out.set(productKey(key_code, row.item_no), toProduct(row));
      }
      return out;
    },

    /**
     * Approved products' HS code and legal units by (ebcCode, itemNo), keyed as `filedProducts`:
     * the lean form the CEB intake checks every declared line against (a product not filed is
     * absent from the map).
     */
    async filedProductCodes(pairs: readonly { ebcCode: string; itemNo: string }[]): Promise<Map<string, FiledProductCodes>> {
      const unique = new Map(pairs.map((p) => [productKey(p.ebcCode, p.itemNo), p]));
      const out = new Map<string, FiledProductCodes>();
      for (const r of await createFilingRepository(db).filedProductCodes([...unique.values()]))
        out.set(productKey(r.key_code, r.item_no), { hsCode: r.hs_code, legalUnit1: r.legal_unit1, legalUnit2: r.legal_unit2 });
      return out;
    },
  };
}
