import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, type Bilingual } from '../../kernel/errors.ts';
import { newId, newSecret } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { checkWebhookTopics, orderedTopics } from './rules/topics.ts';
import { checkWebhookUrl, type Resolve } from './rules/url.ts';
import { createWebhookRepository, type WebhookRepository } from './webhooks.repository.ts';
import type { WebhookTopicFeed } from './webhooks.ports.ts';
import type { Delivery, NewSubscription, Subscription, SubscriptionPatch, SubscriptionWithSecret } from './webhooks.schema.ts';
import type { CursorRow, DeliveryRow, SubscriptionRow, WebhookTopic } from './webhooks.tables.ts';

const SUBSCRIPTION: Bilingual = { zh: 'Webhook 订阅', en: 'webhook subscription' };
const ENTITY = 'webhook_subscription';
/** At most this many subscriptions per organisation. */
export const MAX_SUBSCRIPTIONS = 20;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A subscription as answered; `cursors` are its rows of whk_cursor (any order, other subscriptions' ignored). */
export function toSubscription(r: SubscriptionRow, cursors: readonly CursorRow[]): Subscription {
  const own = new Map(cursors.filter((c) => c.subscription_id === r.id).map((c) => [c.topic, c.cursor]));
  const topics = orderedTopics(r.topics);
  return {
    id: r.id,
    url: r.url,
    topics,
    status: r.status,
    cursor: topics.includes('receipts') ? (own.get('receipts') ?? 0) : null,
    cursors: topics.map((topic) => ({ topic, cursor: own.get(topic) ?? 0 })),
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAt: r.next_attempt_at.toISOString(),
    lastError: r.last_error,
    lastDeliveredAt: iso(r.last_delivered_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    attemptedAt: r.attempted_at.toISOString(),
    topic: r.topic,
    ok: r.ok,
    statusCode: r.status_code,
    firstSeq: r.first_seq,
    lastSeq: r.last_seq,
    itemCount: r.item_count,
    durationMs: r.duration_ms,
    error: r.error,
  };
}

/** A fresh signing secret; the `whsec_` prefix lets secret scanners recognise a leaked one. */
export const newWebhookSecret = (): string => `whsec_${newSecret(32)}`;

export type WebhookService = ReturnType<typeof createWebhookService>;

export function createWebhookService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** each topic's feed: a new subscription starts at its end */
  feeds: Record<WebhookTopic, Pick<WebhookTopicFeed, 'end'>>;
  /** WEBHOOK_ALLOW_PRIVATE=1: receivers on loopback and private addresses are allowed (tests). */
  allowPrivate: boolean;
  /** DNS resolution for the URL check (tests replace it). */
  resolve?: Resolve;
}) {
  const { db, clock, audit } = deps;

  function orgOf(p: Principal): string {
    if (!p.organisation) throw forbidden();
    return p.organisation.id;
  }

  /** Subscriptions as answered, their cursors read in one statement. */
  async function view(repo: WebhookRepository, rows: SubscriptionRow[]): Promise<Subscription[]> {
    const cursors = await repo.cursors(rows.map((r) => r.id));
    return rows.map((r) => toSubscription(r, cursors));
  }

  function checkTopics(topics: readonly string[]): void {
    const problem = checkWebhookTopics(topics);
    if (problem) {
      throw new DomainError(
        'webhooks.validation',
        { zh: `Webhook 主题不可用：${problem.message.zh}`, en: `Webhook topics refused: ${problem.message.en}` },
        { errors: [problem] },
      );
    }
  }

  async function checkUrl(url: string): Promise<void> {
    const problem = await checkWebhookUrl(url, {
      allowPrivate: deps.allowPrivate,
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    });
    if (problem) {
      throw new DomainError(
        'webhooks.validation',
        { zh: `Webhook 地址不可用：${problem.message.zh}`, en: `Webhook URL refused: ${problem.message.en}` },
        { errors: [problem] },
      );
    }
  }

  /** A state change of one subscription of the caller's organisation, locked and audited. */
  async function change(
    p: Principal,
    id: string,
    action: string,
    fn: (row: SubscriptionRow, repo: WebhookRepository) => Promise<SubscriptionRow | null>,
  ): Promise<Subscription | null> {
    const orgId = orgOf(p);
    return db.transaction().execute(async (trx) => {
      const repo = createWebhookRepository(trx);
      const row = await repo.find(id, orgId, true);
      if (!row) throw notFound(SUBSCRIPTION);
      // read before fn: a deletion takes the cursors with it
      const [before] = await view(repo, [row]);
      const changed = await fn(row, repo);
      const after = changed ? (await view(repo, [changed]))[0]! : null;
      await audit.append(trx, actorOf(p), [{ action, entity: ENTITY, entityId: id, before, ...(after ? { after } : {}) }]);
      return after;
    });
  }

  return {
    async list(p: Principal | null): Promise<Subscription[]> {
      requirePermission(p, 'webhooks.manage');
      const repo = createWebhookRepository(db);
      return view(repo, await repo.list(orgOf(p)));
    },

    async get(p: Principal | null, id: string): Promise<Subscription> {
      requirePermission(p, 'webhooks.manage');
      const repo = createWebhookRepository(db);
      const row = await repo.find(id, orgOf(p));
      if (!row) throw notFound(SUBSCRIPTION);
      return (await view(repo, [row]))[0]!;
    },

    /** The secret is answered once, here (and by rotateSecret); listings never show it. */
    async create(p: Principal | null, input: NewSubscription): Promise<SubscriptionWithSecret> {
      requirePermission(p, 'webhooks.manage');
      const orgId = orgOf(p);
      const asked: readonly string[] = input.topics ?? ['receipts'];
      checkTopics(asked);
      await checkUrl(input.url);
      const topics = orderedTopics(asked as WebhookTopic[]);
      // Each topic starts at the current end of its feed: a new receiver gets what happens from
      // now on, unless it asks for history with `from`.
      const starts = await Promise.all(
        topics.map(async (topic) => {
          const end = await deps.feeds[topic].end(orgId);
          return { topic, cursor: input.from === undefined ? end : Math.min(input.from, end) };
        }),
      );
      const secret = newWebhookSecret();
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createWebhookRepository(trx);
        if ((await repo.list(orgId)).length >= MAX_SUBSCRIPTIONS) {
          throw new DomainError('webhooks.conflict', {
            zh: `每个企业最多 ${MAX_SUBSCRIPTIONS} 个 Webhook 订阅`,
            en: `At most ${MAX_SUBSCRIPTIONS} webhook subscriptions per organisation`,
          });
        }
        const row = await repo.insert({
          id: newId(),
          organisation_id: orgId,
          url: input.url,
          topics,
          secret,
          status: 'active',
          consecutive_failures: 0,
          next_attempt_at: now,
          last_error: null,
          last_delivered_at: null,
          created_by: p.userId,
          created_at: now,
          updated_at: now,
        });
        const cursors = starts.map((s) => ({ subscription_id: row.id, ...s }));
        await repo.insertCursors(cursors);
        const created = toSubscription(row, cursors);
        await audit.append(trx, actorOf(p), [{ action: 'webhook.create', entity: ENTITY, entityId: row.id, after: created }]);
        return { ...created, secret };
      });
    },

    /**
     * Changes a subscription's topics, URL or whether it is active. A topic added starts at the
     * current end of its feed, as a new subscription does (no history is replayed); a topic removed
     * forgets its cursor (added again later, it starts at the end again); a topic kept keeps its
     * cursor. A new URL is checked as at creation and tried at once (failures forgotten);
     * `active: true` resumes a paused or failing subscription, `false` pauses it.
     */
    async update(p: Principal | null, id: string, patch: SubscriptionPatch): Promise<Subscription> {
      requirePermission(p, 'webhooks.manage');
      const orgId = orgOf(p);
      // Another organisation's (or an unknown) subscription answers 404 before its input is judged.
      if (!(await createWebhookRepository(db).find(id, orgId))) throw notFound(SUBSCRIPTION);
      if (patch.topics === undefined && patch.url === undefined && patch.active === undefined)
        throw new DomainError(
          'webhooks.validation',
          {
            zh: 'Webhook 订阅未修改：请至少修改主题（topics）、地址（url）或启用状态（active）之一',
            en: 'Webhook subscription unchanged: change at least one of topics, url or active',
          },
          {
            errors: [
              {
                field: 'body',
                rule: 'minProperties',
                message: { zh: '请至少修改主题、地址或启用状态之一', en: 'change at least one of topics, url or active' },
              },
            ],
          },
        );
      if (patch.topics !== undefined) checkTopics(patch.topics);
      if (patch.url !== undefined) await checkUrl(patch.url);
      const asked = patch.topics === undefined ? undefined : orderedTopics(patch.topics);
      // Where each asked topic's feed ends now: the start of a topic the subscription does not have yet.
      const ends = new Map(
        await Promise.all((asked ?? []).map(async (topic) => [topic, await deps.feeds[topic].end(orgId)] as const)),
      );
      const row = await change(p, id, 'webhook.update', async (current, repo) => {
        const now = clock.now();
        const set: Parameters<WebhookRepository['update']>[1] = { updated_at: now };
        if (asked) {
          const had = orderedTopics(current.topics);
          await repo.changeCursors(
            id,
            had.filter((t) => !asked.includes(t)),
            asked.filter((t) => !had.includes(t)).map((topic) => ({ subscription_id: id, topic, cursor: ends.get(topic)! })),
          );
          set.topics = asked;
        }
        if (patch.url !== undefined && patch.url !== current.url)
          Object.assign(set, { url: patch.url, consecutive_failures: 0, last_error: null, next_attempt_at: now });
        if (patch.active === true && current.status !== 'active')
          Object.assign(set, { status: 'active', consecutive_failures: 0, next_attempt_at: now });
        if (patch.active === false) set.status = 'paused';
        return repo.update(id, set);
      });
      return row!;
    },

    async remove(p: Principal | null, id: string): Promise<void> {
      requirePermission(p, 'webhooks.manage');
      await change(p, id, 'webhook.delete', async (_row, repo) => {
        await repo.remove(id);
        return null;
      });
    },

    /** A new secret, effective at once (the next delivery is signed with it); answered once. */
    async rotateSecret(p: Principal | null, id: string): Promise<SubscriptionWithSecret> {
      requirePermission(p, 'webhooks.manage');
      const secret = newWebhookSecret();
      const row = await change(p, id, 'webhook.rotate_secret', (_row, repo) =>
        repo.update(id, { secret, updated_at: clock.now() }),
      );
      return { ...row!, secret };
    },

    /** Back to active, failures forgotten, due at once; the URL is checked again. */
    async resume(p: Principal | null, id: string): Promise<Subscription> {
      requirePermission(p, 'webhooks.manage');
      const existing = await createWebhookRepository(db).find(id, orgOf(p));
      if (!existing) throw notFound(SUBSCRIPTION);
      await checkUrl(existing.url);
      const row = await change(p, id, 'webhook.resume', (_row, repo) => {
        const now = clock.now();
        return repo.update(id, { status: 'active', consecutive_failures: 0, next_attempt_at: now, updated_at: now });
      });
      return row!;
    },

    async pause(p: Principal | null, id: string): Promise<Subscription> {
      requirePermission(p, 'webhooks.manage');
      const row = await change(p, id, 'webhook.pause', (_row, repo) =>
        repo.update(id, { status: 'paused', updated_at: clock.now() }),
      );
      return row!;
    },

    /** The most recent delivery attempts, newest first. */
    async deliveries(p: Principal | null, id: string, limit = 50): Promise<Delivery[]> {
      requirePermission(p, 'webhooks.manage');
      const repo = createWebhookRepository(db);
      const row = await repo.find(id, orgOf(p));
      if (!row) throw notFound(SUBSCRIPTION);
      return (await repo.deliveries(id, Math.min(Math.max(limit, 1), 1000))).map(toDelivery);
    },
  };
}
