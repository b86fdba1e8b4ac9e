import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupLines, type InventoryLineInput } from './grouping.rules.ts';
import { DomainError } from '../../../kernel/errors.ts';
import { isConfirmedDay, isWorkingDay, reminders, summaryDeadline } from './deadline.rules.ts';
import { CN_CALENDAR } from './holidays.data.ts';
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
      customsCode: '4006',
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
      qty1: over.line?.qty ?? '2',
      unit1: '011',
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
    name: '194: another declared unit → same line (summed in the legal unit)',
    rs: rs194,
    input: [line({}), line({ line: { unit: '007' } })],
    declarations: 1,
    lines: [1],
  },
  {
    name: '194: another customs office (申报海关) → another declaration',
    rs: rs194,
    input: [line({}), line({ head: { customsCode: '5100' } })],
    declarations: 2,
    lines: [1, 1],
  },
  {
    name: '2014: another customs office → another declaration too',
    rs: rs2014,
    input: [line({}), line({ head: { customsCode: '5100' } })],
    declarations: 2,
    lines: [1, 1],
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

test('194: a line sums the quantities in the first legal unit, never declared quantities in different units', () => {
  // 2 pieces (011) and 1 set (007) of the same HS code; the legal unit is pieces: 2 + 6
  const pieces = line({ line: { unit: '011', qty: '2', qty1: '2', unit1: '011' } });
  const set = line({ line: { unit: '007', qty: '1', qty1: '6', unit1: '011' } });
  const [d] = groupLines(rs194, { summaryFlag: '2', itemNameFlag: '' }, [pieces, set]);
  assert.equal(d!.lines.length, 1);
  assert.equal(d!.lines[0]!.unit, '011', 'the legal unit');
  assert.equal(d!.lines[0]!.qty, '8', 'not 3 = 2 pieces + 1 set');
  // 2016: the declared unit is in the key, each line keeps its declared quantity
  const [d16] = groupLines(rs2016, { summaryFlag: '2', itemNameFlag: '' }, [pieces, set]);
  assert.deepEqual(
    d16!.lines.map((l) => `${l.qty} ${l.unit}`),
    ['1 007', '2 011'],
  );
});

test('every declaration is keyed on its customs office first, whatever the rule set', () => {
  for (const rs of SUMMARY_RULE_SETS) {
    const out = groupLines(rs, { summaryFlag: rs.defaultSummaryFlag, itemNameFlag: '' }, [
      line({ head: { customsCode: '5100' } }),
      line({ head: { customsCode: '4006' } }),
    ]);
    assert.deepEqual(
      out.map((d) => d.key.customsCode),
      ['4006', '5100'],
      rs.id,
    );
  }
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
    assert.equal(summaryDeadline(period, rs, CN_CALENDAR), want);
  });
}

// A past month replayed under the rule set in force then, against that year's holiday notice.
const replays: [string, string, string, string][] = [
  // period, rule set in force, deadline, why
  ['2016-01', 'gacc-2014-56', '2016-02-14', '10th inside Spring Festival (7–13 Feb); Sunday 14th a make-up working day'],
  ['2024-01', 'gacc-2018-194', '2024-02-18', '15th inside Spring Festival (10–17 Feb); Sunday 18th a make-up working day'],
  ['2014-09', 'gacc-2014-56', '2014-10-10', 'a Friday after National Day'],
  ['2015-09', 'gacc-2014-56', '2015-10-10', 'a Saturday, but a make-up working day'],
  ['2016-12', 'gacc-2016-26', '2016-12-30', 'December by the last working day: 31st a Saturday'],
  ['2018-01', 'gacc-2016-26', '2018-02-11', '10th a Saturday; Sunday 11th a make-up working day'],
  ['2018-12', 'gacc-2016-26', '2018-12-29', '31st and 30th are New Year 2019 rest days; Saturday 29th a make-up working day'],
  ['2019-04', 'gacc-2018-194', '2019-05-15', 'a Wednesday after the extended Labour Day'],
  ['2020-01', 'gacc-2018-194', '2020-02-17', 'the extended Spring Festival ended 2 Feb; 15th a Saturday'],
  ['2021-01', 'gacc-2018-194', '2021-02-18', '15th inside Spring Festival (11–17 Feb)'],
  ['2023-09', 'gacc-2018-194', '2023-10-16', '15th a Sunday'],
];

for (const [period, id, want, why] of replays) {
  test(`replay of ${period} under the rule set then in force: ${want} (${why})`, () => {
    const rs = ruleSetForPeriod(period);
    assert.equal(rs.id, id);
    assert.equal(summaryDeadline(period, rs, CN_CALENDAR), want);
  });
}

test('holiday data: every year 2014–2026 covered, make-up days are weekend days, no day both rest and work', () => {
  for (let y = 2014; y <= 2026; y++) assert.ok(CN_CALENDAR.years.includes(y), `year ${y} covered`);
  for (const d of CN_CALENDAR.workdays) {
    const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
    assert.ok(wd === 0 || wd === 6, `${d} is a make-up working day, so a Saturday or Sunday`);
    assert.ok(!CN_CALENDAR.holidays.includes(d), `${d} not also a rest day`);
  }
  for (const d of [...CN_CALENDAR.holidays, ...CN_CALENDAR.workdays])
    assert.ok(CN_CALENDAR.years.includes(Number(d.slice(0, 4))), `${d} in a covered year`);
  // a few days that catch a shifted or mistyped range
  assert.equal(isWorkingDay('2024-02-09', CN_CALENDAR), true, 'New Year’s Eve 2024 was a working day (a Friday)');
  assert.equal(isWorkingDay('2024-02-17', CN_CALENDAR), false);
  assert.equal(isWorkingDay('2016-02-06', CN_CALENDAR), true, 'Saturday 6 Feb 2016 worked');
  assert.equal(isWorkingDay('2015-09-03', CN_CALENDAR), false, 'the 2015 victory day holiday');
  assert.equal(isWorkingDay('2020-02-01', CN_CALENDAR), false, 'the 2020 extension cancelled that make-up day');
  assert.equal(isWorkingDay('2020-01-19', CN_CALENDAR), true);
  assert.equal(isWorkingDay('2019-05-03', CN_CALENDAR), false, 'the 2019 Labour Day as adjusted');
});

test('the years after the State Council notices: provisional deadlines from the statutory rest days', () => {
  assert.equal(isConfirmedDay('2026-12-31', CN_CALENDAR), true);
  assert.equal(isConfirmedDay('2027-01-15', CN_CALENDAR), false);
  // December 2026 under 194号: the 15th of January 2027, a Friday
  assert.equal(summaryDeadline('2026-12', rs194, CN_CALENDAR), '2027-01-15');
  // January 2027: 15 February is a Monday after Spring Festival (除夕 5 Feb – 初三 8 Feb): a working day
  assert.equal(summaryDeadline('2027-01', rs194, CN_CALENDAR), '2027-02-15');
  for (const d of ['2027-02-05', '2027-02-08', '2027-10-01', '2027-06-09', '2027-09-15'])
    assert.equal(isWorkingDay(d, CN_CALENDAR), false, `${d} is a statutory rest day`);
  assert.equal(isWorkingDay('2027-02-09', CN_CALENDAR), true, '初四 2027 (a Tuesday) is not statutory');
  // August 2027: Mid-Autumn is on the 15th of September
  assert.equal(summaryDeadline('2027-08', rs194, CN_CALENDAR), '2027-09-16', 'Mid-Autumn 2027 (Wed 15 Sep) moves it to Thursday');
});

test('a day of a year the holiday data do not cover is refused, naming the year, not guessed', () => {
  const refused = (fn: () => unknown, year: number) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof DomainError);
      assert.equal(e.code, 'summary.unprocessable');
      assert.equal(e.details?.year, year);
      assert.equal(e.details?.errors?.[0]?.rule, 'holidayCalendar');
      assert.match(e.bilingual.zh, new RegExp(`${year}年`));
      assert.match(e.bilingual.en, new RegExp(String(year)));
      return true;
    });
  refused(() => summaryDeadline('2013-05', rs2014, CN_CALENDAR), 2013);
  refused(() => summaryDeadline('2040-04', rs194, CN_CALENDAR), 2040);
  refused(() => isWorkingDay('2040-04-16', CN_CALENDAR), 2040);
  // only the years named count as covered, whatever the lists hold
  refused(() => summaryDeadline('2026-09', rs194, { ...CN_CALENDAR, years: [2024] }), 2026);
  // the deadline of December 2013 falls in January 2014: covered
  assert.equal(summaryDeadline('2013-12', rs2014, CN_CALENDAR), '2014-01-10');
});

test('working days: weekends, holidays, make-up days', () => {
  assert.equal(isWorkingDay('2026-10-10', CN_CALENDAR), true);
  assert.equal(isWorkingDay('2026-10-11', CN_CALENDAR), false);
  assert.equal(isWorkingDay('2026-10-05', CN_CALENDAR), false);
  assert.equal(isWorkingDay('2026-10-08', CN_CALENDAR), true);
});

test('reminders before the deadline, due from their day', () => {
  const r = reminders('2026-10-15', '2026-10-12');
  assert.deepEqual(
    r.map((x) => `${x.on}:${x.due}`),
    ['2026-10-08:true', '2026-10-12:true', '2026-10-14:false', '2026-10-15:false'],
  );
});
