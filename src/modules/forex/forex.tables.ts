export interface FxReceiptRow {
  id: string;
  org_id: string;
  ebc_code: string;
  institution_kind: 'bank' | 'payment';
  institution_code: string;
  ref_no: string;
  order_no: string;
  currency: string;
  amount: string;
  usd_amount: string;
  received_on: string;
  payer_name: string;
  reported_by: string;
  created_at: Date;
}

export interface FxSettlementRow {
  id: string;
  institution_org_id: string;
  institution_code: string;
  ebc_org_id: string;
  ebc_code: string;
  jurisdiction: string | null;
  ref_no: string;
  amount: string;
  settled_on: string;
  contract_no: string | null;
  order_no: string | null;
  invoice_no: string | null;
  entry_id: string | null;
  created_at: Date;
}

export interface ForexTables {
  fx_receipt: FxReceiptRow;
  fx_rmb_settlement: FxSettlementRow;
}
