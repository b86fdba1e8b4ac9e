import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './rules/retry.ts';
import { signWebhook } from './rules/signature.ts';
import { orderedTopics } from './rules/topics.ts';
import { checkWebhookUrl, guardedLookup } from './rules/url.ts';
import { createWebhookRepository } from './webhooks.repository.ts';
import type { WebhookFeedItem, WebhookFeedPort } from './webhooks.ports.ts';
import { WEBHOOK_TOPICS, type WebhookTopic } from './webhooks.tables.ts';

/** Items per delivery. */
export const BATCH_SIZE = 100;
/** Whole-request timeout: connect, send, response head and body. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** At most this much of a failed response body is kept as the error. */
const ERROR_BODY_CHARS = 300;

export interface PostResult {
  statusCode: number | null;
  error: string | null;
}

/**
 * One POST, no redirects followed (node:http never follows them), with the DNS answer checked at
 * connect time (see guardedLookup). Only a 2xx counts as delivered.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { allowPrivate: boolean; timeoutMs: number },
): Promise<PostResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? https.request : http.request;
    let settled = false;
    const done = (r: PostResult): void => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let req: http.ClientRequest;
    try {
      req = request(
        u,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: guardedLookup(opts.allowPrivate) as unknown as http.RequestOptions['lookup'],
          signal: AbortSignal.timeout(opts.timeoutMs),
          agent: false,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < ERROR_BODY_CHARS) text += chunk;
          });
          res.on('error', (e) => done({ statusCode: status, error: e.message }));
          res.on('end', () => {
            if (status >= 200 && status < 300) return done({ statusCode: status, error: null });
            const where = status >= 300 && status < 400 ? ` (redirect to ${res.headers.location ?? '?'} not followed)` : '';
            done({ statusCode: status, error: `HTTP ${status}${where}${text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : ''}` });
          });
        },
      );
    } catch (e) {
      done({ statusCode: null, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    req.on('error', (e: NodeJS.ErrnoException) => {
      const timedOut = e.name === 'AbortError' || e.name === 'TimeoutError';
      done({ statusCode: null, error: timedOut ? `timed out after ${opts.timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}` });
    });
    req.end(body);
  });
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

/**
 * Delivers each active subscription's topics, each in its feed's order, at least once. One
 * delivery carries one topic (body `topic`, header X-CBEC-Topic); receivers dedupe by topic and
 * item id. A delivery claims its subscription with FOR UPDATE SKIP LOCKED and holds that row lock
 * until the attempt is logged, so across processes one subscription never has two deliveries in
 * flight; the topic's cursor advances in the same transaction as the delivery log row. Topics
 * take turns, so a long backlog of one does not hold back another. Woken by the feeds (`onNew`)
 * and by a poll (retries fall due with time; a feed that does not tell is delivered by it).
 */
export function createWebhookDispatcher(deps: {
  db: Db;
  log: Logger;
  clock: Clock;
  /** one feed per topic */
  feeds: WebhookFeedPort;
  allowPrivate: boolean;
  intervalMs?: number;
  /** deliveries in flight at once in this process (each holds a pool connection) */
  concurrency?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
}) {
  const { db, log, clock, feeds } = deps;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const lanes = Math.max(deps.concurrency ?? 4, 1);
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void)[] = [];
  /** subscription id → the topic (index in its topics) to look at first next time: topics take turns */
  const turn = new Map<string, number>();
  let running: Promise<number> | undefined;
  let again = false;

  /**
   * Claims one due subscription not in `skip` and attempts one delivery. Answers null when none is
   * due, else whether the subscription may have more to deliver right away.
   */
  async function deliverNext(skip: Set<string>): Promise<{ id: string; more: boolean } | null> {
    return db.transaction().execute(async (trx) => {
      const repo = createWebhookRepository(trx);
      const sub = await repo.claimDue(clock.now(), [...skip]);
      if (!sub) return null;
      skip.add(sub.id);
      const topics = orderedTopics(sub.topics);
      const cursors = new Map((await repo.cursors([sub.id])).map((c) => [c.topic, c.cursor]));
      // The first topic with something to deliver, starting at this subscription's turn.
      const first = turn.get(sub.id) ?? 0;
      let pick: { topic: WebhookTopic; index: number; items: WebhookFeedItem[] } | undefined;
      for (let k = 0; k < topics.length && !pick; k++) {
        const index = (first + k) % topics.length;
        const topic = topics[index]!;
        let after = cursors.get(topic);
        if (after === undefined) {
          // no cursor for the topic (not expected: a subscription gets one per topic): start at the
          // feed's end, as a new subscription does, rather than replay its history
          after = await feeds[topic].end(sub.organisation_id);
          await repo.setCursor(sub.id, topic, after);
        }
        const from = after;
        const page = await feeds[topic].page(sub.organisation_id, from, BATCH_SIZE);
        const items = page.items.filter((i) => typeof i.seq === 'number' && i.seq > from);
        if (items.length) pick = { topic, index, items };
      }
      if (!pick) {
        turn.delete(sub.id); // nothing due: no turn to remember (keeps the map to busy subscriptions)
        return { id: sub.id, more: false };
      }
      const { topic, items } = pick;
      turn.set(sub.id, (pick.index + 1) % topics.length);

      const deliveryId = newId();
      const started = clock.now();
      const body = JSON.stringify({ subscriptionId: sub.id, deliveryId, topic, items });
      let result: PostResult;
      const urlProblem = await checkWebhookUrl(sub.url, { allowPrivate: deps.allowPrivate });
      if (urlProblem) result = { statusCode: null, error: urlProblem.message.en };
      else {
        result = await postJson(
          sub.url,
          body,
          {
            'content-type': 'application/json',
            'user-agent': 'CBEC-Window-Webhooks/1',
            'x-cbec-delivery': deliveryId,
            'x-cbec-topic': topic,
            'x-cbec-signature': signWebhook(sub.secret, body, Math.floor(Date.now() / 1000)),
          },
          { allowPrivate: deps.allowPrivate, timeoutMs },
        );
      }
      const now = clock.now();
      const firstSeq = items[0]!.seq!;
      const lastSeq = items[items.length - 1]!.seq!;
      const ok = result.error === null;
      await repo.logDelivery({
        id: deliveryId,
        subscription_id: sub.id,
        attempted_at: started,
        topic,
        ok,
        status_code: result.statusCode,
        first_seq: firstSeq,
        last_seq: lastSeq,
        item_count: items.length,
        duration_ms: Math.max(now.getTime() - started.getTime(), 0),
        error: result.error,
      });
      if (ok) {
        await repo.setCursor(sub.id, topic, lastSeq);
        await repo.update(sub.id, {
          consecutive_failures: 0,
          last_error: null,
          last_delivered_at: now,
          next_attempt_at: now,
          updated_at: now,
        });
        // a full batch, or another topic that may have items: take the subscription again this pass
        return { id: sub.id, more: items.length >= BATCH_SIZE || topics.length > 1 };
      }
      const failures = sub.consecutive_failures + 1;
      const failing = failures >= retry.maxFailures;
      await repo.update(sub.id, {
        consecutive_failures: failures,
        last_error: result.error,
        next_attempt_at: new Date(now.getTime() + retryDelayMs(failures, retry)),
        updated_at: now,
        ...(failing ? { status: 'failing' as const } : {}),
      });
      log.warn({ subscriptionId: sub.id, failures, failing, error: result.error }, 'webhook delivery failed');
      return { id: sub.id, more: false };
    });
  }

  async function pass(): Promise<number> {
    const skip = new Set<string>();
    let attempts = 0;
    const lane = async (): Promise<void> => {
      for (;;) {
        let r: { id: string; more: boolean } | null;
        try {
          r = await deliverNext(skip);
        } catch (e) {
          // The feed or the database failed: the subscription stays due and is tried next pass.
          log.warn({ err: e }, 'webhook dispatch failed');
          return;
        }
        if (!r) return;
        attempts++;
        // A full batch delivered: take the same subscription again in this pass.
        if (r.more) skip.delete(r.id);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return attempts;
  }

  /** One pass over every due subscription (repeated while woken meanwhile); answers the claims made. */
  function runOnce(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await pass();
      } while (again);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const kick = (): void => {
    runOnce().catch((e: unknown) => log.warn({ err: e }, 'webhook dispatcher failed'));
  };

  return {
    runOnce,
    start(): void {
      if (timer) return;
      unsubscribe = WEBHOOK_TOPICS.map((t) => feeds[t].onNew(kick));
      timer = setInterval(kick, deps.intervalMs ?? 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      for (const u of unsubscribe) u();
      unsubscribe = [];
      await running?.catch(() => undefined);
    },
  };
}
