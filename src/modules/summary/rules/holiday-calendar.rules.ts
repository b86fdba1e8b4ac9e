import type { FieldProblem } from '../../../kernel/errors.ts';
import { isConfirmedDay, provisionalHolidays, summaryDeadline } from './deadline.rules.ts';
import type { HolidayCalendar } from './holidays.data.ts';
import { ruleSetForPeriod } from './summary.rulesets.ts';

/**
 * The editable holiday calendar (sum_holiday_day): when the State Council publishes a year's
 * arrangement (放假调休, November–December of the year before), the platform operator or customs
 * enters its rest days and make-up working days without a release. A year with any entered day
 * counts as confirmed and replaces the built-in table of that year (holidays.data.ts); other
 * years stay as built in, or provisional past it. Pure: the service loads the entries.
 */
export const HOLIDAY_KINDS = ['holiday', 'workday'] as const;
export type HolidayKind = (typeof HOLIDAY_KINDS)[number];

/** One entered day of a year's arrangement. */
export interface CalendarEntry {
  date: string;
  /** the arrangement (notice) it belongs to: its own year, or the next one for a late-December day */
  year: number;
  kind: HolidayKind;
}

export interface CalendarEntryInput {
  date: string;
  kind: string;
  name: string;
  source: string;
}

/** Where the deadlines of a year take its days from. */
export type CalendarSource = 'database' | 'builtin' | 'provisional' | 'uncovered';

export const MIN_CALENDAR_YEAR = 2000;
export const MAX_CALENDAR_YEAR = 2100;

const yearOf = (d: string): number => Number(d.slice(0, 4));

/**
 * The calendar the deadlines use: every year with an entered day holds exactly its entered days
 * (and is confirmed); the others keep the built-in days. A built-in day sits with the year it
 * falls in (holidays.data.ts), so the built-in days of a replaced year are those dated in it.
 */
export function withEntries(base: HolidayCalendar, entries: readonly CalendarEntry[]): HolidayCalendar {
  if (!entries.length) return base;
  const entered = new Set(entries.map((e) => e.year));
  const kept = (d: string): boolean => !entered.has(yearOf(d));
  return {
    holidays: [...base.holidays.filter(kept), ...entries.filter((e) => e.kind === 'holiday').map((e) => e.date)],
    workdays: [...base.workdays.filter(kept), ...entries.filter((e) => e.kind === 'workday').map((e) => e.date)],
    years: [...new Set([...base.years, ...entered])].sort((a, b) => a - b),
  };
}

/** Where a year's days come from in `cal` (the merged calendar), given the years entered. */
export function yearSource(year: number, cal: HolidayCalendar, entered: ReadonlySet<number>): CalendarSource {
  if (entered.has(year)) return 'database';
  if (cal.years.includes(year)) return 'builtin';
  if (cal.years.length && year > Math.min(...cal.years) && provisionalHolidays(year)) return 'provisional';
  return 'uncovered';
}

/** The rest days and make-up working days dated in `year`, as the deadlines see them. */
export function daysOfYear(year: number, cal: HolidayCalendar): { holidays: string[]; workdays: string[] } {
  const inYear = (d: string) => yearOf(d) === year;
  if (cal.years.includes(year))
    return { holidays: cal.holidays.filter(inYear).sort(), workdays: cal.workdays.filter(inYear).sort() };
  // provisional: the statutory rest days, and any listed day of the next year's arrangement dated in it
  const workdays = cal.workdays.filter(inYear);
  const holidays = [...new Set([...(provisionalHolidays(year) ?? []), ...cal.holidays.filter(inYear)])];
  return { holidays: holidays.filter((d) => !workdays.includes(d)).sort(), workdays: workdays.sort() };
}

export interface YearDeadline {
  /** the month summarised */
  period: string;
  /** null: a day of the year cannot be told (not covered) */
  deadline: string | null;
  provisional: boolean;
}

/** The summary deadlines of the months whose summaries fall due in `year` (December of the year before … November). */
export function deadlinesOfYear(year: number, cal: HolidayCalendar): YearDeadline[] {
  const out: YearDeadline[] = [];
  for (let i = 0; i < 12; i++) {
    const d = new Date(Date.UTC(year, i - 1, 1));
    const period = d.toISOString().slice(0, 7);
    try {
      const deadline = summaryDeadline(period, ruleSetForPeriod(period), cal);
      out.push({ period, deadline, provisional: !isConfirmedDay(deadline, cal) });
    } catch {
      out.push({ period, deadline: null, provisional: true });
    }
  }
  return out;
}

const problem = (field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem => ({
  field,
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function checkYear(year: number, field = 'year'): FieldProblem[] {
  return Number.isInteger(year) && year >= MIN_CALENDAR_YEAR && year <= MAX_CALENDAR_YEAR
    ? []
    : [
        problem(
          field,
          'range',
          `年份应为${MIN_CALENDAR_YEAR}至${MAX_CALENDAR_YEAR}之间的整数`,
          `year must be a whole number from ${MIN_CALENDAR_YEAR} to ${MAX_CALENDAR_YEAR}`,
          year,
        ),
      ];
}

/**
 * Checks days to enter for the arrangement of `year`: each date real and in the year (or late
 * December of the year before, where a New Year holiday begins), the kind holiday or workday, a
 * make-up working day on a Saturday or Sunday, a name and the notice it comes from, and no date
 * already entered (`taken`) or given twice. Every problem names its field (`days[i].…`) and rule.
 */
export function checkCalendarEntries(
  year: number,
  days: readonly CalendarEntryInput[],
  taken: ReadonlySet<string>,
): FieldProblem[] {
  const problems = checkYear(year);
  if (days.length === 0) problems.push(problem('days', 'minItems', '至少录入一天', 'enter at least one day'));
  const seen = new Set<string>();
  days.forEach((d, i) => {
    const f = (name: string) => `days[${i}].${name}`;
    const date = d.date.trim();
    if (!isIsoDate(date))
      problems.push(
        problem(f('date'), 'date', '日期格式应为YYYY-MM-DD（有效日期）', 'date must be a real date written YYYY-MM-DD', d.date),
      );
    else {
      const y = yearOf(date);
      if (y !== year && !(y === year - 1 && date.slice(5, 7) === '12'))
        problems.push(
          problem(
            f('date'),
            'year',
            `日期不属于${year}年安排（须在${year}年内，或元旦假期始于的上年12月）`,
            `the date is not part of the ${year} arrangement (it must fall in ${year}, or in December of the year before where the New Year holiday begins)`,
            d.date,
          ),
        );
      if (taken.has(date) || seen.has(date))
        problems.push(
          problem(
            f('date'),
            'unique',
            `${date}已录入，不能重复录入（先删除再录入）`,
            `${date} is already entered; remove it first to enter it again`,
            d.date,
          ),
        );
      seen.add(date);
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (d.kind === 'workday' && wd !== 0 && wd !== 6)
        problems.push(
          problem(
            f('kind'),
            'weekend',
            '调休上班日应为星期六或星期日',
            'a make-up working day (调休上班) must be a Saturday or Sunday',
            d.date,
          ),
        );
    }
    if (!(HOLIDAY_KINDS as readonly string[]).includes(d.kind))
      problems.push(
        problem(f('kind'), 'enum', '类型应为holiday（放假）或workday（调休上班）', 'kind must be holiday or workday', d.kind),
      );
    const name = d.name.trim();
    if (!name || name.length > 60)
      problems.push(problem(f('name'), 'required', '节日名称必填（≤60字）', 'name is required (≤60 characters)', d.name));
    const source = d.source.trim();
    if (!source || source.length > 200)
      problems.push(
        problem(
          f('source'),
          'required',
          '依据（国务院办公厅通知文号）必填（≤200字）',
          'source (the State Council notice) is required (≤200 characters)',
          d.source,
        ),
      );
  });
  return problems;
}
