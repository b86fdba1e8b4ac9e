import type { Db, Executor } from './db.ts';
import type { Logger } from './logger.ts';
import { createOutboxRepository, type PendingEvent } from './outbox.repository.ts';

/**
 * Transactional outbox with an in-process dispatcher.
 *
 * Guarantee: a handler's database writes and the removal of its delivery row commit in one
 * transaction, so each event takes effect exactly once per handler, across crashes and
 * restarts. Effects outside the database (webhooks) are at-least-once: handlers make them
 * idempotent with the event id.
 */
export interface OutboxEvent<P = unknown> {
  id: number;
  topic: string;
  key: string | null;
  payload: P;
  createdAt: Date;
  attempts: number;
}

export interface NewEvent {
  topic: string;
  key?: string | null;
  payload: unknown;
}

export interface OutboxHandler {
  /** Stable name: it keys the delivery rows. Renaming a handler orphans its pending work. */
  name: string;
  topics: string[];
  batchSize?: number;
  maxAttempts?: number;
  /**
   * One batch at a time across every process: each batch then sees what the previous one
   * committed. A three-document match needs it: two concurrent batches holding an order and its
   * inventory would each miss the other.
   */
  serial?: boolean;
  handle(events: OutboxEvent[], trx: Executor): Promise<void>;
}

export interface HandlerWork {
  handler: string;
  batches: number;
  events: number;
  busySeconds: number;
}

export interface Outbox {
  publish(trx: Executor, events: NewEvent[]): Promise<number[]>;
  /** Wake the dispatcher now (call after the publishing transaction commits). */
  kick(): void;
  /** The handlers and their batch sizes (the bus relay announces work per handler). */
  handlers(): { name: string; batchSize: number }[];
  /** Runs these events of one handler as one batch (a work message from the bus). Returns how many it settled. */
  runIds(handler: string, ids: number[]): Promise<number>;
  start(): void;
  /** Stops claiming new batches and waits for the batches in flight. */
  stop(): Promise<void>;
  /** Runs every handler until nothing is due; for tests and the CLI. */
  drain(): Promise<number>;
  stats(): ReturnType<ReturnType<typeof createOutboxRepository>['stats']>;
  /**
   * What each handler has done in this process since it started: batches committed, events in
   * them, and the wall time spent in their transactions (claim, handler, delivery, commit). A
   * serial handler busy nearly all the time is the platform's limit (docs/performance.md).
   */
  work(): HandlerWork[];
  /** Deletes events that every handler has delivered, older than `olderThanHours`. */
  prune(olderThanHours?: number): Promise<number>;
}

function backoffMs(attempts: number): number {
  return Math.min(60_000 * 10, 500 * 2 ** Math.min(attempts, 12));
}

export function createOutbox(deps: {
  db: Db;
  log: Logger;
  handlers: OutboxHandler[];
  pollMs?: number;
  /** Delivered events are kept this long for inspection, then pruned. */
  retentionHours?: number;
  /** Also told on kick (the bus relay in another process). */
  onKick?: () => void;
}): Outbox {
  const repo = createOutboxRepository();
  const { db, log } = deps;
  const pollMs = deps.pollMs ?? 250;
  const names = new Set<string>();
  for (const h of deps.handlers) {
    if (names.has(h.name)) throw new Error(`outbox: handler name "${h.name}" used twice`);
    names.add(h.name);
  }
  const subscriptions = deps.handlers.flatMap((h) => h.topics.map((topic) => ({ handler: h.name, topic })));

  let running = false;
  let pruneTimer: NodeJS.Timeout | undefined;
  const retentionHours = deps.retentionHours ?? 24 * 7;
  const wakers = new Set<() => void>();
  const loops: Promise<void>[] = [];

  const toEvent = (p: PendingEvent): OutboxEvent => ({
    id: p.id,
    topic: p.topic,
    key: p.key,
    payload: p.payload,
    createdAt: p.created_at,
    attempts: p.attempts,
  });

  const DEFAULT_BATCH = 500;
  const byName = new Map(deps.handlers.map((h) => [h.name, h]));
  const work = new Map(deps.handlers.map((h) => [h.name, { batches: 0, events: 0, busyMs: 0 }]));

  async function lockIfSerial(trx: Executor, h: OutboxHandler): Promise<void> {
    if (h.serial) await repo.lockHandler(trx, h.name);
  }

  async function runOne(h: OutboxHandler, ev: PendingEvent): Promise<void> {
    try {
      await db.transaction().execute(async (trx) => {
        await lockIfSerial(trx, h);
        // Re-claim under lock: another worker may have delivered it since.
        const again = (await repo.claimIds(trx, h.name, [ev.id]))[0];
        if (!again) return;
        await h.handle([toEvent(again)], trx);
        await repo.markDelivered(trx, h.name, [ev.id]);
      });
    } catch (e) {
      const max = h.maxAttempts ?? 10;
      const dead = ev.attempts + 1 >= max;
      log.error({ err: e, handler: h.name, eventId: ev.id, attempts: ev.attempts + 1, dead }, 'outbox handler failed');
      await repo.markFailed(db, h.name, ev.id, e instanceof Error ? e.message : String(e), backoffMs(ev.attempts), dead);
    }
  }

  /**
   * One batch for one handler: the next due events, or exactly `ids`. Returns how many events it
   * settled (delivered or failed).
   */
  async function step(h: OutboxHandler, ids?: number[]): Promise<number> {
    let claimed: PendingEvent[] = [];
    const started = performance.now();
    try {
      await db.transaction().execute(async (trx) => {
        await lockIfSerial(trx, h);
        claimed = ids ? await repo.claimIds(trx, h.name, ids) : await repo.claim(trx, h.name, h.batchSize ?? DEFAULT_BATCH);
        if (claimed.length === 0) return;
        await h.handle(claimed.map(toEvent), trx);
        await repo.markDelivered(
          trx,
          h.name,
          claimed.map((c) => c.id),
        );
      });
      if (claimed.length > 0) {
        const w = work.get(h.name)!;
        w.batches++;
        w.events += claimed.length;
        w.busyMs += performance.now() - started;
      }
      return claimed.length;
    } catch (e) {
      if (claimed.length === 0) throw e;
      // One bad event must not hold up the rest: retry the batch one event at a time.
      log.warn({ err: e, handler: h.name, batch: claimed.length }, 'outbox batch failed; isolating events');
      for (const ev of claimed) await runOne(h, ev);
      return claimed.length;
    }
  }

  async function loop(h: OutboxHandler): Promise<void> {
    while (running) {
      let n = 0;
      try {
        n = await step(h);
      } catch (e) {
        log.error({ err: e, handler: h.name }, 'outbox dispatcher error');
      }
      if (n === 0 && running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, pollMs);
          function done(): void {
            clearTimeout(t);
            wakers.delete(done);
            resolve();
          }
          wakers.add(done);
        });
      }
    }
  }

  return {
    async publish(trx, events) {
      if (events.length === 0) return [];
      return repo.insert(
        trx,
        events.map((e) => ({ topic: e.topic, key: e.key ?? null, payload: e.payload })),
        subscriptions,
      );
    },
    kick() {
      for (const w of [...wakers]) w();
      deps.onKick?.();
    },
    handlers: () => deps.handlers.map((h) => ({ name: h.name, batchSize: h.batchSize ?? DEFAULT_BATCH })),
    async runIds(handler, ids) {
      const h = byName.get(handler);
      if (!h) throw new Error(`outbox: no handler "${handler}"`);
      return ids.length === 0 ? 0 : step(h, ids);
    },
    start() {
      if (running) return;
      running = true;
      for (const h of deps.handlers) loops.push(loop(h));
      pruneTimer = setInterval(() => {
        repo.prune(db, retentionHours).catch((e: unknown) => log.warn({ err: e }, 'outbox prune failed'));
      }, 10 * 60_000);
      pruneTimer.unref();
    },
    async stop() {
      running = false;
      clearInterval(pruneTimer);
      for (const w of [...wakers]) w();
      await Promise.all(loops.splice(0));
    },
    async drain() {
      let total = 0;
      for (;;) {
        let round = 0;
        for (const h of deps.handlers) round += await step(h);
        total += round;
        if (round === 0) return total;
      }
    },
    stats: () => repo.stats(db),
    work: () =>
      [...work].map(([handler, w]) => ({
        handler,
        batches: w.batches,
        events: w.events,
        busySeconds: Math.round(w.busyMs) / 1000,
      })),
    prune: (olderThanHours = retentionHours) => repo.prune(db, olderThanHours),
  };
}
