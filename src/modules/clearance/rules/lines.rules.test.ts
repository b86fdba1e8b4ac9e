import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeRefusal } from './documents.rules.ts';
import {
  arrivalLineProblems,
  billLineProblems,
  departureLineProblems,
  joinProblems,
  productLineProblems,
  type BillTarget,
  type BoundBill,
} from './lines.rules.ts';

const bowl = { hsCode: '6911101900', legalUnit1: '011' };
const filed = new Map([['3601260888|QHC-BOWL-01', bowl]]);

test('product lines: not filed, HS code and first legal unit against the filing, each named with both values', () => {
  const line = { gnum: '1', itemNo: 'QHC-BOWL-01', gcode: '6911101900', unit1: '011' };
  assert.deepEqual(productLineProblems('3601260888', [line], filed), { missing: [], mismatches: [] });
  // order lines carry neither gcode nor unit1: filed is enough
  assert.deepEqual(productLineProblems('3601260888', [{ gnum: '1', itemNo: 'QHC-BOWL-01' }], filed).mismatches, []);
  assert.deepEqual(productLineProblems('3601260999', [line], filed).missing, ['QHC-BOWL-01'], 'filed by another seller');
  const bad = productLineProblems('3601260888', [line, { ...line, gnum: '2', gcode: '6913100000', unit1: '035' }], filed);
  assert.deepEqual(bad.missing, []);
  assert.deepEqual(
    bad.mismatches.map((m) => m.en),
    [
      'line 2 (item QHC-BOWL-01): gcode 6913100000 differs from the filed 6911101900',
      'line 2 (item QHC-BOWL-01): unit1 035 differs from the filed 011',
    ],
  );
  assert.match(bad.mismatches[0]!.zh, /第 2 行.*商品编码 gcode=6913100000 与备案的 6911101900 不符/);
});

test('bill lines: a live inventory of the same parcel and carrier, declared or sold by the sender', () => {
  const inv = (invtNo: string, logisticsNo: string, agentCode: string, ebcCode: string, carrier = '3601980012'): BillTarget => ({
    invtNo,
    logisticsNo,
    waybillKey: `${carrier}|${logisticsNo}`,
    agentCode,
    ebcCode,
  });
  const inventories = new Map(
    [
      inv('40062026E000000001', 'T1CN', '3601980099', '3601260888'),
      inv('40062026E000000002', 'T2CN', '3601980099', '3601260888'),
      inv('40062026E000000003', 'T3CN', '3601980099', '3601260888', '3601989001'),
    ].map((i) => [i.invtNo, i]),
  );
  const head = { agentCode: '3601980099', logisticsCode: '3601980012' };
  const broker = new Set(['3601980099', '91360100MA3980099X']);
  const ok = [
    { gnum: '1', logisticsNo: 'T1CN', invtNo: '40062026E000000001' },
    { gnum: '2', logisticsNo: 'T2CN', invtNo: '40062026E000000002' },
  ];
  assert.deepEqual(billLineProblems(head, ok, inventories, broker), []);
  // the seller of the inventories may bind them too (it names itself as agent)
  assert.deepEqual(billLineProblems({ ...head, agentCode: '3601260888' }, ok, inventories, new Set(['3601260888'])), []);
  const lines: Record<string, string>[] = [
    { gnum: '1', logisticsNo: 'T1CN', invtNo: '40062026E000000001' },
    { gnum: '2', logisticsNo: 'T2CN' },
    { gnum: '3', logisticsNo: 'T9CN', invtNo: '40062026E000000009' },
    { gnum: '4', logisticsNo: 'T1CN', invtNo: '40062026E000000002' },
    { gnum: '5', logisticsNo: 'T3CN', invtNo: '40062026E000000003' },
  ];
  assert.deepEqual(
    billLineProblems(head, lines, inventories, broker).map((p) => p.en),
    [
      "line 2 (logisticsNo T2CN): no invtNo (each line names the parcel's inventory)",
      'line 3 (logisticsNo T9CN): no live inventory 40062026E000000009',
      'line 4 (logisticsNo T1CN): inventory 40062026E000000002 is for logisticsNo T2CN',
      "line 5 (logisticsNo T3CN): inventory 40062026E000000003 names another carrier than the bill's logisticsCode 3601980012",
    ],
  );
  // another agent: every line of the broker's parcels is refused, naming the rule
  const foreign = billLineProblems({ ...head, agentCode: '3601260999' }, ok, inventories, new Set(['3601260999']));
  assert.deepEqual(
    foreign.map((p) => p.en),
    [
      'line 1 (logisticsNo T1CN): the sender agentCode 3601260999 is neither the declaring agent nor the seller of inventory 40062026E000000001',
      'line 2 (logisticsNo T2CN): the sender agentCode 3601260999 is neither the declaring agent nor the seller of inventory 40062026E000000002',
    ],
  );
  assert.match(foreign[0]!.zh, /第 1 行.*申报企业和电商企业都不是总分单的发送企业/);

  // A parcel already bound to another live bill is refused; the bill's own stored version (a change) is not another.
  const bills = new Map<string, BoundBill[]>([['3601980012|T2CN', [{ documentId: 'bill-1', billNo: '784-00000001' }]]]);
  const twice = billLineProblems(head, ok, inventories, broker, { bills, self: null });
  assert.deepEqual(
    twice.map((p) => p.en),
    ['line 2 (logisticsNo T2CN): already bound to bill 784-00000001 (inventory 40062026E000000002)'],
  );
  assert.match(twice[0]!.zh, /^第 2 行（logisticsNo=T2CN）已绑定总分单 784-00000001/);
  assert.deepEqual(billLineProblems(head, ok, inventories, broker, { bills, self: 'bill-1' }), [], 'its own change');
});

test('departure lines: with a billNo each parcel is bound to a live bill of that billNo; without one, declared', () => {
  const head = { logisticsCode: '3601980012', billNo: 'B1' };
  const bound = new Map<string, BoundBill[]>([
    ['3601980012|T1CN', [{ documentId: 'bill-1', billNo: 'B1' }]],
    ['3601980012|T2CN', [{ documentId: 'bill-2', billNo: 'B2' }]],
  ]);
  const declared = new Set(['3601980012|T1CN', '3601980012|T2CN', '3601980012|T3CN']);
  const lines = [
    { gnum: '1', logisticsNo: 'T1CN' },
    { gnum: '2', logisticsNo: 'T2CN' },
    { gnum: '3', logisticsNo: 'T3CN' },
  ];
  assert.deepEqual(departureLineProblems(head, lines.slice(0, 1), bound, declared), []);
  const wrong = departureLineProblems(head, lines, bound, declared);
  assert.deepEqual(
    wrong.map((p) => p.en),
    [
      'line 2 DepartureList/logisticsNo T2CN: not bound to a live total-sub bill with billNo B1 (it is bound to bill B2)',
      'line 3 DepartureList/logisticsNo T3CN: not bound to any live total-sub bill (billNo B1)',
    ],
  );
  assert.match(
    wrong[0]!.zh,
    /^第 2 行 DepartureList\/logisticsNo=T2CN：未绑定提运单号 billNo=B1 的有效总分单（已绑定总分单 B2）/,
  );
  // another carrier's parcel of the same number is another parcel
  assert.equal(departureLineProblems({ ...head, logisticsCode: '3601989001' }, lines.slice(0, 1), bound, declared).length, 1);
  // without a billNo: declared is enough, bound or not
  const noBill = { logisticsCode: '3601980012' };
  assert.deepEqual(departureLineProblems(noBill, lines, bound, declared), []);
  assert.deepEqual(
    departureLineProblems(noBill, [{ gnum: '1', logisticsNo: 'T9CN' }], bound, declared).map((p) => p.en),
    ['line 1 DepartureList/logisticsNo T9CN: no live inventory declares this parcel of carrier 3601980012'],
  );
});

test('arrival lines: every parcel declared by a live inventory of the head’s carrier', () => {
  const head = { logisticsCode: '3601980012' };
  const declared = new Set(['3601980012|T1CN']);
  assert.deepEqual(arrivalLineProblems(head, [{ gnum: '1', logisticsNo: 'T1CN' }], declared), []);
  assert.deepEqual(
    arrivalLineProblems(
      head,
      [
        { gnum: '1', logisticsNo: 'T1CN' },
        { gnum: '2', logisticsNo: 'T2CN' },
      ],
      declared,
    ).map((p) => p.en),
    ['line 2 (logisticsNo T2CN): no live inventory declares this parcel of carrier 3601980012'],
  );
  assert.equal(arrivalLineProblems({ logisticsCode: '3601989001' }, [{ gnum: '1', logisticsNo: 'T1CN' }], declared).length, 1);
});

test('many problems: the first ten named, the rest counted', () => {
  const all = Array.from({ length: 13 }, (_, i) => ({ zh: `第${i + 1}行`, en: `line ${i + 1}` }));
  const j = joinProblems(all);
  assert.match(j.en, /^line 1; line 2; .*line 10; and 3 more line\(s\)$/);
  assert.match(j.zh, /第10行；另有 3 行$/);
});

test('change and delete: a held inventory (300) may be withdrawn but not changed; nothing after a decision', () => {
  assert.equal(changeRefusal('inventory', '2', '2'), null);
  assert.equal(changeRefusal('inventory', '3', '300'), null);
  const held = changeRefusal('inventory', '2', '300');
  assert.match(
    held!.en,
    /under review, hold or inspection \(status 300\) and cannot be changed: withdraw it with a cancellation \(CEB605\)/,
  );
  assert.match(held!.zh, /状态 300.*CEB605/);
  assert.match(changeRefusal('inventory', '2', '399')!.en, /status 399 does not allow a change \(only status 2, 120\)/);
  assert.match(changeRefusal('consolidation', '3', '399')!.en, /status 399 does not allow a deletion \(only status 2\)/);
});
