import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
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
  applyDemoInspectionAuthority,
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
  enterpriseCountsCache,
  receiptFeed,
  clearancePipeline,
  createClearanceService,
  createReceiptSequencer,
  type ReceiptSequencer,
  createIntakeService,
  registerClearanceRoutes,
  type DecisionHook,
  parcelCustomsLookup,
  inventoryDossiers,
} from '../modules/clearance/index.ts';
import {
  createFilingService,
  filingLookup,
  quarantineCategoryOf,
  filingMigrations,
  registerFilingRoutes,
  seedFilingDemo,
  DEMO_FILED_ENTERPRISES,
} from '../modules/filing/index.ts';
import { organisationDirectory, type Principal } from '../modules/identity/index.ts';
import {
  createDraftsService,
  createOrdersService,
  ordersLookup,
  ordersMigrations,
  registerOrdersRoutes,
} from '../modules/orders/index.ts';
import {
  createWebhookDispatcher,
  createWebhookService,
  registerWebhookRoutes,
  webhooksMigrations,
  type WebhookDispatcher,
  type WebhookFeedPort,
} from '../modules/webhooks/index.ts';
import {
  createStatisticsService,
  registerStatisticsRoutes,
  seedStatisticsDemo,
  statisticsFolder,
  statisticsMigrations,
} from '../modules/statistics/index.ts';
import {
  createCreditRecomputeJob,
  createCreditService,
  creditLookup,
  creditMigrations,
  registerCreditRoutes,
  type CreditRecomputeJob,
  type ExternalFactorsPort,
} from '../modules/credit/index.ts';
import {
  createTraceService,
  registerTraceRoutes,
  scanGeoWarning,
  traceInspectionResults,
  traceMigrations,
  type ChainSourcesPort,
} from '../modules/trace/index.ts';
import {
  createOfferingService,
  createParkService,
  createProgrammeService,
  LEVEL_RANK,
  parksMigrations,
  registerParksRoutes,
  seedParksDemo,
} from '../modules/parks/index.ts';
import {
  createRiskEngine,
  createRiskService,
  registerRiskRoutes,
  riskFollowUps,
  riskMigrations,
  seedRiskDemo,
  type RiskPorts,
} from '../modules/risk/index.ts';
import {
  createCeb701Service,
  createSummaryService,
  createSummaryReminderJob,
  summaryReminderFeed,
  registerSummaryRoutes,
  type SummaryReminderJob,
  summaryLookup,
  summaryMigrations,
  summarySourceFolder,
} from '../modules/summary/index.ts';
import {
  createTaxRulesService,
  createTaxService,
  registerTaxRoutes,
  seedTaxDemo,
  taxLookup,
  taxMigrations,
} from '../modules/tax/index.ts';
import {
  createForexService,
  forexCollectionsFolder,
  forexMigrations,
  forexReceiptTotals,
  registerForexRoutes,
  registerSettlementAccountRoutes,
  createSettlementAccountService,
  seedForexDemo,
} from '../modules/forex/index.ts';
import { createEvidenceService, registerEvidenceRoutes } from '../modules/evidence/index.ts';
import {
  createLogisticsService,
  createTrackingFeed,
  createTrackingHookDispatcher,
  createLogisticsRetentionJob,
  createTrackingHookService,
  logisticsMigrations,
  registerLogisticsRoutes,
  seedLogisticsDemo,
  logisticsLookup,
} from '../modules/logistics/index.ts';
import {
  createDispatchRepairService,
  createDispatchService,
  createWarehouseService,
  registerWarehouseRoutes,
  seedWarehouseDemo,
  warehouseMigrations,
  warehouseInspectionHolds,
  type ArrivalPort,
  warehouseLookup,
} from '../modules/warehouse/index.ts';
import {
  createPointsService,
  createStockService,
  overseasMigrations,
  registerOverseasRoutes,
  seedOverseasDemo,
} from '../modules/overseas/index.ts';
import {
  createInspectionBatchService,
  createInspectionDeclarationService,
  createInspectionFilingService,
  createInspectionTaskService,
  inspectionLookup,
  inspectionMigrations,
  inspectionRelease,
  inspectionTasks,
  registerInspectionRoutes,
  seedInspectionDemo,
} from '../modules/inspection/index.ts';
import { createSignatureService, registerSignatureRoutes, signatureMigrations } from '../modules/signature/index.ts';
import { buildApp } from './app.ts';
import { createPlatformMetrics, registerSystemRoutes } from './system.routes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Module order matters only for migrations: a module's tables may reference earlier ones. */
export const MIGRATIONS: MigrationSource[] = [
  { module: 'kernel', dir: path.join(here, '../kernel/migrations') },
  { module: 'identity', dir: identityMigrations },
  { module: 'filing', dir: filingMigrations },
  { module: 'clearance', dir: clearanceMigrations },
  { module: 'orders', dir: ordersMigrations },
  { module: 'webhooks', dir: webhooksMigrations },
  { module: 'statistics', dir: statisticsMigrations },
  { module: 'credit', dir: creditMigrations },
  { module: 'trace', dir: traceMigrations },
  { module: 'parks', dir: parksMigrations },
  { module: 'risk', dir: riskMigrations },
  { module: 'summary', dir: summaryMigrations },
  { module: 'tax', dir: taxMigrations },
  { module: 'forex', dir: forexMigrations },
  { module: 'logistics', dir: logisticsMigrations },
  { module: 'warehouse', dir: warehouseMigrations },
  { module: 'overseas', dir: overseasMigrations },
  { module: 'inspection', dir: inspectionMigrations },
  { module: 'signature', dir: signatureMigrations },
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
  /** Recomputes every rated or active enterprise's credit rating once a day (started with the workers). */
  creditRecompute: CreditRecomputeJob;
  /** Sends the summary deadline reminders (summary.deadline_reminder) once a day (started with the workers). */
  summaryReminders: SummaryReminderJob;
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
  // issue 8 audit: without the proxy's geo header every trace scan is ZZ and the country rules never fire
  const geoWarning = scanGeoWarning(config);
  if (geoWarning) log.warn({ setting: 'TRUSTED_GEO_HEADER' }, geoWarning);
  if (config.role !== 'all' && !config.natsUrl) {
    throw new Error(`CBEC_ROLE=${config.role} 需要 NATS_URL / CBEC_ROLE=${config.role} needs NATS_URL (NATS with JetStream)`);
  }
  const database = connect(opts.databaseUrl, { max: 20, preparedStatements: config.preparedStatements });
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
  // The risk engine decides (issue 5); tests may pass their own hook (`decideByRuleSet` is one).
  const sellerCounts = enterpriseCountsCache({ ttlMs: 600_000, exactBelow: 500 });
  const riskPorts: RiskPorts = {
    products: async (exec, pairs) => {
      const filed = await filingLookup(exec).filedProducts(pairs);
      return new Map(
        [...filed].map(([k, p]) => [
          k,
          // A product filed without a category (or before categories were derived) still carries
          // the one its HS code implies: an orange cannot leave the quarantine rule by omission.
          {
            referencePrice: p.referencePrice,
            currency: p.currency,
            quarantineCategory: p.quarantineCategory ?? quarantineCategoryOf(p.hsCode),
          },
        ]),
      );
    },
    inspectionFiled: (exec, pairs) => inspectionLookup(exec).filedProducts(pairs, clock.now()),
    drawOnBatches: (exec, lines) => inspectionLookup(exec).drawOnBatches(lines, clock.now()),
    inspectionOutcomes: (exec, ids) => inspectionLookup(exec).taskStatuses(ids),
    // the split-shipment key `buyer`: who bought each order, from the seller's imported orders
    buyers: (exec, orders) => ordersLookup(exec).buyers(orders),
    // issue 5: the credit system's level where it has rated the seller (and its blacklist, which
    // outranks any level customs set by hand), and the filing and declaration history a
    // provisional level is derived from where it has not.
    // The enterprise behind either of its codes (customs code, USCC): credit answers over all of them.
    credit: async (exec, codes) => {
      const since = new Date(clock.now().getTime() - 365 * 86_400_000);
      const sellers = await creditLookup(exec).sellers(codes, { since, counts: sellerCounts });
      return new Map(
        codes.map((code) => {
          const s = sellers.get(code);
          return [
            code,
            {
              codes: s?.codes ?? [code],
              rated: s?.level ?? null,
              blacklisted: s?.blacklisted ?? false,
              history: { filedAt: s?.filedAt ?? null, declared: s?.declared ?? 0, rejected: s?.rejected ?? 0 },
            },
          ];
        }),
      );
    },
  };
  const decide: DecisionHook =
    opts.decide ??
    createRiskEngine({ clock, ports: riskPorts, outbox: { publish: (trx, events) => outbox.publish(trx, events) } });
  const forwarder = config.cebForwardUrl
    ? [
        cebForwarder({
          url: config.cebForwardUrl,
          log,
          dxpId: config.dxpId,
          newGuid: () => newId().toUpperCase(),
          sign: config.forwardSign,
          dxp: config.forwardDxp,
          now: () => clock.now(),
        }),
      ]
    : [];
  // issue 8 audit: the trace chain's links from the records that hold them — the parcel's inventory
  // (clearance), its receipt at a supervision centre (warehouse), its inspection tasks (inspection)
  // and the carrier's delivered scan (logistics)
  const traceSources: ChainSourcesPort = {
    async parcels(nos) {
      const declared = await parcelCustomsLookup(db).declared(nos);
      const dossiers = new Map(
        (
          await inventoryDossiers(
            db,
            declared.map((d) => d.documentId),
          )
        ).map((x) => [x.inventoryId, x]),
      );
      return declared.flatMap((d) => {
        const x = dossiers.get(d.documentId);
        if (!x) return [];
        return [
          {
            logisticsNo: d.logisticsNo,
            waybillKey: d.waybillKey,
            inventoryId: d.documentId,
            ebcCode: String(x.inventory.ebcCode ?? ''),
            itemNos: x.inventoryLines.map((l) => String(l.itemNo ?? '')),
          },
        ];
      });
    },
    async received(keys) {
      const rows = await warehouseLookup(db).received(keys);
      const centres = new Map<string, string>();
      for (const id of new Set(rows.map((r) => r.warehouseOrgId)))
        centres.set(id, (await organisationDirectory(db).byId(id))?.name ?? id);
      return rows.map((r) => ({ waybillKey: r.waybillKey, receivedAt: r.receivedAt, centre: centres.get(r.warehouseOrgId)! }));
    },
    delivered: (keys) => logisticsLookup(db).delivered(keys),
    inspections: async (ids) =>
      (await inspectionLookup(db).completedTasks(ids)).map((t) => ({
        taskId: t.id,
        inventoryId: t.inventoryId,
        result: t.status === 'passed' ? ('pass' as const) : ('fail' as const),
        at: t.completedAt,
        customsCode: t.customsCode,
        note: t.note,
      })),
  };
  const outbox = createOutbox({
    db,
    log,
    ...(bus ? { onKick: throttled(() => bus.nc.publish(bus.subjects.kick)) } : {}),
    handlers: [
      clearancePipeline({ clock, audit, decide, outbox: { publish: (trx, events) => outbox.publish(trx, events) } }),
      ...forwarder,
      statisticsFolder({ clock }),
      summarySourceFolder(),
      // issue 6: forex's copy of every CEB403 collection, checked against the payment institutions' cap
      forexCollectionsFolder({ clock }),
      inspectionTasks({
        clock,
        // quantity back on a batch: its seller's held parcels are decided again (risk.redecide)
        outbox: { publish: (trx, events) => outbox.publish(trx, events) },
        // centralised declaration per total-sub bill: the master bill number the inventory names
        billNos: async (exec, ids) =>
          new Map([...(await clearanceLookup(exec).inventoryDocuments(ids))].map(([id, d]) => [id, d.head.billNo ?? null])),
      }),
      // issue 7 audit: a parcel held at the inspection station is let go when its task completes
      warehouseInspectionHolds({ clock, audit }),
      // issue 5: a completed inspection releases through clearance from the outbox (never lost
      // between two commits); a fixed hold (inspection filing, batch) is decided again by the engine.
      inspectionRelease({
        clock,
        clearance: {
          review: (p, id, d) => clearance.decideInspected(p, id, d),
          statuses: async (ids) => new Map((await clearanceLookup(db).inventoryReleases({ ids })).map((r) => [r.id, r.status])),
        },
      }),
      // issue 8 audit: a completed inspection task joins the chain of the codes travelling in its parcel
      traceInspectionResults({ sources: traceSources }),
      riskFollowUps({
        clearance: { redecideHeld: (exec, ids) => clearance.redecideHeld(exec, ids, decide).then(() => undefined) },
      }),
      ...(opts.handlers ?? []),
    ],
  });
  const auth = createAuthService({
    db,
    clock,
    audit,
    settings: {
      sessionTtlHours: config.sessionTtlHours,
      loginMaxFailures: config.loginMaxFailures,
      loginLockMinutes: config.loginLockMinutes,
      sessionIdleMinutes: config.sessionIdleMinutes,
    },
  });
  const orgs = createOrganisationService({ db, clock, audit, sessions: auth });
  const apiKeys = createApiKeyService({ db, clock, audit, onRevoke: (id) => auth.forgetApiKey(id) });
  const filings = createFilingService({ db, clock, audit });
  const signatures = createSignatureService({ db, clock, audit });
  const intake = createIntakeService({
    db,
    clock,
    audit,
    outbox,
    signatures,
    // issue 6: CEB701 on the CEB endpoint goes to the summary module (ceb701 is created below)
    summary: { apply: (p, head, invtNos) => ceb701.intake(p, head, invtNos) },
    filing: {
      filedEnterprises: async (exec, codes) =>
        new Map([...(await filingLookup(exec).filedEnterprises(codes))].map(([code, f]) => [code, f.roles])),
      filedProducts: (exec, pairs) => filingLookup(exec).filedProductCodes(pairs),
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
  let repairTimer: NodeJS.Timeout | undefined;
  // Reminders wake the webhook dispatcher when this process's reminder job sent some (see
  // summaryReminders below); another process's are delivered by the dispatcher's poll.
  const reminderListeners = new Set<() => void>();
  const webhookFeeds: WebhookFeedPort = {
    receipts: {
      page: (orgId, after, limit) => receiptFeed(db).page(orgId, after, limit),
      end: (orgId) => receiptFeed(db).end(orgId),
      onNew: (listener) => feedSignal.onReceipts(listener),
    },
    'summary.deadline_reminder': {
      page: (orgId, after, limit) => summaryReminderFeed(db).page(orgId, after, limit),
      end: (orgId) => summaryReminderFeed(db).end(orgId),
      onNew: (listener) => {
        reminderListeners.add(listener);
        return () => reminderListeners.delete(listener);
      },
    },
  };
  const allowPrivate = config.webhookAllowPrivate;
  const webhookService = createWebhookService({ db, clock, audit, feeds: webhookFeeds, allowPrivate });
  const webhookDispatcher = createWebhookDispatcher({ db, log, clock, feeds: webhookFeeds, allowPrivate });
  const orders = createOrdersService({ db, clock, audit });
  const drafts = createDraftsService({
    db,
    clock,
    audit,
    declare: {
      submit: (p, message, requestId) => intake.submit(p, message, 'json', requestId),
      asOrganisation: (orgId, initiator) => organisationPrincipal(db, orgId, initiator),
      requireUnsignedAllowed: (initiator, orgIds) => signatures.requireUnsignedAllowed(initiator, orgIds),
      declaredOrders: (keys) => clearanceLookup(db).liveOrderKeys(keys),
    },
  });

  const statistics = createStatisticsService({ db, clock, audit });
  const summaries = createSummaryService({ db, clock, audit });
  const summaryReminders = createSummaryReminderJob({
    db,
    clock,
    log,
    // kicked after the reminders' transaction commits: the webhook dispatcher delivers them too
    outbox: {
      publish: (trx, events) => outbox.publish(trx, events),
      kick: () => {
        outbox.kick();
        for (const l of reminderListeners) l();
      },
    },
  });
  const ceb701 = createCeb701Service({ db, clock, summaries });
  const credit = createCreditService({ db, clock, audit, external: creditExternalFactors });
  const creditRecompute = createCreditRecomputeJob({ credit, log });
  const trace = createTraceService({
    db,
    clock,
    audit,
    reports: { report: (r) => credit.reportPublic({ ...r, kind: 'counterfeit' }) },
    departures: { departed: (nos) => parcelCustomsLookup(db).departed(nos) },
    sources: traceSources,
  });
  const parks = createParkService({ db, clock, audit });
  const offerings = createOfferingService({ db, clock, audit });
  const programmes = createProgrammeService({
    db,
    clock,
    audit,
    figures: {
      // the last twelve months of closed exports and export tax refunds, and the current credit level
      async figuresOf(org) {
        const to = clock.now().toISOString().slice(0, 10);
        const from = new Date(clock.now().getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
        const [f, refunds, levels] = await Promise.all([
          statistics.enterpriseFigures(org.code, from, to),
          taxLookup(db).refundTotals(org.id, from, to),
          credit.creditLevelOf([org.id]),
        ]);
        return {
          ...f,
          refundsCny: refunds.refundsCny,
          creditLevelRank: LEVEL_RANK[levels.get(org.id)?.level ?? ''] ?? 0,
        };
      },
    },
  });

  // issue 7: logistics (tracking, timelines joined with customs states)
  // The live tracking stream reads a feed in PostgreSQL; scaled out, processes wake each other's
  // streams over core NATS (organisation ids only).
  const trackingFeed = createTrackingFeed({
    db,
    log,
    ...(bus
      ? {
          signals: {
            publish: (data: string) => bus.nc.publish(bus.subjects.tracking, data),
            subscribe: (listener: (data: string) => void) => {
              bus.nc.subscribe(bus.subjects.tracking, { callback: (err, m) => (err ? undefined : listener(m.string())) });
            },
          },
        }
      : {}),
  });
  const logistics = createLogisticsService({ db, clock, audit, feed: trackingFeed });
  // The supervision centre's arrival (CEB507) goes through clearance intake as the centre itself.
  const arrivals: ArrivalPort = {
    submit: (p, message, requestId) => intake.submit(p, message, 'json', requestId),
    asOrganisation: (orgId) => organisationPrincipal(db, orgId),
  };
  const warehouse = createWarehouseService({
    db,
    clock,
    audit,
    arrivals,
    scans: { record: (exec, events) => logistics.recordSiteEvents(exec, events) },
    // the inspection station: a scanned parcel whose joint-inspection task is open is sent there
    inspection: { tasksOf: (ids) => inspectionLookup(db).tasksOf(ids) },
  });
  // pack and dispatch refuse a parcel whose inspection task is open (issue 7 audit)
  const warehouseDispatch = createDispatchService({
    db,
    clock,
    audit,
    arrivals,
    inspection: { tasksOf: (ids) => inspectionLookup(db).tasksOf(ids) },
  });
  const dispatchRepair = createDispatchRepairService({ db, clock, audit });
  // tracking events out by webhook, signed like the receipt webhooks
  const trackingHooks = createTrackingHookService({ db, clock, audit, allowPrivate });
  const trackingHookDispatcher = createTrackingHookDispatcher({ db, log, clock, allowPrivate });
  // tracking feed entries and finished webhook batches older than LOGISTICS_RETENTION_DAYS, hourly
  const logisticsRetention = createLogisticsRetentionJob({ db, clock, log, days: config.logisticsRetentionDays });
  const overseasStock = createStockService({ db, clock, audit });
  const servicePoints = createPointsService({ db, clock, audit });

  const metrics = createPlatformMetrics();
  const app = await buildApp({
    config,
    log,
    auth,
    metrics,
    rateLimitDb: db,
    routes: [
      (a) => registerSystemRoutes(a, { db, audit, outbox, metrics, metricsToken: config.metricsToken }),
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
      (a) => registerSignatureRoutes(a, { signatures }),
      (a) => registerLogisticsRoutes(a, { logistics, hooks: trackingHooks }),
      (a) => registerWarehouseRoutes(a, { warehouse, dispatch: warehouseDispatch, repair: dispatchRepair }),
      (a) => registerOverseasRoutes(a, { stock: overseasStock, points: servicePoints }),
      (a) => registerSummaryRoutes(a, { summaries, ceb701 }),
      (a) =>
        registerTaxRoutes(a, {
          tax: createTaxService({ db, clock, audit }),
          // 无票免税 rule and refund rates: versioned data the tax officer keeps (issue 6)
          rules: createTaxRulesService({ db, clock, audit }),
        }),
      (a) => registerForexRoutes(a, { forex: createForexService({ db, clock, audit }) }),
      (a) => registerSettlementAccountRoutes(a, { accounts: createSettlementAccountService({ db, clock, audit }) }),
      (a) => registerEvidenceRoutes(a, { evidence: createEvidenceService({ db, clock }) }),
      (a) =>
        registerRiskRoutes(a, {
          risk: createRiskService({
            db,
            clock,
            audit,
            outbox,
            ports: riskPorts,
            clearance: {
              held: async (ids) =>
                new Set(
                  (await clearanceLookup(db).inventoryReleases({ ids })).filter((d) => d.status === '300').map((d) => d.id),
                ),
              inventories: (ids) => clearanceLookup(db).inventoryDocuments(ids),
              redecideHeld: (exec, ids) => clearance.redecideHeld(exec, ids, decide).then(() => undefined),
            },
          }),
        }),
      (a) =>
        registerInspectionRoutes(a, {
          filings: createInspectionFilingService({ db, clock, audit, outbox }),
          batches: createInspectionBatchService({ db, clock, audit, outbox }),
          declarations: createInspectionDeclarationService({ db, clock, audit }),
          // Release after a joint inspection is clearance's (one release logic), on its inspection
          // path, from the outbox (inspectionRelease above): the officer who records the last
          // finding releases, whichever agency they are from.
          tasks: createInspectionTaskService({ db, clock, audit, outbox }),
        }),
      (a) => registerStatisticsRoutes(a, { statistics }),
      (a) => registerCreditRoutes(a, { credit }),
      (a) => registerTraceRoutes(a, { trace, trustedGeoHeader: config.trustedGeoHeader, publicBaseUrl: config.publicBaseUrl }),
      (a) => registerParksRoutes(a, { parks, offerings, programmes }),
    ],
  });

  // Graceful shutdown. Fastify's close destroys every socket (forceCloseConnections), the ones
  // whose requests are still being served included: an intake could commit and its client never
  // hear. Once closing (new requests get 503), let those answer first, on connections that then close.
  const serving = new Set<ServerResponse>();
  const netServerClose = NetServer.prototype.close; // stops listening, leaves the open sockets
  app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    serving.add(res);
    res.once('close', () => serving.delete(res));
  });
  app.addHook('preClose', async () => {
    // New connections are refused from now on; idle keep-alive ones stay until the requests drain.
    netServerClose.call(app.server);
    const deadline = Date.now() + 25_000;
    for (;;) {
      // Responses whose headers went out are finishing or are event streams (which never end).
      const waiting = [...serving].filter((res) => !res.headersSent);
      for (const res of waiting) res.setHeader('connection', 'close');
      if (waiting.length === 0 || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 10));
    }
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
    creditRecompute,
    summaryReminders,
    startWorkers() {
      // An API process only takes requests; its outbox rows are announced by the workers' relays.
      if (config.role === 'api') return;
      if (runner) runner.start().catch((e: unknown) => log.error({ err: e }, 'outbox bus runner failed to start'));
      else outbox.start();
      sequencer.start();
      webhookDispatcher.start();
      trackingHookDispatcher.start();
      logisticsRetention.start();
      trackingFeed.start();
      creditRecompute.start();
      summaryReminders.start();
      // dispatches a crash left pending (ADR 0014): on start, then every five minutes
      const repairDispatches = (): void => {
        dispatchRepair.repairAll().catch((e: unknown) => log.warn({ err: e }, 'dispatch repair failed'));
      };
      repairDispatches();
      repairTimer = setInterval(repairDispatches, 5 * 60_000);
      repairTimer.unref();
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
      await trackingHookDispatcher.stop();
      await logisticsRetention.stop();
      await trackingFeed.stop();
      await creditRecompute.stop();
      await summaryReminders.stop();
      clearInterval(repairTimer);
      clearInterval(auditTimer);
      // What was audited is on the chain before the process goes.
      await audit.flush(db, 2_000).catch(() => undefined);
      await database.close();
      await bus?.close();
    },
  };
}

/**
 * issue 8: the credit factors other modules hold, read through their lookups (read-only); shared
 * by the platform and `cbec credit recompute`.
 */
export const creditExternalFactors: ExternalFactorsPort = {
  async factors(exec, codes, since) {
    const [findings, onTime, forex] = await Promise.all([
      inspectionLookup(exec).failedTaskCounts(codes, since),
      summaryLookup(exec).onTimeCounts(codes, since),
      forexReceiptTotals(exec, codes, since),
    ]);
    return new Map(
      codes.map((c) => [
        c,
        {
          inspectionFindings: findings.get(c) ?? 0,
          ...(onTime.has(c) ? { summaries: onTime.get(c)! } : {}),
          ...(forex.has(c) ? { forex: forex.get(c)! } : {}),
        },
      ]),
    );
  },
};

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
async function organisationPrincipal(db: Database['db'], orgId: string, initiator?: Principal): Promise<Principal> {
  const o = await organisationDirectory(db).byId(orgId);
  if (!o) throw new Error(`no organisation ${orgId}`);
  return {
    via: 'api_key',
    // who asked for the message: its credential decides what may go unsigned (ADR 0018)
    ...(initiator
      ? {
          initiatedBy: {
            via: initiator.via,
            userId: initiator.userId,
            apiKeyId: initiator.apiKeyId,
            ...(initiator.viaCookie ? { viaCookie: true } : {}),
          },
        }
      : {}),
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

export async function seedDemo(
  p: Pick<Platform, 'database' | 'clock' | 'audit'> & { config?: Pick<Config, 'inspectionAuthority'> },
): Promise<void> {
  // the inspection set-up (INSPECTION_AUTHORITY, ADR 0025); without a config the default, customs
  const demoOrgs = await seedIdentityDemo({
    db: p.database.db,
    clock: p.clock,
    audit: p.audit,
    ...(p.config ? { inspectionAuthority: p.config.inspectionAuthority } : {}),
  });
  await seedFilingDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  await seedRiskDemo(
    { db: p.database.db, clock: p.clock, audit: p.audit },
    DEMO_FILED_ENTERPRISES.map((e) => e.code),
  );
  await seedInspectionDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  // issue 7: carrier services, centre locations, an overseas warehouse and service point
  await seedLogisticsDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  await seedWarehouseDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  await seedOverseasDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  // issue 8: a park, a course, a matchmaking event and a support programme
  // owned by the demo commerce department, which manages them
  await seedParksDemo({ db: p.database.db, clock: p.clock, audit: p.audit, ownerOrgId: demoOrgs.commerce! });
  // issue 6: tax status of the demo sellers, forex receipts and RMB settlements
  await seedTaxDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
  await seedForexDemo({ db: p.database.db, clock: p.clock, audit: p.audit });
}

export async function ensureDemo(p: Platform): Promise<boolean> {
  if (await hasDemoData(p.database.db)) {
    // An existing demo database follows a changed INSPECTION_AUTHORITY (ADR 0025); nothing else is re-seeded.
    const db = p.database.db;
    if (await applyDemoInspectionAuthority({ db, clock: p.clock, audit: p.audit }, p.config.inspectionAuthority))
      p.log.info({ inspectionAuthority: p.config.inspectionAuthority }, 'demo inspection set-up switched');
    return false;
  }
  await seedDemo(p);
  // issue 8: parcels of each business mode (9610, 9710, 9810, 1210) through clearance, for the dashboards
  await seedStatisticsDemo({ app: p.app, clock: p.clock });
  return true;
}

/** The database the config names: a server (`DATABASE_URL`) or the embedded one in DATA_DIR. */
export async function openDatabase(config: Config, log: Logger): Promise<{ url: string; embedded: EmbeddedDb | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedDb({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  return { url: embedded.url, embedded };
}
