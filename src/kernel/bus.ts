import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from './logger.ts';

/**
 * The NATS JetStream bus used when the platform runs as several processes (ADR 0012).
 * PostgreSQL stays the system of record: the bus carries only which outbox events are due (work
 * queue, one durable consumer per handler, shared by every worker) and signals that the receipt
 * feed moved. Losing a bus message delays work; it never loses or doubles it.
 */
export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  prefix: string;
  ackWaitMs: number;
  subjects: {
    /** core subject: "an API process committed outbox events" */
    kick: string;
    work(handler: string): string;
    /** JetStream subject in the feed stream: "receipts entered the feed" */
    feed: string;
    /** core subject: "these organisations' tracking feeds moved" (organisation ids and a position only) */
    tracking: string;
  };
  streams: { work: string; feed: string };
  durable(handler: string): string;
  /** Creates the streams and the durable consumers of these handlers when missing. */
  ensure(handlers: string[]): Promise<void>;
  /** Messages waiting for a handler, delivered or not (0 when the consumer does not exist yet). */
  backlog(handler: string): Promise<number>;
  /** Deletes this prefix's streams (tests). */
  destroy(): Promise<void>;
  close(): Promise<void>;
}

const token = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_');

export async function connectBus(opts: {
  url: string;
  prefix: string;
  ackWaitMs: number;
  log: Logger;
  name?: string;
}): Promise<Bus> {
  const nc = await connect({ servers: opts.url, name: opts.name ?? 'cbec', maxReconnectAttempts: -1 }).catch((e: unknown) => {
    throw new Error(
      `NATS 不可达 / NATS not reachable at ${opts.url}: ${e instanceof Error ? e.message : String(e)}. ` +
        'Start a NATS server with JetStream (nats-server -js, https://nats.io) or unset NATS_URL to run in one process.',
    );
  });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const { prefix } = opts;
  const streams = { work: `${prefix}_OUTBOX`, feed: `${prefix}_FEED` };
  const subjects = {
    kick: `${prefix}.outbox.kick`,
    work: (handler: string) => `${prefix}.outbox.work.${token(handler)}`,
    feed: `${prefix}.feed.sequenced`,
    tracking: `${prefix}.logistics.tracking`,
  };
  const durable = (handler: string): string => `${prefix}_${token(handler)}`;
  void (async () => {
    for await (const s of nc.status())
      if (s.type === 'disconnect' || s.type === 'reconnect') opts.log.warn({ nats: s.type }, 'NATS connection');
  })();

  async function ensureStream(name: string, config: Parameters<typeof jsm.streams.add>[0]): Promise<void> {
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams.add(config);
    }
  }

  return {
    nc,
    js,
    prefix,
    ackWaitMs: opts.ackWaitMs,
    subjects,
    streams,
    durable,
    async ensure(handlers) {
      // Work queue: a message is gone once a worker acks it; file storage survives a NATS restart.
      await ensureStream(streams.work, {
        name: streams.work,
        subjects: [`${prefix}.outbox.work.>`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
      });
      // Feed signals are only wake-ups: keep an hour of them for late subscribers.
      await ensureStream(streams.feed, {
        name: streams.feed,
        subjects: [`${prefix}.feed.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: nanos(3_600_000),
        max_msgs: 100_000,
      });
      for (const h of handlers) {
        try {
          await jsm.consumers.info(streams.work, durable(h));
        } catch {
          await jsm.consumers.add(streams.work, {
            durable_name: durable(h),
            filter_subject: subjects.work(h),
            ack_policy: AckPolicy.Explicit,
            ack_wait: nanos(opts.ackWaitMs),
            max_deliver: -1,
            max_ack_pending: 1_000,
          });
        }
      }
    },
    async backlog(handler) {
      try {
        const info = await jsm.consumers.info(streams.work, durable(handler));
        return info.num_pending + info.num_ack_pending;
      } catch {
        return 0;
      }
    },
    async destroy() {
      for (const s of Object.values(streams)) await jsm.streams.delete(s).catch(() => false);
    },
    async close() {
      await nc.drain().catch(() => undefined);
    },
  };
}
