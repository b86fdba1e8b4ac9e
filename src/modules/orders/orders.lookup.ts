import type { Executor } from '../../kernel/db.ts';
import { createOrdersRepository } from './orders.repository.ts';

/** An order's buyer as the seller imported it: personal data, for in-memory use by the caller only. */
export interface OrderBuyer {
  name: string;
  address: string;
}

/** The key of an order in `ordersLookup().buyers`: seller code, platform code, order number. */
export const orderBuyerKey = (k: { ebcCode: string; ebpCode: string; orderNo: string }): string =>
  `${k.ebcCode}|${k.ebpCode}|${k.orderNo}`;

/**
 * What other modules read from the sellers' imported orders, in one statement per call, without
 * an access check: callers are pipeline stages. Read-only.
 */
export function ordersLookup(exec: Executor) {
  return {
    /**
     * The buyer (name and address) of each order the seller imported, by `orderBuyerKey`. When a
     * seller has the order number on several platforms, the inventory's platform decides; an
     * order without an imported sales order is absent.
     */
    async buyers(keys: readonly { ebcCode: string; ebpCode: string; orderNo: string }[]): Promise<Map<string, OrderBuyer>> {
      const byOrder = new Map<string, { platform_code: string; buyer_name: string; buyer_address: string }[]>();
      for (const r of await createOrdersRepository(exec).buyersByOrder(keys)) {
        const k = `${r.ebc_code}|${r.order_no}`;
        byOrder.set(k, [...(byOrder.get(k) ?? []), r]);
      }
      const out = new Map<string, OrderBuyer>();
      for (const k of keys) {
        const same = byOrder.get(`${k.ebcCode}|${k.orderNo}`) ?? [];
        const row = same.length === 1 ? same[0] : same.find((r) => r.platform_code === k.ebpCode);
        if (row) out.set(orderBuyerKey(k), { name: row.buyer_name, address: row.buyer_address });
      }
      return out;
    },
  };
}
