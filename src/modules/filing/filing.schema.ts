import { Type, type Static, type TSchema } from 'typebox';
import { ENTERPRISE_ROLES } from '../identity/index.ts';
import { FILING_STATES } from './filing.states.ts';
import { QUARANTINE_CATEGORIES } from './rules/product.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const FilingStatusSchema = Type.Enum(FILING_STATES);

export const EnterpriseFiling = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organisationId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  customsCode: Nullable(Type.String()),
  uscc: Nullable(Type.String()),
  licenceNo: Type.String(),
  legalRep: Type.String(),
  contactName: Type.String(),
  contactPhone: Type.String(),
  contactEmail: Nullable(Type.String()),
  address: Type.String(),
  roles: Type.Array(Type.String()),
  jurisdiction: Nullable(Type.String()),
  status: FilingStatusSchema,
  reason: Nullable(Type.String()),
  submittedAt: Nullable(Type.String({ format: 'date-time' })),
  reviewedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type EnterpriseFiling = Static<typeof EnterpriseFiling>;

/** What the enterprise writes; codes, name and jurisdiction come from its organisation. */
export const EnterpriseFilingInput = Type.Object(
  {
    licenceNo: Type.String({
      minLength: 1,
      maxLength: 18,
      description: '营业执照号: the USCC or a 15-character registration no.',
    }),
    legalRep: Type.String({ minLength: 1, maxLength: 50 }),
    contactName: Type.String({ minLength: 1, maxLength: 50 }),
    contactPhone: Type.String({ minLength: 1, maxLength: 30 }),
    contactEmail: Type.Optional(Type.String({ maxLength: 100 })),
    address: Type.String({ minLength: 1, maxLength: 200 }),
    roles: Type.Array(Type.Enum(ENTERPRISE_ROLES), { minItems: 1, maxItems: 7, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type EnterpriseFilingInput = Static<typeof EnterpriseFilingInput>;

export const Product = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sellerOrgId: Type.String({ format: 'uuid' }),
  ebcCode: Type.String(),
  ebcUscc: Nullable(Type.String()),
  itemNo: Type.String(),
  gname: Type.String(),
  gnameEn: Nullable(Type.String()),
  hsCode: Type.String(),
  gmodel: Type.String(),
  unit: Type.String(),
  legalUnit1: Type.String(),
  legalUnit2: Nullable(Type.String()),
  originCountry: Type.String(),
  referencePrice: Type.String({ description: 'decimal string, never a float' }),
  currency: Type.String(),
  barcode: Nullable(Type.String()),
  quarantineCategory: Nullable(Type.String()),
  jurisdiction: Nullable(Type.String()),
  status: FilingStatusSchema,
  reason: Nullable(Type.String()),
  submittedAt: Nullable(Type.String({ format: 'date-time' })),
  reviewedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Product = Static<typeof Product>;

/**
 * A product to file. Types only at the edge: lengths, code tables and declaration elements are
 * checked by `rules/product.ts`, so a bulk request names each problem as `items[3].hsCode`.
 */
export const ProductInput = Type.Object(
  {
    itemNo: Type.String({ maxLength: 200, description: 'SKU, ≤ 20 characters (CEB603 itemNo)' }),
    gname: Type.String({ maxLength: 1000, description: '中文品名, ≤ 250' }),
    gnameEn: Type.Optional(Type.String({ maxLength: 1000 })),
    hsCode: Type.String({ maxLength: 50, description: '10-digit HS code' }),
    gmodel: Type.String({ maxLength: 1000, description: '规格型号/申报要素, e.g. "品牌类型：0|出口享惠情况：3|…", ≤ 250' }),
    unit: Type.String({ maxLength: 10, description: 'declared unit (unit table), e.g. 011' }),
    legalUnit1: Type.String({ maxLength: 10 }),
    legalUnit2: Type.Optional(Type.String({ maxLength: 10 })),
    originCountry: Type.Optional(Type.String({ maxLength: 10, description: 'country table; default 142' })),
    referencePrice: Type.String({ maxLength: 40, description: 'decimal string > 0' }),
    currency: Type.Optional(Type.String({ maxLength: 10, description: 'currency table; default 142 (CNY)' })),
    barcode: Type.Optional(Type.String({ maxLength: 200 })),
    quarantineCategory: Type.Optional(Type.Enum(QUARANTINE_CATEGORIES)),
  },
  { additionalProperties: false },
);
export type ProductInput = Static<typeof ProductInput>;

export const MAX_BULK_PRODUCTS = 500;

export const ProductBulkInput = Type.Object(
  { items: Type.Array(ProductInput, { minItems: 1, maxItems: MAX_BULK_PRODUCTS }) },
  { additionalProperties: false },
);

export const ReviewDecision = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
