import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createHolidayCalendarRepository, type HolidayDayRow } from './holiday-calendar.repository.ts';
import {
  checkCalendarEntries,
  checkYear,
  daysOfYear,
  deadlinesOfYear,
  isIsoDate,
  withEntries,
  yearSource,
  type CalendarEntryInput,
  type CalendarSource,
  type HolidayKind,
  type YearDeadline,
} from './rules/holiday-calendar.rules.ts';
import { CN_CALENDAR, type HolidayCalendar } from './rules/holidays.data.ts';

export interface HolidayCalendarDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

/** One year of the calendar as the page shows it: where its days come from, the days, the deadlines. */
export interface HolidayYearView {
  year: number;
  /** database: entered here (confirmed); builtin: the platform's data; provisional: statutory days only */
  source: CalendarSource;
  confirmed: boolean;
  /** the days entered for this year's arrangement */
  entries: { date: string; kind: HolidayKind; name: string; source: string; createdAt: string }[];
  /** the rest days and make-up working days dated in the year, as the deadlines use them now */
  effective: { holidays: string[]; workdays: string[] };
  /** the built-in (or provisional) days of the year: what applies again once every entry is removed */
  builtIn: { source: CalendarSource; holidays: string[]; workdays: string[] };
  /** the summary deadlines falling due in the year */
  deadlines: YearDeadline[];
}

const entryView = (r: HolidayDayRow) => ({
  date: r.day,
  kind: r.kind,
  name: r.name,
  source: r.source,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The calendar the deadlines are computed with: built in, with the years entered on the platform. */
export async function holidayCalendarOf(exec: Executor): Promise<HolidayCalendar> {
  return withEntries(CN_CALENDAR, await createHolidayCalendarRepository(exec).entries());
}

export function createHolidayCalendarService(deps: HolidayCalendarDeps) {
  const { db, clock, audit } = deps;

  async function view(exec: Executor, year: number): Promise<HolidayYearView> {
    const repo = createHolidayCalendarRepository(exec);
    const entries = await repo.entries();
    const cal = withEntries(CN_CALENDAR, entries);
    const entered = new Set(entries.map((e) => e.year));
    const source = yearSource(year, cal, entered);
    const base = withEntries(
      CN_CALENDAR,
      entries.filter((e) => e.year !== year),
    );
    const baseSource = yearSource(year, base, new Set([...entered].filter((y) => y !== year)));
    return {
      year,
      source,
      confirmed: source === 'database' || source === 'builtin',
      entries: (await repo.ofYear(year)).map(entryView),
      effective: source === 'uncovered' ? { holidays: [], workdays: [] } : daysOfYear(year, cal),
      builtIn: { source: baseSource, ...(baseSource === 'uncovered' ? { holidays: [], workdays: [] } : daysOfYear(year, base)) },
      deadlines: deadlinesOfYear(year, cal),
    };
  }

  return {
    /**
     * The calendar the deadlines use now: the built-in arrangements, with every year entered on the
     * platform replacing the built-in (or provisional) days of that year. One small statement.
     */
    async calendar(exec: Executor = db): Promise<HolidayCalendar> {
      return holidayCalendarOf(exec);
    },

    /** A year of the calendar: for everyone who sees summary deadlines. */
    async year(p: Principal | null, year: number): Promise<HolidayYearView> {
      requirePermission(p, 'summary.read');
      const problems = checkYear(year);
      if (problems.length) throw validationError(problems);
      return view(db, year);
    },

    /**
     * Enters days of a year's arrangement (放假 or 调休上班), all or none: every problem of every day
     * is answered at once and nothing is stored. Platform operator and customs.
     */
    async add(p: Principal | null, year: number, days: readonly CalendarEntryInput[]): Promise<HolidayYearView> {
      requirePermission(p, 'summary.calendar');
      return db.transaction().execute(async (trx) => {
        const repo = createHolidayCalendarRepository(trx);
        const dates = days.map((d) => d.date.trim()).filter(isIsoDate);
        const problems = checkCalendarEntries(year, days, await repo.taken(dates));
        if (problems.length) throw validationError(problems);
        const now = clock.now();
        const rows: HolidayDayRow[] = days.map((d) => ({
          day: d.date.trim(),
          year,
          kind: d.kind as HolidayKind,
          name: d.name.trim(),
          source: d.source.trim(),
          created_by: p.userId,
          created_at: now,
        }));
        // Two officers entering the same day at once: the primary key decides, the loser is told.
        if ((await repo.insert(rows)) !== rows.length) {
          const again = await repo.taken(dates);
          throw validationError(checkCalendarEntries(year, days, again).filter((x) => x.rule === 'unique'));
        }
        await audit.append(
          trx,
          actorOf(p),
          rows.map((r) => ({
            action: 'summary.holiday_add',
            entity: 'sum_holiday_day',
            entityId: r.day,
            after: { year: r.year, kind: r.kind, name: r.name, source: r.source },
          })),
        );
        return view(trx, year);
      });
    },

    /** Removes an entered day; the year falls back to the built-in days once its last one is removed. */
    async remove(p: Principal | null, date: string): Promise<HolidayYearView> {
      requirePermission(p, 'summary.calendar');
      if (!isIsoDate(date))
        throw validationError([
          {
            field: 'date',
            rule: 'date',
            message: { zh: '日期格式应为YYYY-MM-DD（有效日期）', en: 'date must be a real date written YYYY-MM-DD' },
            value: date,
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const gone = await createHolidayCalendarRepository(trx).remove(date);
        if (!gone) throw notFound({ zh: `${date}的节假日录入`, en: `calendar entry of ${date}` });
        await audit.append(trx, actorOf(p), [
          {
            action: 'summary.holiday_remove',
            entity: 'sum_holiday_day',
            entityId: gone.day,
            before: { year: gone.year, kind: gone.kind, name: gone.name, source: gone.source },
          },
        ]);
        return view(trx, gone.year);
      });
    },
  };
}

export type HolidayCalendarService = ReturnType<typeof createHolidayCalendarService>;
