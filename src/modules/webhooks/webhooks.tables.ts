import type { Selectable } from 'kysely';

export const WEBHOOK_TOPICS = ['receipts'] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

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
  cursor: number;
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
  first_seq: number | null;
  last_seq: number | null;
  item_count: number;
  duration_ms: number;
  error: string | null;
}

export type SubscriptionRow = Selectable<SubscriptionTable>;
export type DeliveryRow = Selectable<DeliveryTable>;

export interface WebhooksTables {
  whk_subscription: SubscriptionTable;
  whk_delivery: DeliveryTable;
}
