import type { Executor } from '../../kernel/db.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';

/**
 * What other modules ask of the supervision centres (product traceability: "was this parcel
 * received?"). No access check: callers check their own.
 */
export function warehouseLookup(exec: Executor) {
  return {
    /**
     * Parcels received at a supervision centre, by waybill key (`logisticsCode|logisticsNo`):
     * the centre, when it was received and where it was put; parcels not (yet) received are absent.
     */
    async received(
      waybillKeys: string[],
    ): Promise<{ waybillKey: string; warehouseOrgId: string; receivedAt: Date; location: string | null }[]> {
      const keys = new Set(waybillKeys);
      const nos = [...new Set(waybillKeys.map((k) => k.slice(k.indexOf('|') + 1)))];
      return (await createWarehouseRepository(exec).parcelsByNos(nos)).flatMap((r) => {
        const waybillKey = `${r.logistics_code}|${r.logistics_no}`;
        return r.received_at && keys.has(waybillKey)
          ? [{ waybillKey, warehouseOrgId: r.warehouse_org_id, receivedAt: r.received_at, location: r.location }]
          : [];
      });
    },
  };
}
