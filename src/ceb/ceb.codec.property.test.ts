import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../kernel/errors.ts';
import { SAMPLE_MESSAGES } from './ceb.samples.ts';
import { decodeCeb, encodeCeb, EXPORT_MESSAGE_TYPES, validateCeb, type CebMessage } from './index.ts';

// Text a CEB field can carry through XML: no control characters XML 1.0 forbids, no lone
// surrogates, no CR (XML normalises line ends), no leading/trailing white space (values are trimmed).
const xmlText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(...'<>&"\']]>;#x中文青花瓷€\t\n '),
      fc.string({ minLength: 1, maxLength: 1 }),
      fc.constantFrom('𠀀', '😀'),
    ),
    minLength: 1,
    maxLength: 40,
  })
  .filter((s) => s.trim() === s && s.length > 0 && ![...s].some(forbidden));

/** Characters XML 1.0 cannot carry, plus CR (normalised to LF by any XML parser). */
function forbidden(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff);
}

const FIXED = new Set(['guid', 'appType', 'appStatus']);

/** A sample message whose head and list values are replaced by arbitrary text. */
const messageArb = fc.constantFrom(...EXPORT_MESSAGE_TYPES).chain((type) => {
  const sample = SAMPLE_MESSAGES[type];
  const entity = sample.entities[0]!;
  const headKeys = Object.keys(entity.head).filter((k) => !FIXED.has(k));
  const lists = Object.entries(entity.lists).map(([name, rows]) => ({ name, keys: Object.keys(rows[0] ?? {}) }));
  const record = (keys: string[]) =>
    fc.record(Object.fromEntries(keys.map((k) => [k, xmlText])) as Record<string, fc.Arbitrary<string>>, {
      noNullPrototype: true,
    });
  return fc
    .tuple(record(headKeys), fc.tuple(...lists.map((l) => fc.array(record(l.keys), { minLength: 1, maxLength: 3 }))))
    .map(([head, listRows]): CebMessage => ({
      ...sample,
      entities: [
        {
          head: { ...entity.head, ...head },
          lists: Object.fromEntries(lists.map((l, i) => [l.name, listRows[i] ?? []])),
        },
      ],
    }));
});

test('decode ∘ encode is the identity for any field text (escaping, CJK, astral characters)', () => {
  fc.assert(
    fc.property(messageArb, (m) => {
      const xml = encodeCeb(m);
      const { message } = decodeCeb(xml);
      assert.deepEqual(message.entities, m.entities);
      assert.equal(message.guid, m.guid);
      assert.equal(message.messageType, m.messageType);
      assert.deepEqual(message.baseTransfer, m.baseTransfer);
      // and from bytes, as the route receives it
      assert.deepEqual(decodeCeb(Buffer.from(xml, 'utf8')).message, message);
    }),
    { numRuns: 300 },
  );
});

test('decode never fails with anything but a ceb.* DomainError, whatever the bytes', () => {
  const check = (input: string | Uint8Array): void => {
    try {
      decodeCeb(input);
    } catch (e) {
      assert.ok(e instanceof DomainError, `not a DomainError: ${String(e)}`);
      assert.match(e.code, /^ceb\./);
    }
  };
  fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 500 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 500 });
});

test('decode of a mutated valid message: a ceb.* error or a message, never a crash', () => {
  const xml = encodeCeb(SAMPLE_MESSAGES.CEB603);
  const mutation = fc.array(
    fc.record({
      at: fc.nat({ max: xml.length - 1 }),
      cut: fc.nat({ max: 20 }),
      insert: fc.oneof(
        fc.constantFrom('<', '>', '&', '<!DOCTYPE x>', '&amp;', '</ceb:InventoryHead>', '<![CDATA[', ']]>', '"', '<?x?>', '<!--'),
        fc.string({ maxLength: 5 }),
      ),
    }),
    { minLength: 1, maxLength: 4 },
  );
  fc.assert(
    fc.property(mutation, (edits) => {
      let s = xml;
      for (const e of edits) s = s.slice(0, e.at) + e.insert + s.slice(e.at + e.cut);
      try {
        const { message } = decodeCeb(s);
        // whatever decodes must still be something the validator can judge without throwing
        assert.ok(Array.isArray(validateCeb(message)));
      } catch (e) {
        assert.ok(e instanceof DomainError, `not a DomainError: ${String(e)}`);
        assert.match(e.code, /^ceb\./);
      }
    }),
    { numRuns: 500 },
  );
});
