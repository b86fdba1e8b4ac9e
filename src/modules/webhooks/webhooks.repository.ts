import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type {
  CursorRow,
  DeliveryRow,
  SubscriptionRow,
  SubscriptionTable,
  WebhooksTables,
  WebhookTopic,
} from './webhooks.tables.ts';

/** How many delivery attempts are kept per subscription. */
export const DELIVERY_LOG_KEEP = 1000;

/** The webhooks module's SQL. */
export function createWebhookRepository(exec: Executor) {
  const db = tables<WebhooksTables>(exec);
  return {
    async insert(row: SubscriptionRow): Promise<SubscriptionRow> {
      return db.insertInto('whk_subscription').values(row).returningAll().executeTakeFirstOrThrow();
    },

    /** The subscription's cursors, one per topic, in one statement. */
    async insertCursors(rows: readonly CursorRow[]): Promise<void> {
      if (rows.length)
        await db
          .insertInto('whk_cursor')
          .values([...rows])
          .execute();
    },

    /**
     * A subscription's topics changed (the caller holds its row lock): the cursors of `removed`
     * topics go, those of `added` start where given (replacing any left over), in two statements.
     */
    async changeCursors(subscriptionId: string, removed: readonly WebhookTopic[], added: readonly CursorRow[]): Promise<void> {
      if (removed.length)
        await db
          .deleteFrom('whk_cursor')
          .where('subscription_id', '=', subscriptionId)
          .where('topic', 'in', [...removed])
          .execute();
      if (added.length)
        await db
          .insertInto('whk_cursor')
          .values([...added])
          .onConflict((oc) =>
            oc.columns(['subscription_id', 'topic']).doUpdateSet((eb) => ({ cursor: eb.ref('excluded.cursor') })),
          )
          .execute();
    },

    /** The cursors of these subscriptions (every topic), in one statement. */
    async cursors(subscriptionIds: readonly string[]): Promise<CursorRow[]> {
      if (!subscriptionIds.length) return [];
      return db
        .selectFrom('whk_cursor')
        .selectAll()
        .where('subscription_id', 'in', [...subscriptionIds])
        .orderBy('subscription_id')
        .orderBy('topic')
        .execute();
    },

    /** Moves one topic's cursor of a subscription (the caller holds the subscription's row lock). */
    async setCursor(subscriptionId: string, topic: WebhookTopic, cursor: number): Promise<void> {
      await db
        .insertInto('whk_cursor')
        .values({ subscription_id: subscriptionId, topic, cursor })
        .onConflict((oc) => oc.columns(['subscription_id', 'topic']).doUpdateSet({ cursor }))
        .execute();
    },

    async list(orgId: string): Promise<SubscriptionRow[]> {
      return db
        .selectFrom('whk_subscription')
        .selectAll()
        .where('organisation_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },

    /** One subscription of the organisation; `lock` takes its row lock (waits for a delivery in flight). */
    async find(id: string, orgId: string, lock = false): Promise<SubscriptionRow | undefined> {
      let q = db.selectFrom('whk_subscription').selectAll().where('id', '=', id).where('organisation_id', '=', orgId);
      if (lock) q = q.forUpdate();
      return q.executeTakeFirst();
    },

    async update(
      id: string,
      set: Partial<Omit<SubscriptionTable, 'id' | 'organisation_id' | 'created_at' | 'created_by'>>,
    ): Promise<SubscriptionRow> {
      return db.updateTable('whk_subscription').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom('whk_subscription').where('id', '=', id).execute();
    },

    /**
     * Claims the most overdue active subscription not in `skip`, locking its row for the caller's
     * transaction; SKIP LOCKED passes over rows another process is delivering, so one
     * subscription never has two deliveries in flight.
     */
    async claimDue(now: Date, skip: string[]): Promise<SubscriptionRow | undefined> {
      return db
        .selectFrom('whk_subscription')
        .selectAll()
        .where('status', '=', 'active')
        .where('next_attempt_at', '<=', now)
        .where(sql<boolean>`not (id = any(${skip}::uuid[]))`)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
    },

    /** Logs one attempt and drops the subscription's attempts beyond the newest DELIVERY_LOG_KEEP. */
    async logDelivery(row: DeliveryRow): Promise<void> {
      await db.insertInto('whk_delivery').values(row).execute();
      await sql`
        delete from whk_delivery
        where subscription_id = ${row.subscription_id}
          and (attempted_at, id) < (
            select attempted_at, id from whk_delivery where subscription_id = ${row.subscription_id}
            order by attempted_at desc, id desc offset ${DELIVERY_LOG_KEEP - 1} limit 1
          )`.execute(exec);
    },

    async deliveries(subscriptionId: string, limit: number): Promise<DeliveryRow[]> {
      return db
        .selectFrom('whk_delivery')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .orderBy('attempted_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
