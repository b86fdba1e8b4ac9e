import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeclaredContentCache } from './declared-content.cache.ts';

const doc = (id: string, messageId = `m-${id}`) => ({ id, message_id: messageId, head: { orderNo: id }, lines: [] });

test('declared content: recalled only under the message that declared it, oldest out past capacity, off at 0', () => {
  const cache = createDeclaredContentCache(3);
  cache.remember([doc('a'), doc('b'), doc('c')]);
  assert.deepEqual(cache.recall('a', 'm-a')?.head, { orderNo: 'a' });
  assert.equal(cache.recall('a', 'm-other'), undefined, 'a replacement came in another message');
  assert.equal(cache.recall('zz', 'm-zz'), undefined);

  cache.remember([doc('b', 'm-b2')]);
  assert.equal(cache.recall('b', 'm-b'), undefined);
  assert.equal(cache.recall('b', 'm-b2')?.messageId, 'm-b2');

  cache.remember([doc('d'), doc('e')]);
  assert.equal(cache.size, 3);
  assert.equal(cache.recall('a', 'm-a'), undefined, 'the oldest left first');
  assert.equal(cache.recall('c', 'm-c'), undefined);
  assert.ok(cache.recall('b', 'm-b2'), 'remembered again: young');

  cache.forget(['b', 'nope']);
  assert.equal(cache.size, 2);
  assert.equal(cache.recall('b', 'm-b2'), undefined);

  const off = createDeclaredContentCache(0);
  off.remember([doc('a')]);
  assert.equal(off.size, 0);
  assert.equal(off.recall('a', 'm-a'), undefined);
});
