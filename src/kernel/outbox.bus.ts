import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Bus } from './bus.ts';
import type { Db } from './db.ts';
import type { Logger } from './logger.ts';
import type { Outbox } from './outbox.ts';
import { createOutboxRepository } from './outbox.repository.ts';

/**
 * The outbox over NATS JetStream (ADR 0012). Every worker process runs a relay and consumers:
 * - the relay marks due delivery rows as announced (one statement, SKIP LOCKED, so relays in
 *   several processes never announce the same row), commits, then publishes them as work messages
 *   of one handler's batch size;
 * - each handler's durable consumer hands a message to one worker, which runs exactly those
 *   events in one transaction (`outbox.runIds`) and acks after the commit. A worker that dies
 *   before the ack leaves the message to be redelivered to another after `ackWaitMs`; the
 *   delivery rows decide what is still to do, so a redelivery is harmless.
 * Rows announced whose message was lost (a relay died between commit and publish) are announced
 * again once the handler's queue on the bus is empty.
 */
export interface BusOutboxRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBusOutboxRunner(deps: { db: Db; log: Logger; outbox: Outbox; bus: Bus; pollMs?: number }): BusOutboxRunner {
  const { db, log, outbox, bus } = deps;
  const repo = createOutboxRepository();
  const pollMs = deps.pollMs ?? 200;
  const handlers = outbox.handlers();
  let running = false;
  let wake: (() => void) | undefined;
  let relayLoop: Promise<void> | undefined;
  const consumers: { messages: ConsumerMessages; done: Promise<void> }[] = [];
  let lastSweep = 0;

  async function relayOnce(): Promise<number> {
    let total = 0;
    for (const h of handlers) {
      const ids = await db.transaction().execute((trx) => repo.announce(trx, h.name, 20 * h.batchSize));
      for (let i = 0; i < ids.length; i += h.batchSize) {
        await bus.js.publish(bus.subjects.work(h.name), JSON.stringify({ ids: ids.slice(i, i + h.batchSize) }));
      }
      total += ids.length;
    }
    if (Date.now() - lastSweep > 5_000) {
      lastSweep = Date.now();
      for (const h of handlers) {
        if ((await bus.backlog(h.name)) > 0) continue;
        const n = await repo.reannounceStale(db, h.name, Math.max(5_000, bus.ackWaitMs));
        if (n > 0) log.warn({ handler: h.name, events: n }, 'outbox: announced events never ran; announcing again');
      }
    }
    return total;
  }

  async function relay(): Promise<void> {
    while (running) {
      let n = 0;
      try {
        n = await relayOnce();
      } catch (e) {
        log.error({ err: e }, 'outbox relay failed');
      }
      if (n === 0 && running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, pollMs);
          function done(): void {
            clearTimeout(t);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
    }
  }

  async function consume(name: string, messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      const { ids } = m.json<{ ids: number[] }>();
      // Long batches tell the server they are alive, so it does not hand the message to another worker.
      const beat = setInterval(() => m.working(), Math.max(1_000, bus.ackWaitMs / 3));
      try {
        await outbox.runIds(name, ids);
        m.ack();
      } catch (e) {
        log.error({ err: e, handler: name }, 'outbox work message failed; redelivering');
        m.nak(1_000);
      } finally {
        clearInterval(beat);
      }
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      await bus.ensure(handlers.map((h) => h.name));
      bus.nc.subscribe(bus.subjects.kick, { callback: () => wake?.() });
      relayLoop = relay();
      for (const h of handlers) {
        const consumer = await bus.js.consumers.get(bus.streams.work, bus.durable(h.name));
        const messages = await consumer.consume({ max_messages: 2 });
        consumers.push({
          messages,
          done: consume(h.name, messages).catch((e: unknown) =>
            log.error({ err: e, handler: h.name }, 'outbox consumer stopped'),
          ),
        });
      }
    },
    async stop() {
      running = false;
      wake?.();
      // Stop pulling; the message in hand finishes and is acked (graceful shutdown keeps the batch).
      for (const c of consumers) c.messages.stop();
      await Promise.all(consumers.splice(0).map((c) => c.done));
      await relayLoop;
    },
  };
}
