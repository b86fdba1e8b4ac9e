import type { Db, Executor } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import { parcelCustomsLookup } from '../clearance/index.ts';
import type { EventRow } from './logistics.tables.ts';
import { createTrackingFeedRepository } from './tracking-feed.repository.ts';

/** Batches (one per storing transaction) appended per sequencing statement. */
const BATCHES_PER_PASS = 200;
/** A signal names at most this many organisations; more wake every stream of the receiving process. */
const MAX_SIGNAL_ORGS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * How processes tell each other that tracking feeds moved (scaled out: core NATS, subject
 * `<prefix>.logistics.tracking`). The message is a wake-up naming organisation ids and the last
 * position, never an event: each process reads what its own clients may see from PostgreSQL.
 */
export interface TrackingSignalPort {
  publish(data: string): void;
  subscribe(listener: (data: string) => void): void;
}

/** The wake-up one process sends the others after a sequencing pass. */
export interface TrackingSignal {
  /** the sending feed, so a process ignores its own signal (it woke its streams already) */
  from: string;
  /** organisations whose feeds moved; null: too many to name, wake every stream */
  orgs: string[] | null;
  /** the last position handed out */
  seq: number;
}

/**
 * Who may see each stored event: the carrier that sent it and every party on the parcel's customs
 * documents (waybill, inventory, arrival, departure; not the order and payment collection). Decided
 * once, in the storing transaction, for the tracking webhooks and the live feed alike.
 */
export async function trackingRecipients(exec: Executor, rows: EventRow[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!rows.length) return out;
  const states = await parcelCustomsLookup(exec).states(rows.map((r) => `${r.carrier_code}|${r.logistics_no}`));
  const parties = new Map<string, Set<string>>();
  for (const s of states) {
    const set = parties.get(s.waybillKey) ?? new Set<string>();
    for (const o of s.parties) set.add(o);
    parties.set(s.waybillKey, set);
  }
  for (const r of rows)
    out.set(r.id, [...new Set([r.carrier_org_id, ...(parties.get(`${r.carrier_code}|${r.logistics_no}`) ?? [])])]);
  return out;
}

/** A signal from another process, or null when it is not one (never trusted beyond ids and a number). */
export function parseTrackingSignal(data: string): TrackingSignal | null {
  try {
    const m = JSON.parse(data) as Partial<TrackingSignal>;
    if (typeof m.from !== 'string' || typeof m.seq !== 'number') return null;
    if (m.orgs === null) return { from: m.from, orgs: null, seq: m.seq };
    if (!Array.isArray(m.orgs) || !m.orgs.every((o) => typeof o === 'string' && UUID.test(o))) return null;
    return { from: m.from, orgs: m.orgs, seq: m.seq };
  } catch {
    return null;
  }
}

export type TrackingFeed = ReturnType<typeof createTrackingFeed>;

/**
 * The tracking feed behind the live stream (SSE). Stored events are queued in their storing
 * transaction with their recipients; a sequencing pass (right after the commit in the storing
 * process, and a sweep every `intervalMs` where `start` runs) gives each a position in the feed of
 * every recipient and wakes the streams: this process's directly, the other processes' through
 * `signals`. Streams read their organisation's feed after their cursor, so a lost signal delays an
 * event (until the stream's own poll), never loses it, and a client resumes by Last-Event-ID.
 */
export function createTrackingFeed(deps: { db: Db; log: Logger; signals?: TrackingSignalPort; intervalMs?: number }) {
  const { db, log, signals } = deps;
  const repo = createTrackingFeedRepository(db);
  const self = newId();
  const listeners = new Map<string, Set<() => void>>();
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function wake(orgs: string[] | null): void {
    const targets = orgs === null ? [...listeners.values()] : orgs.map((o) => listeners.get(o)).filter((s) => s !== undefined);
    for (const set of targets) for (const l of [...set]) l();
  }

  signals?.subscribe((data) => {
    const s = parseTrackingSignal(data);
    if (s && s.from !== self) wake(s.orgs);
  });

  async function runOnce(): Promise<number> {
    // One pass at a time in this process (the advisory lock serialises processes). A caller arriving
    // during a pass waits for it and runs its own: the pass in flight may predate its events.
    while (running) await running.catch(() => 0);
    running = (async () => {
      let total = 0;
      const orgs = new Set<string>();
      let last = 0;
      for (;;) {
        const r = await repo.sequence(BATCHES_PER_PASS);
        total += r.batches;
        for (const o of r.orgs) orgs.add(o);
        last = Math.max(last, r.last);
        if (r.batches < BATCHES_PER_PASS) break;
      }
      if (orgs.size) {
        const named = [...orgs];
        wake(named);
        const signal: TrackingSignal = { from: self, orgs: named.length > MAX_SIGNAL_ORGS ? null : named, seq: last };
        try {
          signals?.publish(JSON.stringify(signal));
        } catch (e) {
          log.warn({ err: e }, 'tracking signal not published');
        }
      }
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    /** Queues stored events with their recipients, in the storing transaction. */
    async queue(exec: Executor, rows: EventRow[], recipients: ReadonlyMap<string, string[]>, now: Date): Promise<void> {
      const pairs = rows.flatMap((r) =>
        (recipients.get(r.id) ?? [r.carrier_org_id]).map((o) => ({ eventId: r.id, recipient: o })),
      );
      await createTrackingFeedRepository(exec).queue(pairs, now);
    },

    /** Sequences what committed and wakes the streams; never fails its caller (the sweep retries). */
    async announce(): Promise<void> {
      await runOnce().catch((e: unknown) => log.warn({ err: e }, 'tracking feed: sequencing failed; the sweep retries'));
    },

    runOnce,

    /** An organisation's feed after `after`, at most `limit` events; `next` is the cursor to go on from. */
    async page(orgId: string, after: number, limit: number): Promise<{ items: (EventRow & { seq: number })[]; next: number }> {
      const items = await repo.after(orgId, after, limit);
      return { items, next: items.length ? items[items.length - 1]!.seq : after };
    },

    end: (orgId: string) => repo.end(orgId),

    /** Called (without arguments) whenever the organisation's feed may have moved; answers the unsubscribe. */
    onMoved(orgId: string, listener: () => void): () => void {
      const set = listeners.get(orgId) ?? new Set<() => void>();
      set.add(listener);
      listeners.set(orgId, set);
      return () => {
        set.delete(listener);
        if (!set.size && listeners.get(orgId) === set) listeners.delete(orgId);
      };
    },

    /** The sweep: events whose storing process died (or failed) before its pass enter the feed here. */
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        repo
          .pending()
          .then((waiting) => (waiting ? runOnce() : 0))
          .catch((e: unknown) => log.warn({ err: e }, 'tracking feed sweep failed'));
      }, deps.intervalMs ?? 1_000);
      timer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => 0);
    },
  };
}
