import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, toProblem, type FieldProblem } from '../kernel/errors.ts';

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const RULE_ZH: Record<string, string> = {
  required: '必填',
  minLength: '太短',
  maxLength: '太长',
  pattern: '格式不对',
  format: '格式不对',
  type: '类型不对',
  enum: '不在允许的取值中',
  const: '不在允许的取值中',
  anyOf: '不在允许的取值中',
  minimum: '太小',
  maximum: '太大',
  additionalProperties: '不允许的字段',
  minItems: '项数太少',
  maxItems: '项数太多',
  uniqueItems: '有重复项',
};

/** How a value list reads in a message: at most twelve values, then an ellipsis. */
function listOf(values: unknown[], sep: string): string {
  const shown = values.slice(0, 12).map((x) => JSON.stringify(x));
  return shown.join(sep) + (values.length > 12 ? `${sep}…` : '');
}

/**
 * Fastify/Ajv schema errors → one FieldProblem per field, bilingual, naming field and rule. A union
 * of literals (TypeBox `Type.Union([Type.Literal(…), …])`) fails as one `const` error per member
 * and an `anyOf`: those become one problem with rule `enum` that lists the allowed values.
 */
export function ajvToProblems(validation: AjvError[], context: string | undefined): FieldProblem[] {
  const byPath = new Map<string, AjvError[]>();
  for (const v of validation) {
    const path = v.instancePath ?? '';
    byPath.set(path, [...(byPath.get(path) ?? []), v]);
  }
  const literalUnions = new Map<string, unknown[]>();
  for (const [path, errors] of byPath) {
    const consts = errors.filter((e) => e.keyword === 'const' && e.params && 'allowedValue' in e.params);
    if (consts.length > 0 && errors.every((e) => e.keyword === 'const' || e.keyword === 'anyOf'))
      literalUnions.set(
        path,
        consts.map((e) => e.params!.allowedValue),
      );
  }
  const done = new Set<string>();
  const out: FieldProblem[] = [];
  for (const v of validation) {
    const path = v.instancePath ?? '';
    let field = path.replace(/^\//, '').replace(/\//g, '.');
    const params = v.params ?? {};
    if (v.keyword === 'required' && typeof params.missingProperty === 'string') {
      field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    }
    if (v.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    }
    const full = [context ?? 'body', field].filter(Boolean).join('.');
    const allowed =
      literalUnions.get(path) ?? (v.keyword === 'enum' && Array.isArray(params.allowedValues) ? params.allowedValues : null);
    if (allowed) {
      if (done.has(path)) continue;
      done.add(path);
      out.push({
        field: full,
        rule: 'enum',
        message: {
          zh: `${full}：不在允许的取值中（允许：${listOf(allowed, '、')}）`,
          en: `${full} must be one of ${listOf(allowed, ', ')}`,
        },
      });
      continue;
    }
    const rule = v.keyword ?? 'invalid';
    out.push({
      field: full,
      rule,
      message: { zh: `${full}：${RULE_ZH[rule] ?? '无效'}`, en: `${full} ${v.message ?? 'is invalid'}` },
    });
  }
  return out;
}

export function sendProblem(reply: FastifyReply, err: DomainError, req: FastifyRequest): FastifyReply {
  const problem = toProblem(err, req.id);
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/** Maps every error to problem+json: DomainError by its code, framework errors by their kind. */
export function errorHandler(
  error: FastifyError & { validation?: AjvError[]; validationContext?: string },
  req: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof DomainError) return sendProblem(reply, error, req);
  if (error.validation) {
    const errors = ajvToProblems(error.validation, error.validationContext);
    return sendProblem(
      reply,
      new DomainError(
        'validation',
        {
          zh: `输入有误：${errors.map((e) => e.message.zh).join('；')}`,
          en: `Invalid input: ${errors.map((e) => e.message.en).join('; ')}`,
        },
        { errors },
      ),
      req,
    );
  }
  const status = error.statusCode ?? 500;
  if (status === 429) {
    return sendProblem(
      reply,
      new DomainError('rate_limited', { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' }),
      req,
    );
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return sendProblem(reply, new DomainError('payload_too_large', { zh: '请求体过大', en: 'Request body too large' }), req);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return sendProblem(
      reply,
      new DomainError('unsupported_media_type', { zh: '不支持的内容类型', en: 'Unsupported content type' }),
      req,
    );
  }
  if (status >= 400 && status < 500) {
    return sendProblem(
      reply,
      new DomainError('bad_request', { zh: `请求无效：${error.message}`, en: `Bad request: ${error.message}` }),
      req,
    );
  }
  req.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, new DomainError('internal', { zh: '服务器内部错误', en: 'Internal server error' }), req);
}
