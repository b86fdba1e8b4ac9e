import { DomainError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createOverseasRepository, type DeclarationSource, type SaleLineRow, type SaleRow } from './overseas.repository.ts';
import {
  availableOf,
  bi,
  checkLines,
  isVerified,
  movementsOf,
  providerOf,
  qtyBySku,
  readScope,
  sellerOf,
  type Line,
  type OverseasDeps,
} from './overseas.shared.ts';
import { allocateFifo } from './rules/returns.rules.ts';

export interface Sale {
  id: string;
  warehouseId: string;
  orderNo: string;
  status: SaleRow['status'];
  lines: {
    sku: string;
    qty: number;
    returned: number;
    declarationNo: string;
    releasedAt: string;
    /** inventory | summary: checked against customs records; external (0110) | legacy: as typed */
    declarationSource: DeclarationSource;
    declarationVerified: boolean;
  }[];
  createdAt: string;
}

const toSale = (s: SaleRow, lines: SaleLineRow[]): Sale => ({
  id: s.id,
  warehouseId: s.warehouse_id,
  orderNo: s.order_no,
  status: s.status,
  lines: lines
    .filter((l) => l.sale_id === s.id)
    .map((l) => ({
      sku: l.sku,
      qty: l.qty,
      returned: l.returned,
      declarationNo: l.declaration_no,
      releasedAt: l.released_at.toISOString(),
      declarationSource: l.declaration_source,
      declarationVerified: isVerified(l.declaration_source),
    })),
  createdAt: s.created_at.toISOString(),
});

export type SaleService = ReturnType<typeof createSaleService>;

/** Retail sales abroad: an order reserves stock from the oldest lots, then ships or is cancelled. */
export function createSaleService(deps: OverseasDeps) {
  const { db, clock, audit } = deps;

  return {
    /**
     * A retail order abroad reserves stock. The SKUs' stock rows are locked (in SKU order) before
     * the check, so concurrent orders queue: the last units go to one of them, never to both.
     */
    async reserve(p: Principal | null, input: { warehouseId: string; orderNo: string; lines: Line[] }): Promise<Sale> {
      requirePermission(p, 'overseas.manage');
      const seller = sellerOf(p);
      const lines = checkLines(input.lines);
      const now = clock.now();
      try {
        return await db.transaction().execute(async (trx) => {
          const repo = createOverseasRepository(trx);
          const skus = lines.map((l) => l.sku);
          const stock = new Map((await repo.lockStock(input.warehouseId, seller.id, skus)).map((s) => [s.sku, s]));
          const lots = await repo.lots(input.warehouseId, seller.id, skus);
          const short: { sku: string; wanted: number; available: number }[] = [];
          const saleLines: { sku: string; consignment_id: string; qty: number }[] = [];
          for (const l of lines) {
            const s = stock.get(l.sku);
            const available = s ? availableOf(s) : 0;
            const alloc =
              available >= l.qty
                ? allocateFifo(
                    l.qty,
                    lots
                      .filter((x) => x.sku === l.sku)
                      .map((x) => ({ consignmentId: x.consignment_id, releasedAt: x.released_at, remaining: x.remaining })),
                  )
                : null;
            if (!alloc) short.push({ sku: l.sku, wanted: l.qty, available });
            else saleLines.push(...alloc.map((a) => ({ sku: l.sku, consignment_id: a.consignmentId, qty: a.qty })));
          }
          if (short.length)
            throw new DomainError(
              'overseas.conflict',
              bi(
                `库存不足：${short.map((s) => `${s.sku} 需 ${s.wanted} 可用 ${s.available}`).join('；')}`,
                `not enough stock: ${short.map((s) => `${s.sku} wants ${s.wanted}, ${s.available} available`).join('; ')}`,
              ),
              { short },
            );
          const sale: SaleRow = {
            id: newId(),
            warehouse_id: input.warehouseId,
            seller_org_id: seller.id,
            order_no: input.orderNo.trim(),
            status: 'reserved',
            created_at: now,
            shipped_at: null,
          };
          await repo.reserve(sale, saleLines);
          await repo.bump(
            input.warehouseId,
            seller.id,
            lines.map((l) => ({ sku: l.sku, reserved: l.qty })),
          );
          await repo.movements(movementsOf({ ...sale, sale_id: sale.id }, saleLines, 'reserve', now));
          await audit.append(trx, actorOf(p), [
            {
              action: 'overseas.sale_reserved',
              entity: 'overseas_sale',
              entityId: sale.id,
              after: { orderNo: sale.order_no, lines },
            },
          ]);
          return toSale(sale, await repo.saleLines([sale.id]));
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505')
          throw new DomainError('overseas.duplicate', bi(`订单 ${input.orderNo} 已存在`, `order ${input.orderNo} exists`));
        throw e;
      }
    },

    /** The provider ships a reserved sale: reserved → out. */
    async ship(p: Principal | null, saleId: string): Promise<Sale> {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const sale = await repo.sale(saleId, true);
        const w = sale ? await repo.warehouse(sale.warehouse_id) : undefined;
        if (!sale || !w || w.provider_org_id !== prov.id) throw notFound(bi('销售订单', 'sale'));
        if (sale.status !== 'reserved')
          throw new DomainError('overseas.invalid_state', bi('订单不是待发货状态', `the sale is ${sale.status}, not reserved`));
        const lines = await repo.saleLines([sale.id]);
        const now = clock.now();
        await repo.bump(
          sale.warehouse_id,
          sale.seller_org_id,
          [...qtyBySku(lines)].map(([sku, qty]) => ({ sku, reserved: -qty, out: qty })),
        );
        await repo.shipSale(sale.id, now);
        await repo.movements(movementsOf({ ...sale, sale_id: sale.id }, lines, 'out', now));
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.sale_shipped', entity: 'overseas_sale', entityId: sale.id, after: { status: 'shipped' } },
        ]);
        return toSale({ ...sale, status: 'shipped', shipped_at: now }, lines);
      });
    },

    /**
     * A reserved (not yet shipped) sale cancelled, by its seller or by the warehouse's provider:
     * reserved → cancelled, its units back to the lots they were drawn from. A shipped sale comes
     * back as a return instead.
     */
    async cancel(p: Principal | null, saleId: string): Promise<Sale> {
      requirePermission(p, 'overseas.manage');
      const asProvider = p.organisation?.roles.includes('overseas') ?? false;
      const me = asProvider ? providerOf(p) : sellerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const sale = await repo.sale(saleId, true);
        const w = sale ? await repo.warehouse(sale.warehouse_id) : undefined;
        if (!sale || !w || (asProvider ? w.provider_org_id : sale.seller_org_id) !== me.id)
          throw notFound(bi('销售订单', 'sale'));
        if (sale.status !== 'reserved')
          throw new DomainError(
            'overseas.invalid_state',
            bi(
              sale.status === 'shipped' ? '订单已发货，不能取消，请登记退货' : '订单已取消',
              sale.status === 'shipped' ? 'the sale has shipped: record a return instead' : 'the sale is already cancelled',
            ),
          );
        const lines = await repo.saleLines([sale.id]);
        const now = clock.now();
        const bySku = qtyBySku(lines);
        // stock rows (in SKU order) before consignment lines: the order a sale locks them in
        await repo.lockStock(sale.warehouse_id, sale.seller_org_id, [...bySku.keys()]);
        await repo.bump(
          sale.warehouse_id,
          sale.seller_org_id,
          [...bySku].map(([sku, qty]) => ({ sku, reserved: -qty })),
        );
        await repo.unallocate(lines);
        await repo.cancelSale(sale.id);
        await repo.movements(movementsOf({ ...sale, sale_id: sale.id }, lines, 'release', now));
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.sale_cancelled', entity: 'overseas_sale', entityId: sale.id, after: { status: 'cancelled' } },
        ]);
        return toSale({ ...sale, status: 'cancelled' }, lines);
      });
    },

    async sales(p: Principal | null): Promise<Sale[]> {
      requirePermission(p, 'overseas.read');
      const repo = createOverseasRepository(db);
      const rows = await repo.sales(readScope(p));
      const lines = rows.length ? await repo.saleLines(rows.map((r) => r.id)) : [];
      return rows.map((r) => toSale(r, lines));
    },
  };
}
