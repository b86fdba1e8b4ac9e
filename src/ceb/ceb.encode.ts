/**
 * Object → CEB XML, driven by the specs: elements in XSD sequence order, `ceb:` prefix as in the
 * official samples, optional empty fields omitted. Validate first (ceb.validate.ts); the encoder
 * only serialises.
 */
import type { CebMessage, CebRecord } from './ceb.message.ts';
import { CEB_NAMESPACE, MESSAGE_SPECS, type FieldSpec, type ReceiptMessageType } from './ceb.specs.ts';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function block(element: string, fields: readonly FieldSpec[], values: CebRecord, indent: string): string {
  const lines = [`${indent}<ceb:${element}>`];
  for (const f of fields) {
    const v = values[f.name] ?? (f.required ? (f.default ?? '') : '');
    if (v === '' && !f.required) continue;
    lines.push(`${indent}  <ceb:${f.name}>${escapeXml(v)}</ceb:${f.name}>`);
  }
  lines.push(`${indent}</ceb:${element}>`);
  return lines.join('\n');
}

export function encodeCeb(message: CebMessage): string {
  const spec = MESSAGE_SPECS[message.messageType];
  const out = [
    XML_DECL,
    `<ceb:${spec.root} guid="${escapeXml(message.guid)}" version="${escapeXml(message.version ?? '1.0')}" xmlns:ceb="${CEB_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
  ];
  for (const entity of message.entities) {
    const head: CebRecord = { ...entity.head };
    if (head.appType === undefined && message.appType !== undefined && spec.kind === 'declaration')
      head.appType = message.appType;
    if (head.appStatus === undefined && message.appStatus !== undefined && spec.kind === 'declaration')
      head.appStatus = message.appStatus;
    if (spec.entity.headElement === null) {
      out.push(block(spec.entity.element, spec.entity.head, head, '  '));
      continue;
    }
    out.push(`  <ceb:${spec.entity.element}>`);
    out.push(block(spec.entity.headElement, spec.entity.head, head, '    '));
    for (const l of spec.entity.lists)
      for (const row of entity.lists[l.element] ?? []) out.push(block(l.element, l.fields, row, '    '));
    out.push(`  </ceb:${spec.entity.element}>`);
  }
  if (spec.baseTransfer) out.push(block('BaseTransfer', spec.baseTransfer.fields, message.baseTransfer ?? {}, '  '));
  if (spec.baseSubscribe)
    for (const s of message.baseSubscribe ?? []) out.push(block('BaseSubscribe', spec.baseSubscribe.fields, s, '  '));
  out.push(`</ceb:${spec.root}>`, '');
  return out.join('\n');
}

/** Encodes a receipt message (CEB304/404/…/608) from flat receipt records `{ guid, copNo, preNo, returnStatus, … }`. */
export function encodeCebReceipt(messageType: ReceiptMessageType, messageGuid: string, receipts: CebRecord[]): string {
  return encodeCeb({ messageType, guid: messageGuid, version: '1.0', entities: receipts.map((head) => ({ head, lists: {} })) });
}

export interface FormatReceipt {
  guid: string;
  returnStatus: string;
  returnInfo: string;
  returnTime: string;
  oriCopMsgId: string;
  oriMessageType: string;
  /** the original message, Base64 (may be empty) */
  oriBizMessage: string;
}

/**
 * CEB900 format-check receipt (报文格式校验回执; defined in the import XSD, also answered for
 * export messages): what a sender gets for a message refused as a whole.
 */
export function encodeFormatReceipt(messageGuid: string, r: FormatReceipt): string {
  const el = (name: string, v: string): string => `    <ceb:${name}>${escapeXml(v)}</ceb:${name}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<ceb:CEB900Message guid="${escapeXml(messageGuid)}" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    '  <ceb:MessageReturn>',
    el('guid', r.guid),
    el('returnStatus', r.returnStatus),
    el('returnInfo', r.returnInfo.slice(0, 5000)),
    el('returnTime', r.returnTime),
    el('oriCopMsgId', r.oriCopMsgId.slice(0, 255)),
    el('oriMessageType', r.oriMessageType),
    el('oriBizMessage', r.oriBizMessage),
    '  </ceb:MessageReturn>',
    '</ceb:CEB900Message>',
    '',
  ].join('\n');
}
