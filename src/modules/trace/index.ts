export { createTraceService, isTraceCode, type TraceService, type CounterfeitReportPort } from './trace.service.ts';
export { registerTraceRoutes } from './trace.routes.ts';
export { SCAN_RULES, assessScans } from './rules/scan.rules.ts';
export { migrationsDir as traceMigrations } from './trace.migrations.ts';
