import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import { createClearanceRepository } from './clearance.repository.ts';

/** Receipt batches (one per INSERT statement, up to 1,000 receipts each) appended per statement. */
const BATCHES_PER_PASS = 200;

const PARTITION_MONTHS_AHEAD = 3;
const PARTITION_CHECK_MS = 6 * 3600_000;

export type ReceiptSequencer = ReturnType<typeof createReceiptSequencer>;

/**
 * Puts committed receipts into the feed (see migration 002). Runs every `intervalMs` and when
 * kicked; listeners (the live stream, webhooks) are told when new receipts entered the feed.
 */
export function createReceiptSequencer(deps: { db: Db; log: Logger; intervalMs?: number }) {
  const repo = createClearanceRepository(deps.db);
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let partitionTimer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function runOnce(): Promise<number> {
    // One pass at a time per process (the advisory lock serialises processes). A caller arriving
    // during a pass waits for it and runs its own: the pass in flight may predate its receipts.
    while (running) await running.catch(() => 0);
    running = (async () => {
      let total = 0;
      for (;;) {
        const n = await repo.sequenceReceipts(BATCHES_PER_PASS);
        total += n;
        if (n < BATCHES_PER_PASS) break;
      }
      if (total > 0) for (const l of listeners) l();
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    /** Sequences until no committed receipt is left waiting (bounded). */
    async flush(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await runOnce();
        if ((await repo.unsequencedReceipts()) === 0 || Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    start(): void {
      timer = setInterval(() => {
        runOnce().catch((e: unknown) => deps.log.warn({ err: e }, 'receipt sequencer failed'));
      }, deps.intervalMs ?? 200);
      timer.unref();
      // Receipts are partitioned by month: next months' partitions exist well before they are due.
      const ensure = (): void => {
        repo
          .ensureReceiptPartitions(PARTITION_MONTHS_AHEAD)
          .catch((e: unknown) => deps.log.warn({ err: e }, 'receipt partitions'));
      };
      ensure();
      partitionTimer = setInterval(ensure, PARTITION_CHECK_MS);
      partitionTimer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      clearInterval(partitionTimer);
      await running;
    },
    /** Called (without arguments) whenever new receipts entered the feed. */
    onReceipts(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
