/** What the credit API answers (src/modules/credit), as the credit pages read it. */

export const CASE_KINDS = ['fraud', 'ip', 'counterfeit', 'quality'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export type CaseStatus = 'reported' | 'investigating' | 'dismissed' | 'decided' | 'published' | 'appealed' | 'overturned';
export type Severity = 'none' | 'minor' | 'major';
export type CaseEventName = 'report' | 'investigate' | 'dismiss' | 'decide' | 'publish' | 'appeal' | 'uphold' | 'overturn';

export interface CaseRow {
  id: string;
  kind: CaseKind;
  subjectName: string;
  subjectCode: string;
  subjectOrgId: string;
  status: CaseStatus;
  severity: Severity | null;
  source: string;
  summary: string;
  decision: string | null;
  blacklist: boolean;
  appealReason: string | null;
  createdAt: string;
  decidedAt: string | null;
  publishedAt: string | null;
  allowedEvents: CaseEventName[];
}

export interface CaseDetail extends CaseRow {
  events: { event: CaseEventName; from: string | null; to: string; note: string | null; at: string }[];
}

export interface Notices {
  cases: {
    id: string;
    kind: CaseKind;
    subjectName: string;
    subjectCode: string;
    severity: Severity | null;
    decision: string | null;
    underAppeal: boolean;
    publishedAt: string | null;
  }[];
  blacklist: { code: string; name: string; reason: string; listedAt: string }[];
}

export interface Factor {
  factor: string;
  value: string;
  points: number;
  explanation: { zh: string; en: string };
}

export interface RatingEntry {
  level: string;
  score: number;
  factors: Factor[];
  rulesVersion: string;
  computedAt: string;
}

export interface Rating {
  orgId: string;
  name: string;
  code: string;
  level: string | null;
  blacklisted: boolean;
  current: RatingEntry | null;
  history: RatingEntry[];
}

export interface RatedEnterprise {
  orgId: string;
  name: string;
  code: string;
  level: string | null;
  blacklisted: boolean;
  score: number | null;
  computedAt: string | null;
}

export const LEVEL_COLOR: Record<string, string> = { AA: 'green', A: 'blue', B: 'orange', C: 'red' };

const KIND_SET = new Set<string>(CASE_KINDS);
export const isCaseKind = (k: string): k is CaseKind => KIND_SET.has(k);
