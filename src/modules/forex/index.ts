export { createForexService, type ForexService } from './forex.service.ts';
export { registerForexRoutes } from './forex.routes.ts';
export { createSettlementAccountService, type SettlementAccountService } from './settlement-account.service.ts';
export { registerSettlementAccountRoutes } from './settlement-account.routes.ts';
export {
  checkReceipt,
  capFinding,
  reconcile,
  orderCoverage,
  parseCsv,
  PAYMENT_INSTITUTION_CAP_USD,
  USD_RATES,
  type CurrencyCoverage,
  type OrderValue,
  type Proceed,
  type ProceedsChannel,
} from './rules/receipts.rules.ts';
export { migrationsDir as forexMigrations } from './forex.migrations.ts';
export {
  forexReceiptRates,
  forexReceiptTotals,
  declarationProceeds,
  type DeclarationProceeds,
  declaredOrdersOf,
  orderProceeds,
  type OrderProceeds,
} from './forex.lookup.ts';
export { seedForexDemo } from './forex.demo.ts';
export { forexCollectionsFolder } from './collection.folder.ts';
