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

test('demo data on a PostgreSQL server (DATABASE_URL): off unless DEMO=1, on in tests', () => {
  const url = 'postgres://cbec@db.example:5432/cbec';
  const cases: [NodeJS.ProcessEnv, boolean][] = [
    [{ DATABASE_URL: url }, false],
    [{ DATABASE_URL: url, NODE_ENV: 'development' }, false],
    [{ DATABASE_URL: url, NODE_ENV: 'production' }, false],
    [{ DATABASE_URL: url, DEMO: '1' }, true],
    [{ DATABASE_URL: url, NODE_ENV: 'production', DEMO: '1' }, true],
    [{ DATABASE_URL: url, NODE_ENV: 'test' }, true],
    [{ DATABASE_URL: url, NODE_ENV: 'test', DEMO: '0' }, false],
    // an empty DATABASE_URL is no server: the embedded database, demo on outside production
    [{ DATABASE_URL: ' ' }, true],
    [{ DATABASE_URL: url, DEMO: '' }, false],
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

test('INSPECTION_AUTHORITY: inspection inside customs by default (since 2018), or a separate agency', () => {
  assert.equal(loadConfig({}).inspectionAuthority, 'customs');
  assert.equal(loadConfig({ INSPECTION_AUTHORITY: '' }).inspectionAuthority, 'customs');
  assert.equal(loadConfig({ INSPECTION_AUTHORITY: 'customs' }).inspectionAuthority, 'customs');
  assert.equal(loadConfig({ INSPECTION_AUTHORITY: ' agency ' }).inspectionAuthority, 'agency');
  for (const bad of ['ciq', 'Agency', 'both', 'customs,agency']) {
    assert.throws(
      () => loadConfig({ INSPECTION_AUTHORITY: bad }),
      /环境变量 INSPECTION_AUTHORITY 必须是 customs\|agency.*\/ INSPECTION_AUTHORITY must be one of customs\|agency .*got "/,
      bad,
    );
  }
});

test('TRUST_PROXY: hops or proxy addresses, anything else refused naming the variable', () => {
  assert.equal(loadConfig({}).trustProxy, undefined);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1', '::1']);
  for (const bad of ['0', '11', 'true', '10.0.0.0/33', '10.0.0/8', 'proxy.local', '10.0.0.1/8/1']) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), /环境变量 TRUST_PROXY.*\/ TRUST_PROXY must be/, bad);
  }
});

test('PREPARED_STATEMENTS: named statements on unless set to 0 (ADR 0027)', () => {
  assert.equal(loadConfig({}).preparedStatements, true);
  assert.equal(loadConfig({ PREPARED_STATEMENTS: '1' }).preparedStatements, true);
  assert.equal(loadConfig({ PREPARED_STATEMENTS: '0' }).preparedStatements, false);
});
