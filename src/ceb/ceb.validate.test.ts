import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldProblem } from '../kernel/errors.ts';
import { MESSAGE_SPECS, validateCeb, type CebMessage, type CebRecord } from './index.ts';
import { SAMPLE_MESSAGES } from './ceb.samples.ts';

const clone = (m: CebMessage): CebMessage => structuredClone(m);

/** A copy of the sample with edits applied to entity 1 head / a list row. */
function withHead(type: keyof typeof SAMPLE_MESSAGES, edit: Record<string, string | undefined>): CebMessage {
  const m = clone(SAMPLE_MESSAGES[type]);
  const head = m.entities[0]?.head ?? {};
  for (const [k, v] of Object.entries(edit)) {
    if (v === undefined) delete head[k];
    else head[k] = v;
  }
  return m;
}

function withRow(type: keyof typeof SAMPLE_MESSAGES, list: string, row: number, edit: CebRecord): CebMessage {
  const m = clone(SAMPLE_MESSAGES[type]);
  const r = m.entities[0]?.lists[list]?.[row - 1];
  assert.ok(r, `sample has ${list}[${row}]`);
  Object.assign(r, edit);
  return m;
}

function expectOnly(problems: FieldProblem[], field: string, rule: string): void {
  assert.deepEqual(
    problems.map((p) => [p.field, p.rule]),
    [[field, rule]],
  );
  const p = problems[0];
  assert.ok(p?.message.zh && p.message.en, 'bilingual message');
}

test('all samples are valid', () => {
  for (const m of Object.values(SAMPLE_MESSAGES)) assert.deepEqual(validateCeb(m), [], m.messageType);
});

test('required', () =>
  expectOnly(validateCeb(withHead('CEB303', { orderNo: undefined })), 'Order[1]/OrderHead/orderNo', 'required'));
test('required (empty string)', () =>
  expectOnly(validateCeb(withHead('CEB403', { payName: '' })), 'Receipts[1]/payName', 'required'));
test('fixed length', () =>
  expectOnly(validateCeb(withHead('CEB603', { invtNo: '4006' })), 'Inventory[1]/InventoryHead/invtNo', 'length'));
test('max length', () =>
  expectOnly(
    validateCeb(withRow('CEB603', 'InventoryList', 2, { itemNo: 'X'.repeat(21) })),
    'Inventory[1]/InventoryList[2]/itemNo',
    'maxLength',
  ));
test('max length counts characters, not bytes', () =>
  assert.deepEqual(validateCeb(withRow('CEB303', 'OrderList', 1, { itemName: '瓷'.repeat(250) })), []));
test('min length', () =>
  expectOnly(validateCeb(withHead('CEB603', { POD: 'US' })), 'Inventory[1]/InventoryHead/POD', 'minLength'));
test('decimal digits', () =>
  expectOnly(validateCeb(withHead('CEB505', { grossWeight: '7.123456' })), 'Logistics[1]/grossWeight', 'decimal'));
test('decimal: not a number', () =>
  expectOnly(validateCeb(withHead('CEB505', { freight: '4,5' })), 'Logistics[1]/freight', 'decimal'));
test('integer', () => expectOnly(validateCeb(withHead('CEB505', { packNo: '1.5' })), 'Logistics[1]/packNo', 'integer'));
test('date14: not a real calendar date', () =>
  expectOnly(validateCeb(withHead('CEB303', { appTime: '20260230103000' })), 'Order[1]/OrderHead/appTime', 'date14'));
test('date14: bad hour', () =>
  expectOnly(validateCeb(withHead('CEB509', { leaveTime: '20261127250000' })), 'Departure[1]/DepartureHead/leaveTime', 'date14'));
test('date8', () =>
  expectOnly(validateCeb(withHead('CEB603', { ieDate: '20261331' })), 'Inventory[1]/InventoryHead/ieDate', 'date8'));
test('code table: currency', () =>
  expectOnly(validateCeb(withRow('CEB303', 'OrderList', 3, { currency: '999' })), 'Order[1]/OrderList[3]/currency', 'codeTable'));
test('code table: hs (gcode)', () =>
  expectOnly(
    validateCeb(withRow('CEB603', 'InventoryList', 1, { gcode: '9999999999' })),
    'Inventory[1]/InventoryList[1]/gcode',
    'codeTable',
  ));
test('code table: customs, trade mode, transport mode, wrap type, country, unit', () => {
  const m = withHead('CEB603', { customsCode: '9999', tradeMode: '0000', trafMode: 'Q', wrapType: 'Z', country: '000' });
  Object.assign(m.entities[0]?.lists.InventoryList?.[0] ?? {}, { unit1: '000' });
  assert.deepEqual(
    validateCeb(m).map((p) => [p.field, p.rule]),
    [
      ['Inventory[1]/InventoryHead/customsCode', 'codeTable'],
      ['Inventory[1]/InventoryHead/tradeMode', 'codeTable'],
      ['Inventory[1]/InventoryHead/trafMode', 'codeTable'],
      ['Inventory[1]/InventoryHead/country', 'codeTable'],
      ['Inventory[1]/InventoryHead/wrapType', 'codeTable'],
      ['Inventory[1]/InventoryList[1]/unit1', 'codeTable'],
    ],
  );
});
test('appType', () => expectOnly(validateCeb(withHead('CEB505', { appType: '4' })), 'Logistics[1]/appType', 'appType'));
test('appStatus', () => expectOnly(validateCeb(withHead('CEB505', { appStatus: '3' })), 'Logistics[1]/appStatus', 'appStatus'));
test('enterprise code: neither 10-char customs code nor USCC', () =>
  expectOnly(validateCeb(withHead('CEB303', { ebcCode: '12345' })), 'Order[1]/OrderHead/ebcCode', 'enterpriseCode'));
test('enterprise code: USCC with a wrong check character', () =>
  expectOnly(
    validateCeb(withHead('CEB603', { agentCode: '91360200MA35XXXXX0' })),
    'Inventory[1]/InventoryHead/agentCode',
    'enterpriseCode',
  ));
test('enterprise code: a valid USCC and ownerCode NO pass', () =>
  assert.deepEqual(validateCeb(withHead('CEB603', { agentCode: '91350100M000100Y43', ownerCode: 'NO' })), []));
test('line arithmetic: totalPrice = qty × price within 0.01', () => {
  expectOnly(
    validateCeb(withRow('CEB303', 'OrderList', 2, { totalPrice: '360.02' })),
    'Order[1]/OrderList[2]/totalPrice',
    'lineTotal',
  );
  assert.deepEqual(validateCeb(withRow('CEB303', 'OrderList', 2, { totalPrice: '360.01' })), []);
  expectOnly(
    validateCeb(withRow('CEB603', 'InventoryList', 3, { qty: '6' })),
    'Inventory[1]/InventoryList[3]/totalPrice',
    'lineTotal',
  );
});
test('netWeight ≤ grossWeight', () =>
  expectOnly(validateCeb(withHead('CEB603', { netWeight: '7.9' })), 'Inventory[1]/InventoryHead/netWeight', 'netWeight'));
test('gnum 1..n in sequence', () =>
  expectOnly(validateCeb(withRow('CEB507', 'ArrivalList', 2, { gnum: '3' })), 'Arrival[1]/ArrivalList[2]/gnum', 'gnumSequence'));
test('unknown field', () => expectOnly(validateCeb(withHead('CEB505', { weight: '1' })), 'Logistics[1]/weight', 'unknownField'));
test('non-string value', () => {
  const m = withHead('CEB505', {});
  (m.entities[0]?.head as Record<string, unknown>).packNo = 1;
  expectOnly(validateCeb(m), 'Logistics[1]/packNo', 'string');
});
test('list min occurs', () => {
  const m = clone(SAMPLE_MESSAGES.CEB303);
  const e = m.entities[0];
  if (e) e.lists.OrderList = [];
  expectOnly(validateCeb(m), 'Order[1]/OrderList', 'minOccurs');
});
test('entity max occurs (101)', () => {
  const m = clone(SAMPLE_MESSAGES.CEB505);
  const e = m.entities[0];
  assert.ok(e);
  m.entities = Array.from({ length: 101 }, () => structuredClone(e));
  expectOnly(validateCeb(m), 'Logistics', 'maxOccurs');
});
test('message guid and BaseTransfer', () => {
  const m = clone(SAMPLE_MESSAGES.CEB509);
  m.guid = 'short';
  delete m.baseTransfer;
  assert.deepEqual(
    validateCeb(m).map((p) => [p.field, p.rule]),
    [
      ['CEB509Message/@guid', 'length'],
      ['BaseTransfer', 'required'],
    ],
  );
});
test('BaseTransfer field', () => {
  const m = clone(SAMPLE_MESSAGES.CEB605);
  if (m.baseTransfer) m.baseTransfer.dxpMode = 'DX';
  expectOnly(validateCeb(m), 'BaseTransfer/dxpMode', 'length');
});
test('collects every problem, across entities and lines', () => {
  const m = clone(SAMPLE_MESSAGES.CEB303);
  const e = m.entities[0];
  assert.ok(e);
  const second = structuredClone(e);
  second.head.currency = 'XXX';
  const row = second.lists.OrderList?.[2];
  if (row) row.qty = 'abc';
  m.entities.push(second);
  assert.deepEqual(
    validateCeb(m).map((p) => [p.field, p.rule]),
    [
      ['Order[2]/OrderHead/currency', 'codeTable'],
      ['Order[2]/OrderList[3]/qty', 'decimal'],
    ],
  );
});

test('code table: port of destination (POD) from the customs port table', () => {
  expectOnly(validateCeb(withHead('CEB603', { POD: 'USLA' })), 'Inventory[1]/InventoryHead/POD', 'codeTable');
  // a port (3154 Los Angeles) or the country-level row of the table (502)
  assert.deepEqual(validateCeb(withHead('CEB603', { POD: '502' })), []);
});
test('code table: freight and insurance marks (fFlag, iFlag) are 1, 2 or 3', () => {
  assert.deepEqual(
    validateCeb(withHead('CEB603', { fFlag: '4', iFlag: '0' })).map((p) => [p.field, p.rule]),
    [
      ['Inventory[1]/InventoryHead/fFlag', 'codeTable'],
      ['Inventory[1]/InventoryHead/iFlag', 'codeTable'],
    ],
  );
  assert.deepEqual(validateCeb(withHead('CEB603', { fFlag: '1', iFlag: '2' })), []);
});
test('closed values: orderType E, ieFlag E (arrival and inventory), statisticsFlag A or B', () => {
  expectOnly(validateCeb(withHead('CEB303', { orderType: 'I' })), 'Order[1]/OrderHead/orderType', 'values');
  expectOnly(validateCeb(withHead('CEB507', { ieFlag: 'I' })), 'Arrival[1]/ArrivalHead/ieFlag', 'values');
  expectOnly(validateCeb(withHead('CEB603', { ieFlag: 'I' })), 'Inventory[1]/InventoryHead/ieFlag', 'values');
  const flag = validateCeb(withHead('CEB603', { statisticsFlag: 'C' }));
  expectOnly(flag, 'Inventory[1]/InventoryHead/statisticsFlag', 'values');
  assert.match(flag[0]!.message.en, /A \(simplified\) or B \(summary declaration\)/);
  assert.deepEqual(validateCeb(withHead('CEB603', { statisticsFlag: 'A' })), []);
});
test('trade mode of an inventory: only the CBEC export modes the platform clears (9610, 9710, 9810, 1210)', () => {
  for (const mode of ['9610', '9710', '9810', '1210'])
    assert.deepEqual(validateCeb(withHead('CEB603', { tradeMode: mode })), [], mode);
  // in the code table, but not a CBEC export mode: general trade, bonded import
  for (const mode of ['0110', '1239']) {
    const problems = validateCeb(withHead('CEB603', { tradeMode: mode }));
    expectOnly(problems, 'Inventory[1]/InventoryHead/tradeMode', 'values');
    assert.match(problems[0]!.message.zh, /9610、9710、9810、1210/);
  }
  // not in the code table at all: the code table says so first
  expectOnly(validateCeb(withHead('CEB603', { tradeMode: '0000' })), 'Inventory[1]/InventoryHead/tradeMode', 'codeTable');
  // the total-sub bill (CEB607) carries no trade mode
  assert.equal(
    MESSAGE_SPECS.CEB607.entity.head.some((f) => f.name === 'tradeMode'),
    false,
  );
});
test('appStatus 1 (暂存) is refused, pointing to the platform’s drafts; only 2 (declare) is taken', () => {
  for (const type of ['CEB303', 'CEB507', 'CEB603', 'CEB607'] as const) {
    const problems = validateCeb(withHead(type, { appStatus: '1' }));
    assert.deepEqual(
      problems.map((p) => p.rule),
      ['appStatus'],
      type,
    );
    assert.match(problems[0]!.message.en, /drafts \(appStatus 1\) are not taken.*inventory drafts/);
    assert.match(problems[0]!.message.zh, /不受理暂存/);
  }
});
