import type { Generated, Selectable } from 'kysely';
import type { FilingStatus } from './filing.states.ts';

/** The filing module's tables as Kysely sees them; only this module's repositories use them. */
export interface EnterpriseFilingTable {
  id: string;
  organisation_id: string;
  customs_code: string | null;
  uscc: string | null;
  name: string;
  licence_no: string;
  legal_rep: string;
  contact_name: string;
  contact_phone: string;
  contact_email: string | null;
  address: string;
  roles: string[];
  jurisdiction: string | null;
  status: FilingStatus;
  reason: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProductFilingTable {
  id: string;
  seller_org_id: string;
  ebc_code: string;
  ebc_uscc: string | null;
  item_no: string;
  gname: string;
  gname_en: string | null;
  hs_code: string;
  gmodel: string;
  unit: string;
  legal_unit1: string;
  legal_unit2: string | null;
  origin_country: string;
  /** numeric: a string, never a float */
  reference_price: string;
  currency: string;
  barcode: string | null;
  quarantine_category: string | null;
  jurisdiction: string | null;
  status: FilingStatus;
  reason: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The organisation as filing sees it, through identity's directory (filing never reads identity's tables). */
export type { OrganisationProfile as OrganisationView } from '../identity/index.ts';

export type EnterpriseFilingRow = Selectable<EnterpriseFilingTable>;
export type ProductFilingRow = Selectable<ProductFilingTable>;

export interface FilingTables {
  enterprise_filing: EnterpriseFilingTable;
  product_filing: ProductFilingTable;
}
