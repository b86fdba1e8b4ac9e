/**
 * The server's per-response style nonce (src/server/csp.ts): the Content-Security-Policy applies
 * no <style> element without it. Ant Design's CSS-in-JS takes it through ConfigProvider's `csp`,
 * but a few of its helpers (the scroll lock of modals and drawers, the scrollbar measurement of
 * tables) insert their <style> without one. Style elements that the app's own code inserts get
 * the nonce here; markup injected as HTML never passes through these calls, so an injected
 * <style> stays blocked, which is what the policy is for.
 */
export const CSP_NONCE: string | undefined =
  document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? undefined;

if (CSP_NONCE) {
  const nonce = CSP_NONCE;
  const stamp = (node: Node): void => {
    if (node instanceof HTMLStyleElement && !node.nonce) node.nonce = nonce;
  };
  const append = Node.prototype.appendChild;
  Node.prototype.appendChild = function appendChild<T extends Node>(this: Node, node: T): T {
    stamp(node);
    return append.call(this, node) as T;
  };
  const insert = Node.prototype.insertBefore;
  Node.prototype.insertBefore = function insertBefore<T extends Node>(this: Node, node: T, child: Node | null): T {
    stamp(node);
    return insert.call(this, node, child) as T;
  };
}
