import type { ExportMessageType } from '../../../ceb/index.ts';
import type { Fields } from './match.rules.ts';

/**
 * What each CEB message is to the single window, as data: the document kind it creates, who may
 * send it (GACC 2018 No. 56 roles), which field names the sender, which enterprises must be filed,
 * the business key, and who receives its receipts (回执).
 */
export type DocKind = 'order' | 'payment' | 'waybill' | 'inventory' | 'cancellation' | 'arrival' | 'consolidation' | 'departure';

export interface DocKindSpec {
  kind: DocKind;
  messageType: ExportMessageType;
  /** who may send it: an enterprise role, and the head field that must carry the sender's own code */
  senders: readonly { role: string; field: string }[];
  /** enterprise codes that must be filed with customs (empty values are skipped) */
  filedFields: readonly string[];
  /** head fields naming parties: each party sees the document and gets its receipts */
  partyFields: readonly string[];
  businessKey(head: Fields): string;
  /** the list element of the entity, if any */
  list: string | null;
  /** lines name filed products (ebcCode + itemNo) */
  productLines: boolean;
  /** its receipts carry a preNo, so one is assigned at intake */
  preNo: boolean;
  /** lines list parcels (logisticsNo) reported by carriers/operators */
  parcelEvent: 'arrival' | 'consolidation' | 'departure' | null;
  zh: string;
  en: string;
}

const k = (...parts: (string | undefined)[]): string => parts.map((p) => p ?? '').join('|');

export const DOC_KINDS: Readonly<Record<ExportMessageType, DocKindSpec>> = {
  CEB303: {
    kind: 'order',
    messageType: 'CEB303',
    senders: [
      { role: 'ebp', field: 'ebpCode' },
      // Third-party marketplace mode (policy 二(一)): a seller declares its own marketplace orders.
      { role: 'ebc', field: 'ebcCode' },
    ],
    filedFields: ['ebpCode', 'ebcCode'],
    partyFields: ['ebpCode', 'ebcCode'],
    businessKey: (h) => k(h.ebpCode, h.orderNo),
    list: 'OrderList',
    productLines: true,
    preNo: false,
    parcelEvent: null,
    zh: '电子订单',
    en: 'order',
  },
  CEB403: {
    kind: 'payment',
    messageType: 'CEB403',
    senders: [{ role: 'payment', field: 'payCode' }],
    filedFields: ['payCode', 'ebcCode'],
    partyFields: ['payCode', 'ebcCode', 'ebpCode'],
    businessKey: (h) => k(h.ebpCode, h.orderNo),
    list: null,
    productLines: false,
    preNo: false,
    parcelEvent: null,
    zh: '收款单',
    en: 'payment collection',
  },
  CEB505: {
    kind: 'waybill',
    messageType: 'CEB505',
    senders: [{ role: 'logistics', field: 'logisticsCode' }],
    filedFields: ['logisticsCode'],
    partyFields: ['logisticsCode', 'ebcCode'],
    businessKey: (h) => k(h.logisticsCode, h.logisticsNo),
    list: null,
    productLines: false,
    preNo: false,
    parcelEvent: null,
    zh: '物流运单',
    en: 'waybill',
  },
  CEB507: {
    kind: 'arrival',
    messageType: 'CEB507',
    senders: [
      { role: 'warehouse', field: 'operatorCode' },
      // postal route: the postal carrier operates the site
      { role: 'logistics', field: 'operatorCode' },
    ],
    filedFields: ['operatorCode', 'logisticsCode'],
    partyFields: ['operatorCode', 'logisticsCode'],
    businessKey: (h) => k(h.operatorCode, h.copNo),
    list: 'ArrivalList',
    productLines: false,
    preNo: true,
    parcelEvent: 'arrival',
    zh: '运抵单',
    en: 'arrival',
  },
  CEB509: {
    kind: 'departure',
    messageType: 'CEB509',
    senders: [{ role: 'logistics', field: 'logisticsCode' }],
    filedFields: ['logisticsCode'],
    partyFields: ['logisticsCode'],
    businessKey: (h) => k(h.logisticsCode, h.copNo),
    list: 'DepartureList',
    productLines: false,
    preNo: true,
    parcelEvent: 'departure',
    zh: '离境单',
    en: 'departure',
  },
  CEB603: {
    kind: 'inventory',
    messageType: 'CEB603',
    senders: [
      { role: 'agent', field: 'agentCode' },
      // a seller declaring for itself names itself as the declaring agent
      { role: 'ebc', field: 'agentCode' },
    ],
    filedFields: ['ebpCode', 'ebcCode', 'agentCode', 'logisticsCode'],
    partyFields: ['agentCode', 'ebcCode', 'ebpCode', 'logisticsCode'],
    businessKey: (h) => k(h.ebpCode, h.orderNo),
    list: 'InventoryList',
    productLines: true,
    preNo: true,
    parcelEvent: null,
    zh: '出口申报清单',
    en: 'inventory',
  },
  CEB605: {
    kind: 'cancellation',
    messageType: 'CEB605',
    senders: [
      { role: 'agent', field: 'agentCode' },
      { role: 'ebc', field: 'agentCode' },
    ],
    filedFields: ['agentCode', 'ebcCode'],
    partyFields: ['agentCode', 'ebcCode'],
    businessKey: (h) => k(h.invtNo),
    list: null,
    productLines: false,
    preNo: true,
    parcelEvent: null,
    zh: '撤销申请单',
    en: 'inventory cancellation',
  },
  CEB607: {
    kind: 'consolidation',
    messageType: 'CEB607',
    senders: [
      { role: 'agent', field: 'agentCode' },
      { role: 'ebc', field: 'agentCode' },
    ],
    filedFields: ['agentCode', 'logisticsCode'],
    partyFields: ['agentCode', 'logisticsCode'],
    businessKey: (h) => k(h.agentCode, h.copNo),
    list: 'WayBillList',
    productLines: false,
    preNo: true,
    parcelEvent: 'consolidation',
    zh: '清单总分单',
    en: 'consolidation',
  },
};

export const KIND_TO_MESSAGE: Readonly<Record<DocKind, ExportMessageType>> = Object.fromEntries(
  Object.values(DOC_KINDS).map((s) => [s.kind, s.messageType]),
) as Record<DocKind, ExportMessageType>;

export const waybillKey = (logisticsCode: string | undefined, logisticsNo: string | undefined): string =>
  k(logisticsCode, logisticsNo);

/**
 * appType 2 (change) is allowed only before customs has decided, and not while an inventory is
 * held for review, hold or inspection (300): a change would put it back to 2 and have it decided
 * afresh, out of the officer's hands, leaving its inspection task and reserved batch quantities
 * behind. The seller may withdraw it instead.
 */
export const CHANGEABLE_STATUSES: Readonly<Record<DocKind, readonly string[]>> = {
  order: ['2'],
  payment: ['2'],
  waybill: ['2'],
  inventory: ['2', '120'],
  cancellation: ['2'],
  arrival: ['2'],
  consolidation: ['2'],
  departure: ['2'],
};

/**
 * appType 3 (delete): as a change, except that a held inventory (300) may be deleted — it leaves
 * the review queue and gives back what it reserved, as on cancellation (CEB605).
 */
export const DELETABLE_STATUSES: Readonly<Record<DocKind, readonly string[]>> = {
  ...CHANGEABLE_STATUSES,
  inventory: ['2', '120', '300'],
};

/** Why a change (2) or deletion (3) of a document in `status` is refused, or null when it is allowed. */
export function changeRefusal(kind: DocKind, appType: '2' | '3', status: string): { zh: string; en: string } | null {
  const allowed = (appType === '2' ? CHANGEABLE_STATUSES : DELETABLE_STATUSES)[kind];
  if (allowed.includes(status)) return null;
  if (kind === 'inventory' && status === '300') {
    return {
      zh: '清单处于人工审核、扣留或查验中（状态 300），不能变更：可发送撤销申请单（CEB605）或删除（appType=3）撤回，或等待海关决定',
      en: 'the inventory is under review, hold or inspection (status 300) and cannot be changed: withdraw it with a cancellation (CEB605) or a deletion (appType 3), or wait for the customs decision',
    };
  }
  const what = appType === '2' ? { zh: '变更', en: 'change' } : { zh: '删除', en: 'deletion' };
  return {
    zh: `单证状态 ${status} 不允许${what.zh}（仅状态 ${allowed.join('、')} 可${what.zh}）`,
    en: `status ${status} does not allow a ${what.en} (only status ${allowed.join(', ')})`,
  };
}
