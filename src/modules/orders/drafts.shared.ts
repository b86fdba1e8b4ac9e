import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import type { Bilingual } from '../../kernel/errors.ts';
import type { DeclarePort } from './orders.ports.ts';
import { decimal } from './orders.service.ts';
import type { DraftStatus } from './orders.states.ts';
import type { DraftProblem, InventoryDraftRow, SalesOrderRow } from './orders.tables.ts';
import type { OrderForBuild } from './rules/inventory.ts';

/** What the draft services need; `createDraftsService` takes exactly this. */
export interface DraftsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  declare: DeclarePort;
}

export const DRAFT: Bilingual = { zh: '清单草稿', en: 'inventory draft' };
export const bi = (zh: string, en: string): Bilingual => ({ zh, en });

export interface InventoryDraft {
  id: string;
  salesOrderId: string;
  orderNo: string;
  platformCode: string;
  tradeMode: string;
  sellerOrgId: string;
  agentOrgId: string;
  status: DraftStatus;
  head: Record<string, string>;
  lines: Record<string, string>[];
  problems: DraftProblem[];
  documentId: string | null;
  invtNo: string | null;
  returnStatus: string | null;
  returnInfo: string | null;
  declaredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toDraft(r: InventoryDraftRow): InventoryDraft {
  return {
    id: r.id,
    salesOrderId: r.sales_order_id,
    orderNo: r.order_no,
    platformCode: r.platform_code,
    tradeMode: r.trade_mode,
    sellerOrgId: r.seller_org_id,
    agentOrgId: r.agent_org_id,
    status: r.status,
    head: r.head,
    lines: r.lines,
    problems: r.problems,
    documentId: r.document_id,
    invtNo: r.invt_no,
    returnStatus: r.return_status,
    returnInfo: r.return_info,
    declaredAt: r.declared_at ? r.declared_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export const orderForBuild = (o: SalesOrderRow): OrderForBuild & { goodsValue: string } => ({
  orderNo: o.order_no,
  currency: o.currency,
  goodsValue: decimal(o.goods_value) ?? '0',
  freight: decimal(o.freight) ?? '0',
  insuredFee: decimal(o.insured_fee) ?? '0',
  buyerCountry: o.buyer_country,
  trackingNo: o.tracking_no,
  grossWeight: decimal(o.gross_weight),
  netWeight: decimal(o.net_weight),
  lines: o.lines,
});

export const guid = (): string => randomUUID().toUpperCase();

export const visible = (org: { id: string }, r: InventoryDraftRow): boolean =>
  r.seller_org_id === org.id || r.agent_org_id === org.id;
