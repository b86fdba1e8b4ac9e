import type { WebhookTopic } from './webhooks.tables.ts';

/** One feed item as the receiver gets it; `seq` is its feed position, `id` what receivers dedupe by (with the topic). */
export interface WebhookFeedItem {
  id: number;
  seq: number | null;
  [k: string]: unknown;
}

/**
 * One topic's feed, wired in the composition root (webhooks imports neither clearance nor
 * summary). `page` answers an organisation's items after a feed position, in `seq` order, as the
 * topic's pull feed shows them; `end` the organisation's last position (0 when none), where a new
 * subscription starts; `onNew` tells when new items entered the feed and answers an unsubscribe
 * function (the dispatcher also polls, so a feed that cannot tell is still delivered).
 */
export interface WebhookTopicFeed {
  page(orgId: string, after: number, limit: number): Promise<{ items: WebhookFeedItem[]; next: number }>;
  end(orgId: string): Promise<number>;
  onNew(listener: () => void): () => void;
}

/** What webhooks need from the other modules: one feed per topic (WEBHOOK_TOPICS). */
export type WebhookFeedPort = Record<WebhookTopic, WebhookTopicFeed>;
