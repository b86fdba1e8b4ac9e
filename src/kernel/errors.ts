/**
 * Business rule violations travel as DomainError; business *outcomes* (a rejected inventory,
 * a held parcel) are states with receipts, never exceptions (DESIGN.md §3).
 * Every message is bilingual: Chinese first, English second.
 */
export interface Bilingual {
  zh: string;
  en: string;
}

export interface FieldProblem {
  /** JSON path or CEB field path, e.g. `body.username` or `Order[3]/OrderList[2]/qty` */
  field: string;
  /** machine-readable rule id, e.g. `required`, `maxLength`, `codeTable` */
  rule: string;
  message: Bilingual;
  value?: unknown;
}

export type DomainErrorDetails = Record<string, unknown> & { errors?: FieldProblem[] };

export class DomainError extends Error {
  readonly code: string;
  readonly bilingual: Bilingual;
  readonly details: DomainErrorDetails | undefined;

  constructor(code: string, message: Bilingual, details?: DomainErrorDetails) {
    super(`${message.zh} / ${message.en}`);
    this.name = 'DomainError';
    this.code = code;
    this.bilingual = message;
    this.details = details;
  }
}

/**
 * The one table from error code to HTTP status. Module codes are `<module>.<reason>`;
 * the part after the last dot decides the status when the full code is not listed, so
 * modules rarely need to touch this table.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  validation: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  invalid_state: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  unprocessable: 422,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function httpStatusOf(code: string): number {
  const direct = STATUS_BY_CODE[code];
  if (direct !== undefined) return direct;
  const reason = code.slice(code.lastIndexOf('.') + 1);
  return STATUS_BY_CODE[reason] ?? 500;
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  detailZh: string;
  detailEn: string;
  instance?: string;
  errors?: FieldProblem[];
  [key: string]: unknown;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function toProblem(err: DomainError, requestId?: string): ProblemJson {
  const status = httpStatusOf(err.code);
  const { errors, ...rest } = err.details ?? {};
  // Details never override the standard members (a detail named `code` once did).
  const problem: ProblemJson = {
    ...rest,
    type: `urn:cbec:error:${err.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code: err.code,
    detail: err.message,
    detailZh: err.bilingual.zh,
    detailEn: err.bilingual.en,
  };
  if (errors) problem.errors = errors;
  if (requestId) problem.instance = `urn:cbec:request:${requestId}`;
  return problem;
}

export const notFound = (what: Bilingual = { zh: '记录', en: 'record' }): DomainError =>
  new DomainError('not_found', { zh: `${what.zh}不存在`, en: `${what.en} not found` });

export const forbidden = (): DomainError => new DomainError('forbidden', { zh: '无权执行此操作', en: 'You may not do this' });

export const validationError = (errors: FieldProblem[]): DomainError =>
  new DomainError(
    'validation',
    {
      zh: `输入有误：${errors.map((e) => `${e.field}（${e.message.zh}）`).join('；')}`,
      en: `Invalid input: ${errors.map((e) => `${e.field} (${e.message.en})`).join('; ')}`,
    },
    { errors },
  );
