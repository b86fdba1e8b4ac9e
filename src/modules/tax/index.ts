export { createTaxService, type TaxService, type RefundView, type RefundCopy } from './tax.service.ts';
export { createTaxRulesService, type TaxRulesService } from './tax-rules.service.ts';
export { registerTaxRoutes } from './tax.routes.ts';
export { evaluateRefund, DEFAULT_TAX_RULES, type TaxRuleConfig, type TaxProfile } from './rules/refund.rules.ts';
export { REFUND_RATE_TABLES, rateTableOn, refundRate, ratesOf } from './rules/refund-rates.data.ts';
export { migrationsDir as taxMigrations } from './tax.migrations.ts';
export { seedTaxDemo, DEMO_TAX_PROFILES } from './tax.demo.ts';
export { taxLookup, type TaxLookup } from './tax.lookup.ts';
