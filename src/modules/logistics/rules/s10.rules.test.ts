import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkS10, looksLikeS10, s10CheckDigit } from './s10.rules.ts';

// AA473124829GB is the worked example of UPU S10; the others exercise each branch of the rule
// (remainder 1 → check 0, remainder 0 → check 5) and the usual China Post EMS / air parcel prefixes.
const CASES: { no: string; ok: boolean; rule?: string; expected?: number }[] = [
  { no: 'AA473124829GB', ok: true },
  { no: 'EE123456785CN', ok: true },
  { no: 'RR100000140CN', ok: true },
  { no: 'LX100000025CN', ok: true },
  { no: 'CP040123453CN', ok: true },
  { no: 'ee 123 456 785 cn', ok: true },
  { no: 'AA473124828GB', ok: false, rule: 's10CheckDigit', expected: 9 },
  { no: 'EE123456784CN', ok: false, rule: 's10CheckDigit', expected: 5 },
  { no: 'RR100000145CN', ok: false, rule: 's10CheckDigit', expected: 0 },
  { no: 'E123456785CN', ok: false, rule: 's10Format' },
  { no: 'EE12345678CN', ok: false, rule: 's10Format' },
  { no: 'EE1234567855', ok: false, rule: 's10Format' },
  { no: 'T000000001CN', ok: false, rule: 's10Format' },
];

for (const c of CASES) {
  test(`S10 ${c.no}: ${c.ok ? 'valid' : c.rule}`, () => {
    const r = checkS10(c.no);
    assert.equal(r.ok, c.ok);
    if (!r.ok) {
      assert.equal(r.rule, c.rule);
      assert.equal(r.expected, c.expected);
    }
  });
}

test('check digit table: serial → digit', () => {
  const table: [string, number][] = [
    ['47312482', 9],
    ['12345678', 5],
    ['10000014', 0],
    ['10000002', 5],
    ['98765432', 6],
  ];
  for (const [serial, digit] of table) assert.equal(s10CheckDigit(serial), digit, serial);
  assert.throws(() => s10CheckDigit('1234567'));
});

test('shape only', () => {
  assert.equal(looksLikeS10('EE123456784CN'), true);
  assert.equal(looksLikeS10('SF1234567890'), false);
});
