import { Type, type TSchema } from 'typebox';
import { PARCEL_STATES } from './warehouse.states.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Scan = Type.String({ minLength: 1, maxLength: 60, description: 'as the scanner read it' });

export const ParcelStatusSchema = Type.Enum(PARCEL_STATES);

export const WarehouseParcel = Type.Object({
  id: Type.String(),
  logisticsNo: Type.String(),
  logisticsCode: Type.String(),
  bookingId: Nullable(Type.String()),
  status: ParcelStatusSchema,
  location: Nullable(Type.String()),
  route: Nullable(Type.String()),
  bagId: Nullable(Type.String()),
  receivedAt: Nullable(Type.String()),
  dispatchedAt: Nullable(Type.String()),
  heldAt: Nullable(Type.String({ description: 'held at the inspection station (open inspection task) since' })),
  heldTaskId: Nullable(Type.String({ description: 'the inspection task the parcel is held for' })),
  updatedAt: Type.String(),
});

export const BookingInput = Type.Object(
  {
    warehouseCode: Type.String({ minLength: 10, maxLength: 18, description: 'customs code of the supervision centre' }),
    logisticsCode: Type.String({ minLength: 10, maxLength: 18, description: 'customs code of the carrier' }),
    expectedAt: Type.String({ description: 'yyyy-MM-dd' }),
    logisticsNos: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 5000 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const Booking = Type.Object({
  id: Type.String(),
  bookingNo: Type.String(),
  warehouseOrgId: Type.String(),
  logisticsCode: Type.String(),
  expectedAt: Type.String(),
  note: Type.String(),
  parcels: Type.Array(Type.Object({ logisticsNo: Type.String(), status: ParcelStatusSchema })),
  createdAt: Type.String(),
});

const Carrier = Type.Optional(
  Type.String({
    maxLength: 18,
    description: 'the carrier (logisticsCode), when several carriers use the scanned number (the 409 lists them)',
  }),
);
export const ReceiveInput = Type.Object({ logisticsNo: Scan, logisticsCode: Carrier });
export const ReceiveResult = Type.Object({
  parcel: WarehouseParcel,
  repeated: Type.Boolean(),
  booked: Type.Boolean(),
  declared: Type.Boolean(),
  invtNo: Nullable(Type.String()),
  customsStatus: Nullable(Type.String()),
  inspection: Nullable(
    Type.String({
      description: "the joint-inspection task's status: open (held at the inspection station), passed, failed, withdrawn",
    }),
  ),
  held: Type.Boolean({ description: 'held at the inspection station until its inspection task is completed' }),
  inspectionTask: Nullable(
    Type.Object(
      {
        id: Type.String(),
        status: Type.String(),
        agencies: Type.Array(Type.String()),
        joint: Type.Boolean(),
        pending: Type.Array(Type.String(), { description: 'agencies still to record their finding' }),
        createdAt: Type.String(),
      },
      { description: 'the open inspection task the scan opened on the floor screen' },
    ),
  ),
});
export const PutAwayInput = Type.Object({
  logisticsNo: Scan,
  location: Type.String({ minLength: 1, maxLength: 20 }),
  logisticsCode: Carrier,
});
export const SortInput = Type.Object({
  logisticsNo: Scan,
  route: Type.String({ minLength: 1, maxLength: 20 }),
  logisticsCode: Carrier,
});
export const Locations = Type.Array(
  Type.Object({ code: Type.String({ maxLength: 20 }), zone: Type.Optional(Type.String({ maxLength: 40 })) }),
  {
    maxItems: 2000,
  },
);

export const PackageKindSchema = Type.Union([Type.Literal('bag'), Type.Literal('pallet')], {
  description: 'bag: holds parcels (BG…); pallet: holds closed bags (PL…)',
});

export const Bag = Type.Object({
  id: Type.String(),
  kind: PackageKindSchema,
  palletId: Nullable(Type.String({ description: 'the pallet the bag is on' })),
  bagNo: Type.String(),
  route: Type.String(),
  logisticsCode: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('dispatched')]),
  parcelCount: Type.Integer({ description: "a pallet's: the parcels in its bags" }),
  bagCount: Type.Integer({ description: 'the bags on a pallet (0 for a bag)' }),
  dispatchId: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const OpenBagInput = Type.Object(
  {
    kind: Type.Optional(PackageKindSchema),
    route: Type.Optional(Type.String({ maxLength: 20, description: 'typed; else the scanned parcel’s (or bag’s) route' })),
    logisticsCode: Type.Optional(Type.String({ maxLength: 18, description: 'typed; else the scanned parcel’s (or bag’s)' })),
    logisticsNo: Type.Optional(
      Type.String({ maxLength: 60, description: 'scan-first: open the bag for this parcel’s carrier and route' }),
    ),
    bagNo: Type.Optional(
      Type.String({ maxLength: 37, description: 'scan-first: open the pallet for this bag’s carrier and route' }),
    ),
  },
  { additionalProperties: false },
);

export const StockLocation = Type.Object({
  code: Type.String(),
  zone: Type.String(),
  parcels: Type.Integer({ description: 'parcels in stock put away there' }),
  active: Type.Boolean({ description: 'false: retired, no longer a put-away choice' }),
});

export const DispatchInput = Type.Object(
  {
    bagIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 }),
    domesticTrafNo: Type.String({ maxLength: 100, description: 'truck plate or other domestic transport no.' }),
    billNo: Type.Optional(Type.String({ maxLength: 37, description: 'master bill the consolidation (CEB607) will name' })),
    trafMode: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
  },
  { additionalProperties: false },
);

export const Dispatch = Type.Object({
  id: Type.String(),
  copNo: Type.String(),
  logisticsCode: Type.String(),
  billNo: Nullable(Type.String()),
  domesticTrafNo: Type.String(),
  arrivalDocumentId: Nullable(Type.String()),
  preNo: Nullable(Type.String()),
  returnStatus: Type.String(),
  returnInfo: Type.String(),
  parcelCount: Type.Integer(),
  bagNos: Type.Array(Type.String()),
  createdAt: Type.String(),
});

const CountFields = {
  id: Type.String(),
  location: Nullable(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  scanned: Type.Integer(),
  startedAt: Type.String(),
  closedAt: Nullable(Type.String()),
};

export const StockCountSummary = Type.Object({
  ...CountFields,
  discrepancyCount: Nullable(Type.Integer({ description: 'null while the count is open' })),
});

export const StockCount = Type.Object({
  id: Type.String(),
  location: Nullable(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  scanned: Type.Integer(),
  startedAt: Type.String(),
  closedAt: Nullable(Type.String()),
  discrepancies: Type.Array(
    Type.Object({
      logisticsNo: Type.String(),
      kind: Type.Union([Type.Literal('missing'), Type.Literal('unexpected'), Type.Literal('misplaced')]),
      expectedLocation: Nullable(Type.String()),
      scannedLocation: Nullable(Type.String()),
    }),
  ),
});
