export { createWarehouseService, type WarehouseService } from './warehouse.service.ts';
export { createDispatchService, type DispatchService } from './dispatch.service.ts';
export { createDispatchRepairService, type DispatchRepairService } from './dispatch-repair.service.ts';
export { registerWarehouseRoutes } from './warehouse.routes.ts';
export type { ArrivalPort, InspectionPort, SiteScan, SiteScanPort } from './warehouse.ports.ts';
export { labelPdf, LABEL_SIZE } from './warehouse.label.ts';
export { parcelLifecycle, PARCEL_STATES } from './warehouse.states.ts';
export { migrationsDir as warehouseMigrations } from './warehouse.migrations.ts';
export { seedWarehouseDemo } from './warehouse.demo.ts';
