import { createHash } from 'node:crypto';
import { hash as argonHash } from '@node-rs/argon2';

export const SESSION_PREFIX = 's_';
export const API_KEY_PREFIX = 'cbec_';

/** Session tokens and API keys are 256-bit random: a plain SHA-256 at rest is enough to make a leaked table useless. */
export const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Argon2id (memory-hard) with the library's defaults: 19 MiB, t=2, p=1 (OWASP minimum). */
export function hashPassword(password: string): Promise<string> {
  return argonHash(password);
}
