export {
  createCreditService,
  creditLevelOf,
  type CreditService,
  type ExternalFactorsPort,
  type CaseView,
  type RecomputeResult,
} from './credit.service.ts';
export { creditLookup, type SellerCredit } from './credit.lookup.ts';
export type { ExternalFactorCounts } from './rules/factors.rules.ts';
export { createCreditRecomputeJob, RECOMPUTE_EVERY_MS, RECOMPUTE_CHECK_MS, type CreditRecomputeJob } from './credit.recompute.ts';
export { registerCreditRoutes } from './credit.routes.ts';
export { caseLifecycle, CASE_KINDS, CASE_STATES, type CaseKind, type CaseStatus } from './credit.states.ts';
export { RATING_RULES, rateEnterprise, CREDIT_LEVELS, type CreditLevel, type RatingInputs } from './rules/rating.rules.ts';
export { migrationsDir as creditMigrations } from './credit.migrations.ts';
