import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atInspection, batchRefusal, gateRefusal, type GateFacts } from './customs-gate.rules.ts';

const NO = 'EE123456785CN';
const facts = (inventory: Partial<NonNullable<GateFacts['inventory']>> | null, task: GateFacts['task'] = null): GateFacts => ({
  logisticsCode: '3601980012',
  logisticsNo: NO,
  inventory: inventory ? { documentId: 'd1', invtNo: '40062026E000000001', status: '399', lane: 'green', ...inventory } : null,
  task,
});

test('a parcel moves when its live inventory is decided, released or held for review, with no open task', () => {
  for (const [status, lane] of [
    ['399', 'green'],
    ['800', 'green'],
    ['300', 'review'],
    ['300', 'hold'],
    ['399', 'inspected'],
  ] as const)
    assert.equal(gateRefusal('pack', facts({ status, lane })), null, `${status}/${lane}`);
  assert.equal(gateRefusal('dispatch', facts({ status: '399', lane: 'inspect' }, { id: 't', status: 'passed' })), null);
});

test('each refusal names the waybill number and the reason, Chinese first', () => {
  const reason = (f: GateFacts, action: 'pack' | 'dispatch' = 'pack') => gateRefusal(action, f)?.reason;
  assert.equal(reason(facts(null)), 'not_declared');
  assert.equal(reason(facts({ status: '2' })), 'awaiting_customs');
  assert.equal(reason(facts({ status: '300', lane: 'inspect' })), 'inspection_open', 'selected, the task not there yet');
  assert.equal(reason(facts({ status: '399' }, { id: 't', status: 'open' })), 'inspection_open', 'an open task wins');
  assert.equal(reason(facts({ status: '300', lane: 'inspect' }, { id: 't', status: 'passed' })), 'awaiting_customs');
  assert.equal(reason(facts({ status: '899' })), 'departed');
  assert.equal(reason(facts({ status: '501' })), 'customs_state');

  const r = gateRefusal('dispatch', facts({ status: '300', lane: 'inspect' }, { id: 't', status: 'open' }))!;
  assert.match(r.message.zh, new RegExp(`^包裹 ${NO}（清单 40062026E000000001）有未完成的查验任务.*不能出库$`));
  assert.match(r.message.en, new RegExp(`^parcel ${NO} .*open inspection task.*may not be dispatched`));
  const none = gateRefusal('pack', facts(null))!;
  assert.match(none.message.zh, /未申报，或清单已退单、已撤销/);
  assert.match(none.message.en, /not declared, or rejected or cancelled/);
});

test('the inspection station holds a parcel while its task is open or while it is selected without a task', () => {
  assert.equal(atInspection(facts({ status: '300', lane: 'inspect' })), true);
  assert.equal(atInspection(facts({ status: '300', lane: 'inspect' }, { id: 't', status: 'open' })), true);
  assert.equal(atInspection(facts({ status: '300', lane: 'inspect' }, { id: 't', status: 'passed' })), false);
  assert.equal(atInspection(facts({ status: '300', lane: 'review' })), false);
  assert.equal(atInspection(facts(null)), false);
});

test('a batch refusal lists every refused parcel and says nothing was done', () => {
  const a = gateRefusal('dispatch', facts(null))!;
  const b = gateRefusal('dispatch', { ...facts({ status: '2' }), logisticsNo: 'EE000000001CN' })!;
  const m = batchRefusal('dispatch', [a, b]);
  assert.match(m.zh, /^2 个包裹不能出库，本次全部未执行：包裹 EE123456785CN .*；包裹 EE000000001CN（/);
  assert.match(
    m.en,
    /^2 parcel\(s\) may not be dispatched, so nothing was dispatched: parcel EE123456785CN .*; parcel EE000000001CN /,
  );
});
