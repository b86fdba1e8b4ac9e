// Runs every *.test.ts under src/ and test/ with node's test runner, and closes with one
// `N passed, N failed` line (skipped tests counted after it when there are any).
// Usage: npm test [-- <path filter>...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}

const files = ['src', 'test']
  .flatMap((d) => walk(path.join(root, d)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files match', filters);
  process.exit(1);
}
// Browser tests need the built UI.
if (files.some((f) => f.includes('e2e'))) {
  const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'ensure-web-build.mjs')], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
// The usual report on the terminal (spec on a terminal, TAP otherwise, as node picks by default),
// and a TAP copy in a temp file whose closing counts give the `N passed, N failed` line.
const tapDir = mkdtempSync(path.join(os.tmpdir(), 'cbec-tests-'));
const tapFile = path.join(tapDir, 'report.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=1200000',
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
let tap = '';
try {
  tap = readFileSync(tapFile, 'utf8');
} catch {
  // the runner died before writing its report: the exit status says so
}
rmSync(tapDir, { recursive: true, force: true });
// The run's totals are the last unindented `# pass N` … lines of the TAP report.
const count = (name) => {
  const all = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
  return all.length ? Number(all[all.length - 1][1]) : 0;
};
const passed = count('pass');
const failed = count('fail') + count('cancelled');
const skipped = count('skipped');
const status = r.status ?? 1;
// A runner that failed without a failing test (crash, a file that does not load) still counts as a failure.
const shown = status !== 0 && failed === 0 ? 1 : failed;
console.log(`\n${passed} passed, ${shown} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status);
