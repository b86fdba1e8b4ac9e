import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createAuditLog, type AuditLog } from '../kernel/audit.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { Config } from '../kernel/config.ts';
import { connect, type Database } from '../kernel/db.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../kernel/embedded-db.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { runMigrations, type MigrationSource } from '../kernel/migrations.ts';
import { createOutbox, type Outbox, type OutboxHandler } from '../kernel/outbox.ts';
import { connectBus, type Bus } from '../kernel/bus.ts';
import { createBusOutboxRunner, type BusOutboxRunner } from '../kernel/outbox.bus.ts';
import { newId } from '../kernel/ids.ts';
import { registerCodeRoutes } from '../codes/index.ts';
import {
  createApiKeyService,
  createAuthService,
  createOrganisationService,
  hasDemoData,
  identityMigrations,
  registerIdentityRoutes,
  seedIdentityDemo,
  type AuthService,
  type OrganisationService,
} from '../modules/identity/index.ts';
import {
  clearanceMigrations,
  cebForwarder,
  clearanceLookup,
  receiptFeed,
  clearancePipeline,
  createClearanceService,
  createReceiptSequencer,
  type ReceiptSequencer,
  createIntakeService,
  decideByRuleSet,
  registerClearanceRoutes,
  ruleSetOn,
  type DecisionHook,
} from '../modules/clearance/index.ts';
import {
  createFilingService,
  filingLookup,
  filingMigrations,
  registerFilingRoutes,
  seedFilingDemo,
} from '../modules/filing/index.ts';
import { organisationDirectory, type Principal } from '../modules/identity/index.ts';
import { createDraftsService, createOrdersService, ordersMigrations, registerOrdersRoutes } from '../modules/orders/index.ts';
import {
  createWebhookDispatcher,
  createWebhookService,
  registerWebhookRoutes,
  webhooksMigrations,
  type WebhookDispatcher,
  type WebhookFeedPort,
} from '../modules/webhooks/index.ts';
import { buildApp } from './app.ts';
import { registerSystemRoutes } from './system.routes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Module order matters only for migrations: a module's tables may reference earlier ones. */
export const MIGRATIONS: MigrationSource[] = [
  { module: 'kernel', dir: path.join(here, '../kernel/migrations') },
  { module: 'identity', dir: identityMigrations },
  { module: 'filing', dir: filingMigrations },
  { module: 'clearance', dir: clearanceMigrations },
  { module: 'orders', dir: ordersMigrations },
  { module: 'webhooks', dir: webhooksMigrations },
];

export interface Platform {
  config: Config;
  log: Logger;
  clock: Clock;
  database: Database;
  audit: AuditLog;
  outbox: Outbox;
  auth: AuthService;
  orgs: OrganisationService;
  app: FastifyInstance;
  /** Puts committed receipts into the feed (pull, stream, webhooks). */
  sequencer: ReceiptSequencer;
  /** Delivers receipts to subscribed webhooks. */
  webhooks: WebhookDispatcher;
  /** Starts the background workers: outbox dispatcher and receipt sequencer. */
  startWorkers(): void;
  /** Runs the pipeline until nothing is due and sequences the receipts (tests, CLI). */
  settle(): Promise<void>;
  /** Stops taking requests, finishes in-flight batches, closes the pool. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  config: Config;
  databaseUrl: string;
  log?: Logger;
  clock?: Clock;
  /** Extra outbox handlers (tests). */
  handlers?: OutboxHandler[];
  /** Replaces the clearance decision hook (the risk engine plugs in here). */
  decide?: DecisionHook;
  migrate?: boolean;
}

export async function createPlatform(opts: PlatformOptions): Promise<Platform> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  if (config.role !== 'all' && !config.natsUrl) {
    throw new Error(`CBEC_ROLE=${config.role} 需要 NATS_URL / CBEC_ROLE=${config.role} needs NATS_URL (NATS with JetStream)`);
  }
  const database = connect(opts.databaseUrl, { max: 20 });
  const db = database.db;
  if (opts.migrate !== false) await runMigrations(db, MIGRATIONS, log);
  // One process keeps the in-process dispatcher; API and worker processes meet through NATS.
  const bus: Bus | null =
    config.role === 'all'
      ? null
      : await connectBus({
          url: config.natsUrl!,
          prefix: config.natsPrefix,
          ackWaitMs: config.natsAckWaitMs,
          log,
          name: `cbec-${config.role}-${process.pid}`,
        });

  const audit = createAuditLog({ clock });
  const decide: DecisionHook =
    opts.decide ?? (async (items) => new Map(items.map((i) => [i.id, decideByRuleSet(ruleSetOn(clock.now()), i.guid, i.doc)])));
  const forwarder = config.cebForwardUrl
    ? [cebForwarder({ url: config.cebForwardUrl, log, dxpId: config.dxpId, newGuid: () => newId().toUpperCase() })]
    : [];
  const outbox = createOutbox({
    db,
    log,
    ...(bus ? { onKick: throttled(() => bus.nc.publish(bus.subjects.kick)) } : {}),
    handlers: [clearancePipeline({ clock, audit, decide }), ...forwarder, ...(opts.handlers ?? [])],
  });
  const auth = createAuthService({
    db,
    clock,
    audit,
    settings: {
      sessionTtlHours: config.sessionTtlHours,
      loginMaxFailures: config.loginMaxFailures,
      loginLockMinutes: config.loginLockMinutes,
    },
  });
  const orgs = createOrganisationService({ db, clock, audit });
  const apiKeys = createApiKeyService({ db, clock, audit, onRevoke: (id) => auth.forgetApiKey(id) });
  const filings = createFilingService({ db, clock, audit });
  const intake = createIntakeService({
    db,
    clock,
    audit,
    outbox,
    filing: {
      filedEnterprises: async (exec, codes) => new Set((await filingLookup(exec).filedEnterprises(codes)).keys()),
      filedProducts: async (exec, pairs) => new Set((await filingLookup(exec).filedProducts(pairs)).keys()),
    },
    directory: {
      idsByCodes: (exec, codes) => organisationDirectory(exec).idsByCodes(codes),
      idsByDxpIds: (exec, dxpIds) => organisationDirectory(exec).idsByDxpIds(dxpIds),
      codesOf: async (exec, orgId) => {
        const o = await organisationDirectory(exec).byId(orgId);
        return [o?.customs_code, o?.uscc].filter((c): c is string => !!c);
      },
    },
  });
  const clearance = createClearanceService({ db, clock, audit, outbox });
  const runner: BusOutboxRunner | null = bus && config.role === 'worker' ? createBusOutboxRunner({ db, log, outbox, bus }) : null;
  const sequencer = createReceiptSequencer({ db, log });
  // The live stream and webhooks wake when receipts enter the feed, sequenced in this process or,
  // scaled out, in a worker (announced on the bus).
  const feedListeners = new Set<() => void>();
  const feedMoved = (): void => {
    for (const l of feedListeners) l();
  };
  sequencer.onReceipts(() => {
    feedMoved();
    if (bus) bus.js.publish(bus.subjects.feed, '').catch((e: unknown) => log.warn({ err: e }, 'feed signal not published'));
  });
  if (bus) bus.nc.subscribe(bus.subjects.feed, { callback: feedMoved });
  const feedSignal = {
    onReceipts(listener: () => void): () => void {
      feedListeners.add(listener);
      return () => feedListeners.delete(listener);
    },
  };
  let auditTimer: NodeJS.Timeout | undefined;
  const webhookFeed: WebhookFeedPort = {
    page: (orgId, after, limit) => receiptFeed(db).page(orgId, after, limit),
    end: (orgId) => receiptFeed(db).end(orgId),
    onNew: (listener) => feedSignal.onReceipts(listener),
  };
  const allowPrivate = config.webhookAllowPrivate;
  const webhookService = createWebhookService({ db, clock, audit, feed: webhookFeed, allowPrivate });
  const webhookDispatcher = createWebhookDispatcher({ db, log, clock, feed: webhookFeed, allowPrivate });
  const orders = createOrdersService({ db, clock, audit });
  const drafts = createDraftsService({
    db,
    clock,
    audit,
    declare: {
      submit: (p, message, requestId) => intake.submit(p, message, 'json', requestId),
      asOrganisation: (orgId) => organisationPrincipal(db, orgId),
      declaredOrders: (keys) => clearanceLookup(db).liveOrderKeys(keys),
    },
  });

  const app = await buildApp({
    config,
    log,
    auth,
    routes: [
      (a) => registerSystemRoutes(a, { db, audit, outbox }),
      (a) =>
        registerIdentityRoutes(a, {
          auth,
          orgs,
          apiKeys,
          secureCookies: config.secureCookies,
          sessionTtlHours: config.sessionTtlHours,
        }),
      (a) => registerCodeRoutes(a),
      (a) => registerFilingRoutes(a, { filings }),
      (a) => registerClearanceRoutes(a, { intake, clearance, sequencer: feedSignal }),
      (a) => registerOrdersRoutes(a, { orders, drafts }),
      (a) => registerWebhookRoutes(a, { webhooks: webhookService }),
    ],
  });

  return {
    config,
    log,
    clock,
    database,
    audit,
    outbox,
    auth,
    orgs,
    app,
    sequencer,
    webhooks: webhookDispatcher,
    startWorkers() {
      // An API process only takes requests; its outbox rows are announced by the workers' relays.
      if (config.role === 'api') return;
      if (runner) runner.start().catch((e: unknown) => log.error({ err: e }, 'outbox bus runner failed to start'));
      else outbox.start();
      sequencer.start();
      webhookDispatcher.start();
      auditTimer = setInterval(() => {
        audit.chain(db).catch((e: unknown) => log.warn({ err: e }, 'audit chaining failed'));
      }, 500);
      auditTimer.unref();
    },
    async settle() {
      await outbox.drain();
      await sequencer.flush();
      await audit.flush(db);
    },
    async close() {
      await app.close();
      await outbox.stop();
      await runner?.stop();
      await sequencer.stop();
      await webhookDispatcher.stop();
      clearInterval(auditTimer);
      // What was audited is on the chain before the process goes.
      await audit.flush(db, 2_000).catch(() => undefined);
      await database.close();
      await bus?.close();
    },
  };
}

/** At most one call per `ms`, trailing: bursts of commits send one wake-up. */
function throttled(fn: () => void, ms = 20): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
    timer.unref();
  };
}

/**
 * The seller's own orders go to customs under the seller's name even when its broker presses
 * "declare": a principal for the organisation, with only the right to submit messages.
 */
async function organisationPrincipal(db: Database['db'], orgId: string): Promise<Principal> {
  const o = await organisationDirectory(db).byId(orgId);
  if (!o) throw new Error(`no organisation ${orgId}`);
  return {
    via: 'api_key',
    userId: null,
    apiKeyId: null,
    username: `org:${o.customs_code ?? o.uscc ?? o.id}`,
    roles: ['enterprise_clerk'],
    permissions: new Set(['ceb.submit'] as const),
    organisation: {
      id: o.id,
      kind: o.kind,
      name: o.name,
      roles: o.roles,
      jurisdiction: o.jurisdiction,
      code: o.customs_code ?? o.uscc,
    },
  };
}

export async function seedDemo(p: Pick<Platform, 'database' | 'clock' | 'audit'>): Promise<void> {
  await seedIdentityDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  await seedFilingDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
}

export async function ensureDemo(p: Platform): Promise<boolean> {
  if (await hasDemoData(p.database.db)) return false;
  await seedDemo(p);
  return true;
}

/** The database the config names: a server (`DATABASE_URL`) or the embedded one in DATA_DIR. */
export async function openDatabase(config: Config, log: Logger): Promise<{ url: string; embedded: EmbeddedDb | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedDb({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  return { url: embedded.url, embedded };
}
