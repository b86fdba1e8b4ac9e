export { createIntakeService, TOPIC_RECEIVED, type IntakeService, type IntakeOutcome } from './intake.service.ts';
export { createClearanceService, type ClearanceService } from './clearance.service.ts';
export { clearancePipeline, TOPIC_REVIEWED } from './clearance.pipeline.ts';
export { registerClearanceRoutes, JSON_RESOURCES, jsonToMessage } from './clearance.routes.ts';
export { CLEARANCE_RULE_SETS, ruleSetOn, type ClearanceRuleSet } from './rules/clearance.rulesets.ts';
export { decideByRuleSet, type DecisionHook, type Decision } from './rules/decision.rules.ts';
export { DOC_KINDS, type DocKind } from './rules/documents.rules.ts';
export type { FilingPort, DirectoryPort } from './clearance.ports.ts';
export { migrationsDir as clearanceMigrations } from './clearance.migrations.ts';
