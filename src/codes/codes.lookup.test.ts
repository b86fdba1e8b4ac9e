import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CODE_TABLE_NAMES,
  allCodes,
  countryByIso,
  currencyByIso,
  customsDistrictOf,
  getCode,
  hsElements,
  hsElementsEntry,
  isCodeTableName,
  isValidCode,
  isWithinJurisdiction,
  listCodeTables,
  preloadCodeTables,
  searchCodes,
} from './index.ts';

// First on purpose: nothing is loaded yet (tables load lazily), so the delta is the whole cost.
test('loading every table (and its search index) stays well under 100 MB', () => {
  const before = process.memoryUsage();
  preloadCodeTables();
  for (const t of CODE_TABLE_NAMES) searchCodes(t, 'x', { limit: 1 });
  const after = process.memoryUsage();
  assert.ok(after.rss - before.rss < 100 * 1024 * 1024, `RSS grew by ${after.rss - before.rss} bytes`);
  assert.ok(after.heapUsed - before.heapUsed < 80 * 1024 * 1024, `heap grew by ${after.heapUsed - before.heapUsed} bytes`);
});

test('every table loads, is non-empty, sorted by unique code, and matches the manifest count', () => {
  const manifest = JSON.parse(readFileSync(new URL('./data/manifest.json', import.meta.url), 'utf8')) as {
    tables: Record<string, { count: number }>;
  };
  assert.deepEqual(Object.keys(manifest.tables).sort(), [...CODE_TABLE_NAMES].sort());
  for (const info of listCodeTables()) {
    const entries = allCodes(info.table);
    assert.ok(entries.length > 0, info.table);
    assert.equal(entries.length, manifest.tables[info.table]?.count, `${info.table} count`);
    for (let i = 1; i < entries.length; i++) {
      assert.ok(entries[i - 1]!.code < entries[i]!.code, `${info.table} order at ${entries[i]!.code}`);
    }
    assert.ok(info.nameZh && info.nameEn);
  }
  assert.ok(isCodeTableName('country'));
  assert.ok(!isCodeTableName('nope'));
});

test('country: customs numeric codes used in CEB', () => {
  assert.equal(getCode('country', '142')?.nameZh, '中国');
  assert.equal(getCode('country', '142')?.iso, 'CHN');
  assert.equal(getCode('country', '502')?.iso, 'USA');
  assert.equal(getCode('country', '502')?.nameZh, '美国');
  assert.equal(getCode('country', '303')?.nameEn, 'United Kingdom');
  assert.equal(getCode('country', '303')?.iso, 'GBR');
  assert.equal(getCode('country', '305')?.nameEn, 'France');
  assert.equal(getCode('country', '305')?.nameZh, '法国');
  assert.ok(!isValidCode('country', 'USA'), 'CEB uses the numeric code, not ISO');
  assert.equal(countryByIso('USA')?.code, '502');
  // shared customs code: 399 "Europe other" also stands for Guernsey
  assert.equal(countryByIso('GGY')?.code, '399');
  assert.ok(getCode('country', '399')?.aliases?.some((a) => a.iso === 'GGY'));
  assert.equal(getCode('country', '326')?.iso, 'NOR');
});

test('currency, unit, trade mode, transport mode, wrap type, fee flag', () => {
  assert.equal(getCode('currency', '142')?.iso, 'CNY');
  assert.equal(getCode('currency', '502')?.iso, 'USD');
  assert.equal(currencyByIso('EUR')?.code, '300');
  assert.equal(getCode('unit', '011')?.nameZh, '件');
  assert.equal(getCode('unit', '035')?.nameZh, '千克');
  assert.equal(getCode('unit', '035')?.nameEn, 'kilogram');
  for (const m of ['9610', '9710', '9810', '1210']) assert.ok(isValidCode('trade-mode', m), m);
  assert.equal(getCode('trade-mode', '9610')?.fullNameZh, '跨境贸易电子商务');
  assert.ok(!isValidCode('trade-mode', '9611'));
  assert.equal(getCode('transport-mode', '5')?.nameZh, '航空运输');
  for (const m of ['0', '9', 'G', 'H', 'L', 'T', 'W', 'X', 'Y', 'Z']) assert.ok(isValidCode('transport-mode', m), m);
  assert.equal(getCode('wrap-type', '2')?.nameZh, '纸箱');
  assert.deepEqual(
    allCodes('fee-flag').map((f) => [f.code, f.nameZh]),
    [
      ['1', '率'],
      ['2', '单价'],
      ['3', '总价'],
    ],
  );
});

test('customs districts, offices and jurisdiction', () => {
  assert.equal(getCode('customs', '4000')?.nameZh, '南昌关区');
  assert.equal(getCode('customs', '4006')?.nameZh, '南昌昌北机场海关');
  assert.equal(getCode('customs', '4006')?.level, 'office');
  assert.equal(getCode('customs', '4000')?.level, 'district');
  assert.equal(getCode('customs', '0000')?.level, 'gacc');
  assert.equal(customsDistrictOf('4006'), '4000');
  assert.equal(customsDistrictOf('4000'), '4000');
  assert.equal(customsDistrictOf('9999'), undefined);

  assert.ok(isWithinJurisdiction('4000', '4006'));
  assert.ok(isWithinJurisdiction('4000', '4000'));
  assert.ok(!isWithinJurisdiction('4000', '5300'));
  assert.ok(!isWithinJurisdiction('4000', '0000'));
  assert.ok(isWithinJurisdiction('0000', '4006'));
  assert.ok(isWithinJurisdiction('0000', '5300'));
  assert.ok(isWithinJurisdiction('0000', '4000'));
  assert.ok(isWithinJurisdiction('4006', '4006'));
  assert.ok(!isWithinJurisdiction('4006', '4002'));
  assert.ok(!isWithinJurisdiction('4006', '4000'));
  assert.ok(!isWithinJurisdiction('0000', '9999'), 'unknown office');
  assert.ok(!isWithinJurisdiction('9900', '9901'), 'unknown jurisdiction');
});

test('HS codes and CIQ codes', () => {
  for (const hs of ['6911101900', '6913100000', '0805100000']) assert.ok(isValidCode('hs', hs), hs);
  assert.ok(!isValidCode('hs', '6911101901'));
  assert.ok(!isValidCode('hs', '691110190'));
  assert.equal(getCode('hs', '6911101900')?.nameZh, '其他瓷餐具');
  assert.equal(getCode('hs', '0805100000')?.nameZh, '鲜或干的橙');
  assert.deepEqual(getCode('hs', '6911101900')?.ciqCodes, ['6911101900101', '6911101900102']);
  assert.equal(getCode('ciq-code', '6911101900101')?.nameZh, '其他瓷餐具(食品接触陶瓷产品)');
  assert.equal(getCode('ciq-code', '6911101900101')?.hs, '6911101900');
  assert.equal(getCode('ciq-code', '6913100000999')?.nameZh, '瓷塑像及其他装饰用瓷制品');
});

test('declaration elements: longest CODE_TS prefix', () => {
  const els = hsElements('6911101900');
  assert.ok(els.length > 0);
  assert.ok(els.some((e) => e.required));
  assert.ok(els.some((e) => e.element === '品牌类型' && e.required));
  assert.ok(els.some((e) => e.element === 'GTIN' && !e.required));
  assert.equal(hsElementsEntry('6911101900')?.code, '6911101');
  assert.equal(hsElementsEntry('6402991000')?.code, '64029');
  assert.deepEqual(hsElements('12'), []);
  assert.deepEqual(hsElements('0000000000'), []);
});

test('search by code prefix, Chinese and English name', () => {
  const zh = searchCodes('country', '美国');
  assert.ok(zh.items.some((c) => c.code === '502'));
  const en = searchCodes('country', 'united states');
  assert.ok(en.items.some((c) => c.code === '502'));
  assert.ok(
    searchCodes('country', 'usa').items.some((c) => c.code === '502'),
    'ISO code is searchable',
  );
  assert.ok(
    searchCodes('country', 'guernsey').items.some((c) => c.code === '399'),
    'aliases are searchable',
  );

  const byCode = searchCodes('customs', '40');
  assert.equal(byCode.items[0]?.code, '4000');
  assert.ok(byCode.items.every((c) => c.code.startsWith('40')));
  const exactFirst = searchCodes('country', '142');
  assert.equal(exactFirst.items[0]?.code, '142');

  const port = searchCodes('foreign-port', 'Los Angeles');
  assert.ok(
    port.items.some((p) => p.code === '3154'),
    'whitespace-insensitive: the source writes LOSANGELES',
  );
  assert.ok(searchCodes('foreign-port', '洛杉矶').items.some((p) => p.code === '3154'));
  assert.ok(searchCodes('customs', '昌北').items.some((c) => c.code === '4006'));
  assert.ok(searchCodes('hs', '瓷餐具').total > 0);

  const page1 = searchCodes('hs', '69', { limit: 5, offset: 0 });
  const page2 = searchCodes('hs', '69', { limit: 5, offset: 5 });
  assert.equal(page1.items.length, 5);
  assert.equal(page1.total, page2.total);
  assert.notEqual(page1.items[0]?.code, page2.items[0]?.code);
  assert.equal(searchCodes('unit', '').total, allCodes('unit').length);
  assert.equal(searchCodes('unit', 'zzzzzz').total, 0);
});

test('ports', () => {
  const la = getCode('foreign-port', '3154');
  assert.equal(la?.nameZh, '洛杉矶');
  assert.equal(la?.nameEn, 'LOSANGELES');
  assert.equal(la?.country, '502');
  assert.equal(getCode('port', 'CHN685')?.nameZh, '南昌昌北机场（中国）');
  assert.ok(isValidCode('domestic-port', 'CHN685'));
  assert.ok(isValidCode('domestic-port', '993601'));
  assert.ok(isValidCode('port', 'AUS162'));
  assert.ok(!isValidCode('domestic-port', 'AUS162'));
});

test('lookups are Map/Set-backed and entries are frozen', () => {
  // Design, not timing: each validation is a Map hit (hsElements: at most 7 of them).
  assert.ok(Object.isFrozen(getCode('country', '142')));
  assert.ok(Object.isFrozen(allCodes('country')));
  assert.throws(() => {
    (getCode('customs', '4006') as { nameZh: string }).nameZh = 'x';
  });
});
