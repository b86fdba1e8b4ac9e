export {
  createLogisticsService,
  type FeedEvent,
  type LogisticsService,
  type TrackingEvent,
  type Timeline,
} from './logistics.service.ts';
export { createTrackingFeed, type TrackingFeed, type TrackingSignal, type TrackingSignalPort } from './tracking-feed.service.ts';
export { registerLogisticsRoutes, bodyText } from './logistics.routes.ts';
export { checkS10, s10CheckDigit } from './rules/s10.rules.ts';
export { looksLikeS10 } from './rules/s10.rules.ts';
export { EVENT_CODES, SERVICE_KINDS, type EventCode, type ServiceKind } from './rules/events.rules.ts';
export { migrationsDir as logisticsMigrations } from './logistics.migrations.ts';
export { seedLogisticsDemo } from './logistics.demo.ts';
export { logisticsLookup } from './logistics.lookup.ts';
export { createTrackingHookService, type TrackingHookService } from './tracking-hooks.service.ts';
export { createTrackingHookDispatcher, type TrackingHookDispatcher } from './tracking-hooks.dispatcher.ts';
export {
  createLogisticsRetentionJob,
  RETENTION_CHECK_MS as LOGISTICS_RETENTION_CHECK_MS,
  type LogisticsRetentionJob,
} from './logistics-retention.job.ts';
