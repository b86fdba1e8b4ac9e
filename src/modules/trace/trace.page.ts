import { styleHash } from '../../kernel/csp.ts';
import type { ScanReason } from './rules/scan.rules.ts';
import { fillText, hasPageLanguage, pageLanguage, type PageLanguage } from './trace.languages.ts';
import type { TraceService } from './trace.service.ts';

export { negotiateLanguage } from './rules/language.rules.ts';

/**
 * The verification page a buyer abroad reaches by scanning a label: server-rendered, no script,
 * small, so it opens on any phone without the web app. Its labels come from the language files
 * (`lang/*.json`), right to left where the language is; the product name is the seller's in that
 * language where offered. Away from Chinese, the Chinese source text (page title, product name,
 * chain links) is shown beside the translation, as printed on the goods and in customs' records.
 */
type Verification = Awaited<ReturnType<TraceService['verify']>>;

// The page's only style element; the Content-Security-Policy allows it by its hash. Logical
// properties (start/end, inline) so the same sheet serves right-to-left pages.
const PAGE_STYLE = `body{font-family:system-ui,sans-serif;max-width:640px;margin:0 auto;padding:16px;color:#222}
.langs{display:flex;flex-wrap:wrap;justify-content:flex-end;gap:4px 12px;font-size:14px}.zh{color:#666;font-size:.85em;font-weight:normal}
.warn{background:#fff1f0;border:1px solid #ffa39e;padding:12px;border-radius:6px}.ok{background:#f6ffed;border:1px solid #b7eb8f;padding:12px;border-radius:6px}
ol{padding-inline-start:20px}.fail{color:#cf1322}.pass{color:#389e0d}li{margin:6px 0}th{text-align:start;padding-inline-end:12px;vertical-align:top}textarea,input{width:100%;box-sizing:border-box;margin:4px 0}`;
export const PAGE_STYLE_SOURCE = styleHash(PAGE_STYLE);

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ZH = pageLanguage('zh');

/** A scan warning in the page's language, from its rule and figures. */
const reasonText = (r: ScanReason, l: PageLanguage): string =>
  r.rule === 'scans'
    ? fillText(l.reasons.scans, r.values)
    : r.rule === 'countries'
      ? fillText(l.reasons.countries, { count: r.values.count, list: r.values.countries.join(l.listSeparator) })
      : fillText(l.reasons.place, {
          list: r.values.countries.join(l.listSeparator),
          destination: r.values.destinations.join(l.listSeparator),
        });

/** Chinese beside a translation (nothing on the Chinese page, or where both read the same). */
const zhBeside = (l: PageLanguage, zh: string, shown: string): string =>
  l.code === 'zh' || zh === shown ? '' : ` <span class="zh" lang="zh-CN" dir="ltr">${esc(zh)}</span>`;

export function renderVerification(v: Verification, reported: boolean): string {
  // the language of the labels: the chosen one if the page has it, else English (a product name
  // offered in a language the page lacks is still shown in it)
  const l = pageLanguage(v.lang);
  const t = l.text;
  const yn = (b: boolean) => (b ? `✔ ${t.yes}` : `✘ ${t.no}`);
  // an inspection is shown by its result: passed, failed (a failure anywhere on the chain), or not inspected
  const inspected =
    v.checks.inspection === 'failed'
      ? `✘ ${esc(t.failed)}`
      : v.checks.inspection === 'passed'
        ? `✔ ${esc(t.passed)}`
        : `✘ ${esc(t.no)}`;
  const result = (r: 'pass' | 'fail' | null) =>
    r === 'pass' ? ` · <b class="pass">✔ ${esc(t.passed)}</b>` : r === 'fail' ? ` · <b class="fail">✘ ${esc(t.failed)}</b>` : '';
  const langs = v.languages
    .map((code) => {
      const name = hasPageLanguage(code) ? pageLanguage(code).name : code;
      const dir = hasPageLanguage(code) ? pageLanguage(code).dir : 'ltr';
      return code === v.lang
        ? `<b lang="${esc(code)}" dir="${dir}">${esc(name)}</b>`
        : `<a href="?lang=${esc(code)}" hreflang="${esc(code)}" lang="${esc(code)}" dir="${dir}">${esc(name)}</a>`;
    })
    .join('');
  const nameLang = v.product.nameLang === 'zh' ? 'zh-CN' : v.product.nameLang;
  const source =
    l.code !== 'zh' && v.product.nameZh && v.product.nameZh !== v.product.name
      ? `<br><span class="zh">${esc(t.source)}: <span lang="zh-CN" dir="ltr">${esc(v.product.nameZh)}</span></span>`
      : '';
  return `<!doctype html>
<html lang="${esc(l.code)}" dir="${l.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(t.title)} ${esc(v.code)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
<nav class="langs" aria-label="${esc(t.language)}" data-testid="trace-languages">${langs}</nav>
<h1>${esc(t.title)}${zhBeside(l, ZH.text.title, t.title)}</h1>
<p><code data-testid="trace-code" dir="ltr">${esc(v.code)}</code></p>
${
  v.warning.flagged
    ? `<div class="warn" data-testid="trace-warning"><b>${esc(t.warn)}</b><ul>${v.warning.reasons.map((r) => `<li>${esc(reasonText(r, l))}</li>`).join('')}</ul></div>`
    : `<div class="ok">${esc(t.ok)}</div>`
}
<table>
<tr><th>${esc(t.product)}</th><td data-testid="trace-product"><span lang="${esc(nameLang)}">${esc(v.product.name)}</span>${source}</td></tr>
<tr><th>${esc(t.seller)}</th><td lang="zh-CN">${esc(v.seller.name)}</td></tr>
<tr><th>${esc(t.origin)}</th><td>${esc(v.origin)}</td></tr>
<tr><th>${esc(t.batch)}</th><td dir="ltr">${esc(v.product.batchNo)}</td></tr>
</table>
<h2>${esc(t.chain)}</h2>
<ol data-testid="trace-chain">${v.chain
    .map(
      (e) =>
        `<li><b>${esc(e.label)}</b>${zhBeside(l, ZH.events[e.kind], e.label)} — <span dir="ltr">${esc(e.at.slice(0, 10))}</span>${result(e.result)}${e.place ? ` · <bdi>${esc(e.place)}</bdi>` : ''}${e.note ? ` · <bdi>${esc(e.note)}</bdi>` : ''}</li>`,
    )
    .join('')}</ol>
<h2>${esc(t.checks)}</h2>
<p data-testid="trace-checks">${esc(t.filed)}: ${yn(v.checks.filed)} · <span data-testid="trace-inspected" class="${v.checks.inspection === 'failed' ? 'fail' : ''}">${esc(t.inspected)}: ${inspected}</span> · ${esc(t.departed)}: ${yn(v.checks.departed)}</p>
<h2>${esc(t.report)}</h2>
${
  reported
    ? `<p class="ok" data-testid="trace-reported">✔ ${esc(t.reported)}</p>`
    : `<form method="post" action="/t/${esc(v.code)}/report?lang=${esc(v.lang)}">
<label>${esc(t.describe)}<textarea name="summary" required minlength="5" maxlength="4000"></textarea></label>
<label>${esc(t.contact)}<input name="contact" maxlength="200"></label>
<button type="submit">${esc(t.send)}</button></form>`
}
</body></html>`;
}
