import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineStateMachine } from './fsm.ts';

const filing = defineStateMachine({
  name: 'filing',
  states: ['draft', 'submitted', 'approved', 'rejected'] as const,
  initial: 'draft',
  terminal: ['approved'],
  transitions: [
    { from: 'draft', event: 'submit', to: 'submitted' },
    { from: 'submitted', event: 'approve', to: 'approved' },
    { from: 'submitted', event: 'reject', to: 'rejected' },
    { from: ['rejected', 'draft'], event: 'edit', to: 'draft' },
  ],
});

test('allowed transitions answer the target state', () => {
  assert.deepEqual(filing.transition('draft', 'submit'), { ok: true, to: 'submitted' });
  assert.deepEqual(filing.transition('rejected', 'edit'), { ok: true, to: 'draft' });
  assert.equal(filing.can('submitted', 'approve'), true);
});

test('refused transitions are results naming what is allowed, not exceptions', () => {
  assert.deepEqual(filing.transition('approved', 'edit'), { ok: false, from: 'approved', event: 'edit', allowed: [] });
  assert.deepEqual(filing.transition('draft', 'approve'), {
    ok: false,
    from: 'draft',
    event: 'approve',
    allowed: ['submit', 'edit'],
  });
  assert.deepEqual(filing.eventsFrom('submitted').sort(), ['approve', 'reject']);
});

test('a malformed table is refused at definition time', () => {
  assert.throws(
    () =>
      defineStateMachine({
        name: 'bad',
        states: ['a', 'b'] as const,
        initial: 'a',
        transitions: [
          { from: 'a', event: 'go', to: 'b' },
          { from: 'a', event: 'go', to: 'a' },
        ],
      }),
    /duplicate transition/,
  );
  assert.throws(
    () =>
      defineStateMachine({
        name: 'bad',
        states: ['a', 'b'] as const,
        initial: 'a',
        terminal: ['a'],
        transitions: [{ from: 'a', event: 'go', to: 'b' }],
      }),
    /terminal state "a" has exits/,
  );
});
