import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const XMLLINT = '/usr/bin/xmllint';
export const EXPORT_XSD = path.resolve('src/ceb/xsd/export-messages.xsd');
export const IMPORT_XSD = path.resolve('src/ceb/xsd/import-messages.xsd');

/** Null when xmllint can run; else why not (a failure in CI, a loud skip elsewhere). */
export function xmllintMissing(): string | null {
  if (existsSync(XMLLINT)) return null;
  const why = 'xmllint not found: install libxml2-utils (apt-get install libxml2-utils)';
  if (process.env.CI) throw new Error(why);
  process.stderr.write(`\n!!! SKIPPED XSD checks: ${why}\n\n`);
  return why;
}

/** Validates every document against the official schema in one xmllint run; fails naming the bad ones. */
export function assertXsdValid(docs: { name: string; xml: string }[], xsd = EXPORT_XSD): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'cbec-xsd-'));
  try {
    const files = docs.map((d, i) => {
      const f = path.join(dir, `${String(i).padStart(4, '0')}-${d.name.replace(/[^\w.-]/g, '_')}.xml`);
      writeFileSync(f, d.xml);
      return f;
    });
    try {
      execFileSync(XMLLINT, ['--noout', '--nonet', '--schema', xsd, ...files], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      assert.fail(
        `documents fail the official XSD:\n${(err.stderr?.toString() ?? String(e))
          .split('\n')
          .filter((l) => !l.endsWith(' validates'))
          .join('\n')}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
