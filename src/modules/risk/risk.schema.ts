import { Type, type Static } from 'typebox';

const Lane = Type.Union([Type.Literal('green'), Type.Literal('review'), Type.Literal('inspect'), Type.Literal('hold')]);

export const RuleInput = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 40, description: 'rule id, e.g. R-VAGUE' }),
    effectiveFrom: Type.String({ description: 'yyyy-mm-dd; the latest version effective on or before a day is in force' }),
    kind: Type.String({
      description:
        'parcel_limit | undervaluation | hs_list | destination_list | vague_description | split_shipment | credit_sampling | first_time_exporter | quarantine | quarantine_sampling',
    }),
    lane: Type.String({ description: 'green | review | inspect | hold' }),
    params: Type.Record(Type.String(), Type.Unknown()),
    explainZh: Type.String({ maxLength: 500 }),
    explainEn: Type.String({ maxLength: 500 }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RuleInput = Static<typeof RuleInput>;

export const Rule = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  effectiveFrom: Type.String(),
  kind: Type.String(),
  lane: Lane,
  params: Type.Record(Type.String(), Type.Unknown()),
  explainZh: Type.String(),
  explainEn: Type.String(),
  enabled: Type.Boolean(),
});

export const RuleWithState = Type.Intersect([
  Rule,
  Type.Object({ inForce: Type.Boolean(), createdBy: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() }),
]);

export const Hit = Type.Object({
  rule: Type.String(),
  version: Type.Integer(),
  lane: Lane,
  agency: Type.Optional(Type.String({ description: 'customs | inspection: who selects on this hit' })),
  zh: Type.String(),
  en: Type.String(),
  detailZh: Type.String(),
  detailEn: Type.String(),
});

export const DecisionView = Type.Object({
  inventoryId: Type.String(),
  guid: Type.String(),
  ebcCode: Type.String(),
  customsCode: Type.Union([Type.String(), Type.Null()]),
  total: Type.String(),
  lane: Lane,
  hits: Type.Array(Hit),
  goods: Type.String(),
  logisticsNo: Type.Union([Type.String(), Type.Null()]),
  orderNo: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.String({ format: 'date-time' }),
});

/** One decision with the decisions it replaced (a parcel decided again keeps its history). */
export const DecisionDetail = Type.Intersect([
  DecisionView,
  Type.Object({
    earlier: Type.Array(
      Type.Object({
        lane: Lane,
        hits: Type.Array(Hit),
        decidedAt: Type.String({ format: 'date-time' }),
        supersededAt: Type.String({ format: 'date-time', description: 'when the next decision replaced it' }),
      }),
      { description: 'earlier decisions of the inventory, oldest first; empty when decided once' },
    ),
  }),
]);

export const DryRun = Type.Object({
  days: Type.Integer(),
  from: Type.String({ format: 'date-time', description: 'start of the replayed period' }),
  to: Type.String({ format: 'date-time', description: 'end of the replayed period: every decision between is replayed' }),
  inventories: Type.Integer(),
  hits: Type.Integer(),
  examples: Type.Array(
    Type.Object({
      inventoryId: Type.String(),
      logisticsNo: Type.Union([Type.String(), Type.Null()]),
      ebcCode: Type.String(),
      detailZh: Type.String(),
      detailEn: Type.String(),
    }),
  ),
});

export const Credit = Type.Object({
  enterpriseCode: Type.String(),
  level: Type.String(),
  source: Type.String({ description: 'customs | demo' }),
  updatedAt: Type.String(),
  validUntil: Type.String({ format: 'date-time', description: 'the override counts until this time' }),
  expired: Type.Boolean({ description: 'past validUntil: the credit system’s rating applies again' }),
});

export const Measures = Type.Object({
  days: Type.Integer(),
  total: Type.Integer(),
  green: Type.Integer(),
  autoReleasedShare: Type.Union([Type.Number(), Type.Null()]),
  medianDecisionSeconds: Type.Union([Type.Number(), Type.Null()], {
    description: 'median seconds from declaration (appTime) to decision',
  }),
  perRule: Type.Array(Type.Object({ rule: Type.String(), lane: Type.String(), hits: Type.Integer() })),
  inspectionHitRates: Type.Array(
    Type.Object(
      { rule: Type.String(), inspected: Type.Integer(), found: Type.Integer(), hitRate: Type.Number() },
      { description: 'completed inspections the rule caused, and the share that found something' },
    ),
  ),
});
