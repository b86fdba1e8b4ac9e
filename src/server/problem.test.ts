import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import Fastify from 'fastify';
import { ajvToProblems, errorHandler } from './problem.ts';

test('a union of literals fails as one problem that names the field, the rule and the allowed values', async () => {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  app.get(
    '/x',
    {
      schema: {
        querystring: Type.Object({
          role: Type.Union(['warehouse', 'logistics', 'payment'].map((r) => Type.Literal(r))),
          size: Type.Optional(Type.Integer({ maximum: 10 })),
        }),
      },
    },
    async () => ({ ok: true }),
  );
  const bad = await app.inject({ method: 'GET', url: '/x?role=bogus' });
  assert.equal(bad.statusCode, 400);
  const body = bad.json() as { errors: { field: string; rule: string; message: { zh: string; en: string } }[]; detailZh: string };
  assert.deepEqual(
    body.errors.map((e) => [e.field, e.rule]),
    [['querystring.role', 'enum']],
  );
  assert.equal(body.errors[0]!.message.zh, 'querystring.role：不在允许的取值中（允许："warehouse"、"logistics"、"payment"）');
  assert.equal(body.errors[0]!.message.en, 'querystring.role must be one of "warehouse", "logistics", "payment"');
  assert.match(body.detailZh, /^输入有误：querystring\.role：不在允许的取值中/);
  // Other rules are reported as before, each once.
  const big = await app.inject({ method: 'GET', url: '/x?role=payment&size=11' });
  assert.deepEqual(
    (big.json() as { errors: { field: string; rule: string }[] }).errors.map((e) => [e.field, e.rule]),
    [['querystring.size', 'maximum']],
  );
  assert.equal((await app.inject({ method: 'GET', url: '/x?role=payment' })).statusCode, 200);
  await app.close();
});

test('a union that is not only literals keeps every error; enum errors list their values', () => {
  const mixed = ajvToProblems(
    [
      { instancePath: '/a', keyword: 'const', params: { allowedValue: 'x' }, message: 'must be equal to constant' },
      { instancePath: '/a', keyword: 'pattern', params: { pattern: '^[0-9]+$' }, message: 'must match pattern' },
      { instancePath: '/a', keyword: 'anyOf', params: {}, message: 'must match a schema in anyOf' },
    ],
    'body',
  );
  assert.deepEqual(
    mixed.map((p) => p.rule),
    ['const', 'pattern', 'anyOf'],
  );
  const listed = ajvToProblems(
    [
      {
        instancePath: '/kind',
        keyword: 'enum',
        params: { allowedValues: ['bag', 'pallet'] },
        message: 'must be equal to one of the allowed values',
      },
    ],
    'body',
  );
  assert.deepEqual(listed, [
    {
      field: 'body.kind',
      rule: 'enum',
      message: { zh: 'body.kind：不在允许的取值中（允许："bag"、"pallet"）', en: 'body.kind must be one of "bag", "pallet"' },
    },
  ]);
});
