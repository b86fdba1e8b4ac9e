import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countryByIso } from '../../codes/index.ts';
import {
  countryNameIn,
  fillText,
  iso2OfCountry,
  languageOfCountry,
  PAGE_LANGUAGES,
  pageLanguage,
  TEXT_KEYS,
} from './trace.languages.ts';

test('the page languages are data files: the main destination markets, each complete, Arabic right to left', () => {
  assert.deepEqual(
    PAGE_LANGUAGES.map((l) => l.code),
    ['zh', 'en', 'ar', 'de', 'es', 'fr', 'ja', 'ko', 'pt', 'ru'],
  );
  for (const l of PAGE_LANGUAGES) {
    assert.deepEqual(Object.keys(l.text).sort(), [...TEXT_KEYS].sort(), l.code);
    assert.equal(l.dir, l.code === 'ar' ? 'rtl' : 'ltr', l.code);
    // nothing left in English by mistake: every language but English has its own title and labels
    if (l.code !== 'en')
      for (const k of ['title', 'chain', 'report', 'describe', 'reported'] as const)
        assert.notEqual(l.text[k], pageLanguage('en').text[k], `${l.code}.${k}`);
  }
  assert.equal(pageLanguage('xx').code, 'en', 'a language the page lacks reads English');
  assert.equal(
    fillText(pageLanguage('ru').reasons.scans, { scans: 12, days: 90, limit: 10 }),
    'сканирований за 90 дн.: 12 (предел 10)',
  );
});

test('a destination country gives its language by alpha-2, alpha-3 or the customs code', () => {
  assert.equal(languageOfCountry('RU'), 'ru');
  assert.equal(languageOfCountry('bra'), 'pt');
  assert.equal(languageOfCountry(countryByIso('SAU')!.code), 'ar');
  assert.equal(languageOfCountry(countryByIso('MEX')!.code), 'es');
  assert.equal(languageOfCountry(countryByIso('USA')!.code), 'en');
  assert.equal(languageOfCountry('AQ'), undefined);
  assert.equal(languageOfCountry('999'), undefined);
  assert.equal(languageOfCountry(null), undefined);
  assert.equal(countryNameIn('ru', 'CHN'), 'Китай');
  assert.equal(countryNameIn('ar', 'CHN'), 'الصين');
  assert.equal(countryNameIn('ru', undefined), undefined);
});

test('a country as ISO alpha-2, from alpha-2, alpha-3 or the customs code (scans are alpha-2)', () => {
  assert.equal(iso2OfCountry('fr'), 'FR');
  assert.equal(iso2OfCountry('BRA'), 'BR');
  assert.equal(iso2OfCountry(countryByIso('USA')!.code), 'US');
  assert.equal(iso2OfCountry(countryByIso('RUS')!.code), 'RU');
  assert.equal(iso2OfCountry('999'), undefined);
  assert.equal(iso2OfCountry(null), undefined);
});
