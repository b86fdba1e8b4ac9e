import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { canonicalJson } from '../../kernel/audit.ts';
import { PACK_FORMAT, sealPack, type EvidencePack, type EvidencePart } from './rules/pack.rules.ts';

/**
 * A pack too large to hold in memory (a month's declaration may cover hundreds of thousands of
 * parcels) is written part by part to temporary files as it is read, page by page; each part's
 * hash is then taken over the same bytes the JSON carries, and the JSON is streamed from the
 * files. The bytes of an array part are exactly canonicalJson of the array, so `verifyPack` (and
 * `cbec evidence verify`) check a streamed pack as they check one built in memory.
 */

/** How many rows of each array part the PDF prints (the JSON carries them all). */
export const PDF_ROWS = 200;

/** An array part (or an array inside a part) spooled to a file as canonical JSON items. */
export class ArraySpool {
  count = 0;
  /** the first PDF_ROWS items, for the PDF */
  readonly head: unknown[] = [];
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(dir: string, name: string): Promise<ArraySpool> {
    const file = path.join(dir, `${name}.json`);
    return new ArraySpool(file, await open(file, 'w'));
  }

  /** Appends a page of items (one write per page). */
  async push(items: readonly unknown[]): Promise<void> {
    if (!items.length) return;
    for (const it of items) if (this.head.length < PDF_ROWS) this.head.push(it);
    const text = items.map(canonicalJson).join(',');
    await this.fh.write(this.count ? `,${text}` : text);
    this.count += items.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

const hasSpool = (v: unknown): boolean =>
  v instanceof ArraySpool ||
  (Array.isArray(v)
    ? v.some(hasSpool)
    : v !== null && typeof v === 'object' && !(v instanceof Date) && Object.values(v).some(hasSpool));

/** canonicalJson of a value whose arrays may be spools, as chunks: spools are read from their files. */
async function* canonicalChunks(v: unknown): AsyncGenerator<string | Buffer> {
  if (v instanceof ArraySpool) {
    yield '[';
    if (v.count) for await (const chunk of createReadStream(v.file)) yield chunk as Buffer;
    yield ']';
  } else if (!hasSpool(v)) {
    yield canonicalJson(v);
  } else if (Array.isArray(v)) {
    yield '[';
    for (const [i, x] of v.entries()) {
      if (i) yield ',';
      yield* canonicalChunks(x);
    }
    yield ']';
  } else {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    yield '{';
    for (const [i, k] of keys.entries()) {
      yield `${i ? ',' : ''}${JSON.stringify(k)}:`;
      yield* canonicalChunks(obj[k]);
    }
    yield '}';
  }
}

/** The value with every spool replaced by its first rows: what the PDF prints. */
const preview = (v: unknown): unknown =>
  v instanceof ArraySpool
    ? v.head
    : !hasSpool(v)
      ? v
      : Array.isArray(v)
        ? v.map(preview)
        : Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, preview(x)]));

/** A finished pack whose large parts live in temporary files until `dispose`. */
export interface SpooledPack {
  subject: EvidencePack['subject'];
  createdAt: string;
  headSha256: EvidencePack['headSha256'];
  manifest: EvidencePack['manifest'];
  packSha256: string;
  /** rows per array part (all of them, also those beyond the PDF's) */
  rowCounts: ReadonlyMap<string, number>;
  /** the pack as JSON, read from the files; the files are removed when the stream ends or fails */
  stream(): Readable;
  /** the pack with each spooled array cut to its first PDF_ROWS rows, for the PDF */
  preview(): EvidencePack;
  dispose(): Promise<void>;
}

/** A temporary directory for one pack's spools; `dispose` removes it, also after a failure. */
export async function spoolDir(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cbec-pack-'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Hashes every part over its canonical bytes (spools read once) and gives the pack to stream. */
export async function finishPack(
  subject: EvidencePack['subject'],
  createdAt: string,
  parts: EvidencePart[],
  dispose: () => Promise<void>,
): Promise<SpooledPack> {
  const manifest: EvidencePack['manifest'] = [];
  for (const part of parts) {
    const h = createHash('sha256');
    for await (const chunk of canonicalChunks(part.data)) h.update(chunk);
    manifest.push({ name: part.name, sha256: h.digest('hex') });
  }
  const { headSha256, packSha256 } = sealPack(subject, createdAt, manifest);
  const rowCounts = new Map<string, number>();
  for (const part of parts)
    if (part.data instanceof ArraySpool) rowCounts.set(part.name, part.data.count);
    else if (Array.isArray(part.data)) rowCounts.set(part.name, part.data.length);
  let disposed: Promise<void> | null = null;
  const disposeOnce = (): Promise<void> => (disposed ??= dispose());
  async function* json(): AsyncGenerator<string | Buffer> {
    try {
      const head = { format: PACK_FORMAT, subject, createdAt, headSha256, manifest, packSha256 };
      yield `${JSON.stringify(head).slice(0, -1)},"parts":[`;
      for (const [i, part] of parts.entries()) {
        yield `${i ? ',' : ''}{"name":${JSON.stringify(part.name)},"title":${JSON.stringify(part.title)},"data":`;
        yield* canonicalChunks(part.data);
        yield '}';
      }
      yield ']}\n';
    } finally {
      await disposeOnce();
    }
  }
  return {
    subject,
    createdAt,
    headSha256,
    manifest,
    packSha256,
    rowCounts,
    stream() {
      const s = Readable.from(json(), { objectMode: false });
      // A stream never read (the request went away first) still gives its files back.
      s.once('close', () => void disposeOnce());
      return s;
    },
    preview: () => ({
      format: PACK_FORMAT,
      subject,
      createdAt,
      headSha256,
      manifest,
      packSha256,
      parts: parts.map((p) => ({ ...p, data: preview(p.data) })),
    }),
    dispose: disposeOnce,
  };
}
