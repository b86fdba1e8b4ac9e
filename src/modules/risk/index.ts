export {
  createRiskEngine,
  DEFAULT_CREDIT_LEVEL,
  TOPIC_INSPECT,
  TOPIC_QUARANTINE,
  type InspectPayload,
  type QuarantinePayload,
} from './risk.engine.ts';
export { createRiskService, type RiskService } from './risk.service.ts';
export { riskFollowUps, TOPIC_REDECIDE, type RedecidePayload } from './risk.handler.ts';
export { registerRiskRoutes } from './risk.routes.ts';
export { seedRiskDemo } from './risk.demo.ts';
export type { RiskPorts, ClearancePort } from './risk.ports.ts';
export { RULE_KINDS, CREDIT_LEVELS, type RiskRule, type RuleHit } from './rules/risk.rules.ts';
export { migrationsDir as riskMigrations } from './risk.migrations.ts';
