import { Type } from 'typebox';

const Str = Type.String();
const Problem = Type.Object({
  field: Str,
  rule: Str,
  message: Type.Object({ zh: Str, en: Str }),
  value: Type.Optional(Type.Unknown()),
});

export const ImportBody = Type.Object(
  {
    csv: Type.String({
      maxLength: 5_000_000,
      description:
        'CSV text; header: refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName, optionally accountNo (the account credited)',
    }),
  },
  { additionalProperties: false },
);
const Field = Type.String({ maxLength: 200 });
export const ImportJsonBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          refNo: Field,
          institutionKind: Type.String({ maxLength: 200, description: 'bank | payment' }),
          institutionCode: Field,
          ebcCode: Field,
          orderNo: Type.String({ maxLength: 200, description: 'the order paid for: matched to declarations' }),
          currency: Type.String({ maxLength: 200, description: '3-digit customs currency code' }),
          amount: Type.String({ maxLength: 200, description: 'decimal, at most 2 places' }),
          receivedOn: Type.String({ maxLength: 200, description: 'YYYY-MM-DD' }),
          payerName: Field,
          accountNo: Type.Optional(Type.String({ maxLength: 200, description: 'the account credited' })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10000, description: 'receipt records; per-row errors name rows[index] (from 0)' },
    ),
  },
  { additionalProperties: false },
);
export const ImportOutcomeSchema = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), problems: Type.Array(Problem) })),
});

const Period = Type.Object({
  period: Str,
  currency: Str,
  declared: Str,
  receivedCeb403: Str,
  receivedBank: Str,
  received: Str,
  difference: Str,
  status: Str,
  overdue: Type.Boolean(),
  matchedReceipts: Type.Integer({ description: 'receipts of the month matched by orderNo to a declaration' }),
  unmatchedReceipts: Type.Integer(),
  unmatched: Type.Array(
    Type.Object({
      id: Str,
      institutionKind: Str,
      institutionCode: Str,
      refNo: Str,
      orderNo: Str,
      currency: Str,
      amount: Str,
      receivedOn: Str,
      reason: Type.Union([Type.Literal('no_order_no'), Type.Literal('order_not_declared')]),
      message: Type.Object({ zh: Str, en: Str }),
    }),
    { description: 'the first 100 unmatched receipts: no order number, or no declared order of the exporter' },
  ),
});
export const ReconciliationSchema = Type.Object({ orgId: Str, ebcCode: Str, ebcName: Str, periods: Type.Array(Period) });

export const SettlementBody = Type.Object(
  {
    refNo: Type.String({ minLength: 1, maxLength: 60 }),
    ebcCode: Type.String({ minLength: 10, maxLength: 18 }),
    amount: Type.String({ maxLength: 20 }),
    settledOn: Type.String({ maxLength: 10 }),
    contractNo: Type.Optional(Type.String({ maxLength: 60 })),
    orderNo: Type.Optional(Type.String({ maxLength: 60 })),
    invoiceNo: Type.Optional(Type.String({ maxLength: 60 })),
    entryId: Type.Optional(Type.String({ maxLength: 18 })),
  },
  { additionalProperties: false },
);
const EvidenceReason = Type.Object({
  reason: Type.Union([Type.Literal('no_evidence'), Type.Literal('order_not_found'), Type.Literal('entry_not_found')]),
  message: Type.Object({ zh: Str, en: Str }),
});
const NullableStr = Type.Union([Str, Type.Null()]);
export const SettlementRecordedSchema = Type.Object({
  id: Str,
  lacksEvidence: Type.Boolean({ description: 'names nothing, or names an order or declaration the platform does not hold' }),
  reasons: Type.Array(EvidenceReason),
});
export const SettlementLackingSchema = Type.Array(
  Type.Object({
    id: Str,
    institutionCode: Str,
    ebcCode: Str,
    refNo: Str,
    amount: Str,
    settledOn: Str,
    contractNo: NullableStr,
    orderNo: NullableStr,
    invoiceNo: NullableStr,
    entryId: NullableStr,
    reasons: Type.Array(EvidenceReason, {
      description:
        'no evidence named; the order names no inventory of the enterprise; the declaration is not its summary declaration',
    }),
  }),
);
