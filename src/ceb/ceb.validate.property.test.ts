import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SAMPLE_MESSAGES } from './ceb.samples.ts';
import { checkField, decodeCeb, encodeCeb, EXPORT_MESSAGE_TYPES, validateCeb, type CebMessage, type FieldSpec } from './index.ts';

const decimalField: FieldSpec = {
  name: 'goodsValue',
  type: 'decimal',
  required: true,
  totalDigits: 19,
  fractionDigits: 5,
} as FieldSpec;

test('validateCeb never throws and always answers field problems, whatever the JSON', () => {
  fc.assert(
    fc.property(fc.constantFrom(...EXPORT_MESSAGE_TYPES), fc.string({ maxLength: 20 }), fc.anything(), (type, key, value) => {
      const sample = structuredClone(SAMPLE_MESSAGES[type]);
      const head = sample.entities[0]!.head as Record<string, unknown>;
      const target = key in head || key === '' ? Object.keys(head)[Math.abs(key.length) % Object.keys(head).length]! : key;
      head[target] = value;
      const problems = validateCeb(sample as CebMessage);
      assert.ok(Array.isArray(problems));
      for (const p of problems) {
        assert.equal(typeof p.field, 'string');
        assert.equal(typeof p.rule, 'string');
        assert.ok(p.message.zh && p.message.en);
      }
    }),
    { numRuns: 400 },
  );
});

test('a decimal field accepts exactly the non-negative N19,5 decimals', () => {
  const good = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 14n - 1n }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 5 }))
    .map(([i, f]) => `${i}${f ? `.${f}` : ''}`);
  fc.assert(fc.property(good, (v) => assert.deepEqual(checkField('x', decimalField, v), [])));
  const bad = fc.oneof(
    good.map((v) => `-${v}`),
    good.map((v) => `${v}e3`),
    fc.constantFrom('NaN', 'Infinity', '-0.1', '1.234567', '.5', '0x1F', '1,000', ' 1', '1 ', '+1', '１２'),
    fc.string().filter((s) => s !== '' && !/^\d+(\.\d+)?$/.test(s)),
  );
  fc.assert(
    fc.property(bad, (v) => {
      const problems = checkField('x', decimalField, v);
      assert.equal(problems.length, 1, v);
      assert.equal(problems[0]!.rule, 'decimal');
    }),
  );
});

test('validity survives the XML round trip: a valid message stays valid, an invalid one keeps its problems', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...EXPORT_MESSAGE_TYPES),
      fc.oneof(fc.constant(''), fc.string({ maxLength: 30 })),
      (type, noise) => {
        const m = structuredClone(SAMPLE_MESSAGES[type]);
        const head = m.entities[0]!.head;
        const field = Object.keys(head).find((k) => !['guid', 'appType', 'appStatus'].includes(k))!;
        if (noise.trim() === noise && ![...noise].some((ch) => ch.codePointAt(0)! < 0x20 || ch.codePointAt(0)! >= 0xd800))
          head[field] = `${head[field]}${noise}`;
        const before = validateCeb(m).map((p) => `${p.field}:${p.rule}`);
        let decoded: CebMessage;
        try {
          decoded = decodeCeb(encodeCeb(m)).message;
        } catch {
          return; // refused at the XML layer: nothing to compare
        }
        const afterRoundTrip = validateCeb(decoded).map((p) => `${p.field}:${p.rule}`);
        assert.deepEqual(afterRoundTrip, before);
      },
    ),
    { numRuns: 300 },
  );
});
