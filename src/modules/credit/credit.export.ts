import ExcelJS from 'exceljs';

/**
 * Excel exports of the credit system (officers): cases and the blacklist, one sheet each, headers
 * in the language asked for (Chinese by default), dates as dates. Built with exceljs, as the
 * statistics export is.
 */
export type ExportLang = 'zh' | 'en';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Column<T> {
  zh: string;
  en: string;
  width: number;
  value: (row: T) => string | number | boolean | Date | null;
}

async function workbook<T>(sheet: string, title: string, columns: Column<T>[], rows: readonly T[], lang: ExportLang) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CBEC Window';
  const ws = wb.addWorksheet(sheet);
  ws.addRow([title]);
  ws.getRow(1).font = { bold: true };
  ws.addRow(columns.map((c) => c[lang]));
  ws.getRow(2).font = { bold: true };
  for (const r of rows) ws.addRow(columns.map((c) => c.value(r)));
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface CaseExportRow {
  id: string;
  kind: string;
  subjectName: string;
  subjectCode: string;
  status: string;
  severity: string | null;
  source: string;
  summary: string;
  decision: string | null;
  blacklist: boolean;
  appealReason: string | null;
  createdAt: string;
  decidedAt: string | null;
  publishedAt: string | null;
}

const date = (v: string | null): Date | null => (v ? new Date(v) : null);

const CASE_COLUMNS: Column<CaseExportRow>[] = [
  { zh: '案件编号', en: 'Case', width: 38, value: (r) => r.id },
  { zh: '类型', en: 'Kind', width: 12, value: (r) => r.kind },
  { zh: '企业', en: 'Enterprise', width: 30, value: (r) => r.subjectName },
  { zh: '企业代码', en: 'Code', width: 20, value: (r) => r.subjectCode },
  { zh: '状态', en: 'Status', width: 14, value: (r) => r.status },
  { zh: '严重程度', en: 'Severity', width: 10, value: (r) => r.severity },
  { zh: '来源', en: 'Source', width: 10, value: (r) => r.source },
  { zh: '案情', en: 'Summary', width: 40, value: (r) => r.summary },
  { zh: '处理决定', en: 'Decision', width: 40, value: (r) => r.decision },
  { zh: '列入失信名单', en: 'Blacklists', width: 12, value: (r) => r.blacklist },
  { zh: '申诉理由', en: 'Appeal reason', width: 30, value: (r) => r.appealReason },
  { zh: '立案时间', en: 'Opened', width: 20, value: (r) => date(r.createdAt) },
  { zh: '决定时间', en: 'Decided', width: 20, value: (r) => date(r.decidedAt) },
  { zh: '公示时间', en: 'Published', width: 20, value: (r) => date(r.publishedAt) },
];

export function casesWorkbook(rows: readonly CaseExportRow[], lang: ExportLang, scope: string): Promise<Buffer> {
  const title = lang === 'en' ? `Credit cases (${rows.length}), ${scope}` : `信用案件（${rows.length} 件），${scope}`;
  return workbook('cases', title, CASE_COLUMNS, rows, lang);
}

export interface BlacklistExportRow {
  orgId: string;
  code: string;
  name: string;
  reason: string;
  caseId: string | null;
  listedAt: string;
}

const BLACKLIST_COLUMNS: Column<BlacklistExportRow>[] = [
  { zh: '企业', en: 'Enterprise', width: 30, value: (r) => r.name },
  { zh: '企业代码', en: 'Code', width: 20, value: (r) => r.code },
  { zh: '列入原因', en: 'Reason', width: 50, value: (r) => r.reason },
  { zh: '案件编号', en: 'Case', width: 38, value: (r) => r.caseId },
  { zh: '列入时间', en: 'Listed', width: 20, value: (r) => date(r.listedAt) },
];

export function blacklistWorkbook(rows: readonly BlacklistExportRow[], lang: ExportLang): Promise<Buffer> {
  const title = lang === 'en' ? `Blacklist (${rows.length} enterprises)` : `失信名单（${rows.length} 家企业）`;
  return workbook('blacklist', title, BLACKLIST_COLUMNS, rows, lang);
}
