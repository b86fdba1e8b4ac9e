import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError, httpStatusOf, toProblem, validationError } from './errors.ts';

test('one table maps codes to HTTP status; module codes fall back on their reason', () => {
  assert.equal(httpStatusOf('validation'), 400);
  assert.equal(httpStatusOf('not_found'), 404);
  assert.equal(httpStatusOf('identity.locked'), 423);
  assert.equal(httpStatusOf('clearance.duplicate'), 409);
  assert.equal(httpStatusOf('something.unheard_of'), 500);
});

test('problem+json is bilingual and details cannot override its standard members', () => {
  const e = new DomainError(
    'codes.not_found',
    { zh: '代码表不存在', en: 'Code table not found' },
    { code: 'x', status: 200, table: 'foo' },
  );
  const p = toProblem(e, 'req-1');
  assert.equal(p.status, 404);
  assert.equal(p.code, 'codes.not_found');
  assert.equal(p.detail, '代码表不存在 / Code table not found');
  assert.equal(p.detailZh, '代码表不存在');
  assert.equal(p.detailEn, 'Code table not found');
  assert.equal(p.table, 'foo');
  assert.equal(p.instance, 'urn:cbec:request:req-1');
});

test('validation errors list every field with its rule', () => {
  const e = validationError([
    { field: 'uscc', rule: 'checkCharacter', message: { zh: '校验位错误', en: 'wrong check character' }, value: 'X' },
    { field: 'name', rule: 'required', message: { zh: '必填', en: 'required' } },
  ]);
  const p = toProblem(e);
  assert.equal(p.status, 400);
  assert.equal(p.errors?.length, 2);
  assert.match(p.detailEn, /uscc \(wrong check character\); name \(required\)/);
});
