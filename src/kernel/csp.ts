import { createHash } from 'node:crypto';

/**
 * The Content-Security-Policy of every response. Scripts, styles sheets, images and connections
 * come from the platform's own origin only; no page may be framed. Style *elements* need a nonce
 * (the single-page app passes its per-response nonce to Ant Design's CSS-in-JS), so an injected
 * <style> — the way CSS can read attribute values out of a page — is not applied. Style
 * *attributes* stay allowed: chart tooltips and layout libraries set them, and an attribute
 * style has no selectors, so it can neither read the page nor load anything ('self' still bounds
 * url() to the platform's origin through img-src and font-src).
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  styleSrcAttr: ["'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The policy as a header value for an HTML page; `styleSources` adds what its own style elements
 * need: `'nonce-…'` (the single-page app) or `'sha256-…'` (a server-rendered page's fixed style).
 */
export function contentSecurityPolicy(...styleSources: string[]): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, sources]) => `${kebab(name)} ${[...sources, ...(name === 'styleSrc' ? styleSources : [])].join(' ')}`)
    .join(';');
}

/** The source expression that allows exactly this style element's text. */
export const styleHash = (css: string): string => `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;

/** The app shell with the nonce where the web app reads it (<meta name="csp-nonce">). */
export function withStyleNonce(html: string, nonce: string): string {
  return html.replace('<head>', `<head>\n    <meta name="csp-nonce" content="${nonce}" />`);
}
