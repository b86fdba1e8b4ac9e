import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * Where webhooks may not post: loopback, private, link-local (cloud metadata), carrier-grade NAT,
 * multicast, reserved and documentation ranges, and IPv6 forms that embed an IPv4 address. A
 * receiver on such an address is refused unless WEBHOOK_ALLOW_PRIVATE=1 (tests, closed networks).
 */
// Two lists: one BlockList matches IPv4 addresses against its IPv6 rules as IPv4-mapped, and
// ::ffff:0:0/96 below would then block every IPv4 address.
const BLOCKED_V4 = new BlockList();
const BLOCKED_V6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED_V4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED_V6.addSubnet(net, prefix, 'ipv6');
}

/** True for an address webhooks must not reach (see the lists above); anything unparsable counts as private. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family === 6) return BLOCKED_V6.check(address, 'ipv6');
  return true;
}

export type Resolve = (hostname: string) => Promise<string[]>;

export const resolveAll: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => a.address));
    });
  });

const problem = (rule: string, zh: string, en: string, value?: string): FieldProblem => ({
  field: 'url',
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks a receiver URL: http(s), no credentials, and (unless `allowPrivate`) every address its
 * host resolves to is public. Called at creation and again before each delivery: DNS may change.
 * Answers the problem, or null when the URL may be used.
 */
export async function checkWebhookUrl(
  raw: string,
  opts: { allowPrivate: boolean; resolve?: Resolve },
): Promise<FieldProblem | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return problem('format', '不是有效的 URL', 'not a valid URL', raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return problem('protocol', '只支持 https 或 http', 'only https or http URLs', url.protocol);
  }
  if (url.username || url.password)
    return problem('credentials', 'URL 不得包含用户名或密码', 'the URL may not carry credentials');
  const host = hostOf(url);
  if (!host) return problem('format', '缺少主机名', 'the URL has no host');
  if (opts.allowPrivate) return null;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (opts.resolve ?? resolveAll)(host);
    } catch {
      return problem('resolve', `无法解析主机 ${host}`, `cannot resolve host ${host}`, host);
    }
  }
  if (addresses.length === 0) return problem('resolve', `无法解析主机 ${host}`, `cannot resolve host ${host}`, host);
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) {
    return problem(
      'privateAddress',
      `不允许推送到本机或内网地址（${refused}）`,
      `webhooks may not post to loopback or private addresses (${refused})`,
      host,
    );
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http that refuses private addresses at connect time, so the address that
 * was checked is the address connected to (no DNS-rebinding window). IP-literal hosts skip
 * lookup in node:net: `checkWebhookUrl` covers them before the request.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const e: NodeJS.ErrnoException = new Error(`refused private address ${refused.address} for ${hostname}`);
        e.code = 'EPRIVATE';
        return callback(e, '');
      }
      if (addresses.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}
