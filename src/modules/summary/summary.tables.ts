import type { Generated } from 'kysely';

export interface SummaryApplicationRow {
  id: string;
  org_id: string;
  ebc_code: string;
  ebc_name: string;
  period: string;
  rule_set: string;
  summary_flag: '1' | '2';
  item_name_flag: '1' | '';
  source: 'web' | 'ceb701';
  guid: string;
  cop_no: string;
  pre_no: string;
  sum_no: string;
  customs_code: string;
  agent_code: string;
  agent_name: string;
  decl_agent_code: string;
  decl_agent_name: string;
  status: string;
  inventory_count: number;
  line_count: number;
  result_hash: string;
  deadline: string;
  submitted_at: Date;
  created_at: Date;
}

export interface SummaryDeclarationRow {
  id: string;
  application_id: string;
  seq: number;
  decl_seq_no: string;
  entry_id: string;
  dec_state: string;
  head_key: Record<string, string>;
  ebc_code: string;
  owner_code: string | null;
  traf_mode: string | null;
  country: string | null;
  port_code: string | null;
  gross_weight: string;
  net_weight: string;
  inventory_count: number;
  created_at: Date;
  /** 申报海关: the office the declaration is lodged at (null: formed before, the application's office) */
  customs_code: string | null;
}

export interface SummaryLineRow {
  declaration_id: string;
  line_no: number;
  line_key: Record<string, string>;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  unit: string;
  qty: string;
  total_price: string;
  source_count: number;
}

export interface SummaryTables {
  sum_application: SummaryApplicationRow;
  sum_declaration: SummaryDeclarationRow;
  sum_declaration_line: SummaryLineRow;
  sum_lineage: {
    declaration_id: string;
    line_no: number;
    inventory_id: string;
    invt_no: string;
    gnum: number;
    logistics_no: string;
    gcode: string;
  };
  sum_claim: { inventory_id: string; application_id: string };
  sum_counter: { name: string; value: number };
  sum_ceb701_part: {
    sender_org_id: string;
    ebc_code: string;
    cop_no: string;
    msg_seq_no: number;
    msg_count: number;
    guid: string;
    head: Record<string, string>;
    invt_nos: string[];
    received_at: Date;
  };
  sum_deadline_reminder: {
    seq: Generated<string>;
    org_id: string;
    period: string;
    reminder_on: string;
    days_before: number;
    deadline: string;
    pending_inventories: number;
    created_at: Date;
  };
}
