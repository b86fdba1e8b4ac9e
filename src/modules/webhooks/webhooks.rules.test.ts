import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './rules/retry.ts';
import { signWebhook, verifyWebhookSignature } from './rules/signature.ts';
import { checkWebhookTopics, orderedTopics } from './rules/topics.ts';
import { checkWebhookUrl, isPrivateAddress } from './rules/url.ts';

const SECRET = 'whsec_test-secret';
const BODY = JSON.stringify({ subscriptionId: 's', deliveryId: 'd', items: [{ id: 1, seq: 1 }] });
const NOW = 1_790_000_000_000;
const T = Math.floor(NOW / 1000);

test('a signature verifies with the secret, the body and a fresh timestamp', () => {
  const header = signWebhook(SECRET, BODY, T);
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.equal(verifyWebhookSignature(SECRET, header, BODY, 300, NOW), true);
  assert.equal(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), 300, NOW), true, 'raw bytes verify too');
  // Several v1 values (e.g. during a rotation): one matching is enough.
  assert.equal(verifyWebhookSignature(SECRET, `${header},v1=${'0'.repeat(64)}`, BODY, 300, NOW), true);
});

test('a tampered body, a wrong secret, a stale or future timestamp, or a malformed header fail', () => {
  const header = signWebhook(SECRET, BODY, T);
  assert.equal(verifyWebhookSignature(SECRET, header, BODY.replace('"seq":1', '"seq":2'), 300, NOW), false, 'tampered body');
  assert.equal(verifyWebhookSignature('whsec_other', header, BODY, 300, NOW), false, 'wrong secret');
  assert.equal(verifyWebhookSignature(SECRET, header, BODY, 300, NOW + 301_000), false, 'stale timestamp');
  assert.equal(verifyWebhookSignature(SECRET, header, BODY, 300, NOW - 301_000), false, 'timestamp in the future');
  assert.equal(verifyWebhookSignature(SECRET, header, BODY, 300, NOW + 299_000), true, 'within tolerance');
  // The timestamp is signed: moving it breaks the signature.
  assert.equal(verifyWebhookSignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, 300, NOW), false);
  for (const bad of [undefined, null, '', 'garbage', `t=${T}`, `v1=${'a'.repeat(64)}`, `t=x,v1=${'a'.repeat(64)}`]) {
    assert.equal(verifyWebhookSignature(SECRET, bad, BODY, 300, NOW), false, String(bad));
  }
});

test('private, loopback, link-local and mapped addresses are recognised', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'ff02::1']) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '172.32.0.1', '2606:4700:4700::1111']) assert.equal(isPrivateAddress(a), false, a);
  assert.equal(isPrivateAddress('not-an-ip'), true);
});

test('the URL guard refuses loopback and private receivers unless allowed', async () => {
  const resolve = async (host: string): Promise<string[]> =>
    ({
      'hooks.example.com': ['93.184.216.34'],
      localhost: ['127.0.0.1', '::1'],
      'rebind.example.com': ['93.184.216.34', '10.0.0.5'],
    })[host] ?? Promise.reject(new Error('ENOTFOUND'));
  const check = (url: string, allowPrivate = false) => checkWebhookUrl(url, { allowPrivate, resolve });

  assert.equal(await check('https://hooks.example.com/cbec'), null);
  assert.equal(await check('http://93.184.216.34:8443/in'), null);
  for (const url of [
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/',
    'https://rebind.example.com/',
  ]) {
    assert.equal((await check(url))?.rule, 'privateAddress', url);
  }
  assert.equal((await check('ftp://hooks.example.com/'))?.rule, 'protocol');
  assert.equal((await check('not a url'))?.rule, 'format');
  assert.equal((await check('https://user:pw@hooks.example.com/'))?.rule, 'credentials');
  assert.equal((await check('https://nowhere.invalid/'))?.rule, 'resolve');
  // WEBHOOK_ALLOW_PRIVATE=1
  assert.equal(await check('http://127.0.0.1:8080/hook', true), null);
  assert.equal(await check('http://localhost/hook', true), null);
  assert.equal((await check('ftp://127.0.0.1/', true))?.rule, 'protocol', 'the scheme is still checked');
});

test('back-off doubles from 5 s and stops at 1 h', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelayMs(n)),
    [5_000, 10_000, 20_000, 40_000],
  );
  assert.equal(retryDelayMs(15), 3_600_000);
  assert.equal(retryDelayMs(1000), 3_600_000);
});

test('topics: at least one, each known, none twice; kept in WEBHOOK_TOPICS order', () => {
  assert.equal(checkWebhookTopics(['receipts']), null);
  assert.equal(checkWebhookTopics(['summary.deadline_reminder', 'receipts']), null);
  const rule = (topics: string[]) => {
    const p = checkWebhookTopics(topics);
    return p && [p.field, p.rule, p.value];
  };
  assert.deepEqual(rule([]), ['topics', 'minItems', undefined]);
  assert.deepEqual(rule(['receipts', 'tracking']), ['topics', 'enum', 'tracking']);
  assert.deepEqual(rule(['receipts', 'receipts']), ['topics', 'uniqueItems', 'receipts']);
  assert.deepEqual(rule(Array.from({ length: 11 }, () => 'receipts')), ['topics', 'maxItems', undefined]);
  const p = checkWebhookTopics(['Receipts'])!;
  assert.match(p.message.zh, /未知主题 Receipts/);
  assert.match(p.message.en, /unknown topic Receipts \(one of: receipts, summary\.deadline_reminder\)/);
  assert.deepEqual(orderedTopics(['summary.deadline_reminder', 'receipts']), ['receipts', 'summary.deadline_reminder']);
});
