import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPhoto, photoTypeOf, PHOTO_MAX_BYTES, sniffPhotoType, type PhotoType } from './photo.rules.ts';

const bytes = (...parts: (number[] | string)[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const JPEG = bytes([0xff, 0xd8, 0xff, 0xe1], 'Exif');
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR');
const WEBP = bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8L');

test('photo types are told by their signature, not their name', () => {
  const cases: [string, Uint8Array, PhotoType | null][] = [
    ['jpeg', JPEG, 'image/jpeg'],
    ['png', PNG, 'image/png'],
    ['webp', WEBP, 'image/webp'],
    ['RIFF but a WAV', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), null],
    ['webp cut short', bytes('RIFF', [1, 2, 3, 4], 'WEB'), null],
    ['two bytes of a jpeg', bytes([0xff, 0xd8]), null],
    ['gif', bytes('GIF89a'), null],
    ['html', bytes('<html>'), null],
    ['empty', bytes(), null],
  ];
  for (const [name, b, want] of cases) assert.equal(sniffPhotoType(b), want, name);
});

test('the declared type: base type only, case-insensitive, ours only', () => {
  const cases: [string | undefined, PhotoType | null][] = [
    ['image/jpeg', 'image/jpeg'],
    ['IMAGE/PNG', 'image/png'],
    ['image/webp; q=1', 'image/webp'],
    ['image/gif', null],
    ['application/json', null],
    ['', null],
    [undefined, null],
  ];
  for (const [header, want] of cases) assert.equal(photoTypeOf(header), want, String(header));
});

test('an upload is checked for emptiness, size and a signature matching its type, each problem named', () => {
  const cases: [string, PhotoType, Uint8Array, string[]][] = [
    ['jpeg as jpeg', 'image/jpeg', JPEG, []],
    ['png as png', 'image/png', PNG, []],
    ['webp as webp', 'image/webp', WEBP, []],
    ['png sent as jpeg', 'image/jpeg', PNG, ['body:magicBytes']],
    ['jpeg sent as webp', 'image/webp', JPEG, ['body:magicBytes']],
    ['text sent as png', 'image/png', bytes('hello'), ['body:magicBytes']],
    ['empty', 'image/jpeg', bytes(), ['body:required']],
    ['exactly the limit', 'image/jpeg', Buffer.concat([JPEG, Buffer.alloc(PHOTO_MAX_BYTES - JPEG.length)]), []],
    ['over the limit', 'image/jpeg', Buffer.concat([JPEG, Buffer.alloc(PHOTO_MAX_BYTES)]), ['body:maxBytes']],
  ];
  for (const [name, type, b, want] of cases) {
    const problems = checkPhoto(type, b);
    assert.deepEqual(
      problems.map((p) => `${p.field}:${p.rule}`),
      want,
      name,
    );
    for (const p of problems) assert.ok(p.message.zh && p.message.en, `${name}: bilingual`);
  }
  assert.match(checkPhoto('image/jpeg', PNG)[0]!.message.en, /declared image\/jpeg, the file is a PNG/);
  assert.match(checkPhoto('image/jpeg', PNG)[0]!.message.zh, /文件实际是 PNG/);
});
