import { defineStateMachine } from '../../kernel/fsm.ts';
import type { ParcelStatus } from './warehouse.tables.ts';

/**
 * A parcel in the supervision centre: booked (expected) → received by scan → sorted to a route
 * → packed into a bag → dispatched with the bag's arrival (CEB507). Put-away changes only the
 * location. A bag may be unpacked before it leaves.
 */
export const PARCEL_STATES = ['expected', 'received', 'sorted', 'packed', 'dispatched'] as const;
export const PARCEL_EVENTS = ['receive', 'sort', 'pack', 'unpack', 'dispatch'] as const;
export type ParcelEvent = (typeof PARCEL_EVENTS)[number];

export const parcelLifecycle = defineStateMachine<ParcelStatus, ParcelEvent>({
  name: 'warehouse_parcel',
  states: PARCEL_STATES,
  initial: 'expected',
  terminal: ['dispatched'],
  transitions: [
    { from: 'expected', event: 'receive', to: 'received' },
    { from: ['received', 'sorted'], event: 'sort', to: 'sorted' },
    { from: ['received', 'sorted'], event: 'pack', to: 'packed' },
    { from: 'packed', event: 'unpack', to: 'sorted' },
    { from: 'packed', event: 'dispatch', to: 'dispatched' },
  ],
});

/** Parcels physically in the warehouse: what a stock count expects to find. */
export const IN_STOCK: readonly ParcelStatus[] = ['received', 'sorted', 'packed'];

export const STATUS_LABELS: Readonly<Record<ParcelStatus, { zh: string; en: string }>> = {
  expected: { zh: '待入库', en: 'expected' },
  received: { zh: '已入库', en: 'received' },
  sorted: { zh: '已分拣', en: 'sorted' },
  packed: { zh: '已装袋', en: 'packed' },
  dispatched: { zh: '已出库', en: 'dispatched' },
};
