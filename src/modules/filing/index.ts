export { createFilingService, type FilingService } from './filing.service.ts';
export { registerFilingRoutes } from './filing.routes.ts';
export { filingLookup, productKey, type FilingLookup, type FiledEnterprise } from './filing.lookup.ts';
export { seedFilingDemo, DEMO_PRODUCTS, DEMO_FILED_ENTERPRISES } from './filing.demo.ts';
export { filingLifecycle, FILING_STATES, type FilingStatus } from './filing.states.ts';
export { DEFAULT_PRODUCT_APPROVAL_RULES, type ProductApprovalRule } from './rules/approval.ts';
export { QUARANTINE_CATEGORIES, type QuarantineCategory } from './rules/product.ts';
export type { Product, EnterpriseFiling } from './filing.schema.ts';
export { migrationsDir as filingMigrations } from './filing.migrations.ts';
