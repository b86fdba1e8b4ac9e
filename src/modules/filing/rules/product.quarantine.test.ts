import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidCode } from '../../../codes/index.ts';
import { filedQuarantineCategory, HS_QUARANTINE_CATEGORIES, QUARANTINE_CATEGORIES, quarantineCategoryOf } from './product.ts';

test('the quarantine category an HS code implies: heading before chapter, none outside the list', () => {
  const cases: [string, string | null][] = [
    ['0805100000', 'fresh_fruit'], // fresh oranges (chapter 08)
    ['0813100000', 'processed_food'], // dried apricots: heading 0813 wins over chapter 08
    ['0409000000', 'animal_products'], // natural honey
    ['0401100000', 'dairy'],
    ['0603110000', 'plants'], // cut roses
    ['1001110090', 'grain'],
    ['3304100012', 'cosmetics'],
    ['6911101900', null], // porcelain tableware
    ['3601000099', null], // gunpowder: prohibited, not a quarantine good
  ];
  for (const [hs, want] of cases) assert.equal(quarantineCategoryOf(hs), want, hs);
  for (const [prefix, category] of Object.entries(HS_QUARANTINE_CATEGORIES)) {
    assert.ok((QUARANTINE_CATEGORIES as readonly string[]).includes(category), prefix);
    assert.ok(prefix.length === 2 || prefix.length === 4, prefix);
  }
  for (const hs of ['0805100000', '0813100000', '0409000000', '0401100000', '0603110000', '1001110090', '3304100012'])
    assert.ok(isValidCode('hs', hs), `${hs} is in the code table`);
});

test('the seller’s category stands; left out, the HS code gives one', () => {
  assert.equal(filedQuarantineCategory({ hsCode: '0805100000' }), 'fresh_fruit');
  assert.equal(filedQuarantineCategory({ hsCode: '0805100000', quarantineCategory: 'other' }), 'other');
  assert.equal(filedQuarantineCategory({ hsCode: '6911101900', quarantineCategory: undefined }), null);
});
