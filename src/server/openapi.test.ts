import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderOpenApi } from './openapi.ts';

test('the committed openapi.json matches the routes (run `npm run openapi` after changing an API)', async () => {
  const committed = await readFile('openapi.json', 'utf8');
  const current = await renderOpenApi();
  assert.ok(current === committed, 'openapi.json is stale: run `npm run openapi` and commit the result');
  const doc = JSON.parse(current) as { openapi: string; paths: Record<string, Record<string, { 'x-permission'?: string }>> };
  assert.equal(doc.openapi, '3.0.3');
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(op['x-permission'], `${method.toUpperCase()} ${path} documents its permission`);
    }
  }
  assert.ok(doc.paths['/api/v1/auth/login']?.post);
  assert.ok(doc.paths['/api/v1/codes/{table}']?.get);
});
