export {
  createCreditService,
  creditLevelOf,
  type CreditService,
  type ExternalFactorsPort,
  type CaseView,
} from './credit.service.ts';
export { registerCreditRoutes } from './credit.routes.ts';
export { caseLifecycle, CASE_KINDS, CASE_STATES, type CaseKind, type CaseStatus } from './credit.states.ts';
export { RATING_RULES, rateEnterprise, CREDIT_LEVELS, type CreditLevel, type RatingInputs } from './rules/rating.rules.ts';
export { migrationsDir as creditMigrations } from './credit.migrations.ts';
