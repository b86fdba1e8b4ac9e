import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { DomainError } from '../../kernel/errors.ts';

export interface CertificateData {
  certificateNo: string;
  participant: string;
  organisation: string | null;
  kind: 'course' | 'event';
  title: string;
  titleEn: string | null;
  startsAt: Date;
  endsAt: Date;
  place: string;
  issuedAt: Date;
}

/**
 * The PDF core fonts have no Chinese glyphs: Debian's fonts-wqy-zenhei or fonts-noto-cjk, or the
 * file in CJK_FONT (the same setting the evidence packs read).
 */
const FONT_CANDIDATES: [string, string | undefined][] = [
  [process.env.CJK_FONT ?? '', undefined],
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
];

function cjkFont(): [string, string | undefined] {
  const found = FONT_CANDIDATES.find(([f]) => f && existsSync(f));
  if (!found)
    throw new DomainError('parks.unavailable', {
      zh: '未安装中文字体（fonts-wqy-zenhei），无法生成证书',
      en: 'no CJK font installed (fonts-wqy-zenhei): certificates cannot be printed',
    });
  return found;
}

/** Beijing time, as the course was announced. */
const cst = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The certificate of completion (结业证书) or attendance (参会证明), A4 landscape, Chinese then English. */
export async function certificatePdf(d: CertificateData): Promise<Buffer> {
  const [fontFile, family] = cjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 56,
    // The number is in the document information (not compressed), so a download can be matched to it.
    info: { Title: `Certificate ${d.certificateNo}`, Subject: d.certificateNo, Producer: 'CBEC Window' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (family) doc.registerFont('cjk', fontFile, family);
  else doc.registerFont('cjk', fontFile);
  const width = doc.page.width - 112;
  const course = d.kind === 'course';
  doc
    .rect(28, 28, doc.page.width - 56, doc.page.height - 56)
    .lineWidth(2)
    .stroke();
  doc
    .font('cjk')
    .fontSize(30)
    .text(course ? '结业证书' : '参会证明', 56, 80, { width, align: 'center' });
  doc.fontSize(14).text(course ? 'Certificate of completion' : 'Certificate of attendance', { width, align: 'center' });
  doc.moveDown(2).fontSize(18);
  doc.text(d.participant, { width, align: 'center' });
  if (d.organisation) doc.fontSize(12).text(d.organisation, { width, align: 'center' });
  doc.moveDown(1.5).fontSize(13);
  doc.text(`${course ? '已完成培训课程' : '已参加活动'}：${d.title}`, { width, align: 'center' });
  doc
    .fontSize(11)
    .text(`${course ? 'has completed the course' : 'has attended'} "${d.titleEn ?? d.title}"`, { width, align: 'center' });
  doc.moveDown().text(`时间 Time: ${cst(d.startsAt)} ~ ${cst(d.endsAt)}（北京时间 Beijing time）`, {
    width,
    align: 'center',
  });
  doc.text(`地点 Place: ${d.place}`, { width, align: 'center' });
  doc.moveDown(3).fontSize(10);
  doc.text(`证书编号 Certificate no.: ${d.certificateNo}`, { width, align: 'left' });
  doc.text(`颁发日期 Issued: ${cst(d.issuedAt).slice(0, 10)}`, { width, align: 'left' });
  doc.text('跨境电商出口单一窗口 CBEC Window', { width, align: 'right' });
  doc.end();
  return done;
}
