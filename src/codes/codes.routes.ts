import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError } from '../kernel/errors.ts';
import { getCode, hsElementsEntry, isCodeTableName, isValidCode, listCodeTables, searchCodes } from './codes.lookup.ts';
import type { CodeTableName } from './codes.lookup.ts';

const DeclarationElementSchema = Type.Object({
  element: Type.String({ description: 'element name, as customs publishes it (Chinese)' }),
  required: Type.Boolean({ description: 'must be declared' }),
});

const CodeEntrySchema = Type.Object(
  {
    code: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.Optional(Type.String()),
    elements: Type.Optional(
      // Immutable: the lookups hand out their frozen entries as they are
      Type.Immutable(
        Type.Array(DeclarationElementSchema, {
          description:
            'declaration elements (申报要素): on hs-elements entries, and on one hs entry (GET /codes/hs/{code}) those of its longest published prefix (empty when none)',
        }),
      ),
    ),
    elementsFrom: Type.Optional(
      Type.String({
        description: 'GET /codes/hs/{code}: the hs-elements code (an HS prefix of 4–10 digits) the elements come from',
      }),
    ),
  },
  {
    additionalProperties: true,
    description: 'A code table entry; tables add their own fields (iso, district, elements …)',
  },
);

const CodeTableListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      table: Type.String(),
      nameZh: Type.String(),
      nameEn: Type.String(),
      count: Type.Integer(),
    }),
  ),
});

const TableParams = Type.Object({
  table: Type.String({ minLength: 1, maxLength: 40, description: 'code table name, e.g. country, hs, customs' }),
});

const CodeParams = Type.Object({
  table: Type.String({ minLength: 1, maxLength: 40 }),
  code: Type.String({ minLength: 1, maxLength: 40 }),
});

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'code prefix or name substring (Chinese or English)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

const SearchResultSchema = Type.Object({
  table: Type.String(),
  total: Type.Integer(),
  items: Type.Array(CodeEntrySchema),
});

function tableNotFound(table: string): DomainError {
  return new DomainError('codes.not_found', { zh: `代码表 ${table} 不存在`, en: `Code table ${table} not found` }, { table });
}

function knownTable(table: string): CodeTableName {
  if (!isCodeTableName(table)) throw tableNotFound(table);
  return table;
}

export function registerCodeRoutes(app: FastifyInstance): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/codes',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['codes'],
        summary: 'List the customs code tables / 代码表列表',
        response: { 200: CodeTableListSchema },
      },
    },
    async () => ({ items: listCodeTables() }),
  );

  r.get(
    '/api/v1/codes/:table',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['codes'],
        summary: 'Search a code table by code prefix or name / 按代码前缀或名称查询代码表',
        params: TableParams,
        querystring: SearchQuery,
        response: { 200: SearchResultSchema },
      },
    },
    async (req) => {
      const table = knownTable(req.params.table);
      const { total, items } = searchCodes(table, req.query.q, {
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      });
      return { table, total, items };
    },
  );

  r.get(
    '/api/v1/codes/:table/:code',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['codes'],
        summary: 'One code table entry / 查询单个代码',
        description:
          'An HS code (`hs`) comes with its declaration elements (申报要素, `elements`) from the longest published prefix. ' +
          '`hs-elements` takes the published prefix itself or a full 10-digit HS code (the longest prefix that has elements answers).',
        params: CodeParams,
        response: { 200: CodeEntrySchema },
      },
    },
    async (req) => {
      const table = knownTable(req.params.table);
      const { code } = req.params;
      const entry =
        getCode(table, code) ??
        (table === 'hs-elements' && /^\d{10}$/.test(code) && isValidCode('hs', code) ? hsElementsEntry(code) : undefined);
      if (entry && table === 'hs') {
        const from = hsElementsEntry(code);
        return { ...entry, elements: from?.elements ?? [], ...(from ? { elementsFrom: from.code } : {}) };
      }
      if (!entry) {
        throw new DomainError(
          'codes.not_found',
          {
            zh: `代码表 ${table} 中不存在代码 ${req.params.code}`,
            en: `Code ${req.params.code} not found in code table ${table}`,
          },
          { table, key: req.params.code },
        );
      }
      return entry;
    },
  );
}
