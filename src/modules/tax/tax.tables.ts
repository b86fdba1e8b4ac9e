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

export interface TaxTables {
  tax_profile: TaxProfileRow;
  tax_purchase: TaxPurchaseRow;
}
