export { createSummaryService, type SummaryService, type SummaryApplicationView } from './summary.service.ts';
export { registerSummaryRoutes } from './summary.routes.ts';
export { createSummaryRepository, type GroupingQuery } from './summary.repository.ts';
export {
  SUMMARY_RULE_SETS,
  ruleSetForPeriod,
  ruleSetById,
  effectiveKeys,
  type SummaryRuleSet,
} from './rules/summary.rulesets.ts';
export { groupLines, type InventoryLineInput, type GroupedDeclaration } from './rules/grouping.rules.ts';
export { summaryDeadline, isWorkingDay, reminders } from './rules/deadline.rules.ts';
export { migrationsDir as summaryMigrations } from './summary.migrations.ts';
export { summarySourceFolder } from './summary.folder.ts';
export { createCeb701Service, type Ceb701Service } from './ceb701.service.ts';
export { summaryLookup, type SummaryLookup, type DeclarationRecord, type ExportDeclarationRef } from './summary.lookup.ts';
export {
  createSummaryDeadlineService,
  summaryReminderFeed,
  TOPIC_DEADLINE_REMINDER,
  type DeadlineReminderPayload,
} from './summary-deadline.service.ts';
export { createSummaryReminderJob, type SummaryReminderJob } from './summary-reminder.job.ts';
