export { createEvidenceService, type EvidenceService, PACK_PAGE_SIZE } from './evidence.service.ts';
export { registerEvidenceRoutes } from './evidence.routes.ts';
export { verifyPack, buildPack, type EvidencePack, type VerifyResult } from './rules/pack.rules.ts';
