import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPasswords } from './common-passwords.ts';
import { checkPassword } from './password.rules.ts';

const CASES: { password: string; username: string; rules: string[] }[] = [
  { password: 'Tr0mbone-Lantern', username: 'seller', rules: [] },
  { password: 'correct horse battery', username: 'seller', rules: [] },
  { password: '青花瓷业出口跨境电商2026', username: 'seller', rules: [] },
  { password: 'short1A!', username: 'seller', rules: ['minLength'] },
  { password: 'abcdefghijklmnop', username: 'seller', rules: ['characterClasses'] },
  { password: '839201746523', username: 'seller', rules: ['characterClasses'] },
  { password: 'aaaa', username: 'seller', rules: ['minLength', 'characterClasses'] },
  { password: 'Seller-2026-xyz', username: 'seller', rules: ['notUsername'] },
  { password: 'Password1234', username: 'seller', rules: ['commonPassword'] },
  { password: 'QWERTY123456', username: 'seller', rules: ['commonPassword'] },
  { password: 'qwertyuiopas', username: 'seller', rules: ['characterClasses', 'commonPassword'] },
  { password: 'cbec-demo', username: 'seller', rules: ['minLength'] },
];

for (const c of CASES) {
  test(`password ${JSON.stringify(c.password)} → ${c.rules.join(', ') || 'accepted'}`, () => {
    const problems = checkPassword(c.password, c.username, commonPasswords());
    assert.deepEqual(
      problems.map((p) => p.rule),
      c.rules,
    );
    for (const p of problems) assert.ok(p.zh && p.en && /[\u4e00-\u9fff]/.test(p.zh), 'bilingual');
  });
}

test('the common-password list is loaded and only holds lower-case entries', () => {
  const list = commonPasswords();
  assert.ok(list.size > 50);
  for (const p of list) assert.equal(p, p.toLowerCase());
});
