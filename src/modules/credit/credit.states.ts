import { defineStateMachine } from '../../kernel/fsm.ts';

/**
 * A credit case (信用案件): reported → investigating → decided → published, with dismissal
 * before a decision and an appeal (申诉) by the enterprise after it. An upheld appeal returns the
 * case to published; an overturned one ends it (and lifts a blacklisting it caused).
 */
export const CASE_STATES = ['reported', 'investigating', 'dismissed', 'decided', 'published', 'appealed', 'overturned'] as const;
export type CaseStatus = (typeof CASE_STATES)[number];
export const CASE_EVENTS = ['investigate', 'dismiss', 'decide', 'publish', 'appeal', 'uphold', 'overturn'] as const;
export type CaseEvent = (typeof CASE_EVENTS)[number];

export const caseLifecycle = defineStateMachine<CaseStatus, CaseEvent>({
  name: 'credit-case',
  states: CASE_STATES,
  initial: 'reported',
  terminal: ['dismissed', 'overturned'],
  transitions: [
    { from: 'reported', event: 'investigate', to: 'investigating' },
    { from: ['reported', 'investigating'], event: 'dismiss', to: 'dismissed' },
    { from: 'investigating', event: 'decide', to: 'decided' },
    { from: 'decided', event: 'publish', to: 'published' },
    { from: ['decided', 'published'], event: 'appeal', to: 'appealed' },
    { from: 'appealed', event: 'uphold', to: 'published' },
    { from: 'appealed', event: 'overturn', to: 'overturned' },
  ],
});

export const CASE_KINDS = ['fraud', 'ip', 'counterfeit', 'quality'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const SEVERITIES = ['none', 'minor', 'major'] as const;
export type Severity = (typeof SEVERITIES)[number];
