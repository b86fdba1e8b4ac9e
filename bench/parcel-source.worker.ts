/**
 * Generates and encodes the parcel messages of the blocks the benchmark asks for, in a thread of
 * its own: in a deployment the senders encode on their own machines, and on the platform's event
 * loop this work took about a fifth of the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { blockParcels, encodeForWire, parcelMessages } from './parcel-messages.ts';

const { format, total } = workerData as { format: 'xml' | 'json'; total: number };

parentPort!.on('message', (block: number) => {
  const messages = parcelMessages(block + 1, blockParcels(block, total)).map((m) => ({
    messageType: m.message.messageType,
    sender: m.sender,
    payload: encodeForWire(m.message, format),
  }));
  parentPort!.postMessage({ block, messages });
});
