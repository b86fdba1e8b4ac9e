import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { DomainError } from '../../kernel/errors.ts';
import { GENERIC_TEMPLATE_EXAMPLE, GENERIC_TEMPLATE_HEADER, ORDER_FIELDS } from './rules/layouts.ts';

/**
 * The file edge of the order import: bytes in, rows of cell strings out, streamed (a 20 MB file
 * is never a 20 MB string plus its parse tree). CSV through csv-parse, Excel through exceljs's
 * streaming reader (first worksheet).
 */
export const FILE_LIMITS = { maxBytes: 20 * 1024 * 1024, maxRows: 50_000 } as const;

export const CSV_TYPES = ['text/csv', 'application/csv'] as const;
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type FileKind = 'csv' | 'xlsx';

export function fileKindOf(contentType: string | undefined): FileKind | null {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (t === XLSX_TYPE) return 'xlsx';
  if ((CSV_TYPES as readonly string[]).includes(t)) return 'csv';
  return null;
}

export const tooLarge = (): DomainError =>
  new DomainError('orders.payload_too_large', {
    zh: `文件超过 ${FILE_LIMITS.maxBytes / 1024 / 1024} MB`,
    en: `the file is larger than ${FILE_LIMITS.maxBytes / 1024 / 1024} MB`,
  });

export const tooManyRows = (): DomainError =>
  new DomainError('orders.payload_too_large', {
    zh: `文件超过 ${FILE_LIMITS.maxRows} 行，请拆分后导入`,
    en: `the file has more than ${FILE_LIMITS.maxRows} rows: split it`,
  });

/** Passes bytes through, failing once more than `max` have gone by. */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > max) return done(tooLarge());
      done(null, chunk);
    },
  });
}

const unreadable = (kind: FileKind, cause: unknown): DomainError =>
  cause instanceof DomainError
    ? cause
    : new DomainError(
        'orders.bad_request',
        {
          zh: kind === 'xlsx' ? '无法读取 Excel 文件（须为 .xlsx）' : '无法读取 CSV 文件',
          en: kind === 'xlsx' ? 'the Excel file cannot be read (it must be .xlsx)' : 'the CSV file cannot be read',
        },
        { reason: cause instanceof Error ? cause.message : String(cause) },
      );

/** An exceljs cell value as the text the user sees. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (o.richText) return o.richText.map((t) => t.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
    if (o.error) return o.error;
  }
  return '';
}

/**
 * The rows of a CSV or XLSX stream: `{ row, cells }`, row numbered as the spreadsheet shows it
 * (1-based), at most `maxRows` + a header's worth before it fails.
 */
export async function* readRows(input: Readable, kind: FileKind): AsyncGenerator<{ row: number; cells: string[] }> {
  const limited = input.pipe(byteLimit(FILE_LIMITS.maxBytes));
  input.on('error', (e) => limited.destroy(e));
  let count = 0;
  const guard = () => {
    if (++count > FILE_LIMITS.maxRows + 10) throw tooManyRows();
  };
  try {
    if (kind === 'csv') {
      const parser = limited.pipe(
        parseCsv({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, info: true }),
      );
      limited.on('error', (e) => parser.destroy(e));
      // The row a spreadsheet shows is the record's ordinal (blank lines are records too), not the
      // parser's line count: a quoted cell spanning lines (an address on two lines) is one row, and
      // csv-parse counts a record's lines after its end.
      let row = 0;
      for await (const rec of parser as AsyncIterable<{ record: string[] }>) {
        guard();
        yield { row: ++row, cells: rec.record.map((c) => c ?? '') };
      }
      return;
    }
    // exceljs's streaming WorkbookReader loses xl/workbook.xml at random on Node ≥ 18 and then
    // throws "Cannot read properties of undefined (reading 'sheets')" (exceljs issue #3064), so
    // the file (≤ 20 MB, bounded above) is read whole, through the zip's central directory.
    const chunks: Buffer[] = [];
    for await (const c of limited) chunks.push(c as Buffer);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) return;
    const rows: { row: number; cells: string[] }[] = [];
    sheet.eachRow({ includeEmpty: false }, (r) => {
      const values = Array.isArray(r.values) ? (r.values as unknown[]) : [];
      // exceljs rows are 1-based: values[0] is empty
      rows.push({ row: r.number, cells: values.slice(1).map(cellText) });
    });
    for (const r of rows) {
      guard();
      yield r;
    }
  } catch (e) {
    throw unreadable(kind, e);
  }
}

/** The generic template as CSV: UTF-8 with a BOM so Excel opens the Chinese headers right. */
export function templateCsv(): Buffer {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [GENERIC_TEMPLATE_HEADER.map(q).join(','), ORDER_FIELDS.map((f) => q(GENERIC_TEMPLATE_EXAMPLE[f])).join(',')];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** The generic template as XLSX: bilingual header (bold, frozen), one example row, a notes sheet. */
export async function templateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单 Orders', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([...GENERIC_TEMPLATE_HEADER]).font = { bold: true };
  ws.addRow(ORDER_FIELDS.map((f) => GENERIC_TEMPLATE_EXAMPLE[f]));
  ws.columns.forEach((c) => (c.width = 22));
  const notes = wb.addWorksheet('说明 Notes');
  for (const line of [
    ['同一订单号的多行 = 一个订单的多个商品行 / Rows with the same order no. are the lines of one order'],
    ['商品货号须为已备案商品 / SKU must be a filed product'],
    ['币制：USD、CNY 或海关代码 502、142 / Currency: ISO (USD) or customs code (502)'],
    ['国家：USA、US、United States、美国 或海关代码 502 / Country: ISO, English or Chinese name, or customs code'],
  ]) {
    notes.addRow(line);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
