import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupLines, type InventoryLineInput } from './grouping.rules.ts';
import { isWorkingDay, reminders, summaryDeadline } from './deadline.rules.ts';
import { ruleSetById, ruleSetForPeriod, SUMMARY_RULE_SETS } from './summary.rulesets.ts';

const rs194 = ruleSetById('gacc-2018-194')!;
const rs2016 = ruleSetById('gacc-2016-26')!;
const rs2014 = ruleSetById('gacc-2014-56')!;

let n = 0;
function line(over: {
  inv?: string;
  flag?: string;
  head?: Partial<InventoryLineInput['head']>;
  line?: Partial<InventoryLineInput['line']>;
}): InventoryLineInput {
  n++;
  const inv = over.inv ?? `I${n}`;
  return {
    inventoryId: inv,
    invtNo: `40062026E${inv.padStart(9, '0')}`,
    logisticsNo: `L${inv}`,
    gnum: n,
    statisticsFlag: over.flag ?? 'B',
    head: {
      ebcCode: 'E1',
      trafMode: '5',
      ownerCode: 'O1',
      country: '502',
      portCode: '4006',
      grossWeight: '1.5',
      netWeight: '1.2',
      ...over.head,
    },
    line: {
      country: '502',
      gcode: '6911101900',
      currency: '142',
      unit: '011',
      itemName: '青花瓷碗',
      gname: '瓷碗',
      qty: '2',
      totalPrice: '10.5',
      ...over.line,
    },
  };
}

const shape = (ds: ReturnType<typeof groupLines>): string[] =>
  ds.map(
    (d) =>
      `${Object.values(d.key).join('/')}:${d.lines.map((l) => `${Object.values(l.key).join('/')}=${l.qty}@${l.totalPrice}`).join(',')}`,
  );

const cases: {
  name: string;
  rs: typeof rs194;
  flags?: { summaryFlag: '1' | '2'; itemNameFlag: '1' | '' };
  input: InventoryLineInput[];
  declarations: number;
  lines: number[];
}[] = [
  { name: '194: same keys merge into one line', rs: rs194, input: [line({}), line({})], declarations: 1, lines: [1] },
  {
    name: '194: another ebcCode → another declaration',
    rs: rs194,
    input: [line({}), line({ head: { ebcCode: 'E2' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '194: another trafMode → another declaration',
    rs: rs194,
    input: [line({}), line({ head: { trafMode: '4' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '194: another ownerCode → another declaration (summaryFlag 2)',
    rs: rs194,
    input: [line({}), line({ head: { ownerCode: 'O2' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '194: summaryFlag 1 → owners merge',
    rs: rs194,
    flags: { summaryFlag: '1', itemNameFlag: '' },
    input: [line({}), line({ head: { ownerCode: 'O2' } })],
    declarations: 1,
    lines: [1],
  },
  {
    name: '194: another arrival country → another declaration',
    rs: rs194,
    input: [line({}), line({ head: { country: '304' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '194: another exit port → another declaration',
    rs: rs194,
    input: [line({}), line({ head: { portCode: '4001' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '194: another destination country → another line',
    rs: rs194,
    input: [line({}), line({ line: { country: '304' } })],
    declarations: 1,
    lines: [2],
  },
  {
    name: '194: another HS code → another line',
    rs: rs194,
    input: [line({}), line({ line: { gcode: '6912001000' } })],
    declarations: 1,
    lines: [2],
  },
  {
    name: '194: another currency → another line',
    rs: rs194,
    input: [line({}), line({ line: { currency: '502' } })],
    declarations: 1,
    lines: [2],
  },
  {
    name: '194: another unit → same line',
    rs: rs194,
    input: [line({}), line({ line: { unit: '007' } })],
    declarations: 1,
    lines: [1],
  },
  {
    name: '2016: another unit → another line',
    rs: rs2016,
    input: [line({}), line({ line: { unit: '007' } })],
    declarations: 1,
    lines: [2],
  },
  {
    name: '2016: another owner → another declaration',
    rs: rs2016,
    input: [line({}), line({ head: { ownerCode: 'O2' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '2014: owner not in the key',
    rs: rs2014,
    input: [line({}), line({ head: { ownerCode: 'O2' } })],
    declarations: 1,
    lines: [1],
  },
  {
    name: 'itemNameFlag 1: another item name → another line',
    rs: rs194,
    flags: { summaryFlag: '2', itemNameFlag: '1' },
    input: [line({}), line({ line: { itemName: '青花瓷盘' } })],
    declarations: 1,
    lines: [2],
  },
  {
    name: 'itemNameFlag empty: item names merge',
    rs: rs194,
    input: [line({}), line({ line: { itemName: '青花瓷盘' } })],
    declarations: 1,
    lines: [1],
  },
  {
    name: 'A-type inventories are left to statistics',
    rs: rs194,
    input: [line({}), line({ flag: 'A' })],
    declarations: 1,
    lines: [1],
  },
  { name: 'only A-type: nothing to declare', rs: rs194, input: [line({ flag: 'A' })], declarations: 0, lines: [] },
];

for (const c of cases) {
  test(`grouping: ${c.name}`, () => {
    const out = groupLines(c.rs, c.flags ?? { summaryFlag: c.rs.defaultSummaryFlag, itemNameFlag: '' }, c.input);
    assert.equal(out.length, c.declarations, shape(out).join(' | '));
    assert.deepEqual(
      out.map((d) => d.lines.length),
      c.lines,
    );
  });
}

test('grouping sums quantities, values and weights exactly, counts each inventory weight once, keeps lineage', () => {
  const a = line({ inv: 'A', line: { qty: '1', totalPrice: '0.1' } });
  const a2 = { ...line({ inv: 'A', line: { qty: '2', totalPrice: '0.2' } }), gnum: 2 };
  const b = line({ inv: 'B', line: { qty: '3', totalPrice: '0.7' }, head: { grossWeight: '2.25', netWeight: '2' } });
  const [d] = groupLines(rs194, { summaryFlag: '2', itemNameFlag: '' }, [b, a2, a]);
  assert.equal(d!.grossWeight, '3.75');
  assert.equal(d!.netWeight, '3.2');
  assert.equal(d!.inventoryCount, 2);
  assert.equal(d!.lines[0]!.qty, '6');
  assert.equal(d!.lines[0]!.totalPrice, '1');
  // lineage: every source line, ordered by inventory number then line number
  assert.deepEqual(
    d!.lines[0]!.sources.map((s) => `${s.invtNo.slice(-1)}#${s.gnum}`),
    ['A#2', `A#${a.gnum}`, `B#${b.gnum}`],
  );
});

test('grouping is reproducible: input order does not change the result', () => {
  const input = [
    line({}),
    line({ line: { gcode: '6912001000' } }),
    line({ head: { country: '304' } }),
    line({ line: { country: '110' } }),
  ];
  const one = groupLines(rs194, { summaryFlag: '2', itemNameFlag: '' }, input);
  const two = groupLines(rs194, { summaryFlag: '2', itemNameFlag: '' }, [...input].reverse());
  assert.deepEqual(one, two);
});

test('the rule set in force follows the period', () => {
  assert.equal(ruleSetForPeriod('2026-10').id, 'gacc-2018-194');
  assert.equal(ruleSetForPeriod('2018-12').id, 'gacc-2016-26');
  assert.equal(ruleSetForPeriod('2015-03').id, 'gacc-2014-56');
  assert.equal(SUMMARY_RULE_SETS.length, 3);
});

const deadlines: [string, string, string][] = [
  // period, rule set, deadline
  ['2026-09', 'gacc-2018-194', '2026-10-15'], // Thursday
  ['2026-01', 'gacc-2018-194', '2026-02-24'], // 15th is Sunday inside the Spring Festival holiday
  ['2026-02', 'gacc-2018-194', '2026-03-16'], // 15th is Sunday
  ['2025-09', 'gacc-2018-194', '2025-10-15'],
  ['2026-09', 'gacc-2016-26', '2026-10-10'], // a Saturday, but a make-up working day (调休)
  ['2026-08', 'gacc-2016-26', '2026-09-10'],
  ['2026-11', 'gacc-2016-26', '2026-12-10'],
  ['2026-12', 'gacc-2016-26', '2026-12-31'], // December by the last working day of December
];

for (const [period, id, want] of deadlines) {
  test(`deadline of ${period} under ${id}`, () => {
    const rs = ruleSetById(id)!;
    assert.equal(summaryDeadline(period, rs), want);
  });
}

test('working days: weekends, holidays, make-up days', () => {
  assert.equal(isWorkingDay('2026-10-10'), true);
  assert.equal(isWorkingDay('2026-10-11'), false);
  assert.equal(isWorkingDay('2026-10-05'), false);
  assert.equal(isWorkingDay('2026-10-08'), true);
});

test('reminders before the deadline, due from their day', () => {
  const r = reminders('2026-10-15', '2026-10-12');
  assert.deepEqual(
    r.map((x) => `${x.on}:${x.due}`),
    ['2026-10-08:true', '2026-10-12:true', '2026-10-14:false', '2026-10-15:false'],
  );
});
