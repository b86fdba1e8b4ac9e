import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { summaryLookup } from '../summary/index.ts';
import {
  createOverseasRepository,
  type ConsignmentLineView,
  type ConsignmentRow,
  type DeclarationSource,
  type SaleLineRow,
  type SaleRow,
  type StockRow,
  type WarehouseRow,
} from './overseas.repository.ts';
import { bi, providerOf, sellerOf, type OverseasDeps } from './overseas.shared.ts';
import { checkDeclaration, checkReceivedGoods, declaredGoods, type ConsignmentMode } from './rules/declaration.rules.ts';
import { allocateFifo, withinReturnWindow } from './rules/returns.rules.ts';

type Line = { sku: string; qty: number };

export interface StockBalance {
  warehouseId: string;
  warehouseCode: string;
  sellerOrgId: string;
  sku: string;
  in: number;
  reserved: number;
  out: number;
  returned: number;
  /** unsold units sent back to China (退运) */
  toChina: number;
  available: number;
}

/** Whether the declaration was checked against the platform's customs records. */
const isVerified = (s: DeclarationSource): boolean => s === 'inventory' || s === 'summary';

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

export interface Consignment {
  id: string;
  warehouseId: string;
  warehouseCode: string;
  sellerOrgId: string;
  declarationNo: string;
  tradeMode: string;
  declarationSource: DeclarationSource;
  declarationVerified: boolean;
  /** the release time that counts: customs' for a verified declaration, the typed one otherwise */
  releasedAt: string;
  /** what the provider typed, when it did (kept for the record; customs wins) */
  releasedAtTyped: string | null;
  /** allocated: drawn by sales not cancelled nor restocked; toChina: sent back to China unsold */
  lines: ConsignmentLineView[];
  createdAt: string;
}

const toConsignment = (c: ConsignmentRow & { warehouse_code: string; lines: ConsignmentLineView[] | null }): Consignment => ({
  id: c.id,
  warehouseId: c.warehouse_id,
  warehouseCode: c.warehouse_code,
  sellerOrgId: c.seller_org_id,
  declarationNo: c.declaration_no,
  tradeMode: c.trade_mode,
  declarationSource: c.declaration_source,
  declarationVerified: isVerified(c.declaration_source),
  releasedAt: c.released_at.toISOString(),
  releasedAtTyped: c.typed_released_at ? c.typed_released_at.toISOString() : null,
  lines: c.lines ?? [],
  createdAt: c.created_at.toISOString(),
});

const availableOf = (s: StockRow): number => s.qty_in + s.qty_returned - s.qty_reserved - s.qty_out - s.qty_to_china;

const toWarehouse = (w: WarehouseRow) => ({ id: w.id, code: w.code, name: w.name, country: w.country, city: w.city });
const toBalance = (s: StockRow & { warehouse_code: string }): StockBalance => ({
  warehouseId: s.warehouse_id,
  warehouseCode: s.warehouse_code,
  sellerOrgId: s.seller_org_id,
  sku: s.sku,
  in: s.qty_in,
  reserved: s.qty_reserved,
  out: s.qty_out,
  returned: s.qty_returned,
  toChina: s.qty_to_china,
  available: availableOf(s),
});
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

function checkLines(lines: Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.sku.trim(), (merged.get(l.sku.trim()) ?? 0) + l.qty);
  const bad = [...merged].filter(([sku, qty]) => !sku || !Number.isInteger(qty) || qty <= 0);
  if (!merged.size || bad.length)
    throw validationError([
      {
        field: 'lines',
        rule: 'positive',
        message: bi('每行须有 SKU 和正整数数量', 'each line needs a SKU and a positive whole quantity'),
      },
    ]);
  return [...merged].map(([sku, qty]) => ({ sku, qty })).sort((a, b) => a.sku.localeCompare(b.sku));
}

export type StockService = ReturnType<typeof createStockService>;

/** The overseas warehouse ledger: consignments in, retail sales reserve and ship, returns. */
export function createStockService(deps: OverseasDeps) {
  const { db, clock, audit } = deps;

  return {
    async saveWarehouse(p: Principal | null, input: { code: string; name: string; country: string; city: string }) {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      if (!/^[A-Z]{2}$/.test(input.country.toUpperCase()))
        throw validationError([
          {
            field: 'country',
            rule: 'iso3166',
            message: bi('国家须为 ISO 3166 两位字母代码', 'country must be ISO 3166 alpha-2'),
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const w = await createOverseasRepository(trx).insertWarehouse({
          id: newId(),
          provider_org_id: prov.id,
          code: input.code.trim().toUpperCase(),
          name: input.name.trim(),
          country: input.country.toUpperCase(),
          city: input.city.trim(),
          created_at: clock.now(),
        });
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.warehouse_saved', entity: 'overseas_warehouse', entityId: w.id, after: toWarehouse(w) },
        ]);
        return toWarehouse(w);
      });
    },

    async listWarehouses(p: Principal | null) {
      requirePermission(p, 'overseas.read');
      const mine = p.organisation?.roles.includes('overseas') ? p.organisation.id : undefined;
      return (await createOverseasRepository(db).warehouses(mine)).map(toWarehouse);
    },

    /**
     * A consignment exported to the provider's warehouse under one declaration: stock in. For
     * 9810/9610 the declaration must be an inventory or summary export declaration the platform
     * holds for the seller, of that trade mode and released by customs; the release time is
     * customs' (a typed one is kept for the record but never used). 0110 is declared outside the
     * platform: taken as typed and marked external. See rules/declaration.rules.ts.
     */
    async receiveConsignment(
      p: Principal | null,
      input: {
        warehouseId: string;
        sellerCode: string;
        declarationNo: string;
        tradeMode: ConsignmentMode;
        releasedAt?: string | undefined;
        lines: Line[];
      },
    ): Promise<Consignment> {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      const lines = checkLines(input.lines);
      const declarationNo = input.declarationNo.trim();
      const typed = input.releasedAt === undefined || input.releasedAt === '' ? null : new Date(input.releasedAt);
      if (typed && (Number.isNaN(typed.getTime()) || typed > clock.now()))
        throw validationError([
          {
            field: 'releasedAt',
            rule: 'dateTime',
            message: bi('放行时间无效或晚于今天', 'releasedAt is invalid or in the future'),
          },
        ]);
      const w = await createOverseasRepository(db).warehouse(input.warehouseId);
      if (!w || w.provider_org_id !== prov.id) throw notFound(bi('海外仓', 'overseas warehouse'));
      const [seller] = await organisationDirectory(db).byCodes([input.sellerCode]);
      if (!seller) throw notFound(bi(`企业 ${input.sellerCode}`, `enterprise ${input.sellerCode}`));
      const verifying = input.tradeMode !== '0110';
      const [inventory] = verifying ? await clearanceLookup(db).inventoryReleases({ invtNos: [declarationNo] }) : [];
      const [summary] = verifying && !inventory ? await summaryLookup(db).exportDeclarations([declarationNo]) : [];
      const checked = checkDeclaration({
        declarationNo,
        tradeMode: input.tradeMode,
        typedReleasedAt: typed,
        seller: { id: seller.id, codes: [seller.customs_code, seller.uscc].filter((c): c is string => !!c) },
        inventory,
        summary,
      });
      if ('problem' in checked) {
        if (checked.problem.rule === 'required') throw validationError([checked.problem]);
        throw new DomainError(
          'overseas.unprocessable',
          bi(
            `出口申报核验未通过：${checked.problem.message.zh}`,
            `export declaration not accepted: ${checked.problem.message.en}`,
          ),
          { errors: [checked.problem] },
        );
      }
      const decl = checked.ok;
      if (decl.inventories.length) {
        // the goods must have left under it: SKUs and quantities within its inventory lines
        const declared = declaredGoods([...(await clearanceLookup(db).inventoryDocuments(decl.inventories)).values()]);
        const problems = checkReceivedGoods(
          lines.map((l) => ({ ...l, field: `lines[${input.lines.findIndex((x) => x.sku.trim() === l.sku)}]` })),
          declared,
          declarationNo,
        );
        if (problems.length)
          throw new DomainError(
            'overseas.unprocessable',
            bi(
              `入仓商品与出口申报不符：${problems.map((x) => x.message.zh).join('；')}`,
              `goods received do not match the export declaration: ${problems.map((x) => x.message.en).join('; ')}`,
            ),
            { errors: problems },
          );
      }
      const now = clock.now();
      const row: ConsignmentRow = {
        id: newId(),
        warehouse_id: w.id,
        seller_org_id: seller.id,
        declaration_no: declarationNo,
        trade_mode: input.tradeMode,
        released_at: decl.releasedAt,
        created_at: now,
        declaration_source: decl.source,
        declaration_ref: decl.ref,
        typed_released_at: typed,
      };
      try {
        await db.transaction().execute(async (trx) => {
          const repo = createOverseasRepository(trx);
          await repo.insertConsignment(row, lines, decl.inventories);
          await repo.movements(
            lines.map((l) => ({
              id: newId(),
              warehouse_id: w.id,
              seller_org_id: seller.id,
              sku: l.sku,
              kind: 'in',
              qty: l.qty,
              consignment_id: row.id,
              sale_id: null,
              customs_record_no: null,
              at: now,
            })),
          );
          await audit.append(trx, actorOf(p), [
            {
              action: 'overseas.consignment_received',
              entity: 'overseas_consignment',
              entityId: row.id,
              after: {
                ...input,
                declarationNo,
                lines,
                releasedAt: decl.releasedAt.toISOString(),
                releasedAtTyped: typed?.toISOString() ?? null,
                declarationSource: decl.source,
                declarationRef: decl.ref,
              },
            },
          ]);
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505')
          throw new DomainError(
            'overseas.duplicate',
            bi(
              `报关单（清单）${declarationNo} 或其所含清单已入仓`,
              `declaration ${declarationNo}, or an inventory it covers, has already been received into stock`,
            ),
          );
        throw e;
      }
      return toConsignment({
        ...row,
        warehouse_code: w.code,
        lines: lines.map((l) => ({ ...l, allocated: 0, toChina: 0 })),
      });
    },

    /** Consignments with their declarations and whether those were verified: the seller's own, or a provider's warehouses'. */
    async consignments(p: Principal | null): Promise<Consignment[]> {
      requirePermission(p, 'overseas.read');
      const org = p.organisation;
      const scope = org?.roles.includes('overseas') ? { providerOrgId: org.id } : { sellerOrgId: sellerOf(p).id };
      return (await createOverseasRepository(db).consignments(scope)).map(toConsignment);
    },

    /** The seller sees its stock everywhere; a provider the stock in its warehouses. */
    async stock(p: Principal | null, q: { warehouseId?: string }): Promise<StockBalance[]> {
      requirePermission(p, 'overseas.read');
      const org = p.organisation;
      const scope = org?.roles.includes('overseas') ? { providerOrgId: org.id } : { sellerOrgId: sellerOf(p).id };
      return (
        await createOverseasRepository(db).stock({ ...scope, ...(q.warehouseId ? { warehouseId: q.warehouseId } : {}) })
      ).map(toBalance);
    },

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
          await repo.movements(
            saleLines.map((l) => ({
              id: newId(),
              warehouse_id: input.warehouseId,
              seller_org_id: seller.id,
              sku: l.sku,
              kind: 'reserve',
              qty: l.qty,
              consignment_id: l.consignment_id,
              sale_id: sale.id,
              customs_record_no: null,
              at: now,
            })),
          );
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
        const bySku = new Map<string, number>();
        for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.qty);
        await repo.bump(
          sale.warehouse_id,
          sale.seller_org_id,
          [...bySku].map(([sku, qty]) => ({ sku, reserved: -qty, out: qty })),
        );
        await repo.shipSale(sale.id, now);
        await repo.movements(
          lines.map((l) => ({
            id: newId(),
            warehouse_id: sale.warehouse_id,
            seller_org_id: sale.seller_org_id,
            sku: l.sku,
            kind: 'out',
            qty: l.qty,
            consignment_id: l.consignment_id,
            sale_id: sale.id,
            customs_record_no: null,
            at: now,
          })),
        );
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
        const bySku = new Map<string, number>();
        for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.qty);
        // stock rows (in SKU order) before consignment lines: the order a sale locks them in
        await repo.lockStock(sale.warehouse_id, sale.seller_org_id, [...bySku.keys()]);
        await repo.bump(
          sale.warehouse_id,
          sale.seller_org_id,
          [...bySku].map(([sku, qty]) => ({ sku, reserved: -qty })),
        );
        await repo.unallocate(lines);
        await repo.cancelSale(sale.id);
        await repo.movements(
          lines.map((l) => ({
            id: newId(),
            warehouse_id: sale.warehouse_id,
            seller_org_id: sale.seller_org_id,
            sku: l.sku,
            kind: 'release',
            qty: l.qty,
            consignment_id: l.consignment_id,
            sale_id: sale.id,
            customs_record_no: null,
            at: now,
          })),
        );
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.sale_cancelled', entity: 'overseas_sale', entityId: sale.id, after: { status: 'cancelled' } },
        ]);
        return toSale({ ...sale, status: 'cancelled' }, lines);
      });
    },

    async sales(p: Principal | null): Promise<Sale[]> {
      requirePermission(p, 'overseas.read');
      const org = p.organisation;
      const repo = createOverseasRepository(db);
      const rows = await repo.sales(
        org?.roles.includes('overseas') ? { providerOrgId: org.id } : { sellerOrgId: sellerOf(p).id },
      );
      const lines = rows.length ? await repo.saleLines(rows.map((r) => r.id)) : [];
      return rows.map((r) => toSale(r, lines));
    },

    /**
     * Returns of shipped goods, single or batch: back into the ledger (restock) or back to China
     * with the customs record number. Each unit must be within one year of its export release.
     */
    async returns(
      p: Principal | null,
      input: {
        items: { saleId: string; sku: string; qty: number }[];
        disposition: 'restock' | 'to_china';
        customsRecordNo?: string;
      },
    ) {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      if (input.disposition === 'to_china' && !input.customsRecordNo?.trim())
        throw validationError([
          {
            field: 'customsRecordNo',
            rule: 'required',
            message: bi('退运回国须填写海关退运记录编号', 'a return to China needs the customs record number'),
          },
        ]);
      if (!input.items.length || input.items.some((i) => !Number.isInteger(i.qty) || i.qty <= 0))
        throw validationError([
          {
            field: 'items',
            rule: 'positive',
            message: bi('退货数量须为正整数', 'return quantities must be positive whole numbers'),
          },
        ]);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const saleIds = [...new Set(input.items.map((i) => i.saleId))];
        const sales = await Promise.all(saleIds.map((id) => repo.sale(id, true)));
        for (const s of sales) {
          const w = s ? await repo.warehouse(s.warehouse_id) : undefined;
          if (!s || !w || w.provider_org_id !== prov.id) throw notFound(bi('销售订单', 'sale'));
          if (s.status !== 'shipped')
            throw new DomainError('overseas.invalid_state', bi('只能退已发货的订单', 'only shipped sales can be returned'));
        }
        const lines = await repo.lockSaleLines(saleIds);
        const taken: { sale_id: string; sku: string; consignment_id: string; qty: number; declaration_no: string }[] = [];
        const problems: { saleId: string; sku: string; reason: string }[] = [];
        for (const item of input.items) {
          let left = item.qty;
          for (const l of lines.filter((x) => x.sale_id === item.saleId && x.sku === item.sku)) {
            const already = taken
              .filter((t) => t.sale_id === l.sale_id && t.sku === l.sku && t.consignment_id === l.consignment_id)
              .reduce((a, t) => a + t.qty, 0);
            const can = l.qty - l.returned - already;
            if (can <= 0 || left <= 0) continue;
            if (!withinReturnWindow(l.released_at, now)) {
              problems.push({
                saleId: item.saleId,
                sku: item.sku,
                reason: `declaration ${l.declaration_no} released ${l.released_at.toISOString().slice(0, 10)}: more than one year ago`,
              });
              left = 0;
              break;
            }
            const q = Math.min(can, left);
            taken.push({
              sale_id: l.sale_id,
              sku: l.sku,
              consignment_id: l.consignment_id,
              qty: q,
              declaration_no: l.declaration_no,
            });
            left -= q;
          }
          if (left > 0) problems.push({ saleId: item.saleId, sku: item.sku, reason: 'more than sold and not yet returned' });
        }
        if (problems.length)
          throw new DomainError(
            'overseas.unprocessable',
            bi('退货不符合条件（超过放行后一年或超过售出数量）', 'return refused: past one year from release, or more than sold'),
            { problems },
          );
        await repo.markReturned(taken);
        const sale = sales[0]!;
        const bySku = new Map<string, { sellerOrgId: string; warehouseId: string; qty: number }>();
        for (const t of taken) {
          const s = sales.find((x) => x!.id === t.sale_id)!;
          const k = `${s.warehouse_id}|${s.seller_org_id}|${t.sku}`;
          bySku.set(k, { sellerOrgId: s.seller_org_id, warehouseId: s.warehouse_id, qty: (bySku.get(k)?.qty ?? 0) + t.qty });
        }
        if (input.disposition === 'restock') {
          for (const [k, v] of bySku) await repo.bump(v.warehouseId, v.sellerOrgId, [{ sku: k.split('|')[2]!, returned: v.qty }]);
          // back to the lot it was sold from: sellable again, and still traced to that declaration
          await repo.unallocate(taken);
        }
        await repo.movements(
          taken.map((t) => {
            const s = sales.find((x) => x!.id === t.sale_id)!;
            return {
              id: newId(),
              warehouse_id: s.warehouse_id,
              seller_org_id: s.seller_org_id,
              sku: t.sku,
              kind: input.disposition === 'restock' ? 'return' : 'return_to_china',
              qty: t.qty,
              consignment_id: t.consignment_id,
              sale_id: t.sale_id,
              customs_record_no: input.customsRecordNo?.trim() ?? null,
              at: now,
            };
          }),
        );
        await audit.append(trx, actorOf(p), [
          {
            action: 'overseas.returned',
            entity: 'overseas_sale',
            entityId: sale.id,
            after: { disposition: input.disposition, items: taken },
          },
        ]);
        return {
          returned: taken.map((t) => ({ saleId: t.sale_id, sku: t.sku, qty: t.qty, declarationNo: t.declaration_no })),
          disposition: input.disposition,
        };
      });
    },

    /**
     * Unsold stock of a consignment sent back to China (退运, GACC 2020 No. 44) under the customs
     * record the provider names: within one year of the declaration's release, never more than the
     * lot still holds unsold. Out of the lot and out of the balance for good; the movement keeps
     * the consignment (so the export declaration) and the customs record.
     */
    async returnToChina(
      p: Principal | null,
      consignmentId: string,
      input: { customsRecordNo: string; lines: Line[] },
    ): Promise<{
      consignmentId: string;
      declarationNo: string;
      customsRecordNo: string;
      returned: Line[];
      lines: ConsignmentLineView[];
    }> {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      const lines = checkLines(input.lines);
      const recordNo = input.customsRecordNo.trim();
      if (!recordNo)
        throw validationError([
          {
            field: 'customsRecordNo',
            rule: 'required',
            message: bi('退运回国须填写海关退运记录编号', 'a return to China needs the customs record number'),
          },
        ]);
      const fieldOf = (sku: string) => `lines[${input.lines.findIndex((x) => x.sku.trim() === sku)}]`;
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const c = await repo.consignment(consignmentId);
        const w = c ? await repo.warehouse(c.warehouse_id) : undefined;
        if (!c || !w || w.provider_org_id !== prov.id) throw notFound(bi('入仓批次', 'consignment'));
        if (!withinReturnWindow(c.released_at, now))
          throw new DomainError(
            'overseas.unprocessable',
            bi('退运须在出口放行后一年内', 'a return to China must be within one year of the export release'),
            {
              errors: [
                {
                  field: 'consignmentId',
                  rule: 'returnWindow',
                  message: bi(
                    `${c.declaration_no} 于 ${c.released_at.toISOString().slice(0, 10)} 放行，已超过一年`,
                    `${c.declaration_no} was released ${c.released_at.toISOString().slice(0, 10)}: more than one year ago`,
                  ),
                  value: c.declaration_no,
                },
              ],
            },
          );
        const skus = lines.map((l) => l.sku);
        // stock rows first, then the lot: the order a sale locks them in
        const stock = new Map((await repo.lockStock(c.warehouse_id, c.seller_org_id, skus)).map((s) => [s.sku, s]));
        const lots = new Map((await repo.lockConsignmentLines(c.id, skus)).map((l) => [l.sku, l]));
        const problems = lines.flatMap((l): FieldProblem[] => {
          const lot = lots.get(l.sku);
          if (!lot)
            return [
              {
                field: `${fieldOf(l.sku)}.sku`,
                rule: 'inConsignment',
                message: bi(`${c.declaration_no} 入仓批次中没有 ${l.sku}`, `consignment ${c.declaration_no} holds no ${l.sku}`),
                value: l.sku,
              },
            ];
          const s = stock.get(l.sku);
          const unsold = Math.min(lot.qty - lot.allocated - lot.to_china, s ? availableOf(s) : 0);
          return l.qty > unsold
            ? [
                {
                  field: `${fieldOf(l.sku)}.qty`,
                  rule: 'unsold',
                  message: bi(
                    `${l.sku} 退运 ${l.qty}，该批次未售仅 ${unsold}`,
                    `${l.sku}: ${l.qty} to return, only ${unsold} of this consignment unsold`,
                  ),
                  value: l.qty,
                },
              ]
            : [];
        });
        if (problems.length)
          throw new DomainError(
            'overseas.unprocessable',
            bi(
              `退运不符合条件：${problems.map((x) => x.message.zh).join('；')}`,
              `return to China refused: ${problems.map((x) => x.message.en).join('; ')}`,
            ),
            { errors: problems },
          );
        await repo.bump(
          c.warehouse_id,
          c.seller_org_id,
          lines.map((l) => ({ sku: l.sku, toChina: l.qty })),
        );
        await repo.sendToChina(c.id, lines);
        await repo.movements(
          lines.map((l) => ({
            id: newId(),
            warehouse_id: c.warehouse_id,
            seller_org_id: c.seller_org_id,
            sku: l.sku,
            kind: 'unsold_to_china',
            qty: l.qty,
            consignment_id: c.id,
            sale_id: null,
            customs_record_no: recordNo,
            at: now,
          })),
        );
        await audit.append(trx, actorOf(p), [
          {
            action: 'overseas.returned_to_china',
            entity: 'overseas_consignment',
            entityId: c.id,
            after: { declarationNo: c.declaration_no, customsRecordNo: recordNo, lines },
          },
        ]);
        const after = await repo.lockConsignmentLines(c.id, skus);
        return {
          consignmentId: c.id,
          declarationNo: c.declaration_no,
          customsRecordNo: recordNo,
          returned: lines,
          lines: after.map((l) => ({ sku: l.sku, qty: l.qty, allocated: l.allocated, toChina: l.to_china })),
        };
      });
    },
  };
}
