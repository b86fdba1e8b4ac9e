import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { test } from 'node:test';
import { BarcodeFormat, BinaryBitmap, Code128Reader, HybridBinarizer, RGBLuminanceSource } from '@zxing/library';
import { PNG } from 'pngjs';
import { LABEL_SIZE, labelPdf } from './warehouse.label.ts';
import { pdfText } from '../../../test/support/pdf-text.ts';

interface PdfImage {
  width: number;
  height: number;
  colors: number;
  predictor: boolean;
  data: Buffer;
}

/** The image XObjects of a PDF (pdfkit writes them uncompressed at the object level). */
function pdfImages(pdf: Buffer): PdfImage[] {
  const s = pdf.toString('latin1');
  const out: PdfImage[] = [];
  const re = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const dict = m[1]!;
    if (!/\/Subtype \/Image/.test(dict) || /\/Decode \[0 1\]/.test(dict)) continue; // skip soft masks
    const num = (k: string) => Number(new RegExp(`/${k} (\\d+)`).exec(dict)?.[1]);
    const start = m.index + m[0].length;
    const cs = /\/ColorSpace \/(\w+)/.exec(dict)?.[1];
    out.push({
      width: num('Width'),
      height: num('Height'),
      colors: /\/Colors (\d)/.test(dict) ? num('Colors') : cs === 'DeviceRGB' ? 3 : 1,
      predictor: /\/Predictor/.test(dict),
      data: pdf.subarray(start, start + num('Length')),
    });
  }
  return out;
}

/** Grey levels of an embedded image: PNG-predicted data is rewrapped as a PNG and decoded. */
function luminance(img: PdfImage): Uint8ClampedArray {
  const lum = new Uint8ClampedArray(img.width * img.height);
  if (img.predictor) {
    const chunk = (type: string, body: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(img.width, 0);
    ihdr.writeUInt32BE(img.height, 4);
    ihdr[8] = 8;
    ihdr[9] = img.colors === 3 ? 2 : 0;
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', img.data),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const decoded = PNG.sync.read(png, { skipRescale: true, checkCRC: false } as never);
    for (let i = 0; i < lum.length; i++) lum[i] = decoded.data[i * 4]!;
    return lum;
  }
  const raw = inflateSync(img.data);
  for (let i = 0; i < lum.length; i++) lum[i] = raw[i * img.colors]!;
  return lum;
}

test('label PDF: 100×150 mm, Code 128 of the waybill number decodes back, Chinese and English text', async () => {
  for (const no of ['EE123456785CN', 'T000000042CN', 'SF1400123456789']) {
    const pdf = await labelPdf({
      logisticsNo: no,
      carrier: '中国邮政速递物流股份有限公司江西省分公司',
      sender: '景德镇青花瓷业进出口有限公司',
      warehouse: '南昌国际快件监管中心运营有限公司',
      route: 'US',
      location: 'A-01-01',
      bagNo: 'BG9800772611260001',
      invtNo: '40062026E000000001',
      tradeMode: '9710',
      printedAt: new Date('2026-11-26T09:00:00Z'),
    });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'));
    assert.ok(box, 'has a media box');
    assert.ok(Math.abs(Number(box[1]) - LABEL_SIZE[0]) < 0.5 && Math.abs(Number(box[2]) - LABEL_SIZE[1]) < 0.5, box[0]);
    assert.ok(Math.abs(LABEL_SIZE[0] - 283.46) < 0.1 && Math.abs(LABEL_SIZE[1] - 425.2) < 0.1);
    // the CJK font is embedded (a subset), so the Chinese text prints: read back what it shows
    assert.match(pdf.toString('latin1'), /\/FontFile2|\/FontFile3/);
    const text = pdfText(pdf);
    for (const line of [
      '南昌国际快件监管中心运营有限公司',
      '跨境电商出口 Cross-border e-commerce export (9710)',
      '承运商 Carrier',
      '中国邮政速递物流股份有限公司江西省分公司',
      '发件人 Sender',
      '清单编号 Inventory No.',
      '40062026E000000001',
    ])
      assert.ok(text.includes(line), `the label shows "${line}": ${JSON.stringify(text)}`);

    const images = pdfImages(pdf);
    assert.equal(images.length, 1, 'one barcode image');
    const img = images[0]!;
    const source = new RGBLuminanceSource(luminance(img), img.width, img.height);
    const result = new Code128Reader().decode(new BinaryBitmap(new HybridBinarizer(source)));
    assert.equal(result.getText(), no);
    assert.equal(result.getBarcodeFormat(), BarcodeFormat.CODE_128);
  }
});
