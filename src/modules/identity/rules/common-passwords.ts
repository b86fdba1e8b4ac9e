import { readFileSync } from 'node:fs';

let cached: ReadonlySet<string> | undefined;

/** The refused common passwords (lower case), read once from the data file beside this one. */
export function commonPasswords(): ReadonlySet<string> {
  cached ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l && !l.startsWith('#')),
  );
  return cached;
}
