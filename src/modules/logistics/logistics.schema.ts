import { Type, type TSchema } from 'typebox';
import { EVENT_CODES, SERVICE_KINDS } from './rules/events.rules.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Bi = Type.Object({ zh: Type.String(), en: Type.String() });

export const ServiceKindSchema = Type.Enum(SERVICE_KINDS);

export const CarrierService = Type.Object({
  id: Type.String({ format: 'uuid' }),
  carrierOrgId: Type.String({ format: 'uuid' }),
  code: Type.String(),
  name: Type.String(),
  kind: ServiceKindSchema,
  countries: Type.Array(Type.String()),
  transitDays: Nullable(Type.Integer()),
  active: Type.Boolean(),
});

export const ServiceInput = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 30, pattern: '^[A-Za-z0-9_-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: ServiceKindSchema,
    countries: Type.Array(Type.String({ minLength: 2, maxLength: 2 }), {
      minItems: 1,
      maxItems: 250,
      description: 'ISO 3166-1 alpha-2',
    }),
    transitDays: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 365 }))),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Fields are checked row by row in the service, so a bad row is reported, not the whole request refused. */
export const EventInput = Type.Object({
  logisticsNo: Type.Optional(Type.Unknown()),
  code: Type.Optional(Type.Unknown({ description: EVENT_CODES.join(' | ') })),
  at: Type.Optional(Type.Unknown({ description: 'ISO 8601, or yyyy-MM-dd HH:mm[:ss] in China time' })),
  location: Type.Optional(Type.Unknown()),
  country: Type.Optional(Type.Unknown({ description: 'ISO 3166-1 alpha-2' })),
  description: Type.Optional(Type.Unknown()),
  serviceCode: Type.Optional(Type.Unknown()),
});

export const EventsBody = Type.Object({ events: Type.Array(EventInput, { maxItems: 5000 }) });

const RowError = Type.Object({
  row: Type.Integer(),
  column: Type.String(),
  rule: Type.String(),
  message: Bi,
  value: Type.Optional(Type.String()),
});

export const IngestResult = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(RowError),
});

export const Timeline = Type.Object({
  logisticsNo: Type.String(),
  logisticsCodes: Type.Array(Type.String()),
  invtNo: Nullable(Type.String()),
  customsStatus: Nullable(Type.String()),
  entries: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      source: Type.Union([Type.Literal('carrier'), Type.Literal('customs')]),
      code: Type.String(),
      label: Bi,
      detail: Nullable(Type.String()),
      location: Nullable(Type.String()),
    }),
  ),
});

export const ProblemParcel = Type.Object({
  logisticsNo: Type.String(),
  reason: Type.Union([Type.Literal('no_scan'), Type.Literal('returned'), Type.Literal('held')]),
  lastCode: Type.String(),
  lastAt: Type.String({ format: 'date-time' }),
  daysSinceScan: Type.Integer(),
});

export const ProblemParcels = Type.Object({
  items: Type.Array(ProblemParcel),
  next: Nullable(
    Type.String({ description: 'pass as `after` for the next page; null when there is none (a page may be short before it)' }),
  ),
});

export const LogisticsExport = Type.Object({
  format: Type.Literal('cbec-window.logistics/1'),
  generatedAt: Type.String({ format: 'date-time' }),
  carrier: Type.Object({ code: Type.String(), name: Type.String() }),
  period: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
  next: Nullable(
    Type.String({ description: 'the last logisticsNo of this page: pass it as `after` for the next; null on the last page' }),
  ),
  parcels: Type.Array(
    Type.Object({
      logisticsNo: Type.String(),
      serviceCode: Nullable(Type.String()),
      destinationCountry: Nullable(Type.String()),
      customs: Type.Object({
        invtNo: Nullable(Type.String()),
        status: Nullable(Type.String()),
        releasedAt: Nullable(Type.String()),
        billNo: Nullable(Type.String()),
        departedAt: Nullable(Type.String()),
      }),
      events: Type.Array(
        Type.Object({
          code: Type.String(),
          at: Type.String(),
          location: Nullable(Type.String()),
          country: Nullable(Type.String()),
          description: Type.String(),
        }),
      ),
    }),
  ),
});

export const TrackingHook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  pending: Type.Integer({ description: 'batches not yet delivered' }),
  failed: Type.Integer({ description: 'batches given up on: still failing 72 hours after they were queued' }),
  failingSince: Nullable(
    Type.String({ description: 'a batch was given up on at this time and nothing was delivered since; null when healthy' }),
  ),
  lastError: Nullable(Type.String()),
  lastDeliveredAt: Nullable(Type.String()),
  createdAt: Type.String(),
});
export const TrackingHookWithSecret = Type.Intersect([
  TrackingHook,
  Type.Object({ secret: Type.String({ description: 'shown once: verify X-CBEC-Signature with it' }) }),
]);
