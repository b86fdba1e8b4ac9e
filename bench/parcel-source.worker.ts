/**
 * The senders of the clearance benchmark, in a thread of their own: in a deployment the senders
 * generate and encode on their own machines. Generating on the fly took about a quarter of one of
 * the machine's two cores from the platform under test, so by default every block of 100 parcels
 * is generated and encoded before the clock starts, written to a spool file, and handed to the
 * main thread as bytes (the ArrayBuffer is transferred, not copied) when the senders ask for it.
 * A soak (`--minutes`) generates on the fly instead: its spool would be gigabytes.
 *
 * Messages in: `{ kind: 'block', block }` and `{ kind: 'site', id, batch, orders }` (the carrier's
 * arrivals, bills and departures for decided orders, each `{ orderNo, invtNo }`: the bill names the
 * inventory by the number its CEB604 gave it). Messages out: `{ kind: 'progress', done }`
 * and `{ kind: 'ready', tid }` (its thread's kernel id) while spooling, `{ kind: 'block', block, messages }`, `{ kind: 'site', id,
 * messages }`.
 */
import { closeSync, openSync, readSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CebMessage } from '../src/ceb/index.ts';
import {
  blockParcels,
  encodeForWire,
  flightMessages,
  makeBenchParcel,
  parcelMessages,
  type BenchParcel,
} from './parcel-messages.ts';

export interface WireMessage {
  messageType: string;
  sender: string;
  payload: Uint8Array;
}

const { format, total, spool } = workerData as { format: 'xml' | 'json'; total: number; spool: string | null };
const blockCount = Math.ceil(total / 100);

function encodeBlock(block: number): { messageType: string; sender: string; payload: string }[] {
  return parcelMessages(block + 1, blockParcels(block, total)).map((m) => ({
    messageType: m.message.messageType,
    sender: m.sender,
    payload: encodeForWire(m.message, format),
  }));
}

/** Packs messages into one buffer: a JSON header line (types, senders, byte lengths), then the payloads. */
function pack(messages: { messageType: string; sender: string; payload: string }[]): Buffer {
  const bodies = messages.map((m) => Buffer.from(m.payload, 'utf8'));
  const header = Buffer.from(
    `${JSON.stringify(messages.map((m, i) => ({ messageType: m.messageType, sender: m.sender, length: bodies[i]!.length })))}\n`,
  );
  return Buffer.concat([header, ...bodies]);
}

/** Unpacks into views of one ArrayBuffer the caller transfers. */
function unpack(buf: Buffer): WireMessage[] {
  const nl = buf.indexOf(10);
  const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { messageType: string; sender: string; length: number }[];
  let at = nl + 1;
  return header.map((h) => {
    const payload = new Uint8Array(buf.buffer, buf.byteOffset + at, h.length);
    at += h.length;
    return { messageType: h.messageType, sender: h.sender, payload };
  });
}

/** This thread's kernel id, so that the benchmark can tell its CPU time from the platform's (null off Linux). */
function ownThreadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

/** A buffer with an ArrayBuffer of its own (never a slice of Node's shared pool): safe to transfer. */
function ownBuffer(b: Buffer): Buffer {
  const own = Buffer.from(new ArrayBuffer(b.length));
  b.copy(own);
  return own;
}

const offsets: { at: number; length: number }[] = [];
let fd: number | null = null;
if (spool) {
  fd = openSync(spool, 'w+', 0o600);
  let at = 0;
  for (let b = 0; b < blockCount; b++) {
    const buf = pack(encodeBlock(b));
    writeSync(fd, buf, 0, buf.length, at);
    offsets.push({ at, length: buf.length });
    at += buf.length;
    if (b % 20 === 19 || b === blockCount - 1)
      parentPort!.postMessage({ kind: 'progress', done: Math.min((b + 1) * 100, total) });
  }
  parentPort!.postMessage({ kind: 'ready', tid: ownThreadId() });
} else parentPort!.postMessage({ kind: 'ready', tid: ownThreadId() });

function readBlock(block: number): Buffer {
  if (fd === null) return ownBuffer(pack(encodeBlock(block)));
  const o = offsets[block]!;
  const buf = Buffer.from(new ArrayBuffer(o.length));
  readSync(fd, buf, 0, o.length, o.at);
  return buf;
}

/**
 * The site documents for up to 1,000 decided parcels: grouped by carrier, then one arrival
 * (warehouse), total-sub bill (broker) and departure (that carrier) per flight of ≤ 100.
 */
function siteFor(batch: number, parcels: BenchParcel[]): { sender: string; message: CebMessage }[] {
  const byCarrier = new Map<string, BenchParcel[]>();
  for (const p of parcels) byCarrier.set(p.carrier.code, [...(byCarrier.get(p.carrier.code) ?? []), p]);
  const out: { sender: string; message: CebMessage }[] = [];
  let flight = 0;
  for (const group of byCarrier.values())
    for (let i = 0; i < group.length; i += 100) out.push(...flightMessages(batch * 100 + flight++, group.slice(i, i + 100)));
  return out;
}

parentPort!.on(
  'message',
  (
    m:
      | { kind: 'block'; block: number }
      | { kind: 'site'; id: number; batch: number; orders: { orderNo: string; invtNo: string }[] }
      | { kind: 'close' },
  ) => {
    if (m.kind === 'close') {
      if (fd !== null) closeSync(fd);
      if (spool) rmSync(spool, { force: true });
      fd = null;
      parentPort!.postMessage({ kind: 'closed' });
      return;
    }
    if (m.kind === 'block') {
      const buf = readBlock(m.block);
      parentPort!.postMessage({ kind: 'block', block: m.block, messages: unpack(buf) }, [buf.buffer as ArrayBuffer]);
      return;
    }
    // each decided parcel with the inventory number its CEB604 gave it: the broker's bill names it
    const site = siteFor(
      m.batch,
      m.orders.map((o) => ({ ...makeBenchParcel(Number(o.orderNo.slice(6))), invtNo: o.invtNo })),
    ).map((s) => ({ messageType: s.message.messageType, sender: s.sender, payload: encodeForWire(s.message, format) }));
    const buf = ownBuffer(pack(site));
    parentPort!.postMessage({ kind: 'site', id: m.id, messages: unpack(buf) }, [buf.buffer as ArrayBuffer]);
  },
);
