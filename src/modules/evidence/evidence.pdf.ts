import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { DomainError } from '../../kernel/errors.ts';
import type { EvidencePack } from './rules/pack.rules.ts';

/** Helvetica has no Chinese glyphs: a CJK font is required (Debian fonts-wqy-zenhei, or CJK_FONT). */
const FONT_CANDIDATES = [
  process.env.CJK_FONT ?? '',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
].filter(Boolean);
const FAMILY: Record<string, string> = {
  'wqy-zenhei.ttc': 'WenQuanYiZenHei',
  'NotoSansCJK-Regular.ttc': 'NotoSansCJKsc-Regular',
};

export function cjkFont(candidates: readonly string[] = FONT_CANDIDATES): { path: string; family: string | undefined } {
  const path = candidates.find((f) => existsSync(f));
  // A missing font is the server's setup, not the caller's request: 503 with what to install.
  if (!path)
    throw new DomainError('evidence.unavailable', {
      zh: '服务器未安装中文字体，无法生成PDF证据包：请安装 fonts-wqy-zenhei（或 fonts-noto-cjk），或在 CJK_FONT 中指定一个中文字体文件；JSON证据包不受影响',
      en: 'no CJK font installed on the server, so the PDF evidence pack cannot be made: install fonts-wqy-zenhei (or fonts-noto-cjk), or set CJK_FONT to a CJK font file; the JSON pack is not affected',
    });
  const base = path.split('/').pop() ?? '';
  return { path, family: FAMILY[base] };
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const subjectLine = (pack: EvidencePack): string =>
  pack.subject.kind === 'declaration'
    ? `报关单号 entryId: ${pack.subject.entryId}`
    : `订单号 orderNo: ${pack.subject.orderNo}  电商平台 ebpCode: ${pack.subject.ebpCode}  清单编号 invtNo: ${pack.subject.invtNo}`;

/**
 * The pack as a readable PDF: what it covers, every part with its hash, then the records (the
 * first 200 of each part). `rowCounts` gives a part's full count when `pack` carries only its
 * first rows (a large declaration's pack, see evidence.spool.ts).
 */
export async function renderEvidencePdf(pack: EvidencePack, rowCounts?: ReadonlyMap<string, number>): Promise<Buffer> {
  const font = cjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `出口证据包 ${subjectLine(pack)}`, Producer: 'CBEC Window' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  if (font.family) doc.registerFont('cjk', font.path, font.family);
  else doc.registerFont('cjk', font.path);
  doc.font('cjk');
  doc.fontSize(18).text('跨境电商出口证据包 / Export evidence pack');
  doc.moveDown(0.5).fontSize(10);
  doc.text(subjectLine(pack));
  doc.text(`生成时间 created: ${pack.createdAt}`);
  doc.text(`证据包哈希 pack SHA-256: ${pack.packSha256}`);
  doc.moveDown().fontSize(12).text('组成部分与哈希 / Parts and hashes');
  doc.fontSize(9);
  for (const m of pack.manifest) {
    const part = pack.parts.find((p) => p.name === m.name);
    doc.text(`${part?.title.zh ?? m.name} (${m.name}): ${m.sha256}`);
  }
  doc.moveDown().fontSize(8).text('校验 / verify: cbec evidence verify <pack.json>');
  for (const part of pack.parts) {
    doc.addPage().fontSize(12).text(`${part.title.zh} / ${part.title.en}`);
    doc.moveDown(0.5).fontSize(8);
    const rows = Array.isArray(part.data) ? part.data : [part.data];
    for (const [i, row] of rows.slice(0, 200).entries()) {
      const rec = (row ?? {}) as Record<string, unknown>;
      doc.text(
        `${i + 1}. ${Object.entries(rec)
          .map(([k, v]) => `${k}=${str(v)}`)
          .join('  ')
          .slice(0, 1200)}`,
      );
    }
    const total = rowCounts?.get(part.name) ?? rows.length;
    if (total > 200) doc.text(`… 另有${total - 200}条见JSON证据包 / ${total - 200} more in the JSON pack`);
  }
  doc.end();
  return done;
}
