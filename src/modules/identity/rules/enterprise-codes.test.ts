import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCustomsCode, checkUscc, completeUscc, usccCheckChar } from './enterprise-codes.ts';

test('USCC check character follows GB 32100-2015', () => {
  // Published examples: 91350100M000100Y43 (a Fujian enterprise), 91110108551385082Q (Beijing).
  assert.equal(usccCheckChar('91350100M000100Y4'), '3');
  assert.equal(usccCheckChar('91110108551385082'), 'Q');
  assert.deepEqual(checkUscc('91350100M000100Y43'), { ok: true });
  assert.deepEqual(checkUscc('91110108551385082Q'), { ok: true });
});

test('USCC errors name the rule', () => {
  assert.equal((checkUscc('9111010855138508') as { rule: string }).rule, 'length');
  assert.equal((checkUscc('91110108551385082O') as { rule: string }).rule, 'charset');
  const wrong = checkUscc('91110108551385082R');
  assert.equal(wrong.ok, false);
  assert.equal((wrong as { rule: string }).rule, 'checkCharacter');
  assert.match((wrong as { en: string }).en, /expected "Q"/);
});

test('completeUscc produces codes that check', () => {
  for (const body of ['91360100MA35F0001', '91360200MA35F0888', '12360000014500000']) {
    assert.deepEqual(checkUscc(completeUscc(body)), { ok: true });
  }
});

test('customs code is 10 digits or capitals', () => {
  assert.deepEqual(checkCustomsCode('3601960001'), { ok: true });
  assert.equal(checkCustomsCode('360196000').ok, false);
  assert.equal(checkCustomsCode('36019600a1').ok, false);
});
