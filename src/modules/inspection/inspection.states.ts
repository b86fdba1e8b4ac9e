import { defineStateMachine } from '../../kernel/fsm.ts';

/**
 * Inspection filing (全备案). The enterprise submits; the inspection desk approves or rejects (with
 * a reason); a rejected one is corrected and resubmitted. An approved filing is not final: the
 * enterprise amends it (back to review: not approved until reviewed again), the desk suspends it
 * (reinstated later) or revokes it (the enterprise may file again). Only `approved` counts for new
 * decisions, and only while none of its certificates is past its valid-until day.
 */
export const INSP_FILING_STATES = ['submitted', 'approved', 'rejected', 'suspended', 'revoked'] as const;
export type InspFilingStatus = (typeof INSP_FILING_STATES)[number];
export type InspFilingEvent = 'approve' | 'reject' | 'resubmit' | 'amend' | 'suspend' | 'reinstate' | 'revoke';

export const inspFilingLifecycle = defineStateMachine<InspFilingStatus, InspFilingEvent>({
  name: 'inspection-filing',
  states: INSP_FILING_STATES,
  initial: 'submitted',
  terminal: [],
  transitions: [
    { from: 'submitted', event: 'approve', to: 'approved' },
    { from: 'submitted', event: 'reject', to: 'rejected' },
    { from: 'rejected', event: 'resubmit', to: 'submitted' },
    { from: 'revoked', event: 'resubmit', to: 'submitted' },
    { from: 'approved', event: 'amend', to: 'submitted' },
    { from: 'suspended', event: 'amend', to: 'submitted' },
    { from: 'approved', event: 'suspend', to: 'suspended' },
    { from: 'suspended', event: 'reinstate', to: 'approved' },
    { from: 'approved', event: 'revoke', to: 'revoked' },
    { from: 'suspended', event: 'revoke', to: 'revoked' },
  ],
});

/**
 * Inspection task: open until every involved agency has recorded its finding; then passed
 * (released through the clearance review) or failed (the inventory is rejected, 100). An open task
 * whose inventory was rejected or cancelled meanwhile is withdrawn: nothing left to inspect.
 */
export const TASK_STATES = ['open', 'passed', 'failed', 'withdrawn'] as const;
export type TaskStatus = (typeof TASK_STATES)[number];

export const taskLifecycle = defineStateMachine<TaskStatus, 'record' | 'pass' | 'fail' | 'withdraw'>({
  name: 'inspection-task',
  states: TASK_STATES,
  initial: 'open',
  terminal: ['passed', 'failed', 'withdrawn'],
  transitions: [
    { from: 'open', event: 'record', to: 'open' },
    { from: 'open', event: 'pass', to: 'passed' },
    { from: 'open', event: 'fail', to: 'failed' },
    { from: 'open', event: 'withdraw', to: 'withdrawn' },
  ],
});

/**
 * A seller's batch (分批核销) as the inspection authority handles it: declared by the seller, then
 * accepted (parcels may draw on it from then on) or rejected (with a reason, nothing drawn); an
 * accepted batch is closed by the authority (no new draws; what parcels already drew still
 * releases, writes off or goes back).
 */
export const BATCH_STATES = ['declared', 'accepted', 'rejected', 'closed'] as const;
export type BatchStatus = (typeof BATCH_STATES)[number];
export type BatchEvent = 'accept' | 'reject' | 'close';

export const batchLifecycle = defineStateMachine<BatchStatus, BatchEvent>({
  name: 'inspection-batch',
  states: BATCH_STATES,
  initial: 'declared',
  terminal: ['rejected', 'closed'],
  transitions: [
    { from: 'declared', event: 'accept', to: 'accepted' },
    { from: 'declared', event: 'reject', to: 'rejected' },
    { from: 'accepted', event: 'close', to: 'closed' },
  ],
});

/** Only an accepted batch is drawn on. */
export const BATCH_DRAWABLE: BatchStatus = 'accepted';

/**
 * Centralised declaration (集中申报): declared, then supervised by the inspection officer at the
 * supervision centre (集中监管); a supervised declaration that gains parcels waits for supervision
 * again (`declare`).
 */
export const DECLARATION_STATES = ['declared', 'supervised'] as const;
export type DeclarationStatus = (typeof DECLARATION_STATES)[number];

export const declarationLifecycle = defineStateMachine<DeclarationStatus, 'supervise' | 'declare'>({
  name: 'inspection-declaration',
  states: DECLARATION_STATES,
  initial: 'declared',
  terminal: [],
  transitions: [
    { from: 'declared', event: 'supervise', to: 'supervised' },
    { from: 'supervised', event: 'declare', to: 'declared' },
    { from: 'declared', event: 'declare', to: 'declared' },
  ],
});

/** How the platform groups parcels into centralised declarations, per inspection authority. */
export const DECLARATION_GROUPINGS = ['day', 'bill'] as const;
export type DeclarationGrouping = (typeof DECLARATION_GROUPINGS)[number];
