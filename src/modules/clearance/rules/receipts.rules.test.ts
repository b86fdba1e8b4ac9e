import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiptFields, receiptRecord } from './receipts.rules.ts';

const head = {
  guid: 'A1B2C3D4-0000-4000-8000-000000000001',
  agentCode: '3601960001',
  copNo: 'COP-1',
  ebcCode: '3601960002',
  ebpCode: '3601960003',
  orderNo: 'ORD-1',
  statisticsFlag: 'B',
  customsCode: '4001',
};
const columns = { guid: head.guid, returnStatus: '399', returnInfo: '海关审结 / decided', returnTime: '20261127120000000' };

test('a receipt stores only what its columns do not hold, and reads back whole, in spec order', () => {
  const stored = receiptFields('CEB603', head, { preNo: 'P'.repeat(18), invtNo: '4001' + '2'.repeat(14) });
  // CEB604's head in the 2018-05 schema's order, without the four fields the columns hold.
  const storedKeys = ['agentCode', 'copNo', 'preNo', 'invtNo', 'ebcCode', 'ebpCode', 'orderNo', 'statisticsFlag'];
  assert.deepEqual(Object.keys(stored), storedKeys);
  const record = receiptRecord('CEB604', stored, columns);
  assert.deepEqual(Object.keys(record), ['guid', ...storedKeys, 'returnStatus', 'returnTime', 'returnInfo']);
  assert.equal(record.returnInfo, columns.returnInfo);
  assert.equal(record.invtNo, '4001' + '2'.repeat(14));
});

test('receipts stored whole (before the columns were left out) read back the same', () => {
  const stored = receiptFields('CEB303', head, {});
  const whole = {
    guid: head.guid,
    ...stored,
    returnStatus: '120',
    returnTime: columns.returnTime,
    returnInfo: '海关入库 / stored by customs',
  };
  const cols = { ...columns, returnStatus: '120', returnInfo: whole.returnInfo };
  assert.deepEqual(receiptRecord('CEB304', whole, cols), receiptRecord('CEB304', stored, cols));
});

test('required fields the document lacks are sent empty; optional ones are left out; return info is cut at 1,000', () => {
  const stored = receiptFields('CEB403', { guid: 'G', ebcCode: 'E' }, {});
  assert.deepEqual(stored, { ebcCode: 'E', orderNo: '' });
  const record = receiptRecord('CEB404', stored, { ...columns, guid: '', returnInfo: 'x'.repeat(1500) });
  assert.equal(record.guid, '');
  assert.equal(record.returnInfo!.length, 1000);
  assert.ok(!('payNo' in record));
});
