import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { seedDemo } from '../../server/platform.ts';

let tp: TestPlatform;

before(async () => {
  tp = await startTestPlatform({ listen: false });
});
after(async () => {
  await tp.stop();
});

const attempt = (password: string) =>
  tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'seller', password },
    remoteAddress: '10.99.0.1',
  });

test('cbec seed puts the demo log-ins back: a changed password and a lock-out are undone', async () => {
  const token = await login(tp.platform, 'seller');
  const changed = await tp.platform.app.inject({
    method: 'PUT',
    url: '/api/v1/auth/me/password',
    headers: { authorization: `Bearer ${token}` },
    payload: { currentPassword: 'cbec-demo', newPassword: 'a-new-long-passphrase-2026' },
  });
  assert.ok(changed.statusCode < 300, changed.body);
  for (let i = 0; i < 6; i++) await attempt('wrong-password');
  const locked = await attempt('a-new-long-passphrase-2026');
  assert.notEqual(locked.statusCode, 200, 'locked out after repeated failures');
  assert.notEqual((await attempt('cbec-demo')).statusCode, 200);

  await seedDemo(tp.platform);
  assert.equal((await attempt('cbec-demo')).statusCode, 200, 'the demo password works again, the lock is gone');
});
