import { existsSync } from 'node:fs';
import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import { DomainError } from '../../kernel/errors.ts';

export interface LabelData {
  logisticsNo: string;
  carrier: string;
  sender: string;
  warehouse: string;
  route: string | null;
  location: string | null;
  bagNo: string | null;
  invtNo: string | null;
  /** the declared inventory's trade mode (9610, 9710, 9810, 1210); null before it is declared */
  tradeMode: string | null;
  printedAt: Date;
}

const MM = 72 / 25.4;
/** 100 × 150 mm: the thermal label size carriers and supervision centres print. */
export const LABEL_SIZE: [number, number] = [100 * MM, 150 * MM];

/**
 * A CJK font is needed for the Chinese text (the PDF core fonts have no Chinese glyphs): the
 * Debian packages fonts-wqy-zenhei or fonts-noto-cjk, or the file in LABEL_FONT.
 */
const FONT_CANDIDATES: [string, string | undefined][] = [
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
];

function cjkFont(): [string, string | undefined] {
  const env = process.env.LABEL_FONT;
  if (env && existsSync(env)) return [env, process.env.LABEL_FONT_FAMILY];
  const found = FONT_CANDIDATES.find(([f]) => existsSync(f));
  if (!found)
    throw new DomainError('warehouse.unavailable', {
      zh: '未安装中文字体（fonts-wqy-zenhei），无法打印面单',
      en: 'no CJK font installed (fonts-wqy-zenhei): labels cannot be printed',
    });
  return found;
}

/** The parcel label: Code 128 of the waybill number, then the facts in Chinese and English. */
export async function labelPdf(d: LabelData): Promise<Buffer> {
  const barcode = await bwipjs.toBuffer({
    bcid: 'code128',
    text: d.logisticsNo,
    scale: 3,
    height: 18,
    includetext: false,
    paddingwidth: 10,
    paddingheight: 4,
    backgroundcolor: 'FFFFFF',
  });
  const [fontFile, family] = cjkFont();
  const doc = new PDFDocument({
    size: LABEL_SIZE,
    margin: 0,
    info: { Title: `Label ${d.logisticsNo}`, Producer: 'CBEC Window' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontFile, family);
  const [w] = LABEL_SIZE;
  const pad = 6 * MM;
  doc
    .font('cjk')
    .fontSize(11)
    .text(`${d.warehouse}`, pad, pad, { width: w - 2 * pad });
  doc
    .fontSize(9)
    .text(`跨境电商出口 Cross-border e-commerce export${d.tradeMode ? ` (${d.tradeMode})` : ''}`, { width: w - 2 * pad });
  doc
    .moveTo(pad, 22 * MM)
    .lineTo(w - pad, 22 * MM)
    .stroke();
  doc.image(barcode, pad, 25 * MM, { fit: [w - 2 * pad, 28 * MM], align: 'center' });
  doc.fontSize(16).text(d.logisticsNo, pad, 55 * MM, { width: w - 2 * pad, align: 'center', characterSpacing: 1 });
  doc
    .moveTo(pad, 64 * MM)
    .lineTo(w - pad, 64 * MM)
    .stroke();
  const rows: [string, string | null][] = [
    ['承运商 Carrier', d.carrier],
    ['发件人 Sender', d.sender],
    ['线路 Route', d.route],
    ['库位 Location', d.location],
    ['袋号 Bag', d.bagNo],
    ['清单编号 Inventory No.', d.invtNo],
  ];
  let y = 67 * MM;
  for (const [label, value] of rows) {
    doc.fontSize(8).text(label, pad, y, { width: w - 2 * pad });
    doc.fontSize(11).text(value ?? '—', pad, y + 3.5 * MM, { width: w - 2 * pad });
    y += 12 * MM;
  }
  doc.fontSize(7).text(`打印时间 Printed ${d.printedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, pad, 143 * MM);
  doc.end();
  return done;
}
