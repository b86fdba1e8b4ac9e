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
const Bilingual = Type.Object({ zh: Str, en: Str });
export const ImportOutcomeSchema = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), problems: Type.Array(Problem) })),
  flagged: Type.Array(Type.Object({ row: Type.Integer(), refNo: Str, usdAmount: Str, message: Bilingual }), {
    description:
      'imported rows of a payment institution over the USD 50,000 single-transaction cap (汇发〔2015〕7号): stored with the finding, not refused',
  }),
});

const Period = Type.Object(
  {
    period: Type.String({ description: 'month of export (the summary declarations’ period), YYYY-MM' }),
    currency: Str,
    declared: Str,
    receivedCeb403: Type.String({ description: 'CEB403 collections of the orders the period’s declarations cover' }),
    receivedBank: Type.String({
      description: 'bank / payment-institution receipts matched by orderNo to a declaration of the period, whenever received',
    }),
    receivedRmb: Type.String({
      description: 'cross-border RMB settlements (CNY) naming an order or the entryId of a declaration of the period',
    }),
    received: Type.String({
      description:
        'what was received, each order once: the same payment seen in several channels (CEB403, bank / payment-institution record, RMB settlement) counts for its order once, as the largest of them',
    }),
    difference: Type.String({ description: 'received − declared' }),
    uncovered: Type.String({
      description:
        'declared value no receipt covers: each order covers at most its own declared value, so an order paid over its value does not make up for an unpaid one',
    }),
    status: Type.String({
      description:
        'matched | under_received (some declared value uncovered) | over_received (all covered, more received than declared) | undeclared (received in a currency not declared)',
    }),
    overdue: Type.Boolean({ description: 'under-received after 30 April of the year after export' }),
    matchedReceipts: Type.Integer({ description: 'receipts matched by orderNo to a declaration of the period' }),
    matchedSettlements: Type.Integer({ description: 'RMB settlements counted for the period' }),
  },
  { description: 'declared vs received for the declarations of one month of export and one currency' },
);
const UnmatchedReceipt = Type.Object({
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
});
const OverCapReceipt = Type.Object({
  channel: Type.Union([Type.Literal('ceb403'), Type.Literal('record')]),
  id: Str,
  institutionCode: Str,
  refNo: Str,
  orderNo: Str,
  currency: Str,
  amount: Str,
  usdAmount: Str,
  rateVersion: Type.Union([Str, Type.Null()]),
  receivedOn: Str,
  message: Bilingual,
});
export const ReconciliationSchema = Type.Object({
  orgId: Str,
  ebcCode: Str,
  ebcName: Str,
  periods: Type.Array(Period),
  unmatched: Type.Object(
    {
      receipts: Type.Integer(),
      totals: Type.Array(Type.Object({ month: Str, currency: Str, receipts: Type.Integer(), amount: Str }), {
        description: 'per month received and currency',
      }),
      listed: Type.Array(UnmatchedReceipt, { description: 'the first 100, oldest first' }),
    },
    {
      description:
        'receipt records matched to no declaration (no order number, or no declared order of the exporter): listed apart, never counted as received',
    },
  ),
  overCap: Type.Object(
    {
      receipts: Type.Integer(),
      usd: Str,
      months: Type.Array(Type.Object({ month: Str, currency: Str, receipts: Type.Integer(), usd: Str }), {
        description: 'per month received and currency',
      }),
      listed: Type.Array(OverCapReceipt),
    },
    {
      description:
        'payment-institution receipts over the USD 50,000 single-transaction cap (汇发〔2015〕7号), whatever the channel: flagged, never refused (the first 100 listed, newest first)',
    },
  ),
});

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
