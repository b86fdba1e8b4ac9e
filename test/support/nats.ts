import { Socket } from 'node:net';

/**
 * Fails at once, naming what to start, when the NATS server the scale-out tests need is not
 * reachable: otherwise the worker processes would wait on reconnects until the test times out.
 */
export async function requireNats(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new Error(
          `NATS server not reachable at ${url} (${why}). These tests need NATS with JetStream: ` +
            'install and start it (nats-server -js, https://nats.io) or set NATS_URL.',
        ),
      );
    };
    socket.setTimeout(3000, () => fail('timeout'));
    socket.once('error', (e) => fail(e.message));
    socket.connect(Number(port || 4222), hostname, () => {
      socket.destroy();
      resolve();
    });
  });
}
