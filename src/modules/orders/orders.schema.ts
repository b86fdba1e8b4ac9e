import { Type, type TSchema } from 'typebox';
import { DRAFT_STATES, SALES_ORDER_STATES } from './orders.states.ts';
import { LAYOUT_IDS } from './rules/layouts.ts';
import { TRADE_MODES } from './rules/inventory.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const Fields = Type.Record(Type.String(), Type.String());
const Code10 = Type.String({ pattern: '^[0-9A-Z]{10}$|^[0-9A-Z]{18}$' });
const Decimal = Type.String({ pattern: '^\\d{1,14}(\\.\\d{1,5})?$', maxLength: 20 });

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const RowError = Type.Object({
  row: Type.Integer(),
  column: Type.String(),
  rule: Type.String(),
  message: Bilingual,
  value: Type.Optional(Type.String()),
});

export const ImportQuery = Type.Object({
  platformCode: Code10,
  layout: Type.Optional(Type.Enum(LAYOUT_IDS)),
  partial: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
});

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Integer(),
  layout: Type.String(),
  errors: Type.Array(RowError),
  orders: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), orderNo: Type.String() })),
});

export const SalesOrder = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orderNo: Type.String(),
  platformCode: Type.String(),
  platformName: Type.String(),
  marketplace: Type.String(),
  ebcCode: Type.String(),
  buyerName: Type.String(),
  buyerCountry: Type.String(),
  buyerAddress: Type.String(),
  buyerPhone: Type.String(),
  currency: Type.String(),
  goodsValue: Type.String(),
  freight: Type.String(),
  insuredFee: Type.String(),
  trackingNo: Nullable(Type.String()),
  grossWeight: Nullable(Type.String()),
  netWeight: Nullable(Type.String()),
  lines: Type.Array(
    Type.Object({
      gnum: Type.Integer(),
      itemNo: Type.String(),
      itemName: Type.String(),
      qty: Type.String(),
      price: Type.String(),
      totalPrice: Type.String(),
    }),
  ),
  status: Type.Enum(SALES_ORDER_STATES),
  orderDocumentId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const DraftProblem = Type.Object({ field: Type.String(), rule: Type.String(), message: Bilingual });

export const InventoryDraft = Type.Object({
  id: Type.String({ format: 'uuid' }),
  salesOrderId: Type.String({ format: 'uuid' }),
  orderNo: Type.String(),
  platformCode: Type.String(),
  tradeMode: Type.String(),
  sellerOrgId: Type.String({ format: 'uuid' }),
  agentOrgId: Type.String({ format: 'uuid' }),
  status: Type.Enum(DRAFT_STATES),
  head: Fields,
  lines: Type.Array(Fields),
  problems: Type.Array(DraftProblem),
  documentId: Nullable(Type.String()),
  invtNo: Nullable(Type.String()),
  returnStatus: Nullable(Type.String()),
  returnInfo: Nullable(Type.String()),
  declaredAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const BuildInput = Type.Object(
  {
    orderIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000, uniqueItems: true })),
    agentCode: Type.Optional(Code10),
    logisticsCode: Type.Optional(Code10),
    customsCode: Type.Optional(Type.String({ pattern: '^\\d{4}$' })),
    portCode: Type.Optional(Type.String({ pattern: '^\\d{4}$' })),
    tradeMode: Type.Optional(Type.Enum(TRADE_MODES)),
    trafMode: Type.Optional(Type.String({ pattern: '^[0-9A-Z]$' })),
    pod: Type.Optional(Type.String({ minLength: 3, maxLength: 4 })),
  },
  { additionalProperties: false },
);

export const BuildResult = Type.Object({ built: Type.Integer(), complete: Type.Integer(), drafts: Type.Array(InventoryDraft) });

export const DraftPatch = Type.Object(
  {
    logisticsCode: Type.Optional(Code10),
    logisticsNo: Type.Optional(Type.String({ maxLength: 80 })),
    grossWeight: Type.Optional(Type.Union([Decimal, Type.Literal('')])),
    netWeight: Type.Optional(Type.Union([Decimal, Type.Literal('')])),
    freight: Type.Optional(Decimal),
    insuredFee: Type.Optional(Decimal),
    POD: Type.Optional(Type.String({ minLength: 3, maxLength: 4 })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          { gnum: Type.String({ pattern: '^\\d{1,5}$' }), qty1: Type.Optional(Decimal), qty2: Type.Optional(Decimal) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
  },
  { additionalProperties: false },
);

export const DeclareInput = Type.Object(
  { ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000, uniqueItems: true }) },
  { additionalProperties: false },
);

export const DeclareResult = Type.Object({
  declared: Type.Integer(),
  rejected: Type.Integer(),
  messages: Type.Array(
    Type.Object({ messageType: Type.String(), guid: Type.String(), accepted: Type.Integer(), rejected: Type.Integer() }),
  ),
  items: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      orderNo: Type.String(),
      status: Type.Enum(DRAFT_STATES),
      documentId: Nullable(Type.String()),
      invtNo: Nullable(Type.String()),
      returnStatus: Nullable(Type.String()),
      returnInfo: Nullable(Type.String()),
    }),
  ),
});

export const SalesOrderStatusSchema = Type.Enum(SALES_ORDER_STATES);
export const DraftStatusSchema = Type.Enum(DRAFT_STATES);
