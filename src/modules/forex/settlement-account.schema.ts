import { Type } from 'typebox';

const Str = Type.String();
const Problem = Type.Object({
  field: Str,
  rule: Str,
  message: Type.Object({ zh: Str, en: Str }),
  value: Type.Optional(Type.Unknown()),
});

// Field formats are checked by the rules (bilingual, naming field and rule); the schema only bounds sizes.
export const AccountBody = Type.Object(
  {
    accountKind: Type.String({ maxLength: 20, description: 'current (经常项目外汇结算账户) or pending_check (待核查账户)' }),
    bankName: Type.String({ maxLength: 200 }),
    bankCode: Type.String({ maxLength: 20, description: 'SWIFT/BIC (8 or 11) or CNAPS (12 digits)' }),
    accountNo: Type.String({ maxLength: 60, description: '6 to 34 digits or letters; IBAN check digits are verified' }),
    currency: Type.String({ maxLength: 3, description: 'customs currency code (foreign, not 142)' }),
    openedOn: Type.String({ maxLength: 10 }),
  },
  { additionalProperties: false },
);

export const CloseBody = Type.Object({ closedOn: Type.String({ maxLength: 10 }) }, { additionalProperties: false });

export const SettlementBody = Type.Object(
  {
    settlementRef: Type.String({ maxLength: 100, description: 'your reference: a retry with it does not settle twice' }),
    settledOn: Type.String({ maxLength: 10 }),
    currency: Type.String({ maxLength: 3 }),
    amount: Type.String({ maxLength: 20, description: 'foreign currency sold' }),
    rate: Type.String({ maxLength: 20, description: 'CNY per 1 unit of the currency' }),
    cnyAmount: Type.String({ maxLength: 20, description: 'amount × rate, within 0.01' }),
    receiptRefNos: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200 })),
  },
  { additionalProperties: false },
);

export const SettlementImportBody = Type.Object(
  {
    csv: Type.String({
      maxLength: 5_000_000,
      description:
        'CSV text; header: settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount[,receiptRefNos (;-separated)]',
    }),
  },
  { additionalProperties: false },
);

const PeriodFigures = Type.Object({ period: Str, received: Str, settled: Str, unsettled: Str });

export const AccountSchema = Type.Object({
  id: Str,
  accountKind: Str,
  bankName: Str,
  bankCode: Str,
  accountNo: Str,
  currency: Str,
  openedOn: Str,
  status: Str,
  closedOn: Type.Union([Str, Type.Null()]),
  received: Str,
  settled: Str,
  unsettled: Str,
  fromUnassigned: Str,
  periods: Type.Array(PeriodFigures),
});

export const CurrencyBalanceSchema = Type.Object({
  currency: Str,
  received: Str,
  settled: Str,
  unsettled: Str,
  unassigned: Str,
  unattributed: Str,
  periods: Type.Array(PeriodFigures),
});

export const SettlementSchema = Type.Object({
  id: Str,
  accountId: Str,
  accountNo: Str,
  settlementRef: Str,
  settledOn: Str,
  currency: Str,
  amount: Str,
  rate: Str,
  cnyAmount: Str,
  receiptIds: Type.Array(Str),
});

export const OverviewSchema = Type.Object({
  accounts: Type.Array(AccountSchema),
  currencies: Type.Array(CurrencyBalanceSchema),
  settlements: Type.Array(SettlementSchema),
});

export const AccountDetailSchema = Type.Object({ account: AccountSchema, settlements: Type.Array(SettlementSchema) });

export const SettleOutcomeSchema = Type.Object({ settlement: SettlementSchema, replayed: Type.Boolean() });

export const SettlementImportOutcomeSchema = Type.Object({
  imported: Type.Integer(),
  replayed: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), problems: Type.Array(Problem) })),
});

export const DeskSchema = Type.Array(
  Type.Object({
    orgId: Str,
    ebcCode: Str,
    ebcName: Str,
    accounts: Type.Array(AccountSchema),
    currencies: Type.Array(CurrencyBalanceSchema),
  }),
);
