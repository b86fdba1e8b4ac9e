import { CN_CALENDAR, type HolidayCalendar } from './holidays.data.ts';
import type { SummaryRuleSet } from './summary.rulesets.ts';

const day = (d: Date): string => d.toISOString().slice(0, 10);
const addDays = (d: string, n: number): string => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + n);
  return day(x);
};

export function isWorkingDay(d: string, cal: HolidayCalendar = CN_CALENDAR): boolean {
  if (cal.workdays.includes(d)) return true;
  if (cal.holidays.includes(d)) return false;
  const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
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
 */
export function summaryDeadline(period: string, rs: SummaryRuleSet, cal: HolidayCalendar = CN_CALENDAR): string {
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
