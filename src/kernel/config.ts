import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Where the embedded database and uploaded files live. */
  dataDir: string;
  /** Set → use this PostgreSQL server; unset → start the embedded one in `dataDir/pg`. */
  databaseUrl: string | undefined;
  /** Port of the embedded PostgreSQL; 0 picks a free one. */
  embeddedPgPort: number;
  /** Recurring statements sent as named (prepared) statements (ADR 0027); PREPARED_STATEMENTS=0 turns it off. */
  preparedStatements: boolean;
  demo: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  sessionTtlHours: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
  /** An unused session ends after this many minutes, before SESSION_TTL_HOURS. */
  sessionIdleMinutes: number;
  /** Comma-separated allowed origins; empty = CORS off (the web UI is same-origin). */
  corsOrigins: string[];
  /** Serve the built web UI from here when it exists. */
  webDist: string;
  /** Secure cookies (HTTPS only); on in production. */
  secureCookies: boolean;
  /** Outbound adapter: forward accepted CEB documents to this URL (off when unset). */
  cebForwardUrl: string | undefined;
  /** DXP id this platform transmits as when forwarding. */
  dxpId: string;
  /**
   * Outbound adapter signing (FORWARD_SIGN_KEY / FORWARD_SIGN_CERT, paths to PEM files read at
   * start): each forwarded CEB message carries the enveloped XML-DSig `cbec sign` writes; unset = unsigned.
   */
  forwardSign: { keyPem: string; certPem: string } | undefined;
  /**
   * FORWARD_DXP=1: each forwarded message goes inside a DXP client envelope (DxpMsg) from
   * FORWARD_DXP_SENDER (default CEB_DXP_ID) to FORWARD_DXP_RECEIVER (default DXPEDCCEB0000002).
   */
  forwardDxp: { senderId: string; receiverId: string } | undefined;
  /** Allow webhook URLs on loopback/private networks (tests, closed networks); off by default against SSRF. */
  webhookAllowPrivate: boolean;
  /**
   * What this process runs: `all` (HTTP and the in-process dispatcher: one machine), `api` (HTTP
   * only) or `worker` (pipeline, sequencer, webhooks only). `api` and `worker` need `natsUrl`.
   */
  role: ProcessRole;
  /** NATS server with JetStream; set → outbox work and feed signals go through it (scale-out). */
  natsUrl: string | undefined;
  /** Prefix of the JetStream stream and subject names, so several installations can share one NATS. */
  natsPrefix: string;
  /** How long a worker may hold an outbox work message before JetStream gives it to another. */
  natsAckWaitMs: number;
  /**
   * The header (lower case) in which a trusted reverse proxy puts the ISO country of the client
   * (GeoIP), e.g. `x-geo-country`; unset = no trusted proxy: trace scans are counted with country
   * ZZ (unknown), and no client-supplied country is believed.
   */
  trustedGeoHeader: string | undefined;
  /**
   * Bearer token a Prometheus scraper must send to `/metrics`; unset = `/metrics` answers only
   * requests made directly from this host (no forwarding header), 403 otherwise.
   */
  metricsToken: string | undefined;
  /** The public address printed in trace QR labels, e.g. `https://window.example.gov.cn`; unset = from the request. */
  publicBaseUrl: string | undefined;
  /**
   * Who is the inspection & quarantine authority: `customs` (merged into customs since 2018; the
   * customs agency holds the `inspection` duty) or `agency` (a separate inspection agency). The demo
   * parties follow it (ADR 0025); real organisations get their duties from the operator.
   */
  inspectionAuthority: InspectionAuthority;
  /**
   * Which reverse proxies to believe about the client address (X-Forwarded-For): a number of
   * proxy hops in front of the platform, or their addresses/CIDR ranges; unset = none, the
   * connecting address is the client. Log-in and report rate limits count per client address.
   */
  trustProxy: number | string[] | undefined;
  /**
   * Days the tracking feed's entries and finished tracking-webhook batches are kept
   * (LOGISTICS_RETENTION_DAYS, default 90); 0 keeps them for ever.
   */
  logisticsRetentionDays: number;
}

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const INSPECTION_AUTHORITIES = ['customs', 'agency'] as const;
export type InspectionAuthority = (typeof INSPECTION_AUTHORITIES)[number];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`环境变量 ${name} 必须是非负整数 / ${name} must be a non-negative integer, got "${raw}"`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL.trim() : undefined;
  // Demo data is the default only where it cannot hurt: the embedded database outside production
  // (and tests). On a PostgreSQL server (DATABASE_URL) it is off unless DEMO=1 asks for it.
  const demo =
    env.DEMO !== undefined && env.DEMO !== ''
      ? env.DEMO === '1' || env.DEMO === 'true'
      : nodeEnv === 'test' || (!databaseUrl && nodeEnv !== 'production');
  return {
    env: nodeEnv,
    port: int(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    databaseUrl,
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 0),
    preparedStatements: env.PREPARED_STATEMENTS !== '0',
    demo,
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024),
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5),
    loginLockMinutes: int(env, 'LOGIN_LOCK_MINUTES', 15),
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 60),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    webDist: path.resolve(env.WEB_DIST ?? 'web/dist'),
    secureCookies: env.SECURE_COOKIES !== undefined ? env.SECURE_COOKIES === '1' : nodeEnv === 'production',
    cebForwardUrl: env.CEB_FORWARD_URL?.trim() || undefined,
    dxpId: env.CEB_DXP_ID ?? 'DXPCBECWINDOW01',
    forwardSign: forwardSignOf(env),
    forwardDxp: forwardDxpOf(env),
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE === '1',
    role: roleOf(env.CBEC_ROLE),
    natsUrl: env.NATS_URL?.trim() || undefined,
    natsPrefix: natsPrefixOf(env.NATS_PREFIX),
    natsAckWaitMs: int(env, 'NATS_ACK_WAIT_MS', 30_000),
    trustedGeoHeader: headerNameOf(env.TRUSTED_GEO_HEADER),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    publicBaseUrl: baseUrlOf(env.PUBLIC_BASE_URL),
    inspectionAuthority: inspectionAuthorityOf(env.INSPECTION_AUTHORITY),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    logisticsRetentionDays: int(env, 'LOGISTICS_RETENTION_DAYS', 90),
  };
}

/** Reads FORWARD_SIGN_KEY and FORWARD_SIGN_CERT: both or neither, readable, a matching RSA or SM2 pair. */
function forwardSignOf(env: NodeJS.ProcessEnv): { keyPem: string; certPem: string } | undefined {
  const keyPath = env.FORWARD_SIGN_KEY?.trim();
  const certPath = env.FORWARD_SIGN_CERT?.trim();
  if (!keyPath && !certPath) return undefined;
  const missing = keyPath ? 'FORWARD_SIGN_CERT' : 'FORWARD_SIGN_KEY';
  const given = keyPath ? 'FORWARD_SIGN_KEY' : 'FORWARD_SIGN_CERT';
  if (!keyPath || !certPath) {
    throw new Error(
      `设置了 ${given} 时必须同时设置环境变量 ${missing} / ${missing} must be set when ${given} is: outbound signing needs the private key and its certificate (PEM)`,
    );
  }
  const read = (name: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(
        `环境变量 ${name} 指向的文件无法读取 / ${name}: cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
  };
  const keyPem = read('FORWARD_SIGN_KEY', keyPath);
  const certPem = read('FORWARD_SIGN_CERT', certPath);
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new Error(
      `环境变量 FORWARD_SIGN_KEY 应指向 PEM 私钥 / FORWARD_SIGN_KEY must name a PEM private key, "${keyPath}" is not one`,
    );
  }
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new Error(
      `环境变量 FORWARD_SIGN_CERT 应指向 PEM 证书 / FORWARD_SIGN_CERT must name a PEM certificate, "${certPath}" is not one`,
    );
  }
  // RSA (rsa-sha1) or SM2 (sm2-sm3; node reports no key type, the curve OID 1.2.156.10197.1.301 tells).
  const sm2 = key.export({ format: 'der', type: 'pkcs8' }).includes(Buffer.from('06082a811ccf5501822d', 'hex'));
  if (key.asymmetricKeyType !== 'rsa' && !sm2) {
    throw new Error(`环境变量 FORWARD_SIGN_KEY 必须是 RSA 或 SM2 私钥 / FORWARD_SIGN_KEY must be an RSA or SM2 private key`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(
      `FORWARD_SIGN_CERT 证书与 FORWARD_SIGN_KEY 私钥不匹配 / FORWARD_SIGN_CERT is not the certificate of the FORWARD_SIGN_KEY private key`,
    );
  }
  if (new Date(cert.validTo).getTime() < Date.now()) {
    throw new Error(`环境变量 FORWARD_SIGN_CERT 的证书已于 ${cert.validTo} 过期 / FORWARD_SIGN_CERT expired on ${cert.validTo}`);
  }
  return { keyPem, certPem };
}

/** FORWARD_DXP=1 with DXP ids of 1–16 letters and digits (the DxpMsg schema's limit). */
function forwardDxpOf(env: NodeJS.ProcessEnv): { senderId: string; receiverId: string } | undefined {
  const flag = env.FORWARD_DXP?.trim() ?? '';
  if (flag === '' || flag === '0') return undefined;
  if (flag !== '1') throw new Error(`环境变量 FORWARD_DXP 应为 1 或 0 / FORWARD_DXP must be 1 or 0, got "${flag}"`);
  const id = (name: string, value: string): string => {
    if (!/^[A-Za-z0-9]{1,16}$/.test(value)) {
      throw new Error(
        `环境变量 ${name} 应为 1–16 位字母或数字的 DXP 编号 / ${name} must be a DXP id of 1–16 letters and digits, got "${value}"`,
      );
    }
    return value;
  };
  return {
    senderId: id('FORWARD_DXP_SENDER', env.FORWARD_DXP_SENDER?.trim() || (env.CEB_DXP_ID ?? 'DXPCBECWINDOW01')),
    receiverId: id('FORWARD_DXP_RECEIVER', env.FORWARD_DXP_RECEIVER?.trim() || 'DXPEDCCEB0000002'),
  };
}

function trustProxyOf(raw: string | undefined): number | string[] | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops >= 1 && hops <= 10) return hops;
  } else {
    const ranges = v.split(',').map((x) => x.trim());
    const isRange = (r: string): boolean => {
      const [addr, bits, extra] = r.split('/');
      if (extra !== undefined || !addr || isIP(addr) === 0) return false;
      if (bits === undefined) return true;
      const max = isIP(addr) === 4 ? 32 : 128;
      return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
    };
    if (ranges.every(isRange)) return ranges;
  }
  throw new Error(
    `环境变量 TRUST_PROXY 应为代理层数（1–10）或以逗号分隔的代理地址/CIDR / TRUST_PROXY must be a number of proxy hops (1–10) or comma-separated proxy addresses or CIDR ranges, got "${v}"`,
  );
}

function headerNameOf(raw: string | undefined): string | undefined {
  const h = raw?.trim();
  if (!h) return undefined;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(h)) {
    throw new Error(
      `环境变量 TRUSTED_GEO_HEADER 应为 HTTP 头名称（字母、数字、-）/ TRUSTED_GEO_HEADER must be an HTTP header name (letters, digits, -), got "${h}"`,
    );
  }
  return h.toLowerCase();
}

function baseUrlOf(raw: string | undefined): string | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  let u: URL | undefined;
  try {
    u = new URL(v);
  } catch {
    u = undefined;
  }
  // An origin with an optional path prefix: printed labels must not carry a query or credentials.
  if (!u || !['http:', 'https:'].includes(u.protocol) || u.search || u.hash || u.username || u.password) {
    throw new Error(
      `环境变量 PUBLIC_BASE_URL 应为 http(s) 地址，不含查询串 / PUBLIC_BASE_URL must be an http(s) URL without query or fragment, got "${v}"`,
    );
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

function roleOf(raw: string | undefined): ProcessRole {
  const r = (raw ?? 'all').trim() || 'all';
  if (!(PROCESS_ROLES as readonly string[]).includes(r)) {
    throw new Error(
      `环境变量 CBEC_ROLE 必须是 ${PROCESS_ROLES.join('|')} / CBEC_ROLE must be one of ${PROCESS_ROLES.join('|')}, got "${r}"`,
    );
  }
  return r as ProcessRole;
}

function inspectionAuthorityOf(raw: string | undefined): InspectionAuthority {
  const a = (raw ?? 'customs').trim() || 'customs';
  if (!(INSPECTION_AUTHORITIES as readonly string[]).includes(a)) {
    throw new Error(
      `环境变量 INSPECTION_AUTHORITY 必须是 ${INSPECTION_AUTHORITIES.join('|')}（customs：检验检疫在海关内；agency：独立的检验检疫机构）/ INSPECTION_AUTHORITY must be one of ${INSPECTION_AUTHORITIES.join('|')} (customs: inspection inside customs; agency: a separate inspection agency), got "${a}"`,
    );
  }
  return a as InspectionAuthority;
}

function natsPrefixOf(raw: string | undefined): string {
  const p = (raw ?? 'cbec').trim() || 'cbec';
  // The prefix becomes a stream name and a subject token: no dots, spaces or wildcards.
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(p)) {
    throw new Error(
      `环境变量 NATS_PREFIX 只能含字母、数字、_ 和 - / NATS_PREFIX may hold only letters, digits, _ and -, got "${p}"`,
    );
  }
  return p;
}
