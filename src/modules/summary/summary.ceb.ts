import { CEB_NAMESPACE, escapeXml } from '../../ceb/index.ts';

/**
 * CEB702 / CEB792 rendering. The message layer (src/ceb) carries only the 9610 clearance set in
 * MESSAGE_SPECS; the summary messages are written here in XSD sequence order (export XSD 2018-05,
 * cbec-export-facts.md §2.2.18–19) until the layer takes them (see ADR).
 */
export const CEB702_FIELDS = [
  'guid',
  'agentCode',
  'ebcCode',
  'copNo',
  'preNo',
  'sumNo',
  'msgSeqNo',
  'returnStatus',
  'returnTime',
  'returnInfo',
] as const;
export const CEB792_HEAD_FIELDS = [
  'guid',
  'customsCode',
  'sumNo',
  'opDate',
  'declSeqNo',
  'decTmpNo',
  'decPreNo',
  'entryId',
  'decState',
  'agentCode',
  'agentName',
  'ebcCode',
  'ebcName',
  'declAgentCode',
  'declAgentName',
  'grossWeight',
  'netWeight',
  'msgCount',
  'msgSeqNo',
  'note',
] as const;
export const CEB792_LIST_FIELDS = ['invtNo', 'logisticsNo', 'gnum', 'gcode'] as const;

/** XSD: at most 100 SummaryResultList rows per SummaryResult, 100 SummaryResult per message. */
export const LIST_ROWS_PER_RESULT = 100;
export const RESULTS_PER_MESSAGE = 100;

type Rec = Record<string, string>;

function block(element: string, fields: readonly string[], values: Rec, indent: string): string {
  const out = [`${indent}<ceb:${element}>`];
  for (const f of fields) {
    const v = values[f];
    if (v === undefined || v === '') continue;
    out.push(`${indent}  <ceb:${f}>${escapeXml(v)}</ceb:${f}>`);
  }
  out.push(`${indent}</ceb:${element}>`);
  return out.join('\n');
}

const open = (root: string, guid: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ceb:${root} guid="${escapeXml(guid)}" version="1.0" xmlns:ceb="${CEB_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;

export function renderCeb702(messageGuid: string, receipts: Rec[]): string {
  return [
    open('CEB702Message', messageGuid),
    ...receipts.map((r) => block('SummaryReturn', CEB702_FIELDS, r, '  ')),
    '</ceb:CEB702Message>',
    '',
  ].join('\n');
}

export function renderCeb792(messageGuid: string, results: { head: Rec; list: Rec[] }[]): string {
  const out = [open('CEB792Message', messageGuid)];
  for (const r of results) {
    out.push('  <ceb:SummaryResult>', block('SummaryResultHead', CEB792_HEAD_FIELDS, r.head, '    '));
    for (const l of r.list) out.push(block('SummaryResultList', CEB792_LIST_FIELDS, l, '    '));
    out.push('  </ceb:SummaryResult>');
  }
  out.push('</ceb:CEB792Message>', '');
  return out.join('\n');
}

/** yyyyMMddHHmmssSSS in China time (receipt times are local). */
export function cebTime17(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000)
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 17);
}
