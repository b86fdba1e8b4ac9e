/**
 * The fast path of CEB XML decoding (ADR 0021). Used only through decodeCeb (ceb.decode.ts), which
 * hands whatever this declines to the general path.
 */
import type { CebEntity, CebMessage, CebRecord, DecodeLimits, DxpTransInfo } from './ceb.message.ts';
import { CEB_NAMESPACE, DXP_NAMESPACE, specByRoot, type MessageSpec } from './ceb.specs.ts';

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
export function fastScan(xml: string, limits: DecodeLimits, allowEnvelope: boolean): FastCeb | FastEnvelope | undefined {
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
            // A field the spec does not have is refused by validation (as the XSD would): the
            // general path carries it into the record, so it is named in the error.
            if (fi === undefined) return undefined;
            if (parent.slots[fi] === undefined) openText(frame, fi);
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
