import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptedLanguages, negotiateLanguage } from './language.rules.ts';

test('Accept-Language: most wanted first by q-value, ties in header order, q=0 and junk left out', () => {
  assert.deepEqual(acceptedLanguages('fr-FR,fr;q=0.9,en;q=0.5'), ['fr', 'en']);
  assert.deepEqual(acceptedLanguages('en;q=0.1, ja;q=0.8, ko'), ['ko', 'ja', 'en']);
  assert.deepEqual(acceptedLanguages('de;q=0.5,es;q=0.5'), ['de', 'es']);
  assert.deepEqual(acceptedLanguages('ru;q=0, pt-BR;q=0.000, ar'), ['ar']);
  assert.deepEqual(acceptedLanguages('zh-Hant-TW'), ['zh']);
  assert.deepEqual(acceptedLanguages('*, en;q=0.2'), ['en']);
  assert.deepEqual(acceptedLanguages('es;q=2, fr;q=abc, de'), ['de'], 'weights above 1 or not numbers are not understood');
  assert.deepEqual(acceptedLanguages(''), []);
  assert.deepEqual(acceptedLanguages(undefined), []);
  assert.deepEqual(acceptedLanguages('<script>, 1234, en'), ['en']);
});

test('the page language: ?lang=, else the browser, else the destination, else English', () => {
  const offered = ['zh', 'en', 'ru', 'es', 'ar'];
  const pick = (requested?: string, acceptLanguage?: string, destination?: string) =>
    negotiateLanguage({ offered, requested, acceptLanguage, destination });
  assert.equal(pick('ru', 'es', 'ar'), 'ru');
  assert.equal(pick('RU'), 'ru');
  assert.equal(pick('it', 'es;q=0.4,zh;q=0.6', 'ar'), 'zh');
  assert.equal(pick(undefined, 'it, nl', 'ar'), 'ar');
  assert.equal(pick(undefined, undefined, 'de'), 'en', 'a destination language the page lacks');
  assert.equal(pick('xx'), 'en');
  assert.equal(pick(), 'en');
});
