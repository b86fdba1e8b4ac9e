import type { Executor } from '../../kernel/db.ts';
import { createLogisticsRepository } from './logistics.repository.ts';

/**
 * What other modules ask of carriers' tracking (product traceability: "was this parcel
 * delivered?"). No access check: callers check their own.
 */
export function logisticsLookup(exec: Executor) {
  return {
    /**
     * The carriers' `delivered` scans by waybill key (`carrierCode|logisticsNo`), oldest first:
     * when, where and in which country (ISO alpha-2) the parcel was delivered.
     */
    async delivered(
      waybillKeys: string[],
    ): Promise<{ waybillKey: string; at: Date; location: string | null; country: string | null }[]> {
      const keys = new Set(waybillKeys);
      const nos = [...new Set(waybillKeys.map((k) => k.slice(k.indexOf('|') + 1)))];
      return (await createLogisticsRepository(exec).eventsOf(nos)).flatMap((r) => {
        const waybillKey = `${r.carrier_code}|${r.logistics_no}`;
        return r.code === 'delivered' && keys.has(waybillKey)
          ? [{ waybillKey, at: r.at, location: r.location, country: r.country }]
          : [];
      });
    },
  };
}
