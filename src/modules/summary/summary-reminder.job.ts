import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { createSummaryDeadlineService, type DeadlineReminderPayload } from './summary-deadline.service.ts';

/** How often a worker runs the reminders: each reminder day is recorded, so a run sends only what no run sent. */
export const REMINDER_CHECK_MS = 60 * 60_000;

export type SummaryReminderJob = ReturnType<typeof createSummaryReminderJob>;

/**
 * The daily deadline reminders (summary.deadline_reminder), run by worker processes every hour:
 * the day's reminders go out on the first run of the day, later runs and other workers find them
 * recorded and send nothing. The first run comes one `checkMs` after start.
 */
export function createSummaryReminderJob(deps: {
  db: Db;
  clock: Clock;
  log: Logger;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
  checkMs?: number;
}) {
  const service = createSummaryDeadlineService({ db: deps.db, clock: deps.clock });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<DeadlineReminderPayload[]> | undefined;

  function runOnce(): Promise<DeadlineReminderPayload[]> {
    running ??= service.sendDueReminders(deps.outbox).finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    start(): void {
      timer = setInterval(() => {
        runOnce()
          .then((sent) => {
            if (sent.length) deps.log.info({ reminders: sent.length }, 'summary deadline reminders sent');
          })
          .catch((e: unknown) => deps.log.warn({ err: e }, 'summary deadline reminders failed'));
      }, deps.checkMs ?? REMINDER_CHECK_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
