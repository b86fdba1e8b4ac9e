import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { holidayCalendarOf } from './holiday-calendar.service.ts';
import { isConfirmedDay, reminders, summaryDeadline, type Reminder } from './rules/deadline.rules.ts';
import type { HolidayCalendar } from './rules/holidays.data.ts';
import { ruleSetForPeriod } from './rules/summary.rulesets.ts';
import { createSourceRepository } from './summary-source.repository.ts';
import { createReminderRepository, type NewReminder, type ReminderRow } from './summary-reminder.repository.ts';
import { createSummaryRepository } from './summary.repository.ts';
import { cstDay, enterpriseScope, periodWindow } from './summary.shared.ts';

/** Outbox topic of a deadline reminder (payload DeadlineReminderPayload), once per enterprise, period and reminder day. */
export const TOPIC_DEADLINE_REMINDER = 'summary.deadline_reminder';

export interface DeadlineReminderPayload {
  /** feed position (sum_deadline_reminder.seq): receivers dedupe by it */
  seq: number;
  orgId: string;
  period: string;
  deadline: string;
  reminderOn: string;
  daysBefore: number;
  pendingInventories: number;
  message: { zh: string; en: string };
}

export interface DeadlineView {
  period: string;
  deadline: string;
  deadlineProvisional: boolean;
  ruleSet: string;
  pendingInventories: number;
  /** summary applications of the month so far (an agent's, a listed CEB701's, the consignor's) */
  applications: number;
  /** every closed B-type inventory of the month is in a summary */
  submitted: boolean;
  overdue: boolean;
  reminders: Reminder[];
}

const monthsBack = (today: string, n: number): string => {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 - n, 1)).toISOString().slice(0, 7);
};

export function reminderPayload(r: ReminderRow): DeadlineReminderPayload {
  const when =
    r.days_before === 0
      ? { zh: `今天（${r.deadline}）截止`, en: `is due today (${r.deadline})` }
      : { zh: `截止日为${r.deadline}（还有${r.days_before}天）`, en: `is due on ${r.deadline} (in ${r.days_before} days)` };
  return {
    seq: Number(r.seq),
    orgId: r.org_id,
    period: r.period,
    deadline: r.deadline,
    reminderOn: r.reminder_on,
    daysBefore: r.days_before,
    pendingInventories: r.pending_inventories,
    message: {
      zh: `${r.period}汇总申报${when.zh}，尚有${r.pending_inventories}票已结关B类清单待汇总`,
      en: `the summary declaration of ${r.period} ${when.en}; ${r.pending_inventories} closed B-type inventories are waiting`,
    },
  };
}

/**
 * An enterprise's deadline reminders as a feed (position = seq), in the shape the webhook
 * dispatcher reads feeds (WebhookFeedPort page/end): for a `summary.deadline_reminder` topic.
 */
export function summaryReminderFeed(exec: Executor) {
  const repo = createReminderRepository(exec);
  return {
    async page(orgId: string, after: number, limit: number) {
      const rows = await repo.after(orgId, after, limit);
      const items = rows.map((r) => ({ id: Number(r.seq), type: TOPIC_DEADLINE_REMINDER, ...reminderPayload(r) }));
      return { items, next: items.length ? items[items.length - 1]!.seq : after };
    },
    end: (orgId: string) => repo.end(orgId),
  };
}

/** Deadlines of the months, and the daily reminders before them (summary.deadline_reminder). */
export function createSummaryDeadlineService(deps: {
  db: Db;
  clock: Clock;
  calendar?: { calendar(exec?: Executor): Promise<HolidayCalendar> };
}) {
  const { db, clock } = deps;
  const calendarOf = (exec: Executor) => (deps.calendar ? deps.calendar.calendar(exec) : holidayCalendarOf(exec));

  return {
    /** Months with closed inventories or summaries, their deadlines and reminders (the caller's enterprise). */
    async deadlines(p: Principal | null, months = 6): Promise<DeadlineView[]> {
      requirePermission(p, 'summary.submit');
      const scope = await enterpriseScope(db, p);
      const today = cstDay(clock.now());
      const periods = Array.from({ length: months }, (_, i) => monthsBack(today, months - i));
      const repo = createSummaryRepository(db);
      const pending = await repo.pendingByPeriod(
        scope.codes,
        periodWindow(periods[0]!).from,
        periodWindow(periods[periods.length - 1]!).to,
      );
      const apps = new Map<string, number>();
      for (const a of await repo.livePeriods(scope.codes, periods)) apps.set(a.period, (apps.get(a.period) ?? 0) + 1);
      const cal = await calendarOf(db);
      return periods.map((period) => {
        const rs = ruleSetForPeriod(period);
        const deadline = summaryDeadline(period, rs, cal);
        const n = pending.find((x) => x.period === period)?.inventories ?? 0;
        const applications = apps.get(period) ?? 0;
        return {
          period,
          deadline,
          // a deadline in a year whose State Council holiday notice is neither built in nor entered yet
          deadlineProvisional: !isConfirmedDay(deadline, cal),
          ruleSet: rs.id,
          pendingInventories: n,
          applications,
          // A month with inventories still waiting is open, whatever was summarised of it: it is
          // either overdue or not yet due, never "submitted" at the same time.
          submitted: applications > 0 && n === 0,
          overdue: n > 0 && today > deadline,
          reminders: n > 0 ? reminders(deadline, today) : [],
        };
      });
    },

    /** The caller's enterprise's reminders after a feed position (pull form of the webhook topic). */
    async reminders(p: Principal | null, after = 0, limit = 100): Promise<{ items: DeadlineReminderPayload[]; next: number }> {
      requirePermission(p, 'summary.submit');
      const scope = await enterpriseScope(db, p);
      const page = await summaryReminderFeed(db).page(scope.orgId, after, Math.min(Math.max(limit, 1), 500));
      return { items: page.items.map(({ id: _id, type: _type, ...x }) => x), next: page.next };
    },

    /**
     * The daily run: for each month whose latest reminder day (7, 3, 1, 0 days before the deadline)
     * has come and whose deadline has not passed, every enterprise with closed B-type inventories of
     * the month still waiting gets one `summary.deadline_reminder`. A reminder day is recorded per
     * enterprise and month (sum_deadline_reminder), so any number of runs sends it once; a run after
     * missed days sends only the latest reminder due.
     */
    async sendDueReminders(outbox: Pick<Outbox, 'publish' | 'kick'>): Promise<DeadlineReminderPayload[]> {
      const now = clock.now();
      const today = cstDay(now);
      const cal = await calendarOf(db);
      const due: { period: string; deadline: string; reminder: Reminder }[] = [];
      // this month and the two before: a December under 2016年第26号 is due in December itself
      for (const period of [0, 1, 2].map((n) => monthsBack(today, n))) {
        let deadline: string;
        try {
          deadline = summaryDeadline(period, ruleSetForPeriod(period), cal);
        } catch (e) {
          if (e instanceof DomainError) continue; // a year the holiday data do not cover: no guessed day
          throw e;
        }
        if (today > deadline) continue;
        const latest = reminders(deadline, today)
          .filter((r) => r.due)
          .sort((a, b) => (a.on < b.on ? 1 : -1))[0];
        if (latest) due.push({ period, deadline, reminder: latest });
      }
      if (!due.length) return [];
      const sent = await db.transaction().execute(async (trx) => {
        const rows: NewReminder[] = [];
        for (const d of due) {
          const w = periodWindow(d.period);
          const pending = await createSourceRepository(trx).pendingByConsignor(w.from, w.to);
          if (!pending.length) continue;
          const byCode = new Map(pending.map((x) => [x.ebc_code, x.inventories]));
          // an enterprise known by its customs code and its USCC is reminded once, for both
          for (const o of await organisationDirectory(trx).byCodes([...byCode.keys()])) {
            const n = [o.customs_code, o.uscc].reduce((a, c) => a + (c ? (byCode.get(c) ?? 0) : 0), 0);
            if (n > 0)
              rows.push({
                orgId: o.id,
                period: d.period,
                reminderOn: d.reminder.on,
                daysBefore: d.reminder.daysBefore,
                deadline: d.deadline,
                pendingInventories: n,
              });
          }
        }
        const recorded = (await createReminderRepository(trx).record(rows, now)).map(reminderPayload);
        if (recorded.length)
          await outbox.publish(
            trx,
            recorded.map((r) => ({ topic: TOPIC_DEADLINE_REMINDER, key: `${r.orgId}|${r.period}`, payload: r })),
          );
        return recorded;
      });
      if (sent.length) outbox.kick();
      return sent;
    },
  };
}

export type SummaryDeadlineService = ReturnType<typeof createSummaryDeadlineService>;
