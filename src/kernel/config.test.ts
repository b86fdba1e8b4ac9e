import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

test('demo data: on in development and tests, off in production unless DEMO says so', () => {
  const cases: [NodeJS.ProcessEnv, boolean][] = [
    [{}, true],
    [{ NODE_ENV: 'test' }, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', DEMO: '1' }, true],
    [{ NODE_ENV: 'production', DEMO: 'true' }, true],
    [{ NODE_ENV: 'development', DEMO: '0' }, false],
  ];
  for (const [env, demo] of cases) assert.equal(loadConfig(env).demo, demo, JSON.stringify(env));
});

test('a bad setting stops the start with a bilingual message naming the variable', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /环境变量 PORT.*\/ PORT must be a non-negative integer, got "eighty"/);
  assert.throws(() => loadConfig({ LOGIN_MAX_FAILURES: '-1' }), /LOGIN_MAX_FAILURES must be a non-negative integer/);
  assert.throws(() => loadConfig({ CBEC_ROLE: 'boss' }), /CBEC_ROLE must be one of all\|api\|worker, got "boss"/);
  assert.equal(loadConfig({ PORT: '9090' }).port, 9090);
  assert.equal(loadConfig({}).port, 8080);
});
