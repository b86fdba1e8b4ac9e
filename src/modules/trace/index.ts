export {
  createTraceService,
  isTraceCode,
  traceInspectionResults,
  type TraceService,
  type CounterfeitReportPort,
  type ChainSourcesPort,
} from './trace.service.ts';
export { registerTraceRoutes, scanGeoWarning } from './trace.routes.ts';
export { SCAN_RULES, assessScans } from './rules/scan.rules.ts';
export { migrationsDir as traceMigrations } from './trace.migrations.ts';
