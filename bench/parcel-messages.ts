/**
 * The senders' side of the clearance benchmark: parcel messages of a block, encoded as the
 * platform, payer, carrier and broker would send them. Used by the parcel source worker and by
 * the carrier in the main thread.
 */
import { encodeCeb, type CebMessage } from '../src/ceb/index.ts';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../test/support/parcels.ts';

export function jsonBody(m: CebMessage): { guid: string; items: Record<string, unknown>[] } {
  return {
    guid: m.guid,
    items: m.entities.map((e) => {
      const lines = Object.values(e.lists)[0];
      return lines ? { ...e.head, lines } : { ...e.head };
    }),
  };
}

/** The four parcel messages of a block of ≤ 100 parcels. */
export function parcelMessages(block: number, parcels: Parcel[]): CebMessage[] {
  return [
    message(
      'CEB303',
      guidOf(3030, block),
      PARTIES.platform,
      parcels.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4030, block),
      PARTIES.payer,
      parcels.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5050, block),
      PARTIES.carrier,
      parcels.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6030, block),
      PARTIES.broker,
      parcels.map((p) => p.inventory),
    ),
  ];
}

/** Parcels of block b (0-based): 100 each, the last one shorter; the same on every call. */
export function blockParcels(b: number, total: number): Parcel[] {
  return Array.from({ length: Math.min(100, total - b * 100) }, (_, i) => makeParcel(b * 100 + i + 1, 'P'));
}

/** A message as sent: CEB XML, or the JSON batch of its REST resource. */
export function encodeForWire(m: CebMessage, format: 'xml' | 'json'): string {
  return format === 'xml' ? encodeCeb(m) : JSON.stringify(jsonBody(m));
}
