import { Type } from 'typebox';
import { CASE_EVENTS, CASE_KINDS, CASE_STATES, SEVERITIES } from './credit.states.ts';

const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));

export const CaseKindSchema = lit(CASE_KINDS);
export const CaseStatusSchema = lit(CASE_STATES);
export const SeveritySchema = lit(SEVERITIES);

export const NewCase = Type.Object({
  kind: CaseKindSchema,
  subjectCode: Type.String({ minLength: 10, maxLength: 18, description: 'customs code or USCC of the enterprise' }),
  summary: Type.String({ minLength: 1, maxLength: 4000 }),
});

export const PublicReport = Type.Object({
  kind: Type.Optional(CaseKindSchema),
  subjectCode: Type.String({ minLength: 10, maxLength: 18 }),
  summary: Type.String({ minLength: 1, maxLength: 4000 }),
  contact: Type.Optional(Type.String({ maxLength: 200 })),
  traceCode: Type.Optional(Type.String({ maxLength: 64 })),
});

export const CaseTransition = Type.Object({
  event: lit(CASE_EVENTS.filter((e) => e !== 'appeal')),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  severity: Type.Optional(SeveritySchema),
  decision: Type.Optional(Type.String({ maxLength: 4000 })),
  blacklist: Type.Optional(Type.Boolean()),
});

export const Appeal = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 4000 }) });

export const Factor = Type.Object({
  factor: Type.String(),
  value: Type.String(),
  points: Type.Number(),
  explanation: Type.Object({ zh: Type.String(), en: Type.String() }),
});

export const Rating = Type.Object({
  level: Type.String(),
  score: Type.Number(),
  factors: Type.Array(Factor),
  rulesVersion: Type.String(),
  computedAt: Type.String(),
});
