export { createAuthService, type AuthService } from './auth.service.ts';
export { hashPassword, SESSION_PREFIX, API_KEY_PREFIX } from './rules/credentials.ts';
export { createOrganisationService, type OrganisationService } from './organisation.service.ts';
export { createApiKeyService, type ApiKeyService } from './api-key.service.ts';
export { registerIdentityRoutes, SESSION_COOKIE } from './identity.routes.ts';
export {
  seedIdentityDemo,
  hasDemoData,
  applyDemoInspectionAuthority,
  DEMO_USERS,
  DEMO_PASSWORD,
  DEMO_INSPECTION_AGENCY,
} from './identity.demo.ts';
export { actorOf, requirePermission, requirePrincipal, isAdmin, jurisdictionPrefix, type Principal } from './principal.ts';
export { PERMISSIONS, USER_ROLES, ENTERPRISE_ROLES, AGENCY_DUTIES, isPermission, type Permission } from './access.rules.ts';
export { checkUscc, checkCustomsCode, completeUscc } from './rules/enterprise-codes.ts';
export { migrationsDir as identityMigrations } from './identity.migrations.ts';
export { organisationDirectory, type OrganisationProfile } from './organisation.directory.ts';
