import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Certificate = Type.Object(
  {
    type: Type.String({ maxLength: 200 }),
    number: Type.String({ maxLength: 100 }),
    validUntil: Nullable(Type.String({ description: 'yyyy-mm-dd' })),
  },
  { additionalProperties: false },
);

export const FilingInput = Type.Object(
  {
    kind: Type.Union([Type.Literal('enterprise'), Type.Literal('product')]),
    itemNo: Type.Optional(Type.String({ maxLength: 50 })),
    goodsName: Type.Optional(Type.String({ maxLength: 250 })),
    quarantineCategory: Type.Optional(Type.String()),
    producer: Type.String({ maxLength: 250 }),
    certificates: Type.Array(Certificate, { maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const FilingAmendment = Type.Object(
  {
    goodsName: Type.Optional(Type.String({ maxLength: 250 })),
    quarantineCategory: Type.Optional(Type.String()),
    producer: Type.String({ maxLength: 250 }),
    certificates: Type.Array(Certificate, { maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export const Filing = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  enterpriseCode: Type.String(),
  itemNo: Nullable(Type.String()),
  goodsName: Nullable(Type.String()),
  quarantineCategory: Nullable(Type.String()),
  producer: Type.String(),
  certificates: Type.Array(Certificate),
  status: Type.String({ description: 'submitted | approved | rejected | suspended | revoked' }),
  expired: Type.Boolean({ description: 'a certificate is past its valid-until day (Beijing)' }),
  inForce: Type.Boolean({ description: 'counts for new decisions: approved and no certificate expired' }),
  reason: Nullable(Type.String()),
  submittedAt: Nullable(Type.String()),
  reviewedAt: Nullable(Type.String()),
  updatedAt: Type.String(),
});

export const Decision = Type.Object(
  { approve: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const FindingInput = Type.Object(
  {
    agency: Type.Optional(Type.Union([Type.Literal('customs'), Type.Literal('inspection')])),
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail')]),
    codes: Type.Array(Type.String({ maxLength: 20 }), {
      maxItems: 20,
      default: [],
      description:
        'result codes from GET /inspection/finding-codes: a pass carries pass or treatment codes, a failure at least one failure code',
    }),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    photos: Type.Array(
      Type.String({ format: 'uuid', description: 'id of a photo uploaded for this task (POST /inspection/tasks/{id}/photos)' }),
      { maxItems: 20, uniqueItems: true, default: [] },
    ),
  },
  { additionalProperties: false },
);

export const Photo = Type.Object({
  id: Type.String(),
  taskId: Type.String(),
  contentType: Type.String({ description: 'image/jpeg | image/png | image/webp' }),
  size: Type.Integer({ description: 'bytes' }),
  sha256: Type.String(),
  url: Type.String({ description: 'where the photo is served (GET, officers who may see the task)' }),
  uploadedAt: Type.String(),
});

export const Task = Type.Object({
  id: Type.String(),
  inventoryId: Type.String(),
  logisticsNo: Type.String(),
  customsCode: Nullable(Type.String()),
  ebcCode: Type.String(),
  agencies: Type.Array(Type.String()),
  joint: Type.Boolean(),
  status: Type.String({ description: 'open | passed | failed | withdrawn' }),
  outcomeNote: Nullable(Type.String()),
  createdAt: Type.String(),
  completedAt: Nullable(Type.String()),
  releasedAt: Nullable(Type.String()),
  findings: Type.Array(
    Type.Object({
      agency: Type.String(),
      result: Type.String(),
      codes: Type.Array(Type.String()),
      notes: Nullable(Type.String()),
      photos: Type.Array(Type.String()),
      recordedAt: Type.String(),
    }),
  ),
  pending: Type.Array(Type.String({ description: 'agencies still to record' })),
  photos: Type.Array(Photo, { description: 'photos uploaded for the task, oldest first' }),
});

export const TaskMeasures = Type.Object({
  days: Type.Integer(),
  total: Type.Integer(),
  failed: Type.Integer(),
  open: Type.Integer(),
  hitRate: Nullable(Type.Number()),
});

export const BatchInput = Type.Object(
  {
    batchNo: Type.String({ maxLength: 40 }),
    itemNo: Type.String({ maxLength: 50 }),
    qty: Type.String({ description: 'decimal string in the product’s unit' }),
    unit: Type.Optional(Type.String({ maxLength: 3 })),
  },
  { additionalProperties: false },
);

export const Batch = Type.Object({
  id: Type.String(),
  batchNo: Type.String(),
  enterpriseCode: Type.String(),
  itemNo: Type.String(),
  unit: Nullable(Type.String()),
  status: Type.String({ description: 'declared | accepted (drawn on) | rejected | closed' }),
  reason: Nullable(Type.String()),
  declared: Type.String(),
  reserved: Type.String({ description: 'drawn at decision by parcels not yet released' }),
  released: Type.String({ description: 'drawn by parcels that reached 399 (written-off ones included)' }),
  writtenOff: Type.String({ description: 'departed (899)' }),
  returned: Type.String({ description: 'given back by rejected or cancelled parcels, in total' }),
  balance: Type.String({ description: 'declared − reserved − released' }),
  inTransit: Type.String({ description: 'released − written off' }),
  decidedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const FindingCode = Type.Object({
  code: Type.String(),
  category: Type.String({ description: 'pass | fail_quality | fail_quarantine | fail_documents | treatment' }),
  zh: Type.String(),
  en: Type.String(),
});

export const Setting = Type.Object({
  customsPrefix: Type.String({ description: "the authority's jurisdiction ('' = every customs office)" }),
  declarationGrouping: Nullable(Type.String({ description: 'day | bill, as this authority set it' })),
  effectiveGrouping: Type.String({ description: 'day | bill, in effect for its offices' }),
  updatedAt: Nullable(Type.String()),
});

export const SettingInput = Type.Object(
  {
    declarationGrouping: Type.String({
      description: 'day: per enterprise and Beijing day; bill: per enterprise and total-sub bill (master bill number)',
    }),
  },
  { additionalProperties: false },
);

const DeclaredLine = Type.Object({
  gnum: Type.String(),
  itemNo: Type.String(),
  name: Type.String(),
  hsCode: Type.String(),
  qty: Type.Number(),
  category: Type.String({ description: 'quarantine category' }),
  batchNo: Nullable(Type.String({ description: 'the seller batch the line drew on' })),
  batchState: Nullable(Type.String({ description: 'reserved | released | written_off | returned' })),
});

/** Centralised declaration (集中申报): one enterprise's inspection-relevant parcels of one day, or of one total-sub bill. */
export const Declaration = Type.Object({
  id: Type.String(),
  declarationNo: Type.String(),
  enterpriseCode: Type.String(),
  customsCode: Type.String(),
  day: Type.String({ description: 'yyyy-mm-dd, Beijing day (of the first parcel, per bill)' }),
  grouping: Type.String({ description: 'day: per enterprise and day; bill: per enterprise and total-sub bill' }),
  billNo: Nullable(Type.String({ description: 'master bill number (grouping bill)' })),
  parcelCount: Type.Integer(),
  status: Type.String({ description: 'declared | supervised' }),
  supervisedAt: Nullable(Type.String()),
  updatedAt: Type.String(),
});

export const DeclarationDetail = Type.Intersect([
  Declaration,
  Type.Object({
    parcels: Type.Array(
      Type.Object({
        inventoryId: Type.String(),
        logisticsNo: Type.String(),
        lane: Type.String(),
        withdrawn: Type.Boolean(),
        lines: Type.Array(DeclaredLine),
      }),
    ),
    batches: Type.Array(
      Type.Object({
        batchNo: Type.String(),
        itemNo: Type.String(),
        reserved: Type.String(),
        released: Type.String(),
        writtenOff: Type.String(),
        returned: Type.String(),
      }),
      { description: "the seller batches the declaration's parcels drew on" },
    ),
  }),
]);
