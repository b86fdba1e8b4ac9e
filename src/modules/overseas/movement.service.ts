import { notFound } from '../../kernel/errors.ts';
import { requirePermission, type Principal } from '../identity/index.ts';
import { createOverseasRepository } from './overseas.repository.ts';
import { bi, readScope, type MovementKind, type OverseasDeps } from './overseas.shared.ts';

export interface MovementView {
  id: string;
  kind: MovementKind;
  qty: number;
  at: string;
  /** the export declaration of the lot the units came from or went back to */
  declarationNo: string | null;
  /** the retail order that moved them */
  orderNo: string | null;
  customsRecordNo: string | null;
}

/** The ledger's history per SKU: each movement behind a balance, the reader's own only. */
export function createMovementService(deps: OverseasDeps) {
  const { db } = deps;
  return {
    /**
     * Movements of one SKU in one warehouse, newest first: a seller sees its own stock's, a
     * provider those in its own warehouse (another provider's warehouse is not found).
     */
    async movements(p: Principal | null, q: { warehouseId: string; sku: string }): Promise<MovementView[]> {
      requirePermission(p, 'overseas.read');
      const scope = readScope(p);
      const repo = createOverseasRepository(db);
      const w = await repo.warehouse(q.warehouseId);
      if (!w || ('providerOrgId' in scope && w.provider_org_id !== scope.providerOrgId))
        throw notFound(bi('海外仓', 'overseas warehouse'));
      const rows = await repo.movementHistory({ warehouseId: w.id, sku: q.sku.trim(), ...scope });
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind as MovementKind,
        qty: r.qty,
        at: r.at.toISOString(),
        declarationNo: r.declaration_no,
        orderNo: r.order_no,
        customsRecordNo: r.customs_record_no,
      }));
    },
  };
}
