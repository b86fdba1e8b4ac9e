import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * Inspection photos are uploaded from the floor as the raw image (one request per photo). The
 * declared Content-Type must be one of these and the bytes must start with its signature: a file
 * renamed to .jpg, an HTML page or a script is refused before anything is stored.
 */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** 8 MiB: a phone camera's full-size JPEG fits; the platform's body limit (10 MiB) stays above it. */
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
/** Two agencies × 20 photos per finding, with room for retakes. */
export const PHOTOS_PER_TASK = 60;

const NAMES: Record<PhotoType, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' };

const startsWith = (b: Uint8Array, at: number, sig: readonly number[]): boolean =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

/** The image type the bytes are, by their signature ("magic bytes"); null when none of ours. */
export function sniffPhotoType(b: Uint8Array): PhotoType | null {
  if (startsWith(b, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // RIFF <size> WEBP
  if (startsWith(b, 0, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, 8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return null;
}

/** `image/JPEG; charset=x` → `image/jpeg`; null when it is not a photo type we keep. */
export function photoTypeOf(contentType: string | undefined): PhotoType | null {
  const base = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (PHOTO_TYPES as readonly string[]).includes(base) ? (base as PhotoType) : null;
}

/** Everything wrong with an upload, each problem naming the field and the rule; empty when fine. */
export function checkPhoto(declared: PhotoType, bytes: Uint8Array): FieldProblem[] {
  if (bytes.length === 0) return [{ field: 'body', rule: 'required', message: { zh: '照片内容为空', en: 'the photo is empty' } }];
  if (bytes.length > PHOTO_MAX_BYTES) return [{ field: 'body', rule: 'maxBytes', message: tooLarge(), value: bytes.length }];
  const actual = sniffPhotoType(bytes);
  if (actual === declared) return [];
  return [
    {
      field: 'body',
      rule: 'magicBytes',
      message: {
        zh: `照片内容与 Content-Type 不符：声明为 ${declared}，文件${actual ? `实际是 ${NAMES[actual]}` : `不是 ${NAMES[declared]} 图片`}`,
        en: `the photo's bytes do not match its Content-Type: declared ${declared}, ${actual ? `the file is a ${NAMES[actual]}` : `the file is not a ${NAMES[declared]} image`}`,
      },
      value: declared,
    },
  ];
}

export function tooLarge(): { zh: string; en: string } {
  const mb = PHOTO_MAX_BYTES / 1024 / 1024;
  return { zh: `照片超过 ${mb} MB 上限`, en: `the photo exceeds the ${mb} MB limit` };
}
