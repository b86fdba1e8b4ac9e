import { styleHash } from '../../kernel/csp.ts';
import type { TraceService } from './trace.service.ts';

/**
 * A batch's QR labels on A4 sheets, to print from the browser (Ctrl+P): 5 × 5 labels of
 * 38 × 52 mm a page, each the QR code of the verification address, the code, the product and the
 * batch. Server-rendered, no script; the print style sheet hides the heading and keeps every
 * label whole on one page.
 */
type LabelSheet = Awaited<ReturnType<TraceService['labels']>>;

const LABEL_STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:8mm;color:#000}
.head{margin-bottom:6mm}.head h1{font-size:16px;margin:0 0 4px}.head p{margin:0;color:#555;font-size:13px}
.sheet{display:grid;grid-template-columns:repeat(5,38mm);grid-auto-rows:52mm;gap:0}
.label{box-sizing:border-box;border:1px dashed #bbb;padding:2mm;display:flex;flex-direction:column;align-items:center;overflow:hidden;break-inside:avoid}
.label svg{width:32mm;height:32mm;flex:none}.code{font-family:ui-monospace,monospace;font-size:8.5pt;letter-spacing:.3px;margin-top:1mm}
.name,.batch{font-size:7pt;text-align:center;line-height:1.2;max-height:2.4em;overflow:hidden}
@page{size:A4;margin:8mm}@media print{body{padding:0}.head{display:none}.label{border-color:#eee}}`;
export const LABEL_STYLE_SOURCE = styleHash(LABEL_STYLE);

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderLabelSheet(sheet: LabelSheet): string {
  const labels = sheet.labels
    .map(
      (l) => `<div class="label" data-testid="trace-label">${l.svg}
<div class="code">${esc(l.code)}</div>
<div class="name">${esc(l.productName)}</div>
<div class="batch">批次 Batch ${esc(l.batchNo)}</div></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>追溯码标签 Trace labels ${esc(sheet.batchNo)}</title>
<style>${LABEL_STYLE}</style></head>
<body>
<div class="head"><h1>追溯码标签 / Trace code labels — ${esc(sheet.seller)}</h1>
<p>批次 / batch ${esc(sheet.batchNo)} · ${sheet.labels.length} 张 / labels · 用浏览器打印（Ctrl+P），A4 / print from the browser (Ctrl+P), A4</p></div>
<main class="sheet" data-testid="trace-label-sheet">
${labels}
</main>
</body></html>`;
}
