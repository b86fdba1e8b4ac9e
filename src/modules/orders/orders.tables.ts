import type { Generated, Selectable } from 'kysely';
import type { Bilingual } from '../../kernel/errors.ts';
import type { Marketplace } from './rules/layouts.ts';
import type { DraftStatus, SalesOrderStatus } from './orders.states.ts';

export interface SalesOrderLine {
  gnum: number;
  itemNo: string;
  itemName: string;
  qty: string;
  price: string;
  totalPrice: string;
}

/** One thing missing or wrong in an inventory draft before it can be declared. */
export interface DraftProblem {
  field: string;
  rule: string;
  message: Bilingual;
}

/** The orders module's tables as Kysely sees them; only this module's repository uses them. */
export interface SalesOrderTable {
  id: string;
  seller_org_id: string;
  ebc_code: string;
  platform_code: string;
  platform_name: string;
  marketplace: Marketplace;
  order_no: string;
  buyer_name: string;
  buyer_country: string;
  buyer_address: string;
  buyer_phone: string;
  currency: string;
  /** numeric: strings, never floats */
  goods_value: string;
  freight: string;
  insured_fee: string;
  tracking_no: string | null;
  gross_weight: string | null;
  net_weight: string | null;
  lines: SalesOrderLine[];
  status: SalesOrderStatus;
  order_document_id: string | null;
  source_row: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InventoryDraftTable {
  id: string;
  sales_order_id: string;
  seller_org_id: string;
  agent_org_id: string;
  order_no: string;
  platform_code: string;
  trade_mode: string;
  head: Record<string, string>;
  lines: Record<string, string>[];
  problems: DraftProblem[];
  status: DraftStatus;
  document_id: string | null;
  invt_no: string | null;
  return_status: string | null;
  return_info: string | null;
  declared_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type SalesOrderRow = Selectable<SalesOrderTable>;
export type InventoryDraftRow = Selectable<InventoryDraftTable>;

export interface OrdersTables {
  sales_order: SalesOrderTable;
  inventory_draft: InventoryDraftTable;
}
