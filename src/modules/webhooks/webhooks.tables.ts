import type { Selectable } from 'kysely';

/** What a subscription may choose: the receipt feed, and the monthly-summary deadline reminders. */
export const WEBHOOK_TOPICS = ['receipts', 'summary.deadline_reminder'] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];
export const isWebhookTopic = (t: string): t is WebhookTopic => (WEBHOOK_TOPICS as readonly string[]).includes(t);

export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'failing'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The webhooks module's tables as Kysely sees them; only this module's repository uses them. */
export interface SubscriptionTable {
  id: string;
  organisation_id: string;
  url: string;
  topics: WebhookTopic[];
  /** in clear: see migrations/001_webhooks.sql (HMAC signing needs the secret, a hash cannot sign) */
  secret: string;
  status: SubscriptionStatus;
  consecutive_failures: number;
  next_attempt_at: Date;
  last_error: string | null;
  last_delivered_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryTable {
  id: string;
  subscription_id: string;
  attempted_at: Date;
  ok: boolean;
  status_code: number | null;
  /** the topic the delivery carried (one topic per delivery) */
  topic: WebhookTopic;
  first_seq: number | null;
  last_seq: number | null;
  item_count: number;
  duration_ms: number;
  error: string | null;
}

/** One cursor per subscription and topic (migrations/002_topic_cursors.sql). */
export interface CursorTable {
  subscription_id: string;
  topic: WebhookTopic;
  /** feed position of the topic's last item the receiver acknowledged with a 2xx */
  cursor: number;
}

export type SubscriptionRow = Selectable<SubscriptionTable>;
export type CursorRow = Selectable<CursorTable>;
export type DeliveryRow = Selectable<DeliveryTable>;

export interface WebhooksTables {
  whk_subscription: SubscriptionTable;
  whk_delivery: DeliveryTable;
  whk_cursor: CursorTable;
}
