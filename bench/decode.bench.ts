/**
 * CPU per CEB message at intake (issue #4): decode + validate of 100-entity CEB303, CEB403, CEB505
 * and CEB603 messages, as the clearance route receives them (UTF-8 bytes), with the general path
 * alone (fast-xml-parser, the interpreted validator: the code before issue #4) and with the
 * application's path (fast decode, precompiled validation). The two alternate in rounds so load
 * from other processes falls on both alike; time is process CPU (user + system, GC included). The
 * last line of output is one JSON object.
 *
 *   npm run bench:decode -- --messages 200
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { decodeCebFastOnly, decodeCebReference } from '../src/ceb/ceb.decode.ts';
import { validateCebReference } from '../src/ceb/ceb.validate.reference.ts';
import { decodeCeb, encodeCeb, validateCeb, type CebMessage, type CebMessageType } from '../src/ceb/index.ts';
import { blockMessages, makeParcel } from '../test/support/parcels.ts';

const TYPES: readonly CebMessageType[] = ['CEB303', 'CEB403', 'CEB505', 'CEB603'];
const BLOCKS = 5;
const ROUNDS = 10;

type Path = (input: Uint8Array) => number;

const oldPath: Path = (input) => validateCebReference(decodeCebReference(input).message).length;
const newPath: Path = (input) => validateCeb(decodeCeb(input).message).length;
// the two halves apart, to show where the time goes
const oldDecode: Path = (input) => (decodeCebReference(input).message.entities.length === 100 ? 0 : 1);
const newDecode: Path = (input) => (decodeCeb(input).message.entities.length === 100 ? 0 : 1);
const decodedOnce = new Map<Uint8Array, CebMessage>();
const oldValidate: Path = (input) => validateCebReference(decodedOnce.get(input) as CebMessage).length;
const newValidate: Path = (input) => validateCeb(decodedOnce.get(input) as CebMessage).length;

/** CPU milliseconds for decoding and validating each input `times` times */
function cpuMs(path: Path, inputs: readonly Uint8Array[], times: number): number {
  const t0 = process.cpuUsage();
  let problems = 0;
  for (let i = 0; i < times; i++) for (const input of inputs) problems += path(input);
  const t = process.cpuUsage(t0);
  assert.equal(problems, 0, 'the bench messages are valid');
  return (t.user + t.system) / 1000;
}

function main(): void {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '200' } } });
  const perType = Math.max(BLOCKS, Number(values.messages));
  const times = Math.max(1, Math.round(perType / BLOCKS / ROUNDS));

  // BLOCKS distinct blocks of 100 parcels; each type's messages of those blocks
  const byType = new Map<CebMessageType, Uint8Array[]>(TYPES.map((t) => [t, []]));
  for (let b = 1; b <= BLOCKS; b++) {
    const parcels = Array.from({ length: 100 }, (_, i) => makeParcel(b * 1000 + i, 'D'));
    for (const { message } of blockMessages(b, parcels, 'D')) {
      const list = byType.get(message.messageType);
      if (!list) continue;
      assert.equal(message.entities.length, 100);
      const xml = Buffer.from(encodeCeb(message), 'utf8');
      // same result both ways, and the fast path (not its fallback) is what gets measured
      assert.deepStrictEqual(decodeCeb(xml), decodeCebReference(xml));
      assert.ok(decodeCebFastOnly(xml), `${message.messageType} takes the fast path`);
      list.push(xml);
      decodedOnce.set(xml, decodeCeb(xml).message);
    }
  }

  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const result: Record<string, { bytes: number; oldMsPerMessage: number; newMsPerMessage: number; speedup: number }> = {};
  let oldTotal = 0;
  let newTotal = 0;
  let messages = 0;
  const halves = { oldDecode: 0, newDecode: 0, oldValidate: 0, newValidate: 0 };
  for (const type of TYPES) {
    const inputs = byType.get(type) ?? [];
    // warm both paths up (JIT) before measuring
    cpuMs(oldPath, inputs, 2);
    cpuMs(newPath, inputs, 4);
    let oldMs = 0;
    let newMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      oldMs += cpuMs(oldPath, inputs, times);
      newMs += cpuMs(newPath, inputs, times);
    }
    for (let r = 0; r < ROUNDS / 2; r++) {
      halves.oldDecode += cpuMs(oldDecode, inputs, times);
      halves.newDecode += cpuMs(newDecode, inputs, times);
      halves.oldValidate += cpuMs(oldValidate, inputs, times);
      halves.newValidate += cpuMs(newValidate, inputs, times);
    }
    const n = ROUNDS * times * inputs.length;
    messages += n;
    oldTotal += oldMs;
    newTotal += newMs;
    result[type] = {
      bytes: Math.round(inputs.reduce((a, x) => a + x.byteLength, 0) / inputs.length),
      oldMsPerMessage: round(oldMs / n),
      newMsPerMessage: round(newMs / n),
      speedup: round(oldMs / newMs),
    };
    console.log(type, JSON.stringify(result[type]));
  }
  console.log(
    JSON.stringify({
      messages,
      oldMsPerMessage: round(oldTotal / messages),
      newMsPerMessage: round(newTotal / messages),
      speedup: round(oldTotal / newTotal),
      entitiesPerMessage: 100,
      byType: result,
      // CPU ms per message of each half alone (half the rounds)
      decode: { old: round((2 * halves.oldDecode) / messages), new: round((2 * halves.newDecode) / messages) },
      validate: { old: round((2 * halves.oldValidate) / messages), new: round((2 * halves.newValidate) / messages) },
      loadAverage: load,
      loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
    }),
  );
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

main();
