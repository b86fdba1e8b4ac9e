import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { blockMessages, makeParcel } from '../../test/support/parcels.ts';
import { DomainError } from '../kernel/errors.ts';
import { decodeCeb, decodeCebFastOnly, decodeCebReference } from './ceb.decode.ts';
import type { DecodeLimits } from './ceb.message.ts';
import { SAMPLE_MESSAGES } from './ceb.samples.ts';
import { checkFieldReference, validateCebReference } from './ceb.validate.reference.ts';
import {
  checkField,
  encodeCeb,
  EXPORT_MESSAGE_TYPES,
  MESSAGE_SPECS,
  validateCeb,
  type CebMessage,
  type FieldSpec,
} from './index.ts';

/**
 * The fast decoder and the precompiled validator (issue #4) against the implementations they
 * replaced: the same output, key for key, for every input either takes, and the same refusal —
 * code, bilingual message and details — for every input either refuses.
 */

type Outcome = { ok: true; value: unknown; json: string } | { ok: false; error: unknown };

function outcome(f: () => unknown): Outcome {
  try {
    const value = f();
    return { ok: true, value, json: JSON.stringify(value) };
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: { code: e.code, message: e.message, details: e.details } };
    return {
      ok: false,
      error: { name: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message : String(e) },
    };
  }
}

function sameOutcome(a: Outcome, b: Outcome, label: string): void {
  assert.equal(
    a.ok,
    b.ok,
    `${label}: ${JSON.stringify(a.ok ? 'decoded' : a.error)} vs ${JSON.stringify(b.ok ? 'decoded' : b.error)}`,
  );
  if (a.ok && b.ok) {
    assert.deepStrictEqual(a.value, b.value, label);
    assert.equal(a.json, b.json, `${label}: key order`);
  } else if (!a.ok && !b.ok) assert.deepStrictEqual(a.error, b.error, label);
}

function sameDecode(input: string | Uint8Array, label: string, limits: Partial<DecodeLimits> = {}): Outcome {
  const fast = outcome(() => decodeCeb(input, limits));
  sameOutcome(
    fast,
    outcome(() => decodeCebReference(input, limits)),
    label,
  );
  return fast;
}

/** the fast path itself took the input (threw a refusal it shares with the general path, or decoded it) */
function fastTakes(input: string): boolean {
  try {
    return decodeCebFastOnly(input) !== undefined;
  } catch {
    return false;
  }
}

function sameValidation(message: unknown, label: string): void {
  sameOutcome(
    outcome(() => validateCeb(message as CebMessage)),
    outcome(() => validateCebReference(message as CebMessage)),
    label,
  );
}

const envelope = (inner: string, msgType: string, attrs = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<DxpMsg ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp"${attrs}>
  <TransInfo>
    <CopMsgId>MSG-0001</CopMsgId>
    <SenderId>DXPENT3601980099</SenderId>
    <ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId><ReceiverId> DXPEDCCEB0000003 </ReceiverId></ReceiverIds>
    <CreatTime>2026-11-26T10:30:00</CreatTime>
    <MsgType>${msgType}</MsgType>
  </TransInfo>
  <Data>${Buffer.from(inner, 'utf8')
    .toString('base64')
    .replace(/(.{76})/g, '$1\n')}</Data>
</DxpMsg>`;

/** Every generated message of a few blocks, each type, plus the samples (100-entity blocks: the bench). */
function corpus(): { label: string; message: CebMessage }[] {
  const out: { label: string; message: CebMessage }[] = [];
  for (const [block, size, run] of [
    [1, 30, 'A'],
    [2, 7, 'B'],
    [3, 1, 'C'],
  ] as const) {
    const parcels = Array.from({ length: size }, (_, i) => makeParcel(block * 1000 + i, run));
    for (const m of blockMessages(block, parcels, run))
      out.push({ label: `block ${block} ${m.message.messageType}`, message: m.message });
  }
  for (const [type, m] of Object.entries(SAMPLE_MESSAGES)) out.push({ label: `sample ${type}`, message: m });
  return out;
}

/** Spellings of the same document that a conforming sender may produce. */
const VARIANTS: [string, (xml: string) => string][] = [
  ['as encoded', (x) => x],
  ['CRLF line ends', (x) => x.replace(/\n/g, '\r\n')],
  ['CR inside values', (x) => x.replace(/<ceb:note>/g, '<ceb:note>a\r\nb\rc')],
  ['no declaration', (x) => x.replace(/^<\?xml[^>]*>\n/, '')],
  [
    'single quotes, standalone',
    (x) => x.replace('<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>"),
  ],
  ['other prefix', (x) => x.replace(/(<\/?)ceb:/g, '$1c:').replace('xmlns:ceb=', 'xmlns:c=')],
  ['default namespace', (x) => x.replace(/(<\/?)ceb:/g, '$1').replace('xmlns:ceb=', 'xmlns=')],
  ['white space in tags', (x) => x.replace(/<\/(ceb:\w+)>/g, '</$1 \n>').replace(/<(ceb:\w+)>/g, '<$1\t>')],
  [
    'empty fields self-closed',
    (x) => x.replace(/<ceb:(\w+)>0<\/ceb:\1>/g, '<ceb:$1/>').replace(/<ceb:(\w+)>1<\/ceb:\1>/g, '<ceb:$1 />'),
  ],
  ['padded values', (x) => x.replace(/<ceb:(\w+)>([^<]+)<\/ceb:\1>/g, '<ceb:$1>\n   $2\u3000 </ceb:$1>')],
  ['attributes on fields', (x) => x.replace(/<ceb:(orderNo|itemNo|guid)>/g, '<ceb:$1 a="1" b=\'>x\'>')],
  ['escaped text', (x) => x.replace(/<ceb:(ebpName|itemName)>/g, '<ceb:$1>&lt;&amp;&gt;&quot;&apos;&amp;lt;')],
  [
    'unknown elements',
    (x) =>
      x.replace(
        /<\/ceb:BaseTransfer>/,
        '</ceb:BaseTransfer>\n<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo Algorithm="x"/><ceb:Orders/></ds:Signature><ceb:ExtendMessage><ceb:note>x</ceb:note></ceb:ExtendMessage>',
      ),
  ],
  [
    'foreign-prefixed fields',
    (x) => x.replace(/<ceb:(\w+Head|Logistics|Receipts)>/g, '<ceb:$1><x:guid xmlns:x="urn:x">ignored</x:guid>'),
  ],
  ['duplicate fields', (x) => x.replace(/(<ceb:(currency|orderNo|appType)>[^<]*<\/ceb:\2>)/g, '$1<ceb:$2>second</ceb:$2>')],
  ['fields out of order', (x) => x.replace(/(<ceb:guid>[^<]*<\/ceb:guid>)(\s*)(<ceb:appType>[^<]*<\/ceb:appType>)/g, '$3$2$1')],
  ['mixed content in fields', (x) => x.replace(/<ceb:(note|goodsInfo|itemName)>/g, '<ceb:$1> a <ceb:b>in</ceb:b> b <ceb:b/>')],
  ['text in structure', (x) => x.replace(/<ceb:(Order|Inventory|OrderHead)>/g, '<ceb:$1>stray &amp; text')],
  ['head repeated', (x) => x.replace(/(<ceb:(OrderHead|InventoryHead)>[\s\S]*?<\/ceb:\2>)/g, '$1$1')],
  ['BaseTransfer twice', (x) => x.replace(/(<ceb:BaseTransfer>[\s\S]*?<\/ceb:BaseTransfer>)/, '$1$1')],
  [
    'BaseSubscribe',
    (x) =>
      x.replace(
        /<\/ceb:BaseTransfer>/,
        '</ceb:BaseTransfer><ceb:BaseSubscribe><ceb:status>1</ceb:status><ceb:dxpAddress>A</ceb:dxpAddress></ceb:BaseSubscribe><ceb:BaseSubscribe/>',
      ),
  ],
  [
    'no version, guid padded',
    (x) => x.replace(/(<ceb:CEB\d+Message[^>]*?) version="[^"]*"/, '$1').replace(/guid="([^"]*)"/, 'guid="  $1 "'),
  ],
  [
    'empty entities',
    (x) =>
      x
        .replace(/<ceb:(\w+)>\s*<ceb:\w+Head>[\s\S]*?<\/ceb:\1>/, '<ceb:$1/>')
        .replace(/<ceb:(\w+)>\s*<ceb:\w+Head>[\s\S]*?<\/ceb:\1>/, '<ceb:$1></ceb:$1>'),
  ],
  ['root self-closed', (x) => x.replace(/(<ceb:CEB\d+Message[^>]*)>[\s\S]*/, '$1/>')],
  ['BOM', (x) => `\uFEFF${x}`],
];

describe('fast decode = reference decode', () => {
  const messages = corpus();

  test('every generated message, in every spelling, as text and as bytes, raw and enveloped', () => {
    const notFast = new Set<string>();
    for (const { label, message } of messages) {
      const xml = encodeCeb(message);
      for (const [name, variant] of VARIANTS) {
        const x = variant(xml);
        const o = sameDecode(x, `${label} / ${name}`);
        assert.ok(o.ok, `${label} / ${name} decodes`);
        // the fast path itself takes every one of these spellings (not the general path behind it)
        if (!fastTakes(x)) notFast.add(name);
        sameDecode(Buffer.from(x, 'utf8'), `${label} / ${name} (bytes)`);
        sameValidation((o.value as { message: CebMessage }).message, `${label} / ${name} validation`);
      }
      const env = envelope(xml, `${message.messageType}Message`);
      assert.ok(sameDecode(env, `${label} / envelope`).ok);
      if (!fastTakes(env)) notFast.add('envelope');
      sameDecode(envelope(xml, 'CEB999Message'), `${label} / envelope with the wrong MsgType`);
    }
    assert.deepEqual([...notFast], []);
  });

  test('the decoded generated messages are what was encoded', () => {
    for (const { label, message } of messages) {
      const decoded = decodeCeb(encodeCeb(message)).message;
      assert.deepEqual(
        decoded.entities.map((e) => e.head),
        message.entities.map((e) => e.head),
        label,
      );
    }
  });

  test('refusals are the reference refusals', () => {
    const xml = encodeCeb(blockMessages(9, [makeParcel(1, 'R'), makeParcel(2, 'R')], 'R')[0]!.message);
    const cases: [string, string | Uint8Array, Partial<DecodeLimits>?][] = [
      ['DOCTYPE', xml.replace('?>', '?><!DOCTYPE x [<!ENTITY a "b">]>')],
      ['undeclared entity', xml.replace('<ceb:note>', '<ceb:note>&xxe;')],
      ['character reference', xml.replace('<ceb:ebpName>', '<ceb:ebpName>&#60;&#x3C;')],
      ['comment', xml.replace('<ceb:Order>', '<ceb:Order><!-- c -->')],
      ['CDATA', xml.replace('<ceb:ebpName>', '<ceb:ebpName><![CDATA[<x>]]>')],
      ['processing instruction', xml.replace('<ceb:Order>', '<ceb:Order><?pi x?>')],
      ['deep', xml.replace('<ceb:Order>', `<ceb:Order>${'<a>'.repeat(40)}${'</a>'.repeat(40)}`)],
      ['deep (limit)', xml, { maxDepth: 3 }],
      ['wrong namespace', xml.replace('http://www.chinaport.gov.cn/ceb', 'urn:evil')],
      ['unknown root', xml.replace(/CEB303Message/g, 'CEB999Message')],
      ['unclosed', xml.replace('</ceb:OrderHead>', '')],
      ['two roots', `${xml}<ceb:CEB303Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>`],
      ['text after root', `${xml}x`],
      ['duplicate attribute', xml.replace('version="1.0"', 'version="1.0" version="1.1"')],
      ['attribute without space', xml.replace('version="1.0" ', 'version="1.0"')],
      ['boolean attribute', xml.replace('<ceb:Order>', '<ceb:Order checked>')],
      ['< in attribute', xml.replace('version="1.0"', 'version="<1"')],
      ['& in attribute', xml.replace('version="1.0"', 'version="&amp;"')],
      ['declaration not first', ` ${xml}`],
      ['GBK declared', xml.replace('UTF-8', 'GBK')],
      ['too large', xml, { maxBytes: 1000 }],
      ['too many entities', xml, { maxEntities: 1 }],
      ['hasOwnProperty element', xml.replace('<ceb:Order>', '<ceb:Order><hasOwnProperty/><x/><x/>')],
      ['unknown field in a head', xml.replace('<ceb:orderNo>', '<ceb:weight>1</ceb:weight><ceb:orderNo>')],
      ['unknown field in a line', xml.replace('<ceb:gnum>', '<ceb:brand>x</ceb:brand><ceb:gnum>')],
      ['hasOwnProperty field', xml.replace('<ceb:orderNo>', '<ceb:hasOwnProperty/><ceb:orderNo>')],
      ['1001 references', xml.replace('<ceb:note>', `<ceb:note>${'&lt;'.repeat(1001)}`)],
      ['1000 references', xml.replace('<ceb:ebpName>', `<ceb:ebpName>${'&gt;&amp;'.repeat(1000)}`)],
      ['envelope with bad Base64', envelope(xml, 'CEB303Message').replace(/<Data>[^<]*/, '<Data>!!')],
      ['envelope, wrong namespace', envelope(xml, 'CEB303Message').replace('/dxp"', '/dxx"')],
      ['envelope inside envelope', envelope(envelope(xml, 'CEB303Message'), 'DxpMsg')],
      ['envelope with a malformed payload', envelope(xml.replace('</ceb:OrderHead>', ''), 'CEB303Message')],
      ['not UTF-8', Buffer.from([0x3c, 0x61, 0x3e, 0xc7, 0xe0, 0x3c, 0x2f, 0x61, 0x3e])],
      ['UTF-16 BOM', Buffer.from([0xff, 0xfe, 0x3c, 0x00])],
    ];
    for (const [label, input, limits] of cases) sameDecode(input, label, limits);
    assert.equal(sameDecode(cases[0]![1], 'DOCTYPE').ok, false);
  });

  test('mutated messages: the same message or the same refusal', () => {
    const sources = [
      encodeCeb(SAMPLE_MESSAGES.CEB603),
      encodeCeb(SAMPLE_MESSAGES.CEB303).replace(/<ceb:note>/g, '<ceb:note a="1">&amp;'),
      envelope(encodeCeb(SAMPLE_MESSAGES.CEB505), 'CEB505Message'),
    ];
    const token = fc.oneof(
      fc.constantFrom(
        '<',
        '>',
        '/',
        '&',
        '"',
        "'",
        '=',
        ' ',
        ':',
        '\r',
        '\r\n',
        '\u3000',
        '\uFEFF',
        '?>',
        '/>',
        '</',
        '<a>',
        '</a>',
        '<a/>',
        '&amp;',
        '&lt;',
        '&#60;',
        '&#x3C;',
        '&nbsp;',
        '&xxe;',
        '<!DOCTYPE x>',
        '<!--',
        '-->',
        '<![CDATA[',
        ']]>',
        '<?x?>',
        '<?xml version="1.0"?>',
        ' b="2"',
        " b='2'",
        ' b',
        'xmlns:ceb="urn:x"',
        '<ceb:Order>',
        '</ceb:Order>',
        '<ceb:note>',
        '</ceb:note>',
        '<ceb:InventoryList>',
        '<ceb:BaseTransfer>',
        '<hasOwnProperty/>',
        '<__proto__/>',
        'ceb:',
        'é',
      ),
      fc.string({ maxLength: 4 }),
    );
    const mutation = fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 12 }), insert: token }), {
      minLength: 1,
      maxLength: 4,
    });
    let fast = 0;
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), mutation, (which, edits) => {
        let s = sources[which]!;
        for (const e of edits) {
          const at = e.at % (s.length + 1);
          s = s.slice(0, at) + e.insert + s.slice(at + e.cut);
        }
        const o = sameDecode(s, 'mutated');
        if (o.ok) sameValidation((o.value as { message: CebMessage }).message, 'mutated, validated');
        if (fastTakes(s)) fast++;
      }),
      { numRuns: 3000 },
    );
    // enough of the mutants stay inside the fast path for the comparison to mean something
    assert.ok(fast > 40, `${fast} of 3000 mutants took the fast path`);
  });

  test('random small documents: the same message or the same refusal', () => {
    const name = fc.constantFrom(
      'ceb:Order',
      'ceb:OrderHead',
      'ceb:OrderList',
      'ceb:guid',
      'ceb:note',
      'ceb:qty',
      'Order',
      'x:note',
      'ceb:BaseTransfer',
      'ceb:copCode',
      'a',
      'toString',
    );
    const text = fc.oneof(
      fc.constantFrom('', ' ', '1', ' x ', '&amp;', '&lt;b', '\r\n', '&#1;', '&q;'),
      fc.string({ maxLength: 3 }),
    );
    const attr = fc.constantFrom(
      '',
      ' a="1"',
      " a='&'",
      ' a="1" a="2"',
      ' b="<"',
      ' c',
      ' xmlns:ceb="http://www.chinaport.gov.cn/ceb"',
    );
    const { tree } = fc.letrec<{ tree: string }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        text,
        fc
          .tuple(name, attr, fc.array(tie('tree'), { maxLength: 4 }), fc.boolean())
          .map(([n, a, kids, selfClose]) =>
            selfClose && kids.length === 0 ? `<${n}${a}/>` : `<${n}${a}>${kids.join('')}</${n}>`,
          ),
      ),
    }));
    let fast = 0;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 5 }), fc.constantFrom('', '<?xml version="1.0"?>\n'), (kids, decl) => {
        const doc = `${decl}<ceb:CEB303Message guid="g" xmlns:ceb="http://www.chinaport.gov.cn/ceb">${kids.join('')}</ceb:CEB303Message>`;
        const o = sameDecode(doc, doc);
        if (o.ok) sameValidation((o.value as { message: CebMessage }).message, doc);
        if (fastTakes(doc)) fast++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(fast > 300, `${fast} of 3000 documents took the fast path`);
  });
});

describe('precompiled validation = reference validation', () => {
  test('arbitrary values in every field of every export message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPORT_MESSAGE_TYPES),
        fc.nat(),
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.constantFrom(
            '',
            '0',
            '00.10',
            '1.',
            '.5',
            '1e3',
            '-1',
            '99999999999999999999',
            '２',
            '20260230103000',
            '20000229',
            '19000229',
            '00500101',
          ),
          fc.stringMatching(/^[0-9]{1,20}(\.[0-9]{0,7})?$/),
        ),
        (type, at, value) => {
          const m = structuredClone(SAMPLE_MESSAGES[type]) as CebMessage;
          const head = m.entities[0]!.head as Record<string, unknown>;
          const keys = Object.keys(head);
          head[keys[at % keys.length]!] = value;
          sameValidation(m, `${type} ${keys[at % keys.length]} = ${fc.stringify(value)}`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('broken shapes', () => {
    const base = SAMPLE_MESSAGES.CEB303;
    const shapes: unknown[] = [
      { ...base, messageType: 'X' },
      { ...base, entities: 'x' },
      { ...base, entities: [null] },
      { ...base, entities: [{ head: [], lists: { OrderList: 'x' } }] },
      { ...base, entities: [{ head: { extra: 1 }, lists: { OrderList: [null, 1, {}] } }] },
      { ...base, entities: Array.from({ length: 101 }, () => base.entities[0]) },
      { ...base, guid: 7, version: '' },
      { ...base, baseTransfer: undefined },
      { ...base, baseSubscribe: [{}, { status: 'x' }, 1, 2, 3, 4] },
    ];
    for (const [i, s] of shapes.entries()) sameValidation(s, `shape ${i}`);
  });

  test('every date, decimal and integer spelling that matters', () => {
    const field = (type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({
      name: 'x',
      type,
      required: true,
      order: 0,
      ...extra,
    });
    const specs = [
      field('date8'),
      field('date14'),
      field('date17'),
      field('decimal'),
      field('decimal', { totalDigits: 4, fractionDigits: 0 }),
      field('integer'),
      field('integer', { totalDigits: 2 }),
    ];
    const values: string[] = [];
    for (const y of [0, 1, 99, 100, 1582, 1899, 1900, 2000, 2024, 2100, 2400, 9999])
      for (let mo = 0; mo <= 13; mo++)
        for (const d of [0, 1, 28, 29, 30, 31, 32])
          values.push(`${String(y).padStart(4, '0')}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}`);
    const times = ['000000', '235959', '240000', '236000', '235960', '999999'];
    const withTimes = values.flatMap((v) => times.map((t) => v + t));
    const all = [
      ...values,
      ...withTimes,
      ...withTimes.map((v) => `${v}123`),
      '0',
      '00',
      '0.0',
      '0.00000',
      '000123.45000',
      '1.123456',
      '123456789012345.12345',
      '1234567890123456789',
      '12345678901234567890',
      '10000',
      '9999',
      '0009999',
      '1.0',
      '1.',
      '.1',
      '+1',
      '１',
    ];
    for (const f of specs)
      for (const v of all) assert.deepStrictEqual(checkField('p', f, v), checkFieldReference('p', f, v), `${f.type} ${v}`);
  });

  test('lengths count characters like the reference (astral, lone surrogates)', () => {
    const f: FieldSpec = { name: 'x', type: 'string', required: false, order: 0, minLength: 2, maxLength: 3 };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '中', '😀', '\uD800', '\uDC00'), maxLength: 6 }), (v) =>
        assert.deepStrictEqual(checkField('p', f, v), checkFieldReference('p', f, v)),
      ),
    );
    const spec = MESSAGE_SPECS.CEB303.entity.head.find((x) => x.name === 'guid')!;
    assert.deepStrictEqual(checkField('p', spec, 'x'.repeat(36)), []);
  });
});
