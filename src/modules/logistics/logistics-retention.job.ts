import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import { createTrackingFeedRepository } from './tracking-feed.repository.ts';
import { createTrackingHookRepository } from './tracking-hooks.repository.ts';

/** How often a worker runs the retention: each run deletes only what has aged out since the last. */
export const RETENTION_CHECK_MS = 60 * 60_000;
/** Rows per delete statement (each its own short transaction). */
export const RETENTION_BATCH = 5_000;
const DAY = 86_400_000;

export interface RetentionResult {
  /** tracking feed entries (lgx_feed_entry) deleted */
  feedEntries: number;
  /** finished webhook batches (lgx_hook_delivery: delivered, or given up on) deleted */
  deliveries: number;
}

export type LogisticsRetentionJob = ReturnType<typeof createLogisticsRetentionJob>;

/**
 * Retention of the tracking feed and the tracking webhooks' batches (issue 7 audit), run by worker
 * processes every hour: feed entries stored more than `days` days ago, and finished webhook
 * batches queued more than `days` days ago, are deleted in batches of {@link RETENTION_BATCH}.
 * Batches still waiting are never deleted (the dispatcher gives up on them after 72 hours). The
 * tracking events themselves (lgx_event) stay: they are the parcels' timelines. `days` 0 keeps
 * everything. Several workers may run it at once: locked rows are skipped, not waited for.
 */
export function createLogisticsRetentionJob(deps: { db: Db; clock: Clock; log: Logger; days: number; checkMs?: number }) {
  const { db, clock, log, days } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RetentionResult> | undefined;

  async function drain(step: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < RETENTION_BATCH) return total;
    }
  }

  async function purge(): Promise<RetentionResult> {
    if (days <= 0) return { feedEntries: 0, deliveries: 0 };
    const before = new Date(clock.now().getTime() - days * DAY);
    const feedEntries = await drain(() => createTrackingFeedRepository(db).purge(before, RETENTION_BATCH));
    const deliveries = await drain(() => createTrackingHookRepository(db).purgeFinished(before, RETENTION_BATCH));
    return { feedEntries, deliveries };
  }

  function runOnce(): Promise<RetentionResult> {
    running ??= purge().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    start(): void {
      if (timer || days <= 0) return;
      timer = setInterval(() => {
        runOnce()
          .then((r) => {
            if (r.feedEntries || r.deliveries) log.info({ ...r, days }, 'logistics retention: old tracking rows deleted');
          })
          .catch((e: unknown) => log.warn({ err: e }, 'logistics retention failed'));
      }, deps.checkMs ?? RETENTION_CHECK_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
