/**
 * Shapes of the filing, clearance and orders answers the clearance pages read, and the tables
 * of status codes. Keep in step with the server schemas (`openapi.json`).
 */
import type { MessageKey } from './i18n/zh-CN.ts';

export interface Bilingual {
  zh: string;
  en: string;
}

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

// ---- filing -------------------------------------------------------------------------------------

export type FilingStatus = 'draft' | 'submitted' | 'approved' | 'rejected' | string;

/** `GET /api/v1/filings/enterprise`, items of `GET /api/v1/customs/enterprise-filings` */
export interface EnterpriseFiling {
  id: string;
  organisationId: string;
  name: string;
  customsCode: string | null;
  uscc: string | null;
  licenceNo: string;
  legalRep: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string | null;
  address: string;
  roles: string[];
  jurisdiction: string | null;
  status: FilingStatus;
  reason: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EnterpriseFilingInput {
  licenceNo: string;
  legalRep: string;
  contactName: string;
  contactPhone: string;
  contactEmail?: string;
  address: string;
  roles: string[];
}

/** `GET /api/v1/products`, items of `GET /api/v1/customs/product-filings` */
export interface Product {
  id: string;
  sellerOrgId: string;
  ebcCode: string;
  ebcUscc: string | null;
  itemNo: string;
  gname: string;
  gnameEn: string | null;
  hsCode: string;
  gmodel: string;
  unit: string;
  legalUnit1: string;
  legalUnit2: string | null;
  originCountry: string;
  referencePrice: string;
  currency: string;
  barcode: string | null;
  quarantineCategory: string | null;
  jurisdiction: string | null;
  status: FilingStatus;
  reason: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProductInput {
  itemNo: string;
  gname: string;
  gnameEn?: string;
  hsCode: string;
  gmodel: string;
  unit: string;
  legalUnit1: string;
  legalUnit2?: string;
  originCountry?: string;
  referencePrice: string;
  currency?: string;
  barcode?: string;
}

// ---- clearance ----------------------------------------------------------------------------------

export type DocKind = 'order' | 'payment' | 'waybill' | 'inventory' | 'cancellation' | 'arrival' | 'consolidation' | 'departure';

export const DOC_KINDS: readonly DocKind[] = [
  'inventory',
  'order',
  'waybill',
  'payment',
  'arrival',
  'consolidation',
  'departure',
  'cancellation',
];

/** `GET /api/v1/clearance/documents` items */
export interface ClearanceDocument {
  id: string;
  kind: DocKind | string;
  guid: string;
  businessKey: string;
  copNo: string | null;
  preNo: string | null;
  invtNo: string | null;
  status: string;
  live: boolean;
  customsCode: string | null;
  returnInfo: string | null;
  head: Record<string, string>;
  lines: Record<string, string>[];
  createdAt: string;
  updatedAt: string;
}

export interface Receipt {
  id: number;
  messageType: string;
  documentId: string | null;
  guid: string;
  returnStatus: string;
  returnInfo: string;
  returnTime: string;
  fields: Record<string, string>;
  xml: string;
}

export interface ReviewInfo {
  lane: string | null;
  reason: string | null;
}

/** `GET /api/v1/clearance/documents/{id}` */
export interface DocumentDetail extends ClearanceDocument {
  review: ReviewInfo | null;
  receipts: Receipt[];
}

/** `GET /api/v1/customs/reviews` items */
export interface ReviewItem {
  inventory: ClearanceDocument;
  review: ReviewInfo;
  order: ClearanceDocument | null;
  waybill: ClearanceDocument | null;
  payment: ClearanceDocument | null;
}

// ---- orders -------------------------------------------------------------------------------------

export type OrderLayout = 'generic' | 'aliexpress' | 'ebay';
export const ORDER_LAYOUTS: readonly OrderLayout[] = ['generic', 'aliexpress', 'ebay'];

/** One problem of an order file: its row and column, the rule and the bilingual message. */
export interface RowProblem {
  row: number;
  column: string;
  rule: string;
  message: Bilingual;
  value?: unknown;
}

/** `POST /api/v1/orders/import` */
export interface ImportResult {
  imported: number;
  rejected: number;
  layout: string;
  errors: RowProblem[];
  orders: { id: string; orderNo: string }[];
}

export type SalesOrderStatus = 'imported' | 'inventory_built' | 'declared' | string;

/** `GET /api/v1/sales-orders` items */
export interface SalesOrder {
  id: string;
  orderNo: string;
  platformCode: string;
  platformName: string;
  marketplace: string;
  ebcCode: string;
  buyerName: string;
  buyerCountry: string;
  currency: string;
  goodsValue: string;
  freight: string;
  trackingNo: string | null;
  grossWeight: string | null;
  netWeight: string | null;
  lines: { gnum: number; itemNo: string; itemName: string; qty: string; price: string; totalPrice: string }[];
  status: SalesOrderStatus;
  orderDocumentId: string | null;
  createdAt: string;
}

export type DraftStatus = 'draft' | 'complete' | 'declaring' | 'declared' | 'rejected' | string;

export interface DraftProblem {
  field: string;
  rule: string;
  message: Bilingual;
}

/** `GET /api/v1/inventory-drafts` items */
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

export interface DraftPatch {
  logisticsCode?: string;
  logisticsNo?: string;
  grossWeight?: string;
  netWeight?: string;
  freight?: string;
  insuredFee?: string;
  lines?: { gnum: string; qty1?: string; qty2?: string }[];
}

/** `POST /api/v1/inventory-drafts/declare` */
export interface DeclareResult {
  declared: number;
  rejected: number;
  items: {
    id: string;
    orderNo: string;
    status: DraftStatus;
    documentId: string | null;
    invtNo: string | null;
    returnStatus: string | null;
    returnInfo: string | null;
  }[];
}

// ---- status tables ------------------------------------------------------------------------------

export interface StatusInfo {
  labelKey: MessageKey;
  color: string;
}

/** National receipt status codes (returnStatus) and document statuses. */
const CEB_STATUS: Readonly<Record<string, StatusInfo>> = {
  '1': { labelKey: 'status.ceb.1', color: 'blue' },
  '2': { labelKey: 'status.ceb.2', color: 'processing' },
  '3': { labelKey: 'status.ceb.3', color: 'default' },
  '4': { labelKey: 'status.ceb.4', color: 'red' },
  '120': { labelKey: 'status.ceb.120', color: 'cyan' },
  '300': { labelKey: 'status.ceb.300', color: 'orange' },
  '399': { labelKey: 'status.ceb.399', color: 'geekblue' },
  '500': { labelKey: 'status.ceb.500', color: 'gold' },
  '800': { labelKey: 'status.ceb.800', color: 'green' },
  '899': { labelKey: 'status.ceb.899', color: 'purple' },
  '100': { labelKey: 'status.ceb.100', color: 'red' },
  cancelled: { labelKey: 'status.ceb.cancelled', color: 'default' },
  deleted: { labelKey: 'status.ceb.deleted', color: 'default' },
};

const NEGATIVE: StatusInfo = { labelKey: 'status.ceb.error', color: 'error' };
const UNKNOWN: StatusInfo = { labelKey: 'status.ceb.other', color: 'default' };

export function cebStatusInfo(code: string): StatusInfo {
  if (code.startsWith('-')) return NEGATIVE;
  return CEB_STATUS[code] ?? UNKNOWN;
}

/** Codes offered in status filters. */
export const CEB_STATUS_CODES: readonly string[] = ['2', '120', '300', '399', '500', '800', '899', '100', 'cancelled'];

/** The steps of a parcel's life, in order; 300 only when it was held. */
export const TIMELINE_STEPS: readonly string[] = ['2', '120', '300', '399', '800', '899'];

const FILING_STATUS: Readonly<Record<string, StatusInfo>> = {
  draft: { labelKey: 'status.filing.draft', color: 'default' },
  submitted: { labelKey: 'status.filing.submitted', color: 'processing' },
  approved: { labelKey: 'status.filing.approved', color: 'success' },
  rejected: { labelKey: 'status.filing.rejected', color: 'error' },
};

export function filingStatusInfo(status: string): StatusInfo {
  return FILING_STATUS[status] ?? { labelKey: 'status.ceb.other', color: 'default' };
}

const DRAFT_STATUS: Readonly<Record<string, StatusInfo>> = {
  draft: { labelKey: 'status.draft.draft', color: 'warning' },
  complete: { labelKey: 'status.draft.complete', color: 'blue' },
  declaring: { labelKey: 'status.draft.declaring', color: 'processing' },
  declared: { labelKey: 'status.draft.declared', color: 'success' },
  rejected: { labelKey: 'status.draft.rejected', color: 'error' },
};

export function draftStatusInfo(status: string): StatusInfo {
  return DRAFT_STATUS[status] ?? { labelKey: 'status.ceb.other', color: 'default' };
}

const ORDER_STATUS: Readonly<Record<string, StatusInfo>> = {
  imported: { labelKey: 'status.order.imported', color: 'default' },
  inventory_built: { labelKey: 'status.order.inventory_built', color: 'blue' },
  declared: { labelKey: 'status.order.declared', color: 'success' },
};

export function orderStatusInfo(status: string): StatusInfo {
  return ORDER_STATUS[status] ?? { labelKey: 'status.ceb.other', color: 'default' };
}

export const KIND_LABEL: Readonly<Record<string, MessageKey>> = {
  order: 'docKind.order',
  payment: 'docKind.payment',
  waybill: 'docKind.waybill',
  inventory: 'docKind.inventory',
  cancellation: 'docKind.cancellation',
  arrival: 'docKind.arrival',
  consolidation: 'docKind.consolidation',
  departure: 'docKind.departure',
};

/** The receipt message type of each document message type, e.g. CEB603 → CEB604. */
export const MESSAGE_LABEL: Readonly<Record<string, MessageKey>> = {
  CEB304: 'docKind.order',
  CEB404: 'docKind.payment',
  CEB506: 'docKind.waybill',
  CEB508: 'docKind.arrival',
  CEB510: 'docKind.departure',
  CEB604: 'docKind.inventory',
  CEB606: 'docKind.cancellation',
  CEB608: 'docKind.consolidation',
  CEB303: 'docKind.order',
  CEB403: 'docKind.payment',
  CEB505: 'docKind.waybill',
  CEB507: 'docKind.arrival',
  CEB509: 'docKind.departure',
  CEB603: 'docKind.inventory',
  CEB605: 'docKind.cancellation',
  CEB607: 'docKind.consolidation',
};

/** The key a person recognises a document by: order no., waybill no., bill no. … */
export function documentKey(d: Pick<ClearanceDocument, 'kind' | 'head' | 'businessKey'>): string {
  const h = d.head;
  switch (d.kind) {
    case 'order':
    case 'payment':
    case 'inventory':
    case 'cancellation':
      return h.orderNo ?? d.businessKey;
    case 'waybill':
      return h.logisticsNo ?? d.businessKey;
    default:
      return h.billNo ?? h.copNo ?? d.businessKey;
  }
}

/** A string of rows as CSV (RFC 4180 quoting) with a BOM so Excel reads the Chinese. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export function downloadText(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
