import { styleHash } from '../../kernel/csp.ts';
import type { TraceService } from './trace.service.ts';

/**
 * The verification page a buyer abroad reaches by scanning a label: server-rendered, no script,
 * small, so it opens on any phone without the web app. Chinese or English labels; the product
 * name in the buyer's language where the seller offers one.
 */
type Verification = Awaited<ReturnType<TraceService['verify']>>;

// The page's only style element; the Content-Security-Policy allows it by its hash.
const PAGE_STYLE = `body{font-family:system-ui,sans-serif;max-width:640px;margin:0 auto;padding:16px;color:#222}
.warn{background:#fff1f0;border:1px solid #ffa39e;padding:12px;border-radius:6px}.ok{background:#f6ffed;border:1px solid #b7eb8f;padding:12px;border-radius:6px}
ol{padding-left:20px}li{margin:6px 0}th{text-align:left;padding-right:12px}textarea,input{width:100%;box-sizing:border-box;margin:4px 0}`;
export const PAGE_STYLE_SOURCE = styleHash(PAGE_STYLE);

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const T = {
  zh: {
    title: '商品追溯验证',
    product: '商品',
    seller: '卖家',
    origin: '原产地',
    batch: '批次',
    chain: '追溯链',
    checks: '核验',
    filed: '已备案',
    inspected: '已查验',
    departed: '已离境',
    yes: '是',
    no: '否',
    warn: '注意：此追溯码的扫描情况异常，商品可能为仿冒',
    ok: '此追溯码扫描情况正常',
    report: '举报假冒',
    describe: '请描述问题',
    contact: '联系方式（可选）',
    send: '提交',
  },
  en: {
    title: 'Product verification',
    product: 'Product',
    seller: 'Seller',
    origin: 'Origin',
    batch: 'Batch',
    chain: 'Trace chain',
    checks: 'Checks',
    filed: 'Filed with customs',
    inspected: 'Inspected',
    departed: 'Left China',
    yes: 'yes',
    no: 'no',
    warn: 'Warning: this code has been scanned in implausible ways; the product may be counterfeit',
    ok: 'Scans of this code look normal',
    report: 'Report a counterfeit',
    describe: 'Describe the problem',
    contact: 'Contact (optional)',
    send: 'Send',
  },
};

/** The language to show: `lang` if offered, else the first offered one the browser accepts, else English. */
export function pickLanguage(offered: string[], lang: string | undefined, acceptLanguage: string | undefined): string {
  if (lang && offered.includes(lang)) return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const l = part.trim().slice(0, 2).toLowerCase();
    if (offered.includes(l)) return l;
  }
  return 'en';
}

export function renderVerification(v: Verification, reported: boolean): string {
  const t = v.lang === 'zh' ? T.zh : T.en;
  const yn = (b: boolean) => (b ? `✔ ${t.yes}` : `✘ ${t.no}`);
  const langs = v.languages
    .map((l) => (l === v.lang ? `<b>${esc(l)}</b>` : `<a href="?lang=${esc(l)}">${esc(l)}</a>`))
    .join(' · ');
  return `<!doctype html>
<html lang="${esc(v.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(t.title)} ${esc(v.code)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
<p style="float:right">${langs}</p>
<h1>${esc(t.title)}</h1>
<p><code data-testid="trace-code">${esc(v.code)}</code></p>
${
  v.warning.flagged
    ? `<div class="warn" data-testid="trace-warning"><b>${esc(t.warn)}</b><ul>${v.warning.reasons.map((r) => `<li>${esc(v.lang === 'zh' ? r.zh : r.en)}</li>`).join('')}</ul></div>`
    : `<div class="ok">${esc(t.ok)}</div>`
}
<table>
<tr><th>${esc(t.product)}</th><td data-testid="trace-product">${esc(v.product.name)}</td></tr>
<tr><th>${esc(t.seller)}</th><td>${esc(v.seller.name)}</td></tr>
<tr><th>${esc(t.origin)}</th><td>${esc(v.origin)}</td></tr>
<tr><th>${esc(t.batch)}</th><td>${esc(v.product.batchNo)}</td></tr>
</table>
<h2>${esc(t.chain)}</h2>
<ol data-testid="trace-chain">${v.chain
    .map(
      (e) =>
        `<li><b>${esc(e.label)}</b> — ${esc(e.at.slice(0, 10))}${e.place ? ` · ${esc(e.place)}` : ''}${e.note ? ` · ${esc(e.note)}` : ''}</li>`,
    )
    .join('')}</ol>
<h2>${esc(t.checks)}</h2>
<p>${esc(t.filed)}: ${yn(v.checks.filed)} · ${esc(t.inspected)}: ${yn(v.checks.inspected)} · ${esc(t.departed)}: ${yn(v.checks.departed)}</p>
<h2>${esc(t.report)}</h2>
${
  reported
    ? `<p class="ok" data-testid="trace-reported">✔</p>`
    : `<form method="post" action="/t/${esc(v.code)}/report?lang=${esc(v.lang)}">
<label>${esc(t.describe)}<textarea name="summary" required minlength="5" maxlength="4000"></textarea></label>
<label>${esc(t.contact)}<input name="contact" maxlength="200"></label>
<button type="submit">${esc(t.send)}</button></form>`
}
</body></html>`;
}
