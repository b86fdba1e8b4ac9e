/**
 * CEB export message specs as data (DESIGN.md §5). Structure, order, cardinality and facets come
 * from the official XSD through ceb.specs.generated.ts; the few facts the XSD cannot express
 * (date fields, code tables, enterprise-code fields) are the tables below. Validator, decoder and
 * encoder read only these specs.
 */
import { XSD_ELEMENTS, type XsdChild } from './ceb.specs.generated.ts';

export const CEB_NAMESPACE = 'http://www.chinaport.gov.cn/ceb';
export const DXP_NAMESPACE = 'http://www.chinaport.gov.cn/dxp';
export const DSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

export type FieldType = 'string' | 'decimal' | 'integer' | 'date14' | 'date8' | 'date17';
export type CebCodeTable =
  | 'country'
  | 'currency'
  | 'unit'
  | 'customs'
  | 'trade-mode'
  | 'transport-mode'
  | 'wrap-type'
  | 'hs'
  | 'foreign-port'
  | 'fee-flag';

/** The only values of a field the platform takes, and why (bilingual), beyond its code table. */
export interface FieldValues {
  codes: readonly string[];
  zh: string;
  en: string;
}

export interface FieldSpec {
  name: string;
  type: FieldType;
  required: boolean;
  /** position in the XSD sequence, from 0 */
  order: number;
  length?: number;
  minLength?: number;
  maxLength?: number;
  totalDigits?: number;
  fractionDigits?: number;
  codeTable?: CebCodeTable;
  /** a closed set of values (orderType E, statisticsFlag A/B, the CBEC export trade modes …) */
  values?: FieldValues;
  /** 10-char customs code or 18-char USCC */
  enterpriseCode?: boolean;
  default?: string;
}

export interface BlockSpec {
  element: string;
  fields: readonly FieldSpec[];
}

export interface ListSpec extends BlockSpec {
  min: number;
  max: number | null;
}

export interface EntitySpec {
  element: string;
  /** head block element, or null when the entity is flat (its fields are the head) */
  headElement: string | null;
  head: readonly FieldSpec[];
  lists: readonly ListSpec[];
}

export const EXPORT_MESSAGE_TYPES = ['CEB303', 'CEB403', 'CEB505', 'CEB507', 'CEB509', 'CEB603', 'CEB605', 'CEB607'] as const;
export const RECEIPT_MESSAGE_TYPES = ['CEB304', 'CEB404', 'CEB506', 'CEB508', 'CEB510', 'CEB604', 'CEB606', 'CEB608'] as const;
// The summary set (汇总申报, issue 6): CEB701 is taken on the CEB endpoint and routed to the summary
// module; CEB702 answers it and CEB792 carries each declaration formed (export XSD 2018-05).
export const SUMMARY_MESSAGE_TYPES = ['CEB701', 'CEB702', 'CEB792'] as const;
export type ExportMessageType = (typeof EXPORT_MESSAGE_TYPES)[number];
export type ReceiptMessageType = (typeof RECEIPT_MESSAGE_TYPES)[number];
export type SummaryMessageType = (typeof SUMMARY_MESSAGE_TYPES)[number];
export type CebMessageType = ExportMessageType | ReceiptMessageType | SummaryMessageType;

export interface MessageSpec {
  messageType: CebMessageType;
  root: string;
  namespace: string;
  kind: 'declaration' | 'receipt';
  entity: EntitySpec;
  minEntities: number;
  maxEntities: number;
  /** declarations carry BaseTransfer (1), BaseSubscribe (0..5), ds:Signature, ExtendMessage */
  baseTransfer: BlockSpec | null;
  baseSubscribe: (BlockSpec & { max: number }) | null;
  /** messages whose entity lines carry qty/price/totalPrice */
  lineArithmetic: boolean;
}

// --- facts the XSD does not carry -------------------------------------------------------------

const DATE_FIELDS: Readonly<Record<string, FieldType>> = {
  appTime: 'date14',
  accountingDate: 'date14',
  leaveTime: 'date14',
  startTime: 'date14',
  endTime: 'date14',
  ieDate: 'date8',
  returnTime: 'date17',
  opDate: 'date17',
};

/** code table per field name (cbec-export-facts.md §2.2b) */
const CODE_TABLES: Readonly<Record<string, CebCodeTable>> = {
  currency: 'currency',
  fCurrency: 'currency',
  iCurrency: 'currency',
  country: 'country',
  unit: 'unit',
  unit1: 'unit',
  unit2: 'unit',
  customsCode: 'customs',
  portCode: 'customs',
  tradeMode: 'trade-mode',
  trafMode: 'transport-mode',
  wrapType: 'wrap-type',
  gcode: 'hs',
  // 指运港: the customs port table (CusPort; a country-level row per country, 3154 Los Angeles …)
  POD: 'foreign-port',
  fFlag: 'fee-flag',
  iFlag: 'fee-flag',
};

/**
 * Closed sets the facts file says to hard-code (§3: ieFlag/orderType E|I, statisticsFlag A|B), cut
 * to what an export single window takes, and the supervision modes of the CBEC export flows the
 * platform clears (9610 retail, 9710 B2B direct, 9810 overseas warehouse, 1210 bonded export):
 * `Element/field` first, then the field name in any element.
 */
const FIELD_VALUES: Readonly<Record<string, FieldValues>> = {
  orderType: { codes: ['E'], zh: '订单类型只能是 E（出口订单）', en: 'orderType must be E (export order)' },
  ieFlag: { codes: ['E'], zh: '进出口标志只能是 E（出口）', en: 'ieFlag must be E (export)' },
  statisticsFlag: {
    codes: ['A', 'B'],
    zh: '申报业务类型只能是 A（简化申报）或 B（汇总申报）',
    en: 'statisticsFlag must be A (simplified) or B (summary declaration)',
  },
  'InventoryHead/tradeMode': {
    codes: ['9610', '9710', '9810', '1210'],
    zh: '监管方式只能是本平台办理的跨境电商出口方式：9610、9710、9810、1210',
    en: 'tradeMode must be a cross-border e-commerce export mode the platform clears: 9610, 9710, 9810 or 1210',
  },
};

/** enterprise codes: a 10-char customs registration code or an 18-char USCC */
const ENTERPRISE_CODE_FIELDS: ReadonlySet<string> = new Set([
  'ebpCode',
  'ebcCode',
  'logisticsCode',
  'agentCode',
  'ownerCode',
  'operatorCode',
  'payCode',
  'iacCode',
  'declAgentCode',
  'copCode',
]);

const MESSAGE_ENTITY: Readonly<Record<CebMessageType, string>> = {
  CEB303: 'Order',
  CEB304: 'OrderReturn',
  CEB403: 'Receipts',
  CEB404: 'ReceiptsReturn',
  CEB505: 'Logistics',
  CEB506: 'LogisticsReturn',
  CEB507: 'Arrival',
  CEB508: 'ArrivalReturn',
  CEB509: 'Departure',
  CEB510: 'DepartureReturn',
  CEB603: 'Inventory',
  CEB604: 'InventoryReturn',
  CEB605: 'InvtCancel',
  CEB606: 'InvtCancelReturn',
  CEB607: 'WayBill',
  CEB608: 'WayBillReturn',
  CEB701: 'SummaryApply',
  CEB702: 'SummaryReturn',
  CEB792: 'SummaryResult',
};

// --- derivation ---------------------------------------------------------------------------------

function xsd(element: string): readonly XsdChild[] {
  const children = XSD_ELEMENTS[element];
  if (!children) throw new Error(`CEB spec: element ${element} not in the XSD`);
  return children;
}

function fieldSpecs(element: string): FieldSpec[] {
  return xsd(element).map((c, order) => {
    if (c.kind !== 'field') throw new Error(`CEB spec: ${element}/${c.name} is not a simple field`);
    const type: FieldType = c.base === 'decimal' ? 'decimal' : c.base === 'int' ? 'integer' : (DATE_FIELDS[c.name] ?? 'string');
    const f: FieldSpec = { name: c.name, type, required: c.min > 0, order };
    if (c.length !== undefined) f.length = c.length;
    if (c.minLength !== undefined) f.minLength = c.minLength;
    if (c.maxLength !== undefined) f.maxLength = c.maxLength;
    if (c.totalDigits !== undefined) f.totalDigits = c.totalDigits;
    if (c.fractionDigits !== undefined) f.fractionDigits = c.fractionDigits;
    if (c.default !== undefined) f.default = c.default;
    const table = CODE_TABLES[c.name];
    if (table) f.codeTable = table;
    const values = FIELD_VALUES[`${element}/${c.name}`] ?? FIELD_VALUES[c.name];
    if (values) f.values = values;
    if (ENTERPRISE_CODE_FIELDS.has(c.name)) f.enterpriseCode = true;
    return f;
  });
}

function entitySpec(element: string): EntitySpec {
  const children = xsd(element);
  if (children.every((c) => c.kind === 'field')) return { element, headElement: null, head: fieldSpecs(element), lists: [] };
  const [headRef, ...listRefs] = children;
  if (!headRef || headRef.kind !== 'ref') throw new Error(`CEB spec: ${element} has no head`);
  return {
    element,
    headElement: headRef.name,
    head: fieldSpecs(headRef.name),
    lists: listRefs.map((r) => {
      if (r.kind !== 'ref') throw new Error(`CEB spec: ${element}/${r.name} is not a list`);
      return { element: r.name, fields: fieldSpecs(r.name), min: r.min, max: r.max };
    }),
  };
}

function messageSpec(messageType: CebMessageType): MessageSpec {
  const root = `${messageType}Message`;
  const children = xsd(root);
  const entityName = MESSAGE_ENTITY[messageType];
  const entityRef = children.find((c) => c.name === entityName);
  if (!entityRef || entityRef.kind !== 'ref') throw new Error(`CEB spec: ${root} lacks ${entityName}`);
  const hasTransfer = children.some((c) => c.name === 'BaseTransfer');
  const subscribe = children.find((c) => c.name === 'BaseSubscribe');
  const entity = entitySpec(entityName);
  return {
    messageType,
    root,
    namespace: CEB_NAMESPACE,
    kind: hasTransfer ? 'declaration' : 'receipt',
    entity,
    minEntities: entityRef.min,
    maxEntities: entityRef.max ?? Number.POSITIVE_INFINITY,
    baseTransfer: hasTransfer ? { element: 'BaseTransfer', fields: fieldSpecs('BaseTransfer') } : null,
    baseSubscribe: subscribe
      ? {
          element: 'BaseSubscribe',
          fields: fieldSpecs('BaseSubscribe'),
          max: subscribe.kind === 'field' ? 1 : (subscribe.max ?? 5),
        }
      : null,
    lineArithmetic: entity.lists.some((l) => ['qty', 'price', 'totalPrice'].every((n) => l.fields.some((f) => f.name === n))),
  };
}

export const MESSAGE_SPECS: Readonly<Record<CebMessageType, MessageSpec>> = Object.freeze(
  Object.fromEntries(
    [...EXPORT_MESSAGE_TYPES, ...RECEIPT_MESSAGE_TYPES, ...SUMMARY_MESSAGE_TYPES].map((t) => [t, messageSpec(t)]),
  ) as Record<CebMessageType, MessageSpec>,
);

const BY_ROOT: ReadonlyMap<string, MessageSpec> = new Map(Object.values(MESSAGE_SPECS).map((s) => [s.root, s]));

export function specByRoot(root: string): MessageSpec | undefined {
  return BY_ROOT.get(root);
}

export function isCebMessageType(t: string): t is CebMessageType {
  return Object.hasOwn(MESSAGE_SPECS, t);
}

/** the receipt answering each declaration */
export const RECEIPT_OF: Readonly<Record<ExportMessageType, ReceiptMessageType>> = {
  CEB303: 'CEB304',
  CEB403: 'CEB404',
  CEB505: 'CEB506',
  CEB507: 'CEB508',
  CEB509: 'CEB510',
  CEB603: 'CEB604',
  CEB605: 'CEB606',
  CEB607: 'CEB608',
};
