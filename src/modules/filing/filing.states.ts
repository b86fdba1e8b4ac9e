import { defineStateMachine } from '../../kernel/fsm.ts';

/**
 * One lifecycle for enterprise filings (企业备案) and product filings (商品备案), as data:
 * draft → submitted → approved | rejected (with a reason); a rejected filing is corrected
 * (`edit`) and submitted again (`resubmit`). A draft or a rejected filing may be edited.
 */
export const FILING_STATES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type FilingStatus = (typeof FILING_STATES)[number];

export const FILING_EVENTS = ['edit', 'submit', 'approve', 'reject', 'resubmit'] as const;
export type FilingEvent = (typeof FILING_EVENTS)[number];

export const filingLifecycle = defineStateMachine<FilingStatus, FilingEvent>({
  name: 'filing',
  states: FILING_STATES,
  initial: 'draft',
  terminal: ['approved'],
  transitions: [
    { from: 'draft', event: 'edit', to: 'draft' },
    { from: 'rejected', event: 'edit', to: 'rejected' },
    { from: 'draft', event: 'submit', to: 'submitted' },
    { from: 'submitted', event: 'approve', to: 'approved' },
    { from: 'submitted', event: 'reject', to: 'rejected' },
    { from: 'rejected', event: 'resubmit', to: 'submitted' },
  ],
});

export const STATUS_LABELS: Readonly<Record<FilingStatus, { zh: string; en: string }>> = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  approved: { zh: '已备案', en: 'approved' },
  rejected: { zh: '已退回', en: 'rejected' },
};
