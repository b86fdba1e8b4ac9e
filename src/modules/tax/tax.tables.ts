export interface TaxProfileRow {
  org_id: string;
  general_taxpayer: boolean;
  refund_qualified: boolean;
  tax_registered: boolean;
  trading_company: boolean;
  pilot_zone: string | null;
  updated_by: string | null;
  updated_at: Date;
}

export interface TaxPurchaseRow {
  declaration_id: string;
  line_no: number;
  invoice_no: string;
  kind: 'vat_special' | 'import_vat' | 'consumption_cert' | 'ordinary';
  amount_excl_vat: string;
  org_id: string;
  created_at: Date;
}

/** A version of the 无票免税 rule (002), in force from its date in its jurisdiction (003). */
export interface TaxRuleVersionRow {
  /** a customs district or office code whose declarations it judges; '' the national rule */
  jurisdiction: string;
  effective_from: string;
  no_invoice_enabled: boolean;
  pilot_zones: { zone: string; customs: string[] }[];
  note: string;
  updated_by: string | null;
  updated_at: Date;
}

/** A version of the refund-rate table (002), in force from its date. */
export interface TaxRateVersionRow {
  version: string;
  effective_from: string;
  source: string;
  updated_by: string | null;
  updated_at: Date;
}

export interface TaxRefundRateRow {
  version: string;
  hs: string;
  /** null when excluded */
  rate: string | null;
  excluded: boolean;
}

export interface TaxTables {
  tax_profile: TaxProfileRow;
  tax_purchase: TaxPurchaseRow;
  tax_rule_version: TaxRuleVersionRow;
  tax_rate_version: TaxRateVersionRow;
  tax_refund_rate: TaxRefundRateRow;
}
