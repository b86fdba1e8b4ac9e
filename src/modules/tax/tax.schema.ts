import { Type } from 'typebox';

const Str = Type.String();
const Money = Type.Record(Type.String(), Type.String());
const Reason = Type.Union([Type.Object({ zh: Str, en: Str }), Type.Null()]);
const ConditionSchema = Type.Object({ id: Str, met: Type.Boolean(), reason: Reason });

export const RefundViewSchema = Type.Object({
  declarationId: Str,
  applicationId: Str,
  orgId: Str,
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
    rateVersion: Type.String({ description: 'refund-rate version in force on the exit day ("" when none was)' }),
    ruleVersion: Type.String({ description: '无票免税 rule version (its effective date) in force on the exit day' }),
    ruleJurisdiction: Type.Union([Str, Type.Null()], {
      description:
        'the customs district or office whose own version of the rule judged the declaration (the most specific in force); null: the national rule',
    }),
    estimate: Str,
    lines: Type.Array(
      Type.Object({
        lineNo: Type.Integer(),
        gcode: Str,
        rate: Type.Union([Str, Type.Null()]),
        rateStatus: Type.Union([Type.Literal('known'), Type.Literal('excluded'), Type.Literal('unknown')], {
          description: 'unknown: no refund rate is known for the HS code (the refund is refused with that reason)',
        }),
        purchaseExclVat: Str,
        estimate: Str,
      }),
    ),
  }),
});

const Bilingual = Type.Object({ zh: Str, en: Str });
const NullableStr = Type.Union([Str, Type.Null()]);

export const RefundCopySchema = Type.Object({
  declarationId: Str,
  entryId: Str,
  declSeqNo: Str,
  customsCode: Str,
  ebcCode: Str,
  ebcName: Str,
  period: Str,
  head: Type.Object({
    trafMode: Str,
    trafModeName: Str,
    arrivalCountry: Type.String({ description: '运抵国' }),
    arrivalCountryName: Str,
    exitPort: Type.String({ description: '出境关别' }),
    exitPortName: Str,
    ownerCode: Str,
    grossWeight: Str,
    netWeight: Str,
    inventoryCount: Type.Integer(),
    exitDate: Type.Union([Str, Type.Null()], {
      description: 'real exit date (China): the latest closing (899, on departure) among its inventories',
    }),
    exitAt: NullableStr,
  }),
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      gcode: Str,
      gname: Str,
      qty: Str,
      unit: Str,
      unitName: Str,
      destinationCountry: Type.String({ description: '最终目的国' }),
      destinationCountryName: Str,
      currency: Str,
      totalPrice: Str,
      refundRate: NullableStr,
      estimate: Str,
    }),
  ),
  refund: Type.Object({
    outcome: Type.Union([Type.Literal('refund'), Type.Literal('exemption'), Type.Literal('taxable')]),
    estimate: Str,
    deadline: Str,
    rateVersion: Str,
    ruleVersion: Str,
    unmet: Type.Array(Type.Object({ id: Str, reason: Bilingual })),
  }),
});

export const EnterpriseSummarySchema = Type.Array(
  Type.Object({
    orgId: Str,
    ebcCode: Str,
    ebcName: Str,
    declarations: Type.Integer(),
    outcomes: Type.Object({ refund: Type.Integer(), exemption: Type.Integer(), taxable: Type.Integer() }),
    estimate: Type.String({ description: 'CNY: the refund estimates of its refund declarations' }),
    unmet: Type.Array(Type.Object({ id: Str, declarations: Type.Integer(), reason: Bilingual }), {
      description: 'each unmet condition with how many declarations miss it',
    }),
  }),
);

const PilotZoneSchema = Type.Object(
  {
    zone: Type.String({ maxLength: 4, description: '综试区地区代码 (4 digits)' }),
    customs: Type.Array(Type.String({ maxLength: 4 }), {
      maxItems: 100,
      description: 'customs codes of the zone: districts (4000) or offices (4006)',
    }),
  },
  { additionalProperties: false },
);
export const RuleVersionBody = Type.Object(
  {
    jurisdiction: Type.Optional(
      Type.Union([Type.String({ maxLength: 4 }), Type.Null()], {
        description:
          'the customs district (4000) or office (4006) whose own version this is; null, "" or absent: the national rule. ' +
          'A declaration is judged by the most specific jurisdiction covering its customs office with a version in force on its exit day',
      }),
    ),
    noInvoiceExemption: Type.Object(
      { enabled: Type.Boolean(), pilotZones: Type.Array(PilotZoneSchema, { maxItems: 1000 }) },
      { additionalProperties: false },
    ),
    note: Type.String({ maxLength: 2000, description: 'the notice or reason (≤500 characters)' }),
  },
  { additionalProperties: false },
);
export const RuleVersionSchema = Type.Object({
  jurisdiction: Type.Union([Str, Type.Null()], { description: 'customs district or office; null: the national rule' }),
  effectiveFrom: Str,
  noInvoiceExemption: Type.Object({
    enabled: Type.Boolean(),
    pilotZones: Type.Array(Type.Object({ zone: Str, customs: Type.Array(Str) })),
  }),
  note: Str,
  updatedAt: Str,
  current: Type.Boolean({ description: 'the version in force today in its jurisdiction' }),
});

export const RateImportBody = Type.Object(
  {
    version: Type.String({ maxLength: 40 }),
    effectiveFrom: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
    source: Type.String({ maxLength: 200, description: 'the rate file or notice' }),
    csv: Type.String({
      maxLength: 5_000_000,
      description:
        'CSV; header hs,rate[,excluded]: hs an HS prefix of 2–10 digits, rate a fraction 0–1 (0.13), excluded 1/0 (excluded rows have no rate)',
    }),
  },
  { additionalProperties: false },
);
export const RateVersionSchema = Type.Object({
  version: Str,
  effectiveFrom: Str,
  source: Str,
  rows: Type.Integer(),
  excluded: Type.Integer(),
  updatedAt: Str,
  current: Type.Boolean(),
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
