import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type { CalendarEntry, HolidayKind } from './rules/holiday-calendar.rules.ts';

export interface HolidayDayRow {
  day: string;
  year: number;
  kind: HolidayKind;
  name: string;
  source: string;
  created_by: string | null;
  created_at: Date;
}

interface HolidayTables {
  sum_holiday_day: HolidayDayRow;
}

const DAY = sql<string>`to_char(day, 'YYYY-MM-DD')`;

export function createHolidayCalendarRepository(exec: Executor) {
  const db = tables<HolidayTables>(exec);
  return {
    /** Every entered day (a few dozen a year): what the deadline computation merges in. */
    async entries(): Promise<CalendarEntry[]> {
      const r = await sql<CalendarEntry>`
        select to_char(day, 'YYYY-MM-DD') as date, year, kind from sum_holiday_day order by day`.execute(exec);
      return r.rows;
    },

    /** The entered days of one arrangement, by date. */
    async ofYear(year: number): Promise<HolidayDayRow[]> {
      return db
        .selectFrom('sum_holiday_day')
        .selectAll()
        .select(DAY.as('day'))
        .where('year', '=', year)
        .orderBy('sum_holiday_day.day')
        .execute();
    },

    /** Which of `dates` are entered already (under any arrangement). */
    async taken(dates: readonly string[]): Promise<Set<string>> {
      if (!dates.length) return new Set();
      const r = await sql<{ d: string }>`
        select to_char(day, 'YYYY-MM-DD') as d from sum_holiday_day where day = any(${[...dates]}::date[])`.execute(exec);
      return new Set(r.rows.map((x) => x.d));
    },

    /** Inserts the days; a day entered meanwhile is skipped. Answers how many were inserted. */
    async insert(rows: readonly HolidayDayRow[]): Promise<number> {
      if (!rows.length) return 0;
      const r = await db
        .insertInto('sum_holiday_day')
        .values([...rows])
        .onConflict((oc) => oc.column('day').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },

    /** Removes an entered day; answers it, or undefined when it was not entered. */
    async remove(date: string): Promise<HolidayDayRow | undefined> {
      const r = await sql<HolidayDayRow>`
        delete from sum_holiday_day where day = ${date}::date
        returning to_char(day, 'YYYY-MM-DD') as day, year, kind, name, source, created_by, created_at`.execute(exec);
      return r.rows[0];
    },
  };
}
