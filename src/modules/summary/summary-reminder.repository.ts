import { sql } from 'kysely';
import type { Executor } from '../../kernel/db.ts';

export interface NewReminder {
  orgId: string;
  period: string;
  reminderOn: string;
  daysBefore: number;
  deadline: string;
  pendingInventories: number;
}

export interface ReminderRow {
  seq: string;
  org_id: string;
  period: string;
  reminder_on: string;
  days_before: number;
  deadline: string;
  pending_inventories: number;
  created_at: Date;
}

/** Deadline reminders sent (sum_deadline_reminder): once per enterprise, period and reminder day. */
export function createReminderRepository(exec: Executor) {
  return {
    /** Records the reminders not sent before, in one statement; answers those it recorded (to send now). */
    async record(rows: readonly NewReminder[], now: Date): Promise<ReminderRow[]> {
      if (!rows.length) return [];
      const r = await sql<ReminderRow>`
        insert into sum_deadline_reminder (org_id, period, reminder_on, days_before, deadline, pending_inventories, created_at)
        select org_id, period, reminder_on, days_before, deadline, pending, ${now}
        from unnest(${rows.map((x) => x.orgId)}::uuid[], ${rows.map((x) => x.period)}::text[],
          ${rows.map((x) => x.reminderOn)}::date[], ${rows.map((x) => x.daysBefore)}::int[],
          ${rows.map((x) => x.deadline)}::date[], ${rows.map((x) => x.pendingInventories)}::int[])
          as q(org_id, period, reminder_on, days_before, deadline, pending)
        order by org_id, period
        on conflict (org_id, period, reminder_on) do nothing
        returning seq::text, org_id, period, to_char(reminder_on, 'YYYY-MM-DD') as reminder_on, days_before,
          to_char(deadline, 'YYYY-MM-DD') as deadline, pending_inventories, created_at`.execute(exec);
      return r.rows;
    },

    /** An enterprise's reminders after a feed position, in order (a feed, as webhooks read one). */
    async after(orgId: string, after: number, limit: number): Promise<ReminderRow[]> {
      const r = await sql<ReminderRow>`
        select seq::text, org_id, period, to_char(reminder_on, 'YYYY-MM-DD') as reminder_on, days_before,
          to_char(deadline, 'YYYY-MM-DD') as deadline, pending_inventories, created_at
        from sum_deadline_reminder where org_id = ${orgId} and seq > ${after} order by seq limit ${limit}`.execute(exec);
      return r.rows;
    },

    async end(orgId: string): Promise<number> {
      const r = await sql<{ seq: string | null }>`
        select max(seq)::text as seq from sum_deadline_reminder where org_id = ${orgId}`.execute(exec);
      return Number(r.rows[0]?.seq ?? 0);
    },
  };
}
