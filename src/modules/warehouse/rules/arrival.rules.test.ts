import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateCeb } from '../../../ceb/index.ts';
import { arrivalMessage, bagNo, cebTime, countDiscrepancies, normaliseScan } from './arrival.rules.ts';

test('the arrival built for a dispatch is a valid CEB507 with totalPackageNo per parcel', () => {
  const m = arrivalMessage({
    messageGuid: '00005070-0000-4000-8000-000000000001',
    entityGuid: '00000507-0000-4000-8000-000000000001',
    now: new Date('2026-11-26T02:30:00Z'),
    customsCode: '4006',
    copNo: 'D2026112600001',
    operator: { code: '3601980077', name: '南昌国际快件监管中心运营有限公司' },
    logistics: { code: '3601980012', name: '中国邮政速递物流股份有限公司江西省分公司' },
    billNo: '784-12345678',
    domesticTrafNo: '赣A12345',
    trafMode: '5',
    parcels: [
      { logisticsNo: 'EE123456785CN', bagNo: 'BG9800772611260001' },
      { logisticsNo: 'EE123456790CN', bagNo: 'BG9800772611260001' },
    ],
  });
  assert.deepEqual(validateCeb(m), []);
  assert.equal(m.entities[0]!.head.appTime, '20261126103000');
  assert.deepEqual(
    m.entities[0]!.lists.ArrivalList!.map((l) => `${l.gnum}:${l.totalPackageNo}`),
    ['1:BG9800772611260001', '2:BG9800772611260001'],
  );
});

test('scans, bag numbers, times', () => {
  assert.equal(normaliseScan(' ee 123456785cn\n'), 'EE123456785CN');
  assert.equal(bagNo('3601980077', new Date('2026-11-26T20:00:00Z'), 7), 'BG9800772611270007');
  assert.equal(cebTime(new Date('2026-12-31T16:00:00Z')), '20270101000000');
});

test('count discrepancies: missing, misplaced, unexpected', () => {
  const table: { stock: [string, string | null][]; scans: [string, string | null][]; want: string[] }[] = [
    { stock: [['A', 'L1']], scans: [['A', 'L1']], want: [] },
    { stock: [['A', 'L1']], scans: [], want: ['missing:A'] },
    { stock: [['A', 'L1']], scans: [['A', 'L2']], want: ['misplaced:A'] },
    { stock: [], scans: [['B', 'L1']], want: ['unexpected:B'] },
    {
      stock: [
        ['A', null],
        ['C', 'L1'],
      ],
      scans: [
        ['A', 'L9'],
        ['D', null],
      ],
      want: ['missing:C', 'unexpected:D'],
    },
  ];
  for (const c of table) {
    const got = countDiscrepancies(
      c.stock.map(([logisticsNo, location]) => ({ logisticsNo, location })),
      c.scans.map(([logisticsNo, location]) => ({ logisticsNo, location })),
    ).map((d) => `${d.kind}:${d.logisticsNo}`);
    assert.deepEqual(got, c.want, JSON.stringify(c));
  }
});
