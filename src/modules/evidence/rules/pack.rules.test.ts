import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPack, verifyPack } from './pack.rules.ts';

const fresh = () =>
  buildPack({ kind: 'declaration', id: 'd1', entryId: '400620260000000001' }, '2026-11-02T00:00:00.000Z', [
    {
      name: 'declaration',
      title: { zh: '报关单', en: 'declaration' },
      data: { entryId: '400620260000000001', lines: [{ qty: '2' }] },
    },
    { name: 'orders', title: { zh: '订单', en: 'orders' }, data: [{ orderNo: 'O1', goodsValue: '300' }] },
  ]);

const tampers: { name: string; change: (p: ReturnType<typeof fresh>) => void; problem: RegExp }[] = [
  {
    name: 'a changed value',
    change: (p) => ((p.parts[1]!.data as { goodsValue: string }[])[0]!.goodsValue = '3000'),
    problem: /part changed: orders/,
  },
  { name: 'a dropped part', change: (p) => p.parts.pop(), problem: /part missing: orders/ },
  {
    name: 'an added part',
    change: (p) => p.parts.push({ name: 'extra', title: { zh: '附加', en: 'extra' }, data: 1 }),
    problem: /not in the manifest: extra/,
  },
  {
    name: 'a rewritten manifest',
    change: (p) => (p.manifest[0]!.sha256 = '0'.repeat(64)),
    problem: /part changed: declaration|pack hash/,
  },
];

test('an untouched pack verifies, also after a JSON round trip with reordered keys', () => {
  const p = fresh();
  assert.deepEqual(verifyPack(p), { ok: true, problems: [] });
  const reordered = JSON.parse(JSON.stringify(p), (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
  ) as unknown;
  assert.equal(verifyPack(reordered).ok, true);
});

for (const t of tampers) {
  test(`verify finds ${t.name}`, () => {
    const p = fresh();
    t.change(p);
    const v = verifyPack(p);
    assert.equal(v.ok, false);
    assert.match(v.problems.join('\n'), t.problem);
  });
}

test('not a pack', () => {
  assert.equal(verifyPack({ hello: 1 }).ok, false);
});
