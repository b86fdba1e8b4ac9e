import { inflateSync } from 'node:zlib';

/**
 * The text a PDF written by PDFKit shows, line by line: its content streams draw glyph ids of
 * the embedded (subset) fonts, and each font's ToUnicode CMap maps them back to characters. So a
 * test can read what a label or certificate prints — Chinese included — instead of trusting that
 * a font was embedded. Handles what PDFKit writes (Flate streams, one bfrange array per font),
 * not PDF at large.
 */
export function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const streams: string[] = [];
  const re = /stream\r?\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    try {
      streams.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not a Flate stream (an image, say)
    }
  }
  const glyphs = new Map<string, string>();
  for (const s of streams) {
    for (const range of s.matchAll(/<([0-9a-f]{4})>\s*<[0-9a-f]{4}>\s*\[([^\]]*)\]/gi)) {
      const first = parseInt(range[1]!, 16);
      [...range[2]!.matchAll(/<([0-9a-f]+)>/gi)].forEach((u, i) =>
        glyphs.set((first + i).toString(16).padStart(4, '0'), String.fromCodePoint(parseInt(u[1]!, 16))),
      );
    }
  }
  const lines: string[] = [];
  for (const s of streams) {
    if (!/\bBT\b/.test(s)) continue;
    for (const block of s.matchAll(/BT([\s\S]*?)ET/g)) {
      let line = '';
      for (const hex of block[1]!.matchAll(/<([0-9a-f]+)>/gi)) {
        const h = hex[1]!.toLowerCase();
        for (let i = 0; i + 4 <= h.length; i += 4) line += glyphs.get(h.slice(i, i + 4)) ?? '\uFFFD';
      }
      if (line) lines.push(line);
    }
  }
  return lines;
}
