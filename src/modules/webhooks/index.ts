export { createWebhookService, newWebhookSecret, type WebhookService } from './webhooks.service.ts';
export { createWebhookDispatcher, postJson, type WebhookDispatcher, type PostResult } from './webhook.dispatcher.ts';
export { registerWebhookRoutes } from './webhooks.routes.ts';
export { signWebhook, verifyWebhookSignature } from './rules/signature.ts';
export { checkWebhookUrl, isPrivateAddress } from './rules/url.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './rules/retry.ts';
export type { WebhookFeedPort, WebhookFeedItem } from './webhooks.ports.ts';
export type { Subscription, Delivery } from './webhooks.schema.ts';
export { migrationsDir as webhooksMigrations } from './webhooks.migrations.ts';
