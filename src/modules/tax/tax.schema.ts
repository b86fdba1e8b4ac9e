import { Type } from 'typebox';

const Str = Type.String();
const Money = Type.Record(Type.String(), Type.String());
const Reason = Type.Union([Type.Object({ zh: Str, en: Str }), Type.Null()]);
const ConditionSchema = Type.Object({ id: Str, met: Type.Boolean(), reason: Reason });

export const RefundViewSchema = Type.Object({
  declarationId: Str,
  applicationId: Str,
  ebcCode: Str,
  ebcName: Str,
  period: Str,
  entryId: Str,
  declSeqNo: Str,
  customsCode: Str,
  declaredValue: Money,
  received: Money,
  receivedCeb403: Money,
  receivedBank: Money,
  profileKnown: Type.Boolean(),
  verdict: Type.Object({
    outcome: Type.Union([Type.Literal('refund'), Type.Literal('exemption'), Type.Literal('taxable')]),
    refund: Type.Array(ConditionSchema),
    exemption: Type.Array(ConditionSchema),
    deadline: Str,
    rateVersion: Str,
    estimate: Str,
    lines: Type.Array(
      Type.Object({
        lineNo: Type.Integer(),
        gcode: Str,
        rate: Type.Union([Str, Type.Null()]),
        purchaseExclVat: Str,
        estimate: Str,
      }),
    ),
  }),
});

export const TaxProfileSchema = Type.Object(
  {
    generalTaxpayer: Type.Boolean({ description: '增值税一般纳税人' }),
    refundQualified: Type.Boolean({ description: '已办理出口退(免)税资格认定' }),
    taxRegistered: Type.Boolean({ description: '已办理税务登记' }),
    tradingCompany: Type.Boolean({ description: '外贸企业 (须有进货发票)' }),
    pilotZone: Type.Union([Type.String({ pattern: '^\\d{4}$' }), Type.Null()], { description: '所在跨境电商综试区 (地区代码)' }),
  },
  { additionalProperties: false },
);

export const PurchasesSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          lineNo: Type.Integer({ minimum: 1 }),
          invoiceNo: Type.String({ minLength: 1, maxLength: 40 }),
          kind: Type.Union([
            Type.Literal('vat_special'),
            Type.Literal('import_vat'),
            Type.Literal('consumption_cert'),
            Type.Literal('ordinary'),
          ]),
          amountExclVat: Type.String({ maxLength: 20 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
