import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConfirmedDay, isWorkingDay, summaryDeadline } from './deadline.rules.ts';
import {
  checkCalendarEntries,
  daysOfYear,
  deadlinesOfYear,
  withEntries,
  yearSource,
  type CalendarEntry,
  type CalendarEntryInput,
} from './holiday-calendar.rules.ts';
import { CN_CALENDAR } from './holidays.data.ts';
import { ruleSetById } from './summary.rulesets.ts';

const rs194 = ruleSetById('gacc-2018-194')!;

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1))
    out.push(d.toISOString().slice(0, 10));
  return out;
};

/**
 * A Spring Festival 2027 arrangement as an operator would enter it from the notice (the dates are
 * an example, not the State Council's): rest 6–15 February, make-up working days Sunday 31 January
 * and Saturday 20 February.
 */
const SPRING_2027: CalendarEntry[] = [
  ...range('2027-02-06', '2027-02-15').map((date) => ({ date, year: 2027, kind: 'holiday' as const })),
  { date: '2027-01-31', year: 2027, kind: 'workday' },
  { date: '2027-02-20', year: 2027, kind: 'workday' },
];

test('no entries: the built-in calendar as it is', () => {
  assert.equal(withEntries(CN_CALENDAR, []), CN_CALENDAR);
});

test('entering 2027: the February deadline moves past the entered days and is no longer provisional', () => {
  // built in: 2027 provisional, 15 February (a Monday after the statutory 除夕–初三) a working day
  assert.equal(summaryDeadline('2027-01', rs194, CN_CALENDAR), '2027-02-15');
  assert.equal(isConfirmedDay('2027-02-15', CN_CALENDAR), false);

  const cal = withEntries(CN_CALENDAR, SPRING_2027);
  assert.equal(summaryDeadline('2027-01', rs194, cal), '2027-02-16');
  assert.equal(isConfirmedDay('2027-02-16', cal), true);
  assert.equal(isWorkingDay('2027-01-31', cal), true, 'a Sunday make-up working day');
  assert.equal(isWorkingDay('2027-02-20', cal), true, 'a Saturday make-up working day');
  assert.equal(isWorkingDay('2027-02-21', cal), false, 'an ordinary Sunday');
  // the entered year replaces the provisional table entirely: a day not entered is an ordinary day
  assert.equal(isWorkingDay('2027-10-01', CN_CALENDAR), false, 'National Day provisionally');
  assert.equal(isWorkingDay('2027-10-01', cal), true, 'not entered (yet): a Friday like any other');
  // the years after stay provisional
  assert.equal(isConfirmedDay('2028-03-15', cal), false);
  assert.equal(summaryDeadline('2028-01', rs194, cal), '2028-02-15');
  // and the years before as built in
  assert.equal(summaryDeadline('2024-01', rs194, cal), '2024-02-18');
});

test('a year entered replaces the built-in days of that year only', () => {
  // 2026 built in: 1–7 October rest, Saturday 10 October worked
  assert.equal(isWorkingDay('2026-10-05', CN_CALENDAR), false);
  const cal = withEntries(CN_CALENDAR, [{ date: '2026-10-01', year: 2026, kind: 'holiday' }]);
  assert.equal(isWorkingDay('2026-10-01', cal), false, 'the entered day');
  assert.equal(isWorkingDay('2026-10-05', cal), true, 'a built-in 2026 day no longer applies');
  assert.equal(isWorkingDay('2026-10-10', cal), false, 'nor a built-in make-up day');
  assert.equal(isWorkingDay('2025-10-08', cal), false, '2025 keeps its built-in days');
  assert.equal(summaryDeadline('2026-09', rs194, cal), '2026-10-15');
});

test('a year entered after a provisional one leaves that one provisional, not refused', () => {
  const cal = withEntries(CN_CALENDAR, [{ date: '2028-01-26', year: 2028, kind: 'holiday' }]);
  assert.equal(isConfirmedDay('2027-05-17', cal), false);
  assert.equal(isWorkingDay('2027-05-03', cal), true, 'statutory: only 1–2 May rest');
  assert.equal(isWorkingDay('2027-05-01', cal), false);
  assert.equal(yearSource(2027, cal, new Set([2028])), 'provisional');
  assert.equal(yearSource(2028, cal, new Set([2028])), 'database');
  assert.equal(yearSource(2026, cal, new Set([2028])), 'builtin');
  assert.equal(yearSource(2040, cal, new Set([2028])), 'uncovered');
  assert.equal(yearSource(2013, cal, new Set([2028])), 'uncovered');
});

test('a late-December day of the next arrangement counts while its own year is still provisional', () => {
  // 31 December 2027 is a Friday: a New Year 2028 holiday beginning then, entered with 2028
  const cal = withEntries(CN_CALENDAR, [{ date: '2027-12-31', year: 2028, kind: 'holiday' }]);
  assert.equal(isWorkingDay('2027-12-31', CN_CALENDAR), true);
  assert.equal(isWorkingDay('2027-12-31', cal), false);
  assert.ok(daysOfYear(2027, cal).holidays.includes('2027-12-31'));
});

test('a year as the page shows it: its days and the deadlines falling due in it', () => {
  const cal = withEntries(CN_CALENDAR, SPRING_2027);
  assert.deepEqual(daysOfYear(2027, cal), {
    holidays: range('2027-02-06', '2027-02-15'),
    workdays: ['2027-01-31', '2027-02-20'],
  });
  assert.deepEqual(daysOfYear(2029, cal).holidays.slice(0, 2), ['2029-01-01', '2029-02-12'], 'provisional: statutory');
  const ds = deadlinesOfYear(2027, cal);
  assert.equal(ds.length, 12);
  assert.deepEqual(ds[0], { period: '2026-12', deadline: '2027-01-15', provisional: false });
  assert.deepEqual(ds[1], { period: '2027-01', deadline: '2027-02-16', provisional: false });
  const before = deadlinesOfYear(2027, CN_CALENDAR);
  assert.deepEqual(before[1], { period: '2027-01', deadline: '2027-02-15', provisional: true });
  assert.ok(deadlinesOfYear(2040, cal).every((d) => d.deadline === null && d.provisional));
});

const good: CalendarEntryInput = {
  date: '2027-02-08',
  kind: 'holiday',
  name: '春节',
  source: '国务院办公厅关于2027年部分节假日安排的通知',
};

const entryCases: { name: string; year?: number; days: Partial<CalendarEntryInput>[]; taken?: string[]; rules: string[] }[] = [
  { name: 'a good day', days: [{}], rules: [] },
  { name: 'a Saturday make-up working day', days: [{ date: '2027-02-20', kind: 'workday' }], rules: [] },
  { name: 'date not YYYY-MM-DD', days: [{ date: '2027/02/08' }], rules: ['days[0].date:date'] },
  { name: 'no such date', days: [{ date: '2027-02-30' }], rules: ['days[0].date:date'] },
  { name: 'unknown kind', days: [{ kind: 'rest' }], rules: ['days[0].kind:enum'] },
  { name: 'a make-up working day on a weekday', days: [{ kind: 'workday' }], rules: ['days[0].kind:weekend'] },
  { name: 'a date of another year', days: [{ date: '2028-02-08' }], rules: ['days[0].date:year'] },
  { name: 'late December of the year before', days: [{ date: '2026-12-31' }], rules: [] },
  { name: 'November of the year before', days: [{ date: '2026-11-30' }], rules: ['days[0].date:year'] },
  { name: 'already entered', days: [{}], taken: ['2027-02-08'], rules: ['days[0].date:unique'] },
  { name: 'the same date twice', days: [{}, { kind: 'holiday' }], rules: ['days[1].date:unique'] },
  { name: 'no name, no notice', days: [{ name: ' ', source: '' }], rules: ['days[0].name:required', 'days[0].source:required'] },
  { name: 'a year out of range', year: 1999, days: [{ date: '1999-02-08' }], rules: ['year:range'] },
  { name: 'no day at all', days: [], rules: ['days:minItems'] },
];

for (const c of entryCases) {
  test(`calendar entry: ${c.name}`, () => {
    const problems = checkCalendarEntries(
      c.year ?? 2027,
      c.days.map((d) => ({ ...good, ...d })),
      new Set(c.taken ?? []),
    );
    assert.deepEqual(
      problems.map((p) => `${p.field}:${p.rule}`),
      c.rules,
    );
    for (const p of problems) assert.ok(p.message.zh && p.message.en, 'bilingual');
  });
}
