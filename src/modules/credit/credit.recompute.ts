import type { Logger } from '../../kernel/logger.ts';
import type { CreditService, RecomputeResult } from './credit.service.ts';

/** How old the last full recomputation may grow before the next: ratings are at most a day stale. */
export const RECOMPUTE_EVERY_MS = 24 * 3_600_000;
/** How often a worker asks whether a recomputation is due (the run itself is claimed in the database). */
export const RECOMPUTE_CHECK_MS = 15 * 60_000;

export type CreditRecomputeJob = ReturnType<typeof createCreditRecomputeJob>;

/**
 * The scheduled recomputation of credit ratings, run by worker processes. Each check asks the
 * database whether a run is due (the last one started `everyMs` ago or more), so several workers
 * and restarts still give one run a day. The first check comes one `checkMs` after start, not
 * at once, so a starting process is not slowed by it.
 */
export function createCreditRecomputeJob(deps: {
  credit: Pick<CreditService, 'recomputeAll'>;
  log: Logger;
  everyMs?: number;
  checkMs?: number;
}) {
  const everyMs = deps.everyMs ?? RECOMPUTE_EVERY_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RecomputeResult> | undefined;

  function runIfDue(): Promise<RecomputeResult> {
    running ??= deps.credit.recomputeAll({ kind: 'schedule', dueAfterMs: everyMs }).finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runIfDue,
    start(): void {
      timer = setInterval(() => {
        runIfDue()
          .then((r) => {
            if (r.ran)
              deps.log.info({ runId: r.runId, enterprises: r.enterprises, changed: r.changed }, 'credit ratings recomputed');
          })
          .catch((e: unknown) => deps.log.warn({ err: e }, 'credit recompute failed'));
      }, deps.checkMs ?? RECOMPUTE_CHECK_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
