import type { TestContext } from 'node:test';
import { IN_CI, SERVER_URL, serverReachable } from './db.ts';
import { natsReachable } from './nats.ts';

/**
 * The outside services some tests need besides the embedded PostgreSQL: a PostgreSQL server
 * (DATABASE_URL, else 127.0.0.1:5432) and NATS with JetStream (NATS_URL, else 127.0.0.1:4222).
 * Outside CI a test whose service does not answer is skipped with a loud banner naming what to
 * install and start; in CI (CI set) it fails: CI never passes by skipping.
 */
export type Service = 'server' | 'nats';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const HOW: Record<Service, { what: string; url: () => string; install: string }> = {
  server: {
    what: 'PostgreSQL server',
    url: () => SERVER_URL.replace(/:[^:@/]*@/, ':***@'),
    install: 'install and start PostgreSQL (apt-get install postgresql) or set DATABASE_URL',
  },
  nats: {
    what: 'NATS server with JetStream',
    url: () => NATS_URL,
    install: 'install and start NATS with JetStream (nats-server -js, https://nats.io) or set NATS_URL',
  },
};

const probes = new Map<Service, Promise<string | null>>();

/** Why the service does not answer (probed once per test file), or null when it does. */
function probe(service: Service): Promise<string | null> {
  let p = probes.get(service);
  if (!p) {
    p = service === 'server' ? serverReachable() : natsReachable(NATS_URL);
    probes.set(service, p);
  }
  return p;
}

/** The services among `services` that do not answer, with the reason; quiet (for before/after hooks). */
export async function unavailable(...services: Service[]): Promise<{ service: Service; why: string }[]> {
  const out: { service: Service; why: string }[] = [];
  for (const service of services) {
    const why = await probe(service);
    if (why !== null) out.push({ service, why });
  }
  return out;
}

/**
 * Answers true when every service answers. Otherwise: in CI throws (the test fails); outside CI
 * prints a banner to stderr, marks the test skipped and answers false — the caller returns.
 *
 *     if (!(await need(t, 'server', 'nats'))) return;
 */
export async function need(t: TestContext, ...services: Service[]): Promise<boolean> {
  const missing = await unavailable(...services);
  if (missing.length === 0) return true;
  const lines = missing.map(({ service, why }) => `${HOW[service].what} not reachable at ${HOW[service].url()} (${why})`);
  const todo = missing.map(({ service }) => HOW[service].install);
  if (IN_CI) throw new Error(`${lines.join('; ')}. CI must run this test: ${todo.join('; ')}.`);
  process.stderr.write(
    `\n!!! SKIPPED: ${t.name}\n` +
      lines.map((l) => `!!! ${l}\n`).join('') +
      todo.map((l) => `!!! To run it: ${l}.\n`).join('') +
      '\n',
  );
  t.skip(lines.join('; '));
  return false;
}

/** need(t, 'server'): the PostgreSQL server. */
export const needServer = (t: TestContext): Promise<boolean> => need(t, 'server');

/** need(t, 'nats'): NATS with JetStream. */
export const needNats = (t: TestContext): Promise<boolean> => need(t, 'nats');
