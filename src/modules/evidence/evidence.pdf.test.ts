import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError, httpStatusOf, toProblem } from '../../kernel/errors.ts';
import { cjkFont } from './evidence.pdf.ts';

test('without a CJK font the PDF is refused as 503, naming the font package to install, Chinese first', () => {
  let caught: unknown;
  try {
    cjkFont(['/nonexistent/cbec-test-font.ttc']);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DomainError, 'a DomainError, not a plain Error (a plain one answers 500)');
  assert.equal(caught.code, 'evidence.unavailable');
  assert.equal(httpStatusOf(caught.code), 503);
  const problem = toProblem(caught);
  assert.equal(problem.title, 'Service Unavailable');
  assert.match(problem.detailZh, /中文字体.*fonts-wqy-zenhei/);
  assert.match(problem.detailEn, /CJK font.*fonts-wqy-zenhei.*CJK_FONT/);
  assert.ok(problem.detail.startsWith(problem.detailZh), 'Chinese first');
});

test('a font that is present is used', () => {
  assert.equal(cjkFont(['/nonexistent/x.ttc', import.meta.filename]).path, import.meta.filename);
});
