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
  /** null: a bank's receipt in a currency without a USD reference rate (008) */
  usd_amount: string | null;
  received_on: string;
  payer_name: string;
  reported_by: string;
  created_at: Date;
  /** the account the bank credited, when the record names one (002) */
  account_no?: string | null;
  /** the exporter's jurisdiction at import (005): the forex desk's scope; null on older rows */
  jurisdiction?: string | null;
  /** a payment institution's receipt over the USD 50,000 cap (007): stored and flagged */
  over_cap?: boolean;
  /** the reference rate table usd_amount was computed with (007) */
  rate_version?: string | null;
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
  /** the named order / declaration was found (006); null: none named, or not looked up yet */
  order_found?: boolean | null;
  entry_found?: boolean | null;
  evidence_checked_at?: Date | null;
}

/** 结汇账户: an exporter's FX settlement account. */
export interface FxSettlementAccountRow {
  id: string;
  org_id: string;
  ebc_code: string;
  jurisdiction: string | null;
  account_kind: 'current' | 'pending_check';
  bank_name: string;
  bank_code: string;
  account_no: string;
  currency: string;
  opened_on: string;
  status: 'active' | 'closed';
  closed_on: string | null;
  created_at: Date;
}

/** 结汇: foreign currency of one account sold for CNY. */
export interface FxAccountSettlementRow {
  id: string;
  org_id: string;
  account_id: string;
  settlement_ref: string;
  settled_on: string;
  currency: string;
  amount: string;
  rate: string;
  cny_amount: string;
  receipt_ids: string[];
  created_by: string | null;
  created_at: Date;
}

export interface ForexTables {
  fx_receipt: FxReceiptRow;
  fx_rmb_settlement: FxSettlementRow;
  fx_settlement_account: FxSettlementAccountRow;
  fx_settlement: FxAccountSettlementRow;
}
