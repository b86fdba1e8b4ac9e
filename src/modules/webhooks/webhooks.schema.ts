import { Type, type Static } from 'typebox';
// Keep in step with WEBHOOK_TOPICS and SUBSCRIPTION_STATUSES in webhooks.tables.ts.
export const Topic = Type.Union([Type.Literal('receipts'), Type.Literal('summary.deadline_reminder')], {
  description:
    'receipts: the CEB receipt feed (as GET /api/v1/ceb/receipts); summary.deadline_reminder: monthly-summary deadline reminders (as GET /api/v1/summary/reminders)',
});

export const TopicCursor = Type.Object({
  topic: Topic,
  cursor: Type.Integer({ description: "feed position of the topic's last item acknowledged by the receiver" }),
});

export const Subscription = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  topics: Type.Array(Topic),
  status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('failing')], {
    description: 'active; paused (by the owner); failing (paused after repeated failures; resume to retry)',
  }),
  cursor: Type.Union([Type.Integer(), Type.Null()], {
    description:
      "the receipts topic's cursor (receipt seq of the last receipt acknowledged); null without that topic. See cursors",
  }),
  cursors: Type.Array(TopicCursor, { description: 'one cursor per topic of the subscription' }),
  consecutiveFailures: Type.Integer(),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastDeliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Subscription = Static<typeof Subscription>;

export const SubscriptionWithSecret = Type.Intersect([
  Subscription,
  Type.Object({ secret: Type.String({ description: 'the signing secret: shown only here, store it now' }) }),
]);
export type SubscriptionWithSecret = Static<typeof SubscriptionWithSecret>;

export const NewSubscription = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, description: 'https (or http) receiver; public addresses only' }),
    topics: Type.Optional(Type.Array(Topic, { minItems: 1, maxItems: 10, uniqueItems: true, default: ['receipts'] })),
    from: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "start each topic after this feed position (0 = everything so far); default: the current end of each topic's feed",
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewSubscription = Static<typeof NewSubscription>;

export const SubscriptionPatch = Type.Object(
  {
    topics: Type.Optional(
      Type.Array(Topic, {
        minItems: 1,
        maxItems: 10,
        uniqueItems: true,
        description:
          'the topics from now on: a topic added starts at the current end of its feed (no history), a topic removed forgets its cursor',
      }),
    ),
    url: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'https (or http) receiver; public addresses only' }),
    ),
    active: Type.Optional(Type.Boolean({ description: 'true: active (a paused or failing one resumes at once); false: paused' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SubscriptionPatch = Static<typeof SubscriptionPatch>;

export const Delivery = Type.Object({
  id: Type.String({ format: 'uuid', description: 'the X-CBEC-Delivery header of the attempt' }),
  attemptedAt: Type.String({ format: 'date-time' }),
  topic: Topic,
  ok: Type.Boolean(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  firstSeq: Type.Union([Type.Integer(), Type.Null()]),
  lastSeq: Type.Union([Type.Integer(), Type.Null()]),
  itemCount: Type.Integer(),
  durationMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
});
export type Delivery = Static<typeof Delivery>;
