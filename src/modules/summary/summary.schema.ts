import { Type } from 'typebox';

const Str = Type.String();
const KeyMap = Type.Record(Type.String(), Type.String());

export const SummaryRequestSchema = Type.Object(
  {
    period: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: '汇总期间 (month of 结关, China time), YYYY-MM' }),
    summaryFlag: Type.Optional(
      Type.Union([Type.Literal('1'), Type.Literal('2')], { description: '1=按收发货人; 2=按收发货人+生产销售单位' }),
    ),
    itemNameFlag: Type.Optional(
      Type.Union([Type.Literal('1'), Type.Literal('')], { description: '1=按企业商品名称; 空=按归类名称' }),
    ),
    ruleSetId: Type.Optional(Type.String({ maxLength: 40, description: 'replay a month under another rule set' })),
    copNo: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
    declAgentCode: Type.Optional(Type.String({ minLength: 1, maxLength: 18 })),
    declAgentName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    resultHash: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{64}$',
        description:
          'the resultHash of the preview being submitted: when the summary computed now differs, 409 and nothing is stored',
      }),
    ),
  },
  { additionalProperties: false },
);

const LineView = Type.Object({
  lineNo: Type.Integer(),
  key: KeyMap,
  gcode: Str,
  gname: Str,
  country: Str,
  currency: Str,
  unit: Str,
  qty: Str,
  totalPrice: Str,
  sourceCount: Type.Integer(),
});

const DeclarationView = Type.Object({
  id: Type.Union([Str, Type.Null()]),
  seq: Type.Integer(),
  declSeqNo: Type.Union([Str, Type.Null()]),
  entryId: Type.Union([Str, Type.Null()]),
  customsCode: Type.String({ description: '申报海关: the office the declaration is lodged at and numbered by' }),
  key: KeyMap,
  grossWeight: Str,
  netWeight: Str,
  inventoryCount: Type.Integer(),
  lines: Type.Array(LineView),
});

const ReminderView = Type.Object({ on: Str, daysBefore: Type.Integer(), due: Type.Boolean() });

const previewFields = {
  period: Str,
  ruleSet: Type.Object({ id: Str, source: Str }),
  summaryFlag: Str,
  itemNameFlag: Str,
  keys: Type.Object({ head: Type.Array(Str), line: Type.Array(Str) }),
  deadline: Str,
  reminders: Type.Array(ReminderView),
  inventoryCount: Type.Integer(),
  lineCount: Type.Integer(),
  resultHash: Str,
  declarations: Type.Array(DeclarationView),
  statistics: Type.Array(Type.Object({ currency: Str, inventories: Type.Integer(), value: Str })),
};

export const SummaryPreviewSchema = Type.Object(previewFields);

export const SummaryApplicationSchema = Type.Object({
  ...previewFields,
  id: Str,
  status: Str,
  source: Str,
  ebcCode: Str,
  ebcName: Str,
  guid: Str,
  copNo: Str,
  preNo: Str,
  sumNo: Str,
  customsCode: Str,
  agentCode: Str,
  declAgentCode: Str,
  submittedAt: Str,
});

export const LineageSchema = Type.Array(
  Type.Object({ lineNo: Type.Integer(), invtNo: Str, gnum: Type.Integer(), logisticsNo: Str, gcode: Str }),
);

export const DeadlineSchema = Type.Array(
  Type.Object({
    period: Str,
    deadline: Str,
    deadlineProvisional: Type.Boolean({
      description:
        'the deadline falls in a year whose State Council holiday notice is not in the data yet (statutory rest days only)',
    }),
    ruleSet: Str,
    pendingInventories: Type.Integer(),
    applications: Type.Integer({ description: 'summary applications of the month so far' }),
    submitted: Type.Boolean({ description: 'every closed B-type inventory of the month is in a summary' }),
    overdue: Type.Boolean({ description: 'inventories are still waiting after the deadline' }),
    reminders: Type.Array(ReminderView),
  }),
);

export const RuleSetSchema = Type.Array(
  Type.Object({
    id: Str,
    source: Str,
    effectiveFrom: Str,
    headKey: Type.Array(Str),
    lineKey: Type.Array(Str),
    deadlineDay: Type.Integer(),
    decemberByYearEnd: Type.Boolean(),
    defaultSummaryFlag: Str,
  }),
);

const C = (n: number) => Type.String({ minLength: n, maxLength: n });
const V = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** CEB701 SummaryApplyHead + SummaryApplyList, field names as in the standard (JSON form). */
export const Ceb701Schema = Type.Object(
  {
    head: Type.Object(
      {
        guid: Type.String({ pattern: '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$' }),
        appType: Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('3')]),
        appTime: Type.String({ pattern: '^\\d{14}$' }),
        appStatus: Type.Union([Type.Literal('1'), Type.Literal('2')]),
        customsCode: C(4),
        copNo: V(30),
        preNo: Type.Optional(Type.String({ maxLength: 18 })),
        sumNo: Type.Optional(Type.String({ maxLength: 18 })),
        agentCode: V(18),
        agentName: V(100),
        ebcCode: V(18),
        ebcName: V(100),
        declAgentCode: V(18),
        declAgentName: V(100),
        startTime: Type.Optional(Type.String({ pattern: '^\\d{14}$' })),
        endTime: Type.Optional(Type.String({ pattern: '^\\d{14}$' })),
        loctNo: Type.Optional(Type.String({ maxLength: 10 })),
        summaryFlag: Type.Union([Type.Literal('1'), Type.Literal('2')]),
        itemNameFlag: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('')])),
        msgCount: Type.String({ pattern: '^\\d{1,9}$' }),
        msgSeqNo: Type.String({ pattern: '^\\d{1,9}$' }),
        note: Type.Optional(Type.String({ maxLength: 1000 })),
      },
      { additionalProperties: false },
    ),
    list: Type.Array(Type.Object({ invtNo: C(18) }, { additionalProperties: false }), { maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const Ceb701OutcomeSchema = Type.Object({
  accepted: Type.Boolean(),
  applicationId: Type.Union([Str, Type.Null()]),
  ceb702: Type.Record(Type.String(), Type.String()),
  ceb702Xml: Str,
});

export const ReminderFeedSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      orgId: Str,
      period: Str,
      deadline: Str,
      reminderOn: Str,
      daysBefore: Type.Integer(),
      pendingInventories: Type.Integer(),
      message: Type.Object({ zh: Str, en: Str }),
    }),
  ),
  next: Type.Integer(),
});
