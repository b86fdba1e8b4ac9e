import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../kernel/audit.ts';

/**
 * An evidence pack is named parts, each hashed (sha256 of its canonical JSON, keys sorted), and
 * a pack hash over the part list: anyone holding the JSON can check that no part was changed,
 * dropped or added — what the tax bureau, SAFE or a bank checks before relying on it.
 */
export interface EvidencePart {
  name: string;
  title: { zh: string; en: string };
  data: unknown;
}

export interface EvidencePack {
  format: 'cbec-evidence/1';
  subject:
    | { kind: 'declaration'; id: string; entryId: string }
    | { kind: 'order'; id: string; orderNo: string; ebpCode: string; invtNo: string };
  createdAt: string;
  manifest: { name: string; sha256: string }[];
  packSha256: string;
  parts: EvidencePart[];
}

export const partHash = (data: unknown): string => createHash('sha256').update(canonicalJson(data)).digest('hex');

export const manifestHash = (manifest: { name: string; sha256: string }[]): string =>
  createHash('sha256')
    .update(manifest.map((m) => `${m.name}:${m.sha256}\n`).join(''))
    .digest('hex');

export function buildPack(subject: EvidencePack['subject'], createdAt: string, parts: EvidencePart[]): EvidencePack {
  const manifest = parts.map((p) => ({ name: p.name, sha256: partHash(p.data) }));
  return { format: 'cbec-evidence/1', subject, createdAt, manifest, packSha256: manifestHash(manifest), parts };
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
}

/** Recomputes every hash; names each part that does not match. */
export function verifyPack(pack: unknown): VerifyResult {
  const problems: string[] = [];
  const p = pack as Partial<EvidencePack> | null;
  if (!p || p.format !== 'cbec-evidence/1' || !Array.isArray(p.parts) || !Array.isArray(p.manifest))
    return { ok: false, problems: ['not a cbec-evidence/1 pack'] };
  const names = p.parts.map((x) => x.name);
  const listed = p.manifest.map((m) => m.name);
  for (const n of listed) if (!names.includes(n)) problems.push(`part missing: ${n}`);
  for (const n of names) if (!listed.includes(n)) problems.push(`part not in the manifest: ${n}`);
  for (const m of p.manifest) {
    const part = p.parts.find((x) => x.name === m.name);
    if (part && partHash(part.data) !== m.sha256) problems.push(`part changed: ${m.name}`);
  }
  if (manifestHash(p.manifest) !== p.packSha256) problems.push('manifest changed (pack hash differs)');
  return { ok: problems.length === 0, problems };
}
