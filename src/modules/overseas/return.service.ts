import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createOverseasRepository, type ConsignmentLineView, type SaleLineRow } from './overseas.repository.ts';
import { availableOf, bi, checkLines, movementsOf, providerOf, type Line, type OverseasDeps } from './overseas.shared.ts';
import { withinReturnWindow } from './rules/returns.rules.ts';

/** Both ways back to China need the customs record of the return. */
const recordNoRequired = () =>
  validationError([
    {
      field: 'customsRecordNo',
      rule: 'required',
      message: bi('退运回国须填写海关退运记录编号', 'a return to China needs the customs record number'),
    },
  ]);

export type ReturnService = ReturnType<typeof createReturnService>;

/** Goods going back: shipped goods returned (restocked or to China), unsold stock sent back to China. */
export function createReturnService(deps: OverseasDeps) {
  const { db, clock, audit } = deps;

  return {
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
      if (input.disposition === 'to_china' && !input.customsRecordNo?.trim()) throw recordNoRequired();
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
        // one query, sales locked in id order: batches over the same sales queue, never deadlock
        const sales = await repo.lockSales(saleIds);
        if (sales.length !== saleIds.length || sales.some((s) => s.provider_org_id !== prov.id))
          throw notFound(bi('销售订单', 'sale'));
        const notShipped = sales.find((s) => s.status !== 'shipped');
        if (notShipped)
          throw new DomainError(
            'overseas.invalid_state',
            bi(
              `订单 ${notShipped.order_no} 处于 ${notShipped.status} 状态，只能退已发货的订单`,
              `order ${notShipped.order_no} is ${notShipped.status}: only shipped sales can be returned`,
            ),
            { state: notShipped.status },
          );
        const saleOf = new Map(sales.map((s) => [s.id, s]));
        const lines = await repo.lockSaleLines(saleIds);
        const taken: { sale_id: string; sku: string; consignment_id: string; qty: number; declaration_no: string }[] = [];
        const problems: FieldProblem[] = [];
        input.items.forEach((item, i) => {
          const orderNo = saleOf.get(item.saleId)!.order_no;
          const sku = item.sku.trim();
          const takenFrom = (l: SaleLineRow) =>
            taken
              .filter((t) => t.sale_id === l.sale_id && t.sku === l.sku && t.consignment_id === l.consignment_id)
              .reduce((a, t) => a + t.qty, 0);
          const mine = lines.filter((x) => x.sale_id === item.saleId && x.sku === sku);
          const returnable = mine.reduce((a, l) => a + l.qty - l.returned - takenFrom(l), 0);
          let left = item.qty;
          for (const l of mine) {
            const can = l.qty - l.returned - takenFrom(l);
            if (can <= 0 || left <= 0) continue;
            if (!withinReturnWindow(l.released_at, now)) {
              const day = l.released_at.toISOString().slice(0, 10);
              problems.push({
                field: `items[${i}].saleId`,
                rule: 'returnWindow',
                message: bi(
                  `订单 ${orderNo} 的 ${sku} 出自 ${l.declaration_no}，于 ${day} 放行，已超过一年`,
                  `order ${orderNo}, ${sku}: ${l.declaration_no} was released ${day}, more than one year ago`,
                ),
                value: l.declaration_no,
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
          if (left > 0)
            problems.push({
              field: `items[${i}].qty`,
              rule: 'returnable',
              message: bi(
                `订单 ${orderNo} 的 ${sku} 退货 ${item.qty}，已售未退仅 ${returnable}`,
                `order ${orderNo}, ${sku}: ${item.qty} to return, only ${returnable} sold and not yet returned`,
              ),
              value: item.qty,
            });
        });
        if (problems.length)
          throw new DomainError(
            'overseas.unprocessable',
            bi(
              `退货不符合条件：${problems.map((x) => x.message.zh).join('；')}`,
              `return refused: ${problems.map((x) => x.message.en).join('; ')}`,
            ),
            { errors: problems },
          );
        await repo.markReturned(taken);
        if (input.disposition === 'restock') {
          const of = (t: (typeof taken)[number]) => saleOf.get(t.sale_id)!;
          // summed per warehouse, seller and SKU in one update, stock rows locked in key order
          await repo.restock(
            taken.map((t) => ({ warehouse_id: of(t).warehouse_id, seller_org_id: of(t).seller_org_id, sku: t.sku, qty: t.qty })),
          );
          // back to the lot it was sold from: sellable again, and still traced to that declaration
          await repo.unallocate(taken);
        }
        const kind = input.disposition === 'restock' ? 'return' : 'return_to_china';
        const customsRecordNo = input.customsRecordNo?.trim() ?? null;
        await repo.movements(
          taken.flatMap((t) =>
            movementsOf({ ...saleOf.get(t.sale_id)!, sale_id: t.sale_id, customs_record_no: customsRecordNo }, [t], kind, now),
          ),
        );
        await audit.append(trx, actorOf(p), [
          {
            action: 'overseas.returned',
            entity: 'overseas_sale',
            entityId: sales[0]!.id,
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
      if (!recordNo) throw recordNoRequired();
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
          movementsOf({ ...c, consignment_id: c.id, customs_record_no: recordNo }, lines, 'unsold_to_china', now),
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
