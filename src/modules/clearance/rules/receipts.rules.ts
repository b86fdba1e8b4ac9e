import { MESSAGE_SPECS, RECEIPT_OF, type ExportMessageType, type ReceiptMessageType } from '../../../ceb/index.ts';
import type { Fields } from './match.rules.ts';

/**
 * Receipt (回执) texts per national status code (cbec-export-facts.md §2.3), bilingual; the
 * receipt's own fields come from the receipt message spec, so they always fit the XSD.
 */
export const STATUS_TEXT: Readonly<Record<string, { zh: string; en: string }>> = {
  '2': { zh: '电子口岸申报中', en: 'declaring' },
  '100': { zh: '海关退单', en: 'rejected by customs' },
  '120': { zh: '海关入库', en: 'stored by customs' },
  '300': { zh: '人工审核', en: 'manual review' },
  '399': { zh: '海关审结', en: 'decided' },
  '500': { zh: '查验', en: 'inspection' },
  '800': { zh: '放行', en: 'released' },
  '899': { zh: '结关', en: 'closed' },
  '-304001': { zh: '业务主键重复', en: 'duplicate business key' },
  '-301010': { zh: '企业未备案', en: 'enterprise not filed' },
  '-301011': { zh: '商品未备案', en: 'product not filed' },
  '-301020': { zh: '发送方与单证不符', en: 'sender does not match the document' },
  '-301030': { zh: '单证状态不允许此操作', en: 'the document state does not allow this' },
};

export function receiptTypeOf(messageType: ExportMessageType): ReceiptMessageType {
  return RECEIPT_OF[messageType];
}

/** Receipt fields its own columns hold (guid, return_status, return_info, return_time): stored once. */
const COLUMN_FIELDS = new Set(['guid', 'returnStatus', 'returnInfo', 'returnTime']);
const RETURN_INFO_MAX = 1000;

/**
 * The document head fields a receipt of this message reads (its guid and the fields it copies),
 * so a reader of many documents fetches those alone.
 */
export function receiptHeadFields(messageType: ExportMessageType): string[] {
  const spec = MESSAGE_SPECS[receiptTypeOf(messageType)];
  return ['guid', ...spec.entity.head.map((f) => f.name).filter((n) => !COLUMN_FIELDS.has(n))];
}

/**
 * What a receipt stores beside its columns: every other field the receipt spec names, taken from
 * the document head and the numbers the platform assigned; required fields the document lacks
 * are stored empty. The columns' fields are put back, in spec order, by `receiptRecord`.
 */
export function receiptFields(
  messageType: ExportMessageType,
  head: Fields,
  assigned: { preNo?: string | null; invtNo?: string | null },
): Fields {
  const spec = MESSAGE_SPECS[receiptTypeOf(messageType)];
  const out: Fields = {};
  for (const f of spec.entity.head) {
    if (COLUMN_FIELDS.has(f.name)) continue;
    let v =
      f.name === 'preNo' && assigned.preNo
        ? assigned.preNo
        : f.name === 'invtNo' && assigned.invtNo
          ? assigned.invtNo
          : head[f.name];
    if (f.name === 'msgSeqNo' && v === undefined) v = '1';
    if (v !== undefined && v !== '') out[f.name] = v;
    else if (f.required) out[f.name] = '';
  }
  return out;
}

/** The whole receipt record (CEB604, CEB304 …) from a stored receipt: its fields and its columns. */
export function receiptRecord(
  messageType: ReceiptMessageType,
  stored: Fields,
  columns: { guid: string; returnStatus: string; returnInfo: string; returnTime: string },
): Fields {
  const spec = MESSAGE_SPECS[messageType];
  const fromColumns: Fields = { ...columns, returnInfo: columns.returnInfo.slice(0, RETURN_INFO_MAX) };
  const out: Fields = {};
  for (const f of spec.entity.head) {
    if (COLUMN_FIELDS.has(f.name)) {
      const v = fromColumns[f.name]!;
      if (v !== '') out[f.name] = v;
      else if (f.required) out[f.name] = '';
    } else if (stored[f.name] !== undefined) out[f.name] = stored[f.name]!;
  }
  return out;
}

export function statusInfo(status: string, detail?: string): string {
  const t = STATUS_TEXT[status];
  const base = t ? `${t.zh} / ${t.en}` : status;
  return detail ? `${base}: ${detail}` : base;
}
