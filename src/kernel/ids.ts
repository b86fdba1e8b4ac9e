import { randomBytes } from 'node:crypto';
import { v7 } from 'uuid';

/** Time-ordered UUIDs (v7) keep B-tree inserts local: ids sort by creation time. */
export function newId(): string {
  return v7();
}

/** A random secret of `bytes` bytes, base64url, for session tokens and API keys. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
