import { createConsignmentService } from './consignment.service.ts';
import { createMovementService } from './movement.service.ts';
import type { OverseasDeps } from './overseas.shared.ts';
import { createReturnService } from './return.service.ts';
import { createSaleService } from './sale.service.ts';

export type StockService = ReturnType<typeof createStockService>;

/** The overseas warehouse ledger: consignments in, retail sales reserve and ship, returns, movement history; one object for the routes. */
export function createStockService(deps: OverseasDeps) {
  return {
    ...createConsignmentService(deps),
    ...createSaleService(deps),
    ...createReturnService(deps),
    ...createMovementService(deps),
  };
}
