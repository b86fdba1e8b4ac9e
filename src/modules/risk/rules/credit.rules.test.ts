import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creditLevelFor, deriveCreditLevel, type CreditHistory } from './credit.rules.ts';

const now = new Date('2026-11-26T00:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

test('a provisional level from filing and declaration history', () => {
  const cases: [string, CreditHistory, string][] = [
    ['not filed, no history', { filedAt: null, declared: 0, rejected: 0 }, 'B'],
    ['new filing', { filedAt: daysAgo(10), declared: 0, rejected: 0 }, 'B'],
    ['old filing, clean, many parcels', { filedAt: daysAgo(400), declared: 500, rejected: 2 }, 'A'],
    ['old filing, clean, too few parcels', { filedAt: daysAgo(400), declared: 99, rejected: 0 }, 'B'],
    ['young filing, clean, many parcels', { filedAt: daysAgo(300), declared: 500, rejected: 0 }, 'B'],
    ['old filing, 1% rejected', { filedAt: daysAgo(400), declared: 100, rejected: 1 }, 'B'],
    ['a fifth rejected', { filedAt: daysAgo(400), declared: 20, rejected: 4 }, 'C'],
    ['a fifth rejected but too few to judge', { filedAt: daysAgo(400), declared: 10, rejected: 2 }, 'B'],
  ];
  for (const [name, h, level] of cases) assert.equal(deriveCreditLevel(h, now), level, name);
});

test('the blacklist wins, then a customs override, then the credit system, then history', () => {
  const clean = { filedAt: daysAgo(400), declared: 500, rejected: 0 };
  const cases: [string, Parameters<typeof creditLevelFor>, { level: string; source: string }][] = [
    ['blacklisted over a hand-set AA', ['AA', 'A', clean, now, true], { level: 'C', source: 'blacklist' }],
    ['blacklisted, nothing else known', [undefined, undefined, undefined, now, true], { level: 'C', source: 'blacklist' }],
    ['override', ['AA', 'C', clean, now], { level: 'AA', source: 'risk' }],
    ['credit system', [undefined, 'C', clean, now], { level: 'C', source: 'credit' }],
    ['credit system has none', [undefined, null, clean, now], { level: 'A', source: 'history' }],
    ['nothing known', [undefined, undefined, undefined, now], { level: 'B', source: 'history' }],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(creditLevelFor(...args), want, name);
});
