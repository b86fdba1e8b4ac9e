export { createStockService, type StockService } from './stock.service.ts';
export { createPointsService, type PointsService } from './points.service.ts';
export { registerOverseasRoutes } from './overseas.routes.ts';
export { withinReturnWindow } from './rules/returns.rules.ts';
export { migrationsDir as overseasMigrations } from './overseas.migrations.ts';
export { seedOverseasDemo } from './overseas.demo.ts';
