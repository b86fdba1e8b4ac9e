export { createOrdersService, type OrdersService, type SalesOrder, type ImportResult } from './orders.service.ts';
export { createDraftsService, createDraftBuilderService, type DraftsService } from './drafts.service.ts';
export { createDeclareService, type DeclareResult } from './declare.service.ts';
export type { InventoryDraft } from './drafts.shared.ts';
export { registerOrdersRoutes } from './orders.routes.ts';
export type { DeclarePort, DeclaredEntity } from './orders.ports.ts';
export { LAYOUTS, type Layout, type LayoutId } from './rules/layouts.ts';
export { SALES_ORDER_STATES, DRAFT_STATES, draftLifecycle } from './orders.states.ts';
export { migrationsDir as ordersMigrations } from './orders.migrations.ts';
