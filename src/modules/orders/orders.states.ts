import { defineStateMachine } from '../../kernel/fsm.ts';

/** A sales order: imported → inventory_built → declared (its inventory accepted by customs intake). */
export const SALES_ORDER_STATES = ['imported', 'inventory_built', 'declared'] as const;
export type SalesOrderStatus = (typeof SALES_ORDER_STATES)[number];

/**
 * An inventory draft: draft (fields missing) ⇄ complete → declaring → declared | rejected (with
 * the receipt text); a rejected draft is corrected (edit) and declared again.
 */
export const DRAFT_STATES = ['draft', 'complete', 'declaring', 'declared', 'rejected'] as const;
export type DraftStatus = (typeof DRAFT_STATES)[number];
export const DRAFT_EVENTS = ['edit', 'declare', 'accept', 'reject'] as const;
export type DraftEvent = (typeof DRAFT_EVENTS)[number];

export const draftLifecycle = defineStateMachine<DraftStatus, DraftEvent>({
  name: 'inventory_draft',
  states: DRAFT_STATES,
  initial: 'draft',
  terminal: ['declared'],
  transitions: [
    { from: 'draft', event: 'edit', to: 'draft' },
    { from: 'complete', event: 'edit', to: 'complete' },
    { from: 'rejected', event: 'edit', to: 'rejected' },
    { from: 'complete', event: 'declare', to: 'declaring' },
    { from: 'rejected', event: 'declare', to: 'declaring' },
    { from: 'declaring', event: 'accept', to: 'declared' },
    { from: 'declaring', event: 'reject', to: 'rejected' },
  ],
});

/** Drafts an edit may touch, and those a bulk declaration takes. */
export const EDITABLE_DRAFT: readonly DraftStatus[] = ['draft', 'complete', 'rejected'];
export const DECLARABLE_DRAFT: readonly DraftStatus[] = ['complete', 'rejected'];
