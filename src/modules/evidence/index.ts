export { createEvidenceService, type EvidenceService, MAX_PACK_INVENTORIES } from './evidence.service.ts';
export { registerEvidenceRoutes } from './evidence.routes.ts';
export { verifyPack, buildPack, type EvidencePack, type VerifyResult } from './rules/pack.rules.ts';
