import { DomainError } from '../../../kernel/errors.ts';
import type { HolidayCalendar } from './holidays.data.ts';
import type { SummaryRuleSet } from './summary.rulesets.ts';

const day = (d: Date): string => d.toISOString().slice(0, 10);
const addDays = (d: string, n: number): string => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + n);
  return day(x);
};

/**
 * The first day of the lunar new year (正月初一), Dragon Boat (端午) and Mid-Autumn (中秋) of the
 * years after the State Council notices in holidays.data.ts: astronomical facts, known years
 * ahead, unlike each year's arrangement of bridging days and make-up workdays.
 */
const LUNAR: Readonly<Record<number, { newYear: string; dragonBoat: string; midAutumn: string }>> = {
  2027: { newYear: '2027-02-06', dragonBoat: '2027-06-09', midAutumn: '2027-09-15' },
  2028: { newYear: '2028-01-26', dragonBoat: '2028-05-28', midAutumn: '2028-10-03' },
  2029: { newYear: '2029-02-13', dragonBoat: '2029-06-16', midAutumn: '2029-09-22' },
  2030: { newYear: '2030-02-03', dragonBoat: '2030-06-05', midAutumn: '2030-09-12' },
};

/**
 * The statutory rest days of a year whose State Council arrangement is not in the data yet
 * (《全国年节及纪念日放假办法》 as amended in 2024: 元旦 1, 春节 4 from 除夕, 劳动节 1–2 May, 端午 1,
 * 中秋 1, 国庆 1–3 October; Qingming never falls on a deadline day). Without the notice's bridging
 * days and make-up Saturdays a deadline computed from them is provisional: the notice for a year
 * comes out in November of the year before, and a deadline in it is at most a few days off.
 */
export function provisionalHolidays(year: number): string[] | undefined {
  const l = LUNAR[year];
  if (!l) return undefined;
  return [
    `${year}-01-01`,
    ...[-1, 0, 1, 2].map((n) => addDays(l.newYear, n)),
    `${year}-05-01`,
    `${year}-05-02`,
    l.dragonBoat,
    l.midAutumn,
    `${year}-10-01`,
    `${year}-10-02`,
    `${year}-10-03`,
  ];
}

/** Whether `d` falls in a year whose State Council arrangement the calendar holds. */
export const isConfirmedDay = (d: string, cal: HolidayCalendar): boolean => cal.years.includes(Number(d.slice(0, 4)));

/**
 * The refusal for a day the calendar neither covers nor can compute provisionally (before the
 * data start, or past the lunar table): a guessed working day there would be wrong.
 */
function uncovered(d: string, cal: HolidayCalendar): DomainError {
  const year = Number(d.slice(0, 4));
  const span = cal.years.length ? `${Math.min(...cal.years)}–${Math.max(...cal.years)}` : '—';
  const message = {
    zh: `节假日数据未包含${year}年（现有${span}年）：无法判断${d}是否为工作日，须先补充国务院办公厅${year}年节假日安排`,
    en: `the holiday calendar does not cover ${year} (it holds ${span}): whether ${d} is a working day cannot be told until the State Council's ${year} holiday arrangement is added`,
  };
  return new DomainError('summary.unprocessable', message, {
    errors: [{ field: 'period', rule: 'holidayCalendar', message, value: d }],
    year,
  });
}

/**
 * Whether `d` is a working day in China: by the State Council arrangement where the calendar holds
 * it, provisionally by the statutory rest days in a later year it does not hold (also one between
 * two entered years); throws (summary.unprocessable) otherwise.
 */
export function isWorkingDay(d: string, cal: HolidayCalendar): boolean {
  const year = Number(d.slice(0, 4));
  const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
  // A listed day decides first: a late-December day of the next year's arrangement may be listed
  // while its own year is still provisional.
  if (cal.workdays.includes(d)) return true;
  if (cal.holidays.includes(d)) return false;
  if (!cal.years.includes(year)) {
    const statutory = cal.years.length && year > Math.min(...cal.years) ? provisionalHolidays(year) : undefined;
    if (!statutory) throw uncovered(d, cal);
    return !statutory.includes(d) && wd !== 0 && wd !== 6;
  }
  return wd !== 0 && wd !== 6;
}

/** `YYYY-MM` → [first day, first day of the next month) as dates. */
export function periodBounds(period: string): { from: string; to: string } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${period}-01`, to: `${next}-01` };
}

export const isPeriod = (s: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);

/**
 * The last day to lodge the summary of `period`: the rule set's day of the following month, moved
 * to the next working day when it is a weekend or holiday (194号: "如遇法定节假日、休息日顺延至
 * 第一个工作日"); under 2016年第26号 December's summary is due by the last working day of December.
 * `cal` is the calendar in force: the built-in data with the years entered on the platform
 * (holiday-calendar.rules.ts `withEntries`).
 */
export function summaryDeadline(period: string, rs: SummaryRuleSet, cal: HolidayCalendar): string {
  if (rs.decemberByYearEnd && period.endsWith('-12')) {
    let d = `${period}-31`;
    while (!isWorkingDay(d, cal)) d = addDays(d, -1);
    return d;
  }
  let d = `${periodBounds(period).to.slice(0, 8)}${String(rs.deadlineDay).padStart(2, '0')}`;
  while (!isWorkingDay(d, cal)) d = addDays(d, 1);
  return d;
}

/** Reminder days before the deadline (calendar days), as data. */
export const REMINDER_OFFSETS = [7, 3, 1, 0] as const;

export interface Reminder {
  on: string;
  daysBefore: number;
  due: boolean;
}

export function reminders(deadline: string, today: string): Reminder[] {
  return REMINDER_OFFSETS.map((n) => {
    const on = addDays(deadline, -n);
    return { on, daysBefore: n, due: today >= on };
  });
}
