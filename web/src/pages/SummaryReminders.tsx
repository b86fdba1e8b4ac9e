import { Alert, Space } from 'antd';
import { useTranslation } from 'react-i18next';

/** A month of GET /summary/deadlines, as far as the reminders need it. */
export interface DeadlineReminders {
  period: string;
  deadline: string;
  pendingInventories: number;
  overdue: boolean;
  reminders: { on: string; daysBefore: number; due: boolean }[];
}

const DAY_MS = 86_400_000;
/** Today in China Standard Time (deadlines are CST days). */
const cstToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The reminders due: one line per month with inventories still waiting whose first reminder day
 * (7 days before the deadline) has come, or which is overdue.
 */
export function SummaryReminders({ months }: { months: readonly DeadlineReminders[] }) {
  const { t } = useTranslation();
  const today = cstToday();
  const due = months.filter((m) => m.pendingInventories > 0 && (m.overdue || m.reminders.some((r) => r.due)));
  if (!due.length) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }} data-testid="summary-reminders">
      {due.map((m) => {
        const days = Math.round((Date.parse(`${m.deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
        const vars = { period: m.period, deadline: m.deadline, days, count: m.pendingInventories };
        const [type, text] = m.overdue
          ? (['error', t('sumx.reminderOverdue', vars)] as const)
          : days <= 0
            ? (['warning', t('sumx.reminderToday', vars)] as const)
            : (['info', t('sumx.reminderDue', vars)] as const);
        return <Alert key={m.period} type={type} showIcon message={text} data-testid={`summary-reminder-${m.period}`} />;
      })}
    </Space>
  );
}
