import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import { checkWebhookUrl, postJson, signWebhook } from '../webhooks/index.ts';
import { createTrackingHookRepository } from './tracking-hooks.repository.ts';

const TIMEOUT_MS = 10_000;

/** 5 s, doubling, at most an hour: a receiver that is down for a day still gets every batch. */
export const retryDelayMs = (attempts: number): number => Math.min(5_000 * 2 ** Math.min(attempts - 1, 20), 3_600_000);

/**
 * A batch still failing this long after it was queued is given up on (failed_at), with every
 * older batch of its hook, and the hook is flagged (failing_since) until a batch goes through:
 * a receiver gone for good no longer holds its batches, or the dispatcher's attempts, forever.
 */
export const GIVE_UP_AFTER_MS = 72 * 3_600_000;

export type TrackingHookDispatcher = ReturnType<typeof createTrackingHookDispatcher>;

/**
 * Posts queued tracking batches, at least once, in order per hook, with the receipt webhooks'
 * POST (no redirects, DNS checked at connect time) and signature. A delivery row stays locked
 * until its attempt is logged, so two processes never post the same batch at once.
 */
export function createTrackingHookDispatcher(deps: {
  db: Db;
  log: Logger;
  clock: Clock;
  allowPrivate: boolean;
  intervalMs?: number;
  timeoutMs?: number;
}) {
  const { db, log, clock } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function deliverNext(): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const repo = createTrackingHookRepository(trx);
      const d = await repo.claimDue(clock.now());
      if (!d) return false;
      const body = JSON.stringify({ hookId: d.hook_id, deliveryId: d.id, items: d.items });
      const problem = await checkWebhookUrl(d.url, { allowPrivate: deps.allowPrivate });
      const result = problem
        ? { statusCode: null, error: problem.message.en }
        : await postJson(
            d.url,
            body,
            {
              'content-type': 'application/json',
              'user-agent': 'CBEC-Window-Webhooks/1',
              'x-cbec-delivery': d.id,
              'x-cbec-topic': 'tracking',
              'x-cbec-signature': signWebhook(d.secret, body, Math.floor(Date.now() / 1000)),
            },
            { allowPrivate: deps.allowPrivate, timeoutMs: deps.timeoutMs ?? TIMEOUT_MS },
          );
      const now = clock.now();
      const attempts = d.attempts + 1;
      if (result.error === null) {
        await repo.update(d.id, { attempts, delivered_at: now, status_code: result.statusCode, last_error: null });
        await repo.delivered(d.hook_id);
      } else {
        await repo.update(d.id, {
          attempts,
          status_code: result.statusCode,
          last_error: result.error,
          next_attempt_at: new Date(now.getTime() + retryDelayMs(attempts)),
        });
        const giveUpBefore = new Date(now.getTime() - GIVE_UP_AFTER_MS);
        if (d.created_at <= giveUpBefore) {
          const failed = await repo.giveUp(d.hook_id, giveUpBefore, now);
          log.warn({ deliveryId: d.id, hookId: d.hook_id, attempts, failed, error: result.error }, 'tracking webhook given up');
        } else log.warn({ deliveryId: d.id, hookId: d.hook_id, attempts, error: result.error }, 'tracking webhook failed');
      }
      return true;
    });
  }

  /** Attempts every due batch once; answers how many attempts it made. */
  function runOnce(): Promise<number> {
    running ??= (async () => {
      let n = 0;
      try {
        while (await deliverNext()) n++;
      } catch (e) {
        log.warn({ err: e }, 'tracking webhook dispatch failed');
      }
      return n;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    start(): void {
      if (timer) return;
      timer = setInterval(() => void runOnce(), deps.intervalMs ?? 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
