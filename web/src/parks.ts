import { useQuery } from '@tanstack/react-query';
import { api, apiUrl } from './api.ts';

/** Parks, courses and events, and programmes are closed (archived), never deleted. */
export type ParksStatus = 'open' | 'closed';

/** The public catalogues of issue 8 (parks, courses and events, support programmes), as the API gives them. */
export interface Park {
  id: string;
  name: string;
  name_en: string | null;
  region: string;
  kind: string;
  address: string | null;
  members: number;
  status: ParksStatus;
}
export interface Offering {
  id: string;
  kind: 'course' | 'event';
  title: string;
  titleEn: string | null;
  startsAt: string;
  endsAt: string;
  place: string;
  capacity: number;
  enrolled: number;
  seatsLeft: number;
  status: ParksStatus;
}
export interface Programme {
  id: string;
  name: string;
  category: string;
  opensOn: string;
  closesOn: string;
  status: ParksStatus;
}

/** The platform figures a programme's eligibility rules compare (the server's FIGURES). */
export const FIGURES = ['exportsCny', 'exportsUsd', 'parcels', 'refundsCny', 'creditLevelRank', 'parkMember'] as const;
export type Figure = (typeof FIGURES)[number];
/** The comparisons a rule may make, with their i18n keys. */
export const OPS = [
  { op: '>=', key: 'gte' },
  { op: '<=', key: 'lte' },
  { op: '=', key: 'eq' },
] as const;
export type RuleOp = (typeof OPS)[number]['op'];
/** One eligibility rule as the server stores it. */
export interface EligibilityRule {
  metric: Figure;
  op: RuleOp;
  value: number;
}

/** A park's member enterprise (commerce department only; never on the public pages). */
export interface ParkMember {
  orgId: string;
  code: string | null;
  name: string | null;
  joinedAt: string;
}
/** One scoring criterion of a programme: points out of `max`, counted at `weight` per cent of the score. */
export interface Criterion {
  key: string;
  name: string;
  nameEn: string;
  max: number;
  weight: number;
}
/** A programme as the commerce department's admin list gives it. */
export interface AdminProgramme extends Programme {
  rules: EligibilityRule[];
  /** an enterprise applied: the eligibility rules are fixed */
  rulesLocked: boolean;
  closedAt: string | null;
  criteria: Criterion[];
  /** no criteria of its own: the standard rubric */
  standardCriteria: boolean;
  applications: { submitted: number; decided: number };
  /** an application was decided: the criteria are fixed */
  criteriaLocked: boolean;
}
/** The score (0–100) from points per criterion, as the server computes it: weighted, rounded once. */
export const weightedTotal = (criteria: Criterion[], scores: Record<string, number | null | undefined>): number =>
  Math.round(criteria.reduce((s, c) => s + Math.round(((scores[c.key] ?? 0) * c.weight * 100) / c.max), 0) / 100);
export type ApplicationStatus = 'submitted' | 'approved' | 'rejected';
export const APPLICATION_STATUS_COLOUR: Record<ApplicationStatus, string> = {
  submitted: 'processing',
  approved: 'success',
  rejected: 'error',
};
/** A support application as the review list and "my applications" give it. */
export interface Application {
  id: string;
  programmeId: string;
  programmeName: string;
  orgId: string;
  orgCode: string;
  orgName: string | null;
  statement: string;
  figures: Record<string, number>;
  eligibility: { eligible: boolean; results: { metric: string; op: string; value: number; actual: number; ok: boolean }[] };
  status: ApplicationStatus;
  score: number | null;
  scores: Record<string, number> | null;
  /** the reason given with the decision */
  note: string | null;
  criteria: Criterion[];
  createdAt: string;
  decidedAt: string | null;
}
/** A line of a course's or event's roster. */
export interface RosterLine {
  userId: string;
  name: string;
  username: string | null;
  orgName: string | null;
  enrolledAt: string;
  attended: boolean;
  certificateNo: string | null;
  certificateIssuedAt: string | null;
}
/** One of the signed-in person's enrolments. */
export interface MyEnrolment {
  offeringId: string;
  kind: 'course' | 'event';
  title: string;
  titleEn: string | null;
  startsAt: string;
  endsAt: string;
  place: string;
  enrolledAt: string;
  attended: boolean;
  certificateNo: string | null;
  certificateIssuedAt: string | null;
}

/** The participant's own certificate, and the organiser's copy of anyone's. */
export const certificateHref = (offeringId: string, userId?: string): string =>
  apiUrl(userId ? `/offerings/${offeringId}/roster/${userId}/certificate.pdf` : `/offerings/${offeringId}/certificate.pdf`);

const CST_MS = 8 * 3_600_000;
/** Times as the organisers mean them: China Standard Time (UTC+8), whatever the browser's zone. */
export const cstTime = (v: string): string =>
  new Date(new Date(v).getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ');
export const cstToday = (): string => new Date(Date.now() + CST_MS).toISOString().slice(0, 10);

/** The three catalogues, from the public API (no session needed); one cache for every page. */
export function useParkCatalogues() {
  const parks = useQuery({ queryKey: ['parks'], queryFn: ({ signal }) => api<{ items: Park[] }>('/public/parks', { signal }) });
  const offerings = useQuery({
    queryKey: ['offerings'],
    queryFn: ({ signal }) => api<{ items: Offering[] }>('/public/offerings', { signal }),
  });
  const programmes = useQuery({
    queryKey: ['programmes'],
    queryFn: ({ signal }) => api<{ items: Programme[] }>('/public/programmes', { signal }),
  });
  return { parks, offerings, programmes };
}
