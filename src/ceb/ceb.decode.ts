/**
 * Safe CEB XML decoding (DESIGN.md §5): no DTD, no entities, size and depth limits, UTF-8 only,
 * root element and namespace checked. A raw `CEBxxxMessage` or a DXP `DxpMsg` envelope decodes to
 * the same plain shape a JSON REST body has; every value stays a string.
 *
 * Two paths with one result (issue #4, ADR 0021): a single-pass fast path for the plain XML that
 * senders actually produce (ceb.decode.fast.ts), and the general path here (safety scan,
 * XMLValidator, fast-xml-parser) for everything else, including every input that is refused.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError, type Bilingual } from '../kernel/errors.ts';
import { fastScan } from './ceb.decode.fast.ts';
import {
  DEFAULT_DECODE_LIMITS,
  type CebEntity,
  type CebMessage,
  type CebRecord,
  type DecodedCeb,
  type DecodeLimits,
  type DxpTransInfo,
} from './ceb.message.ts';
import { CEB_NAMESPACE, DXP_NAMESPACE, specByRoot, type BlockSpec, type MessageSpec } from './ceb.specs.ts';

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
  // An element of the message's namespace that the spec does not have (a misspelt or invented
  // field) is kept, so validation refuses it by name as the XSD would, instead of dropping its
  // value unseen. Elements of other namespaces stay ignored.
  for (const key of Object.keys(node)) {
    if (key.startsWith('@') || key.startsWith('#')) continue;
    const colon = key.indexOf(':');
    const keyPrefix = colon < 0 ? '' : key.slice(0, colon);
    if (keyPrefix !== prefix) continue;
    const name = colon < 0 ? key : key.slice(colon + 1);
    if (Object.hasOwn(out, name) || block.fields.some((f) => f.name === name)) continue;
    const c = children(node, prefix, name)[0];
    // defined, not assigned: a field named __proto__ must stay a field, to be refused by name
    if (c !== undefined)
      Object.defineProperty(out, name, { value: textOf(c), enumerable: true, writable: true, configurable: true });
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
  return { message: decodeCebRoot(root, spec, limits), xml };
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
  const xml = openEnvelopeText(dataText, limits);
  const inner = decodeInner(xml, limits, false);
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
  return { message: inner.message, dxp, xml };
}

function decodeRaw(xml: string, limits: DecodeLimits, allowEnvelope: boolean): DecodedCeb {
  const fast = fastScan(xml, limits, allowEnvelope);
  if (fast === undefined) return referenceDecodeRaw(xml, limits, allowEnvelope);
  if (fast.kind === 'ceb') return { message: fast.message, xml };
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
  const text = toText(input, l);
  const fast = fastScan(text, l, true);
  if (fast === undefined || fast.kind === 'ceb') return fast && { message: fast.message, xml: text };
  const innerText = openEnvelopeText(fast.data, l);
  const inner = fastScan(innerText, l, false);
  return inner?.kind === 'ceb'
    ? openEnvelope(fast.dxp, fast.data, l, () => ({ message: inner.message, xml: innerText }))
    : undefined;
}

/**
 * The general path alone, for every input (the decoder before the fast path existed). Tests and
 * bench/decode.bench.ts compare against it; the application uses decodeCeb.
 */
export function decodeCebReference(input: string | Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedCeb {
  const l = { ...DEFAULT_DECODE_LIMITS, ...limits };
  return referenceDecodeRaw(toText(input, l), l, true);
}
