import { Socket } from 'node:net';

/** Why the NATS server at `url` does not take a connection (3 s), or null when it does. */
export function natsReachable(url: string): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(3000, () => done('timeout'));
    socket.once('error', (e) => done(e.message));
    socket.connect(Number(port || 4222), hostname, () => done(null));
  });
}

/**
 * Fails at once, naming what to start, when the NATS server the scale-out tests need is not
 * reachable: otherwise the worker processes would wait on reconnects until the test times out.
 * Tests call need(t, 'nats') from ./needs.ts first, which skips loudly outside CI.
 */
export async function requireNats(url: string): Promise<void> {
  const why = await natsReachable(url);
  if (why !== null) {
    throw new Error(
      `NATS server not reachable at ${url} (${why}). These tests need NATS with JetStream: ` +
        'install and start it (nats-server -js, https://nats.io) or set NATS_URL.',
    );
  }
}
