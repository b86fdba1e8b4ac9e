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

export const Filing = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  enterpriseCode: Type.String(),
  itemNo: Nullable(Type.String()),
  goodsName: Nullable(Type.String()),
  quarantineCategory: Nullable(Type.String()),
  producer: Type.String(),
  certificates: Type.Array(Certificate),
  status: Type.String(),
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
    codes: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 20, default: [] }),
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
  declared: Type.String(),
  released: Type.String(),
  writtenOff: Type.String(),
  balance: Type.String(),
  inTransit: Type.String(),
  createdAt: Type.String(),
});

const DeclaredLine = Type.Object({
  gnum: Type.String(),
  itemNo: Type.String(),
  name: Type.String(),
  hsCode: Type.String(),
  qty: Type.Number(),
  category: Type.String({ description: 'quarantine category' }),
});

/** Centralised declaration (集中申报): one enterprise's inspection-relevant parcels of one day. */
export const Declaration = Type.Object({
  id: Type.String(),
  declarationNo: Type.String(),
  enterpriseCode: Type.String(),
  customsCode: Type.String(),
  day: Type.String({ description: 'yyyy-mm-dd, Beijing day' }),
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
  }),
]);
