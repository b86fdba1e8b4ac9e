/**
 * Safe CEB XML decoding (DESIGN.md §5): no DTD, no entities, size and depth limits, UTF-8 only,
 * root element and namespace checked. A raw `CEBxxxMessage` or a DXP `DxpMsg` envelope decodes to
 * the same plain shape a JSON REST body has; every value stays a string.
 *
 * Two paths with one result (issue #4): a single-pass fast path for the plain XML that senders
 * actually produce, and the general path (safety scan, XMLValidator, fast-xml-parser) for
 * everything else, including every input that is refused. See "fast path" below.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError, type Bilingual } from '../kernel/errors.ts';
import { CEB_NAMESPACE, DXP_NAMESPACE, specByRoot, type BlockSpec, type CebMessageType, type MessageSpec } from './ceb.specs.ts';

export type CebRecord = Record<string, string>;

export interface CebEntity {
  head: CebRecord;
  lists: Record<string, CebRecord[]>;
}

export interface CebMessage {
  messageType: CebMessageType;
  guid: string;
  version?: string;
  appType?: string;
  appStatus?: string;
  entities: CebEntity[];
  baseTransfer?: CebRecord;
  baseSubscribe?: CebRecord[];
}

export interface DxpTransInfo {
  copMsgId: string;
  senderId: string;
  receiverIds: string[];
  creatTime: string;
  msgType: string;
}

export interface DecodedCeb {
  message: CebMessage;
  /** present when the input was a DxpMsg envelope */
  dxp?: DxpTransInfo;
}

export interface DecodeLimits {
  maxBytes: number;
  maxDepth: number;
  maxEntities: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 32, maxEntities: 100 };

const fail = (reason: string, message: Bilingual, details?: Record<string, unknown>): DomainError =>
  new DomainError(`ceb.${reason}`, message, details);

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  allowBooleanAttributes: false,
  isArray: (_name: string, _path: string, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

function toText(input: string | Uint8Array, limits: DecodeLimits): string {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > limits.maxBytes) {
    throw fail(
      'payload_too_large',
      { zh: `报文超过大小上限（${limits.maxBytes} 字节）`, en: `message exceeds the size limit (${limits.maxBytes} bytes)` },
      { bytes },
    );
  }
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    throw fail('unsupported_encoding', {
      zh: '报文必须使用 UTF-8 编码（不支持 UTF-16）',
      en: 'the message must be UTF-8 (UTF-16 is not supported)',
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    throw fail('unsupported_encoding', {
      zh: '报文不是有效的 UTF-8 编码（GBK/GB18030 报文请先转为 UTF-8）',
      en: 'the message is not valid UTF-8 (convert GBK/GB18030 messages to UTF-8 first)',
    });
  }
}

function checkSafe(xml: string, limits: DecodeLimits): string {
  if (/<!DOCTYPE/i.test(xml)) {
    throw fail('bad_request', { zh: '报文不允许包含 DOCTYPE（DTD）声明', en: 'DOCTYPE (DTD) declarations are not allowed' });
  }
  if (/<!ENTITY/i.test(xml)) {
    throw fail('bad_request', { zh: '报文不允许定义实体（ENTITY）', en: 'ENTITY declarations are not allowed' });
  }
  const decl = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']+)["']/i.exec(xml);
  const encoding = decl?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw fail(
      'unsupported_encoding',
      {
        zh: `不支持报文声明的编码“${encoding}”，请使用 UTF-8（GBK/GB18030 须先转码）`,
        en: `declared encoding "${encoding}" is not supported; send UTF-8 (transcode GBK/GB18030 first)`,
      },
      { encoding },
    );
  }
  // Depth scan: tags outside comments, CDATA and processing instructions.
  const stripped = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, '');
  // Without a DTD only the five predefined entities and character references exist (XML 1.0
  // WFC "Entity Declared"); the parser would otherwise keep `&xxe;` as text or expand HTML names.
  const ref = /&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)([^\s;<&]{0,32};?)/.exec(stripped);
  if (ref) {
    throw fail(
      'bad_request',
      {
        zh: `报文含未声明的实体引用“&${ref[1]}”（只允许 &lt; &gt; &amp; &quot; &apos; 和字符引用）`,
        en: `undeclared entity reference "&${ref[1]}" (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`,
      },
      { entity: ref[1] },
    );
  }
  const tag = /<(\/?)[^\s>/!?]+(?:"[^"]*"|'[^']*'|[^'">])*?(\/?)>/g;
  let depth = 0;
  for (let m = tag.exec(stripped); m; m = tag.exec(stripped)) {
    if (m[1] === '/') depth--;
    else if (m[2] !== '/') {
      depth++;
      if (depth > limits.maxDepth) {
        throw fail('bad_request', {
          zh: `报文嵌套层级超过上限（${limits.maxDepth}）`,
          en: `the message nests deeper than ${limits.maxDepth} levels`,
        });
      }
    }
  }
  return stripped;
}

/**
 * Counts entity elements before the parser runs: a 10 MB message of 10,000 small entities costs
 * seconds of parsing (blocking every other request) only to be refused for its count.
 */
function precountEntities(stripped: string, limits: DecodeLimits): void {
  const root = /<(?:[^\s>/!?:]+:)?([^\s>/!?:]+)[\s>/]/.exec(stripped);
  const spec = root?.[1] ? specByRoot(root[1]) : undefined;
  if (!spec) return;
  const open = new RegExp(`<(?:[^\\s>/!?:]+:)?${spec.entity.element}[\\s>/]`, 'g');
  let count = 0;
  while (open.exec(stripped)) count++;
  tooManyEntities(spec, count, limits);
}

function tooManyEntities(spec: MessageSpec, count: number, limits: DecodeLimits): void {
  const max = Math.min(limits.maxEntities, spec.maxEntities);
  if (count > max) {
    throw fail(
      'bad_request',
      {
        zh: `每个报文最多 ${max} 个 ${spec.entity.element}，实际 ${count} 个`,
        en: `at most ${max} ${spec.entity.element} per message, got ${count}`,
      },
      { count },
    );
  }
}

function parse(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw fail(
      'bad_request',
      {
        zh: `XML 格式错误：${valid.err.msg}（第 ${valid.err.line} 行）`,
        en: `malformed XML: ${valid.err.msg} (line ${valid.err.line})`,
      },
      { line: valid.err.line, col: valid.err.col },
    );
  }
  try {
    return parser.parse(xml) as XmlNode;
  } catch (e) {
    // The validator lets some broken prologs through (`<?xml vers<…`) that the parser then rejects.
    const reason = e instanceof Error ? e.message : String(e);
    throw fail('bad_request', { zh: `XML 格式错误：${reason}`, en: `malformed XML: ${reason}` });
  }
}

interface Root {
  prefix: string;
  local: string;
  node: XmlNode;
}

function rootOf(doc: XmlNode): Root {
  const names = Object.keys(doc).filter((k) => k !== '?xml' && !k.startsWith('#'));
  const name = names[0];
  if (names.length !== 1 || name === undefined) {
    throw fail('bad_request', { zh: '报文必须有且只有一个根元素', en: 'the message must have exactly one root element' });
  }
  const node = (doc[name] as XmlNode[])[0] ?? {};
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', local: name, node } : { prefix: name.slice(0, colon), local: name.slice(colon + 1), node };
}

function namespaceOf(root: Root): string | undefined {
  const v = root.node[root.prefix ? `@xmlns:${root.prefix}` : '@xmlns'];
  return typeof v === 'string' ? v : undefined;
}

function children(node: XmlNode, prefix: string, name: string): XmlNode[] {
  const v = node[prefix ? `${prefix}:${name}` : name];
  return Array.isArray(v)
    ? (v as unknown[]).map((x) => (typeof x === 'object' && x !== null ? (x as XmlNode) : { '#text': x }))
    : [];
}

function textOf(node: XmlNode): string {
  const t = node['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : String(t);
}

function record(node: XmlNode, prefix: string, block: { fields: BlockSpec['fields'] }): CebRecord {
  const out: CebRecord = {};
  for (const f of block.fields) {
    const c = children(node, prefix, f.name)[0];
    if (c !== undefined) out[f.name] = textOf(c);
  }
  return out;
}

function decodeCebRoot(root: Root, spec: MessageSpec, limits: DecodeLimits): CebMessage {
  const { prefix, node } = root;
  const entityNodes = children(node, prefix, spec.entity.element);
  tooManyEntities(spec, entityNodes.length, limits);
  const entities: CebEntity[] = entityNodes.map((en) => {
    const headNode = spec.entity.headElement ? children(en, prefix, spec.entity.headElement)[0] : en;
    const lists: Record<string, CebRecord[]> = {};
    for (const l of spec.entity.lists) lists[l.element] = children(en, prefix, l.element).map((ln) => record(ln, prefix, l));
    return { head: headNode ? record(headNode, prefix, { fields: spec.entity.head }) : {}, lists };
  });
  const message: CebMessage = { messageType: spec.messageType, guid: String(node['@guid'] ?? ''), entities };
  if (typeof node['@version'] === 'string') message.version = node['@version'];
  const first = entities[0]?.head;
  if (first?.appType !== undefined) message.appType = first.appType;
  if (first?.appStatus !== undefined) message.appStatus = first.appStatus;
  if (spec.baseTransfer) {
    const bt = children(node, prefix, 'BaseTransfer')[0];
    if (bt) message.baseTransfer = record(bt, prefix, spec.baseTransfer);
  }
  if (spec.baseSubscribe) {
    const subs = children(node, prefix, 'BaseSubscribe').map((s) => record(s, prefix, spec.baseSubscribe ?? { fields: [] }));
    if (subs.length > 0) message.baseSubscribe = subs;
  }
  return message;
}

/**
 * The general path: safety scan, XMLValidator, fast-xml-parser, tree walk. Every input the fast
 * path below does not take goes here, so refusals (and their messages) are exactly this path's.
 */
function referenceDecodeRaw(xml: string, limits: DecodeLimits, allowEnvelope: boolean): DecodedCeb {
  precountEntities(checkSafe(xml, limits), limits);
  const root = rootOf(parse(xml));
  const ns = namespaceOf(root);
  if (allowEnvelope && root.local === 'DxpMsg') {
    if (ns !== DXP_NAMESPACE) throw wrongNamespace('DxpMsg', DXP_NAMESPACE, ns);
    return referenceEnvelope(root, limits);
  }
  const spec = specByRoot(root.local);
  if (!spec) {
    throw fail(
      'unsupported_media_type',
      { zh: `不支持的报文类型“${root.local}”`, en: `unsupported message type "${root.local}"` },
      { root: root.local },
    );
  }
  if (ns !== CEB_NAMESPACE) throw wrongNamespace(root.local, CEB_NAMESPACE, ns);
  return { message: decodeCebRoot(root, spec, limits) };
}

function wrongNamespace(root: string, expected: string, got: string | undefined): DomainError {
  return fail(
    'bad_request',
    {
      zh: `根元素 ${root} 的命名空间应为 ${expected}，实际为 ${got ?? '（无）'}`,
      en: `root element ${root} must be in namespace ${expected}, got ${got ?? '(none)'}`,
    },
    { expected, got: got ?? null },
  );
}

function referenceEnvelope(root: Root, limits: DecodeLimits): DecodedCeb {
  const { prefix, node } = root;
  const trans = children(node, prefix, 'TransInfo')[0] ?? {};
  const field = (n: string): string => textOf(children(trans, prefix, n)[0] ?? {});
  const receiverIds = children(children(trans, prefix, 'ReceiverIds')[0] ?? {}, prefix, 'ReceiverId').map(textOf);
  const dxp: DxpTransInfo = {
    copMsgId: field('CopMsgId'),
    senderId: field('SenderId'),
    receiverIds,
    creatTime: field('CreatTime'),
    msgType: field('MsgType'),
  };
  const data = textOf(children(node, prefix, 'Data')[0] ?? {});
  return openEnvelope(dxp, data, limits, referenceDecodeRaw);
}

function openEnvelopeText(dataText: string, limits: DecodeLimits): string {
  const data = dataText.replace(/\s+/g, '');
  if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
    throw fail('bad_request', {
      zh: 'DXP 报文的 Data 必须是 Base64 编码的 CEB 报文',
      en: 'DxpMsg Data must be a Base64-encoded CEB message',
    });
  }
  return toText(Buffer.from(data, 'base64'), limits);
}

/** Base64 payload of a DxpMsg → the inner CEB message, which must match the declared MsgType. */
function openEnvelope(
  dxp: DxpTransInfo,
  dataText: string,
  limits: DecodeLimits,
  decodeInner: (xml: string, limits: DecodeLimits, allowEnvelope: boolean) => DecodedCeb,
): DecodedCeb {
  const inner = decodeInner(openEnvelopeText(dataText, limits), limits, false);
  const innerRoot = `${inner.message.messageType}Message`;
  if (dxp.msgType && dxp.msgType !== innerRoot) {
    throw fail(
      'bad_request',
      {
        zh: `DXP MsgType“${dxp.msgType}”与报文根元素 ${innerRoot} 不符`,
        en: `DXP MsgType "${dxp.msgType}" does not match the payload root ${innerRoot}`,
      },
      { msgType: dxp.msgType, root: innerRoot },
    );
  }
  return { message: inner.message, dxp };
}

// --- fast path ----------------------------------------------------------------------------------
//
// One pass over the text that checks well-formedness and builds the spec records directly, with
// no intermediate tree. It takes only a plain subset of XML: an optional `<?xml version encoding
// standalone?>` first, then elements with ASCII names (at most one prefix), quoted attributes
// without `<`, `&` or CR, and text whose only references are &lt; &gt; &amp; &quot; &apos;. No
// comments, CDATA, processing instructions, DOCTYPE or character references. Whatever falls
// outside it — or is outside the limits, or would be refused for any reason — goes to the general
// path, so the fast path never decides a refusal and every refusal keeps its code and message.
// Within the subset its output is the general path's, value for value and key for key (the
// decode tests compare the two on generated and mutated messages).

interface RecordPlan {
  names: readonly string[];
  index: ReadonlyMap<string, number>;
}

interface MessagePlan {
  spec: MessageSpec;
  entity: string;
  /** null: the entity element is itself the head record */
  head: string | null;
  headPlan: RecordPlan;
  lists: readonly string[];
  listPlans: readonly RecordPlan[];
  listIndex: ReadonlyMap<string, number>;
  transfer: RecordPlan | null;
  subscribe: RecordPlan | null;
}

function recordPlan(fields: readonly { name: string }[]): RecordPlan {
  const names = fields.map((f) => f.name);
  return { names, index: new Map(names.map((n, i) => [n, i])) };
}

const PLANS = new Map<MessageSpec, MessagePlan>();

function planOf(spec: MessageSpec): MessagePlan {
  let plan = PLANS.get(spec);
  if (!plan) {
    plan = {
      spec,
      entity: spec.entity.element,
      head: spec.entity.headElement,
      headPlan: recordPlan(spec.entity.head),
      lists: spec.entity.lists.map((l) => l.element),
      listPlans: spec.entity.lists.map((l) => recordPlan(l.fields)),
      listIndex: new Map(spec.entity.lists.map((l, i) => [l.element, i])),
      transfer: spec.baseTransfer ? recordPlan(spec.baseTransfer.fields) : null,
      subscribe: spec.baseSubscribe ? recordPlan(spec.baseSubscribe.fields) : null,
    };
    PLANS.set(spec, plan);
  }
  return plan;
}

// What an open element is, and (for records) where its record goes when it closes.
const K_SKIP = 0;
const K_ROOT = 1;
const K_ENTITY = 2;
const K_RECORD = 3;
const K_TEXT = 4;
const K_ENV_ROOT = 5;
const K_ENV_TRANS = 6;
const K_ENV_RECEIVERS = 7;

const TO_HEAD = 0;
const TO_LIST = 1;
const TO_FLAT_ENTITY = 2;
const TO_TRANSFER = 3;
const TO_SUBSCRIBE = 4;

const ENV_TRANS_FIELDS: ReadonlyMap<string, number> = new Map([
  ['CopMsgId', 0],
  ['SenderId', 1],
  ['CreatTime', 2],
  ['MsgType', 3],
]);

interface Frame {
  name: string;
  kind: number;
  plan: RecordPlan | null;
  /** record values in spec order while the record is open */
  slots: (string | undefined)[];
  target: number;
  list: number;
  /** K_TEXT: slot in the parent; K_ENTITY: head seen */
  slot: number;
  text: string;
  head: CebRecord | undefined;
  rows: CebRecord[][];
}

const newFrame = (): Frame => ({
  name: '',
  kind: K_SKIP,
  plan: null,
  slots: [],
  target: 0,
  list: 0,
  slot: 0,
  text: '',
  head: undefined,
  rows: [],
});

const DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[Uu][Tt][Ff]-?8"|'[Uu][Tt][Ff]-?8'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/;

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;

/** end of an ASCII `NCName(:NCName)?` starting at i, or -1 */
function nameEnd(xml: string, i: number): number {
  if (!isNameStart(xml.charCodeAt(i))) return -1;
  let j = i + 1;
  while (isNameChar(xml.charCodeAt(j))) j++;
  if (xml.charCodeAt(j) === 58) {
    if (!isNameStart(xml.charCodeAt(j + 1))) return -1;
    j += 2;
    while (isNameChar(xml.charCodeAt(j))) j++;
    if (xml.charCodeAt(j) === 58) return -1;
  }
  return j;
}

/** the general parser's own limits (fast-xml-parser 4.5: maxTotalExpansions, maxNestedTags) */
const MAX_EXPANSIONS = 1000;
const MAX_FAST_DEPTH = 64;
/** element names the general parser's object building trips over (`hasOwnProperty`, `__proto__` …) */
const PROTO_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const PREDEFINED = /&(lt|gt|amp|quot|apos);/g;
const PREDEFINED_CHAR: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** `&` at i starts one of the five predefined references */
function predefinedAt(xml: string, i: number): boolean {
  switch (xml.charCodeAt(i + 1)) {
    case 108: // l
    case 103: // g
      return xml.charCodeAt(i + 2) === 116 && xml.charCodeAt(i + 3) === 59; // t;
    case 97: // a
      return xml.startsWith('amp;', i + 1) || xml.startsWith('apos;', i + 1);
    case 113: // q
      return xml.startsWith('quot;', i + 1);
    default:
      return false;
  }
}

/** A text piece as the general parser keeps it: line ends normalised, trimmed, references replaced. */
function textValue(raw: string): string {
  const s = (raw.indexOf('\r') < 0 ? raw : raw.replace(/\r\n?/g, '\n')).trim();
  return s.indexOf('&') < 0 ? s : s.replace(PREDEFINED, (_m, name: string) => PREDEFINED_CHAR[name] ?? '');
}

function openRecord(frame: Frame, plan: RecordPlan, target: number, list: number): void {
  frame.kind = K_RECORD;
  frame.plan = plan;
  frame.target = target;
  frame.list = list;
  // the frame's slot array is reused from record to record; only the first names.length count
  frame.slots.fill(undefined);
  while (frame.slots.length < plan.names.length) frame.slots.push(undefined);
}

function openText(frame: Frame, slot: number): void {
  frame.kind = K_TEXT;
  frame.slot = slot;
  frame.text = '';
}

interface FastCeb {
  kind: 'ceb';
  message: CebMessage;
}
interface FastEnvelope {
  kind: 'envelope';
  dxp: DxpTransInfo;
  data: string;
}

/** The fast path; undefined when the input is outside its subset (the general path decides). */
function fastScan(xml: string, limits: DecodeLimits, allowEnvelope: boolean): FastCeb | FastEnvelope | undefined {
  const n = xml.length;
  let pos = 0;
  if (xml.charCodeAt(0) === 60 && xml.charCodeAt(1) === 63) {
    const decl = DECL.exec(xml);
    if (!decl) return undefined;
    pos = decl[0].length;
  }
  const frames: Frame[] = [];
  let depth = 0;
  let rootDone = false;
  let prefix = '';
  let plan: MessagePlan | null = null;
  let maxEntities = 0;
  let entityCount = 0;
  let guid = '';
  let version: string | undefined;
  const entities: CebEntity[] = [];
  let baseTransfer: CebRecord | undefined;
  let transferSeen = false;
  const baseSubscribe: CebRecord[] = [];
  let envelope = false;
  let transSeen = false;
  let dataSeen = false;
  let receiversSeen = false;
  const envFields: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  const receiverIds: string[] = [];
  let data = '';
  let amp = -2;
  /** &lt; &gt; &quot; &apos; seen: the general parser refuses a document with more than 1000 */
  let expansions = 0;
  const attrNames: string[] = [];
  const attrValues: string[] = [];

  /** local name of a child in the root's prefix, or undefined */
  const local = (name: string): string | undefined => {
    if (prefix === '') return name.indexOf(':') < 0 ? name : undefined;
    return name.length > prefix.length + 1 && name.charCodeAt(prefix.length) === 58 && name.startsWith(prefix)
      ? name.slice(prefix.length + 1)
      : undefined;
  };

  for (;;) {
    const lt = xml.indexOf('<', pos);
    const end = lt < 0 ? n : lt;
    // text from pos to end
    if (end > pos) {
      if (amp !== -1 && amp < pos) amp = xml.indexOf('&', pos);
      while (amp !== -1 && amp < end) {
        if (!predefinedAt(xml, amp)) return undefined;
        if (xml.charCodeAt(amp + 2) !== 109 && ++expansions > MAX_EXPANSIONS) return undefined; // not &amp;
        amp = xml.indexOf('&', amp + 1);
      }
      if (depth === 0) {
        for (let i = pos; i < end; i++) if (!isSpace(xml.charCodeAt(i))) return undefined;
      } else {
        const top = frames[depth - 1] as Frame;
        if (top.kind === K_TEXT) {
          const piece = textValue(xml.slice(pos, end));
          if (piece.length > 0) top.text += piece;
        }
      }
    }
    if (lt < 0) break;
    const c1 = xml.charCodeAt(lt + 1);
    let selfClosing = false;
    if (c1 === 47) {
      // end tag
      if (depth === 0) return undefined;
      const top = frames[depth - 1] as Frame;
      let j = lt + 2 + top.name.length;
      if (!xml.startsWith(top.name, lt + 2)) return undefined;
      while (isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 62) return undefined;
      pos = j + 1;
    } else {
      // start tag
      const ne = nameEnd(xml, lt + 1);
      if (ne < 0) return undefined;
      const name = xml.slice(lt + 1, ne);
      if (PROTO_NAMES.has(name)) return undefined;
      let j = ne;
      attrNames.length = 0;
      attrValues.length = 0;
      for (;;) {
        let c = xml.charCodeAt(j);
        if (isSpace(c)) {
          do c = xml.charCodeAt(++j);
          while (isSpace(c));
          if (c !== 62 && c !== 47) {
            const ae = nameEnd(xml, j);
            if (ae < 0) return undefined;
            const attr = xml.slice(j, ae);
            j = ae;
            while (isSpace(xml.charCodeAt(j))) j++;
            if (xml.charCodeAt(j) !== 61) return undefined;
            j++;
            while (isSpace(xml.charCodeAt(j))) j++;
            const q = xml.charCodeAt(j);
            if (q !== 34 && q !== 39) return undefined;
            const close = xml.indexOf(q === 34 ? '"' : "'", j + 1);
            if (close < 0) return undefined;
            for (let k = j + 1; k < close; k++) {
              const v = xml.charCodeAt(k);
              if (v === 60 || v === 38 || v === 13) return undefined;
            }
            if (attrNames.includes(attr)) return undefined;
            attrNames.push(attr);
            attrValues.push(depth === 0 ? xml.slice(j + 1, close).trim() : '');
            j = close + 1;
            c = xml.charCodeAt(j);
            if (!isSpace(c) && c !== 62 && c !== 47) return undefined;
            continue;
          }
        }
        if (c === 62) {
          pos = j + 1;
          break;
        }
        if (c === 47 && xml.charCodeAt(j + 1) === 62) {
          selfClosing = true;
          pos = j + 2;
          break;
        }
        return undefined;
      }
      if (depth + 1 > limits.maxDepth || depth >= MAX_FAST_DEPTH) return undefined;
      if (plan !== null) {
        // the general path counts every element of that local name before parsing
        const e = plan.entity;
        if (name.endsWith(e) && (name.length === e.length || name.charCodeAt(name.length - e.length - 1) === 58)) {
          if (++entityCount > maxEntities) return undefined;
        }
      }
      const frame = frames[depth] ?? (frames[depth] = newFrame());
      frame.name = name;
      frame.kind = K_SKIP;
      if (depth === 0) {
        if (rootDone) return undefined;
        rootDone = true;
        const colon = name.indexOf(':');
        prefix = colon < 0 ? '' : name.slice(0, colon);
        const rootLocal = colon < 0 ? name : name.slice(colon + 1);
        const nsAt = attrNames.indexOf(prefix ? `xmlns:${prefix}` : 'xmlns');
        const ns = nsAt < 0 ? undefined : attrValues[nsAt];
        if (allowEnvelope && rootLocal === 'DxpMsg') {
          if (ns !== DXP_NAMESPACE) return undefined;
          envelope = true;
          frame.kind = K_ENV_ROOT;
        } else {
          const spec = specByRoot(rootLocal);
          if (!spec || ns !== CEB_NAMESPACE) return undefined;
          plan = planOf(spec);
          maxEntities = Math.min(limits.maxEntities, spec.maxEntities);
          const g = attrNames.indexOf('guid');
          guid = g < 0 ? '' : (attrValues[g] as string);
          const v = attrNames.indexOf('version');
          version = v < 0 ? undefined : attrValues[v];
          frame.kind = K_ROOT;
        }
      } else {
        const parent = frames[depth - 1] as Frame;
        switch (parent.kind) {
          case K_ROOT: {
            const p = plan as MessagePlan;
            const l = local(name);
            if (l === p.entity) {
              if (p.head === null) openRecord(frame, p.headPlan, TO_FLAT_ENTITY, 0);
              else {
                frame.kind = K_ENTITY;
                frame.head = undefined;
                frame.slot = 0;
                frame.rows = p.lists.map(() => []);
              }
            } else if (l === 'BaseTransfer' && p.transfer !== null) {
              if (!transferSeen) {
                transferSeen = true;
                openRecord(frame, p.transfer, TO_TRANSFER, 0);
              }
            } else if (l === 'BaseSubscribe' && p.subscribe !== null) {
              openRecord(frame, p.subscribe, TO_SUBSCRIBE, 0);
            }
            break;
          }
          case K_ENTITY: {
            const p = plan as MessagePlan;
            const l = local(name);
            if (l === undefined) break;
            if (l === p.head) {
              if (parent.slot === 0) {
                parent.slot = 1;
                openRecord(frame, p.headPlan, TO_HEAD, 0);
              }
            } else {
              const li = p.listIndex.get(l);
              if (li !== undefined) openRecord(frame, p.listPlans[li] as RecordPlan, TO_LIST, li);
            }
            break;
          }
          case K_RECORD: {
            const l = local(name);
            if (l === undefined) break;
            const fi = (parent.plan as RecordPlan).index.get(l);
            if (fi !== undefined && parent.slots[fi] === undefined) openText(frame, fi);
            break;
          }
          case K_ENV_ROOT: {
            const l = local(name);
            if (l === 'TransInfo' && !transSeen) {
              transSeen = true;
              frame.kind = K_ENV_TRANS;
            } else if (l === 'Data' && !dataSeen) {
              dataSeen = true;
              openText(frame, 0);
            }
            break;
          }
          case K_ENV_TRANS: {
            const l = local(name);
            if (l === undefined) break;
            if (l === 'ReceiverIds') {
              if (!receiversSeen) {
                receiversSeen = true;
                frame.kind = K_ENV_RECEIVERS;
              }
            } else {
              const fi = ENV_TRANS_FIELDS.get(l);
              if (fi !== undefined && envFields[fi] === undefined) openText(frame, fi);
            }
            break;
          }
          case K_ENV_RECEIVERS:
            if (local(name) === 'ReceiverId') openText(frame, 0);
            break;
          default:
            break;
        }
      }
      depth++;
      if (!selfClosing) continue;
    }
    // close the top frame (an end tag, or a self-closing start tag)
    depth--;
    const top = frames[depth] as Frame;
    switch (top.kind) {
      case K_TEXT: {
        const parent = frames[depth - 1] as Frame;
        if (parent.kind === K_RECORD) parent.slots[top.slot] = top.text;
        else if (parent.kind === K_ENV_ROOT) data = top.text;
        else if (parent.kind === K_ENV_TRANS) envFields[top.slot] = top.text;
        else receiverIds.push(top.text);
        break;
      }
      case K_RECORD: {
        const p = top.plan as RecordPlan;
        const rec: CebRecord = {};
        for (let i = 0; i < p.names.length; i++) {
          const v = top.slots[i];
          if (v !== undefined) rec[p.names[i] as string] = v;
        }
        switch (top.target) {
          case TO_HEAD:
            (frames[depth - 1] as Frame).head = rec;
            break;
          case TO_LIST:
            ((frames[depth - 1] as Frame).rows[top.list] as CebRecord[]).push(rec);
            break;
          case TO_FLAT_ENTITY:
            entities.push({ head: rec, lists: {} });
            break;
          case TO_TRANSFER:
            baseTransfer = rec;
            break;
          default:
            baseSubscribe.push(rec);
        }
        break;
      }
      case K_ENTITY: {
        const p = plan as MessagePlan;
        const lists: Record<string, CebRecord[]> = {};
        for (let i = 0; i < p.lists.length; i++) lists[p.lists[i] as string] = top.rows[i] as CebRecord[];
        entities.push({ head: top.head ?? {}, lists });
        break;
      }
      default:
        break;
    }
  }
  if (depth !== 0 || !rootDone) return undefined;
  if (envelope) {
    return {
      kind: 'envelope',
      dxp: {
        copMsgId: envFields[0] ?? '',
        senderId: envFields[1] ?? '',
        receiverIds,
        creatTime: envFields[2] ?? '',
        msgType: envFields[3] ?? '',
      },
      data,
    };
  }
  const spec = (plan as MessagePlan).spec;
  const message: CebMessage = { messageType: spec.messageType, guid, entities };
  if (version !== undefined) message.version = version;
  const first = entities[0]?.head;
  if (first?.appType !== undefined) message.appType = first.appType;
  if (first?.appStatus !== undefined) message.appStatus = first.appStatus;
  if (spec.baseTransfer && baseTransfer) message.baseTransfer = baseTransfer;
  if (spec.baseSubscribe && baseSubscribe.length > 0) message.baseSubscribe = baseSubscribe;
  return { kind: 'ceb', message };
}

function decodeRaw(xml: string, limits: DecodeLimits, allowEnvelope: boolean): DecodedCeb {
  const fast = fastScan(xml, limits, allowEnvelope);
  if (fast === undefined) return referenceDecodeRaw(xml, limits, allowEnvelope);
  if (fast.kind === 'ceb') return { message: fast.message };
  return openEnvelope(fast.dxp, fast.data, limits, decodeRaw);
}

/** Decodes a CEB message or a DxpMsg envelope. Throws DomainError `ceb.*` on unsafe or unknown input. */
export function decodeCeb(input: string | Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedCeb {
  const l = { ...DEFAULT_DECODE_LIMITS, ...limits };
  return decodeRaw(toText(input, l), l, true);
}

/**
 * The fast path alone: undefined where it hands over to the general path. For the tests and
 * bench/decode.bench.ts, to show which inputs the fast path itself takes.
 */
export function decodeCebFastOnly(input: string | Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedCeb | undefined {
  const l = { ...DEFAULT_DECODE_LIMITS, ...limits };
  const fast = fastScan(toText(input, l), l, true);
  if (fast === undefined || fast.kind === 'ceb') return fast && { message: fast.message };
  const inner = fastScan(openEnvelopeText(fast.data, l), l, false);
  return inner?.kind === 'ceb' ? openEnvelope(fast.dxp, fast.data, l, () => ({ message: inner.message })) : undefined;
}

/**
 * The general path alone, for every input (the decoder before the fast path existed). Tests and
 * bench/decode.bench.ts compare against it; the application uses decodeCeb.
 */
export function decodeCebReference(input: string | Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedCeb {
  const l = { ...DEFAULT_DECODE_LIMITS, ...limits };
  return referenceDecodeRaw(toText(input, l), l, true);
}
