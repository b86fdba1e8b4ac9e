import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPack, manifestHash, verifyPack } from './pack.rules.ts';

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
  {
    // the PDF's headline is the subject: another declaration's number must not pass
    name: 'an edited subject (entryId)',
    change: (p) => {
      if (p.subject.kind === 'declaration') p.subject.entryId = '400620260000000002';
    },
    problem: /^证据包对象被改动.*\/ subject changed/m,
  },
  {
    name: 'an edited subject (kind)',
    change: (p) => {
      p.subject = { kind: 'order', id: 'd1', orderNo: 'O1', ebpCode: '3601960001', invtNo: 'I1' };
    },
    problem: /^证据包对象被改动.*\/ subject changed/m,
  },
  {
    name: 'an edited creation time',
    change: (p) => (p.createdAt = '2026-12-02T00:00:00.000Z'),
    problem: /^生成时间被改动（createdAt）\/ createdAt changed/m,
  },
  {
    // re-hashing the subject alone is not enough: the pack hash covers the head hashes
    name: 'an edited subject with its own hash recomputed',
    change: (p) => {
      if (p.subject.kind === 'declaration') p.subject.entryId = '400620260000000002';
      p.headSha256.subject = buildPack(p.subject, p.createdAt, p.parts).headSha256.subject;
    },
    problem: /^[^/]*证据包哈希不符[^/]*\/ .*pack hash differs/m,
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

test('an edited subject or creation time is named, and only that', () => {
  const p = fresh();
  if (p.subject.kind === 'declaration') p.subject.entryId = '400620260000000002';
  assert.deepEqual(verifyPack(p).problems, [
    '证据包对象被改动（subject：类型、报关单号或订单号）/ subject changed (what the pack is about: kind, entryId or orderNo)',
  ]);
  const q = fresh();
  q.createdAt = '2026-11-02T00:00:00.001Z';
  assert.deepEqual(verifyPack(q).problems, ['生成时间被改动（createdAt）/ createdAt changed (when the pack was made)']);
});

test('the pack hash differs with the subject and the creation time, the parts being the same', () => {
  const p = fresh();
  const other = buildPack({ kind: 'declaration', id: 'd1', entryId: '400620260000000002' }, p.createdAt, p.parts);
  const later = buildPack(p.subject, '2026-11-03T00:00:00.000Z', p.parts);
  assert.deepEqual(other.manifest, p.manifest);
  assert.notEqual(other.packSha256, p.packSha256);
  assert.notEqual(later.packSha256, p.packSha256);
});

test('a cbec-evidence/1 pack handed out before still verifies by its own rule (the part list)', () => {
  const { format: _f, headSha256: _h, ...rest } = fresh();
  const v1 = { ...rest, format: 'cbec-evidence/1', packSha256: manifestHash(rest.manifest) };
  assert.deepEqual(verifyPack(v1), { ok: true, problems: [] });
  (v1.parts[1]!.data as { goodsValue: string }[])[0]!.goodsValue = '3000';
  assert.match(verifyPack(v1).problems.join('\n'), /部分被改动：orders \/ part changed: orders/);
  // a current pack passed off as /1 with its head hashes dropped does not verify
  const { headSha256: _x, ...bare } = fresh();
  assert.equal(verifyPack({ ...bare, format: 'cbec-evidence/1' }).ok, false);
});

test('a current pack without its head hashes does not verify', () => {
  const { headSha256: _h, ...bare } = fresh();
  assert.match(verifyPack(bare).problems.join('\n'), /headSha256/);
});

test('not a pack', () => {
  const v = verifyPack({ hello: 1 });
  assert.equal(v.ok, false);
  assert.match(v.problems[0]!, /^不是证据包.*\/ not an evidence pack/);
});
