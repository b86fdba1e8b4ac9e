/** One feed item as the receiver gets it; `seq` is its feed position, `id` what receivers dedupe by. */
export interface WebhookFeedItem {
  id: number;
  seq: number | null;
  [k: string]: unknown;
}

/**
 * What webhooks need from the receipt feed, wired in the composition root (webhooks does not
 * import clearance). `page` answers an organisation's sequenced receipts after a feed position,
 * in `seq` order, as the pull feed shows them; `end` the organisation's last position (0 when
 * none), where a new subscription starts; `onNew` tells when new receipts entered the feed and
 * answers an unsubscribe function.
 */
export interface WebhookFeedPort {
  page(orgId: string, after: number, limit: number): Promise<{ items: WebhookFeedItem[]; next: number }>;
  end(orgId: string): Promise<number>;
  onNew(listener: () => void): () => void;
}
