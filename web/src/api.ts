/**
 * The one fetch wrapper of the web shell. Same origin, session cookie (httpOnly) travels by
 * itself; errors arrive as application/problem+json and become an {@link ApiError}.
 */
import type { Locale } from './types.ts';

export const API_BASE = '/api/v1';

export interface FieldProblem {
  field: string;
  rule: string;
  message: { zh: string; en: string };
  /** order-file problems also name the row and column of the file */
  row?: number;
  column?: string;
  value?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detailZh: string;
  readonly detailEn: string;
  readonly errors: FieldProblem[];

  constructor(init: { status: number; code: string; detailZh: string; detailEn: string; errors?: FieldProblem[] }) {
    super(`${init.detailZh} / ${init.detailEn}`);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detailZh = init.detailZh;
    this.detailEn = init.detailEn;
    this.errors = init.errors ?? [];
  }

  /** The message in the language the user reads. */
  localized(locale: Locale): string {
    return locale === 'en' ? this.detailEn : this.detailZh;
  }
}

/** Fallback messages when the server (or a proxy) answers without problem+json. */
const FALLBACK: Readonly<Record<number, { zh: string; en: string }>> = {
  0: { zh: '无法连接服务器，请检查网络', en: 'Cannot reach the server; check the network' },
  400: { zh: '请求有误', en: 'Bad request' },
  401: { zh: '请先登录', en: 'Please log in' },
  403: { zh: '无权执行此操作', en: 'You may not do this' },
  404: { zh: '记录不存在', en: 'Not found' },
  409: { zh: '数据已被修改或冲突', en: 'Conflict' },
  423: { zh: '账户已锁定，请稍后再试', en: 'The account is locked; try again later' },
  429: { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts; try again later' },
  500: { zh: '服务器内部错误', en: 'Internal server error' },
  502: { zh: '服务器暂不可用', en: 'The server is unavailable' },
  503: { zh: '服务暂不可用', en: 'The service is unavailable' },
};

function fallbackError(status: number): ApiError {
  const text = FALLBACK[status] ?? {
    zh: `请求失败（HTTP ${status}）`,
    en: `Request failed (HTTP ${status})`,
  };
  return new ApiError({ status, code: `http_${status}`, detailZh: text.zh, detailEn: text.en });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

async function toApiError(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return fallbackError(res.status);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return fallbackError(res.status);
  }
  if (!isRecord(body)) return fallbackError(res.status);
  const base = fallbackError(res.status);
  const detail = str(body.detail) ?? str(body.message);
  const errors = Array.isArray(body.errors) ? (body.errors as FieldProblem[]) : [];
  return new ApiError({
    status: res.status,
    code: str(body.code) ?? base.code,
    detailZh: str(body.detailZh) ?? detail ?? base.detailZh,
    detailEn: str(body.detailEn) ?? detail ?? base.detailEn,
    errors,
  });
}

export type Query = Record<string, string | number | null | undefined>;

/** `path` under /api/v1 plus the non-empty query parameters. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** bytes sent as they are (a file), with `contentType`; instead of a JSON `body` */
  rawBody?: Blob | ArrayBuffer;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Calls the API and resolves to the parsed JSON body (or `undefined` for 204).
 * The caller states the answer type `T`; the server's schema is the source of truth.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const init: RequestInit = {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers,
  };
  if (options.signal) init.signal = options.signal;
  if (options.rawBody !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/octet-stream';
    init.body = options.rawBody;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw fallbackError(0);
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined as T;
  return (await res.json()) as T;
}

/** A fresh idempotency key for a POST that creates something. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Any thrown value as a message in the user's language. */
export function errorMessage(err: unknown, locale: Locale): string {
  if (err instanceof ApiError) return err.localized(locale);
  if (err instanceof Error) return err.message;
  return String(err);
}
