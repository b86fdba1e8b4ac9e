import { defineStateMachine } from '../../kernel/fsm.ts';

/** Inspection filing: submitted → approved | rejected (with a reason); a rejected one is corrected and resubmitted. */
export const INSP_FILING_STATES = ['submitted', 'approved', 'rejected'] as const;
export type InspFilingStatus = (typeof INSP_FILING_STATES)[number];

export const inspFilingLifecycle = defineStateMachine<InspFilingStatus, 'approve' | 'reject' | 'resubmit'>({
  name: 'inspection-filing',
  states: INSP_FILING_STATES,
  initial: 'submitted',
  terminal: ['approved'],
  transitions: [
    { from: 'submitted', event: 'approve', to: 'approved' },
    { from: 'submitted', event: 'reject', to: 'rejected' },
    { from: 'rejected', event: 'resubmit', to: 'submitted' },
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
