export { createStatisticsService, statisticsScopeOf, type StatisticsService } from './statistics.service.ts';
export { statisticsFolder } from './statistics.folder.ts';
export { registerStatisticsRoutes } from './statistics.routes.ts';
export { DIMENSIONS, DIMENSION_DEFS, METRICS, type Dimension } from './rules/dimensions.rules.ts';
export { migrationsDir as statisticsMigrations } from './statistics.migrations.ts';
export { rebuildStatistics, queryStatistics, REBUILD_STEPS, type RebuildResult } from './statistics.rebuild.ts';
export type { CubeFilter, CubeTotals } from './statistics.repository.ts';
export { seedStatisticsDemo, demoFlowMessages, DEMO_FLOWS } from './statistics.demo.ts';
