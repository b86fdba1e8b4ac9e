import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../kernel/audit.ts';

/**
 * An evidence pack is named parts, each hashed (sha256 of its canonical JSON, keys sorted), and
 * a pack hash: anyone holding the JSON can check that no part was changed, dropped or added —
 * what the tax bureau, SAFE or a bank checks before relying on it.
 *
 * cbec-evidence/2 also hashes what the pack is about (`subject`: kind and entry id / order number)
 * and when it was made (`createdAt`), each on its own so verify names which one changed, and the
 * pack hash covers both: the PDF's headline is the subject, so an edited subject must not pass.
 * cbec-evidence/1 packs (hash over the part list only) were handed out before and are still
 * checked by their own rule.
 */
export const PACK_FORMAT = 'cbec-evidence/2';
const PACK_FORMAT_V1 = 'cbec-evidence/1';

export interface EvidencePart {
  name: string;
  title: { zh: string; en: string };
  data: unknown;
}

export type EvidenceSubject =
  | { kind: 'declaration'; id: string; entryId: string }
  | { kind: 'order'; id: string; orderNo: string; ebpCode: string; invtNo: string };

/** sha256 of the canonical JSON of `subject` and of `createdAt`. */
export interface PackHeadHashes {
  subject: string;
  createdAt: string;
}

export interface EvidencePack {
  format: typeof PACK_FORMAT;
  subject: EvidenceSubject;
  createdAt: string;
  headSha256: PackHeadHashes;
  manifest: { name: string; sha256: string }[];
  /** sha256 of canonicalJson({ format, headSha256, manifest }) */
  packSha256: string;
  parts: EvidencePart[];
}

export const partHash = (data: unknown): string => createHash('sha256').update(canonicalJson(data)).digest('hex');

/** The cbec-evidence/1 pack hash: the part list only. */
export const manifestHash = (manifest: { name: string; sha256: string }[]): string =>
  createHash('sha256')
    .update(manifest.map((m) => `${m.name}:${m.sha256}\n`).join(''))
    .digest('hex');

const packHash = (headSha256: PackHeadHashes, manifest: { name: string; sha256: string }[]): string =>
  partHash({ format: PACK_FORMAT, headSha256, manifest });

/** The head hashes and the pack hash of a pack whose parts are already hashed (`manifest`). */
export function sealPack(
  subject: EvidenceSubject,
  createdAt: string,
  manifest: { name: string; sha256: string }[],
): { headSha256: PackHeadHashes; packSha256: string } {
  const headSha256 = { subject: partHash(subject), createdAt: partHash(createdAt) };
  return { headSha256, packSha256: packHash(headSha256, manifest) };
}

export function buildPack(subject: EvidenceSubject, createdAt: string, parts: EvidencePart[]): EvidencePack {
  const manifest = parts.map((p) => ({ name: p.name, sha256: partHash(p.data) }));
  return { format: PACK_FORMAT, subject, createdAt, ...sealPack(subject, createdAt, manifest), manifest, parts };
}

export interface VerifyResult {
  ok: boolean;
  /** each problem "中文 / English", naming what changed */
  problems: string[];
}

/** Recomputes every hash; names each part (and the subject or creation time) that does not match. */
export function verifyPack(pack: unknown): VerifyResult {
  const problems: string[] = [];
  const p = pack as (Omit<Partial<EvidencePack>, 'format'> & { format?: unknown }) | null;
  if (!p || (p.format !== PACK_FORMAT && p.format !== PACK_FORMAT_V1) || !Array.isArray(p.parts) || !Array.isArray(p.manifest))
    return {
      ok: false,
      problems: [
        `不是证据包（应为 ${PACK_FORMAT} 或 ${PACK_FORMAT_V1}）/ not an evidence pack (${PACK_FORMAT} or ${PACK_FORMAT_V1})`,
      ],
    };
  const names = p.parts.map((x) => x.name);
  const listed = p.manifest.map((m) => m.name);
  for (const n of listed) if (!names.includes(n)) problems.push(`部分缺失：${n} / part missing: ${n}`);
  for (const n of names) if (!listed.includes(n)) problems.push(`部分不在哈希清单中：${n} / part not in the manifest: ${n}`);
  for (const m of p.manifest) {
    const part = p.parts.find((x) => x.name === m.name);
    if (part && partHash(part.data) !== m.sha256) problems.push(`部分被改动：${m.name} / part changed: ${m.name}`);
  }
  if (p.format === PACK_FORMAT_V1) {
    if (manifestHash(p.manifest) !== p.packSha256)
      problems.push('哈希清单被改动（证据包哈希不符）/ manifest changed (pack hash differs)');
    return { ok: problems.length === 0, problems };
  }
  const head = p.headSha256;
  if (!head || typeof head.subject !== 'string' || typeof head.createdAt !== 'string') {
    problems.push('缺少对象与生成时间的哈希（headSha256）/ headSha256 missing: subject and createdAt cannot be checked');
    return { ok: false, problems };
  }
  if (partHash(p.subject) !== head.subject)
    problems.push(
      '证据包对象被改动（subject：类型、报关单号或订单号）/ subject changed (what the pack is about: kind, entryId or orderNo)',
    );
  if (partHash(p.createdAt) !== head.createdAt)
    problems.push('生成时间被改动（createdAt）/ createdAt changed (when the pack was made)');
  if (packHash(head, p.manifest) !== p.packSha256)
    problems.push('哈希清单或对象、时间哈希被改动（证据包哈希不符）/ manifest or head hashes changed (pack hash differs)');
  return { ok: problems.length === 0, problems };
}
