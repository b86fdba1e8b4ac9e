import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFindingCodes, FINDING_CATEGORIES, FINDING_CODES, normaliseCodes } from './finding-codes.rules.ts';

test('finding codes: a code list, validated against the result', () => {
  const cases: { result: 'pass' | 'fail'; codes: string[]; problems: string[] }[] = [
    { result: 'pass', codes: ['C01'], problems: [] },
    { result: 'pass', codes: ['q00', ' Q01 '], problems: [] },
    { result: 'pass', codes: ['Q00', 'T01'], problems: [] },
    { result: 'fail', codes: ['Q20'], problems: [] },
    { result: 'fail', codes: ['Q10', 'C10'], problems: [] },
    { result: 'pass', codes: [], problems: ['codes:required'] },
    { result: 'fail', codes: [], problems: ['codes:required'] },
    { result: 'pass', codes: ['Q9'], problems: ['codes[0]:code'] },
    { result: 'pass', codes: ['C01', 'bad', 'C01'], problems: ['codes[1]:code', 'codes[2]:unique'] },
    { result: 'pass', codes: ['Q20'], problems: ['codes[0]:result'] },
    { result: 'fail', codes: ['Q00'], problems: ['codes[0]:result', 'codes:failureCode'] },
    { result: 'fail', codes: ['T01', 'Q21'], problems: ['codes[0]:result'] },
    { result: 'fail', codes: ['X'], problems: ['codes[0]:code', 'codes:failureCode'] },
  ];
  for (const c of cases) {
    const got = checkFindingCodes(c.result, c.codes);
    assert.deepEqual(
      got.map((p) => `${p.field}:${p.rule}`),
      c.problems,
      `${c.result} ${JSON.stringify(c.codes)}`,
    );
    for (const p of got) {
      assert.match(p.message.zh, /[\u4e00-\u9fff]/, 'Chinese first');
      assert.match(p.message.en, /[a-z]/);
    }
  }
});

test('an unknown code is named with the list it must come from, in both languages', () => {
  const [p] = checkFindingCodes('pass', ['合格']);
  assert.equal(p!.field, 'codes[0]');
  assert.match(p!.message.zh, /查验结果代码 合格 不在代码表中.*C01/);
  assert.match(p!.message.en, /result code 合格 is not in the code list.*C01/);
});

test('the code list: unique codes, each of a known category, every category used', () => {
  assert.equal(new Set(FINDING_CODES.map((c) => c.code)).size, FINDING_CODES.length);
  for (const c of FINDING_CODES) assert.ok((FINDING_CATEGORIES as readonly string[]).includes(c.category), c.code);
  for (const cat of FINDING_CATEGORIES)
    assert.ok(
      FINDING_CODES.some((c) => c.category === cat),
      cat,
    );
  assert.deepEqual(normaliseCodes([' q20', 'T01']), ['Q20', 'T01']);
});
