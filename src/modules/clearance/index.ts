export { createIntakeService, TOPIC_RECEIVED, type IntakeService, type IntakeOutcome } from './intake.service.ts';
export { createClearanceService, type ClearanceService } from './clearance.service.ts';
export {
  clearancePipeline,
  TOPIC_REVIEWED,
  TOPIC_CLOSED,
  TOPIC_WITHDRAWN,
  type ClosedPayload,
  type WithdrawnPayload,
} from './clearance.pipeline.ts';
export { registerClearanceRoutes, JSON_RESOURCES, jsonToMessage } from './clearance.routes.ts';
export { CLEARANCE_RULE_SETS, ruleSetOn, type ClearanceRuleSet } from './rules/clearance.rulesets.ts';
export {
  decideByRuleSet,
  strictestLane,
  sampleBucket,
  LANES,
  type DecisionHook,
  type Decision,
  type Lane,
} from './rules/decision.rules.ts';
export { DOC_KINDS, type DocKind } from './rules/documents.rules.ts';
export type { FilingPort, DirectoryPort } from './clearance.ports.ts';
export { migrationsDir as clearanceMigrations } from './clearance.migrations.ts';
export { createReceiptSequencer, type ReceiptSequencer } from './receipt.sequencer.ts';
export { cebForwarder } from './ceb.forwarder.ts';
export {
  clearanceLookup,
  enterpriseCountsCache,
  receiptFeed,
  type ClosedInventoryFacts,
  type EnterpriseClearanceCounts,
  type InventoryRelease,
} from './clearance.lookup.ts';
export { parcelCustomsLookup, type ParcelCustomsState } from './clearance.lookup.ts';
export { closedInventoryLines } from './clearance.lookup.ts';
export { receiptFeedEntriesAfter } from './clearance.repository.ts';
export { closedInventoryFactLines } from './clearance.lookup.ts';
export { inventoryCollections } from './clearance.lookup.ts';
export { collectionDocuments } from './clearance.lookup.ts';
export { inventoryDossiers, type InventoryDossier } from './clearance.lookup.ts';
export { orderInventories, documentReceiptHistory, type OrderInventory } from './clearance.lookup.ts';
