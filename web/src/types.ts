/** Shapes of the `/api/v1` answers the web shell reads. Keep in step with the server schemas. */

export type Locale = 'zh-CN' | 'en';

export type OrganisationKind = 'enterprise' | 'agency' | 'operator';

/** Enterprise roles (`organisation.roles` when kind = enterprise). */
export type EnterpriseRole = 'ebp' | 'ebc' | 'logistics' | 'payment' | 'agent' | 'warehouse' | 'overseas';

/** Agency duties (`organisation.roles` when kind = agency). */
export type AgencyDuty = 'customs' | 'inspection' | 'tax' | 'forex' | 'pboc' | 'commerce';

/** User roles (`user.roles`). */
export type UserRole =
  | 'enterprise_admin'
  | 'enterprise_clerk'
  | 'customs_officer'
  | 'inspection_officer'
  | 'tax_officer'
  | 'forex_officer'
  | 'pboc_officer'
  | 'commerce_officer'
  | 'admin';

export interface SessionOrganisation {
  id: string;
  name: string;
  nameEn: string | null;
  kind: OrganisationKind;
  code: string | null;
  roles: string[];
  jurisdiction: string | null;
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  locale: string;
  roles: string[];
  organisation: SessionOrganisation | null;
}

/** `GET /api/v1/auth/me` */
export interface Session {
  user: SessionUser;
  permissions: string[];
}

/** `POST /api/v1/auth/login` */
export interface LoginAnswer {
  token: string;
  user: SessionUser;
}

/** `GET /api/v1/organisations/{id}` and the items of `GET /api/v1/organisations` */
export interface Organisation {
  id: string;
  kind: OrganisationKind;
  name: string;
  nameEn: string | null;
  code: string | null;
  uscc: string | null;
  customsCode: string | null;
  roles: string[];
  jurisdiction: string | null;
  createdAt: string;
}

export interface OrganisationPage {
  items: Organisation[];
  nextCursor: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  key: string;
  createdAt: string;
}

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  organisationId: string | null;
  lockedUntil: string | null;
  createdAt: string;
}

export interface CodeTableInfo {
  table: string;
  nameZh: string;
  nameEn: string;
  count: number;
}

export interface CodeEntry {
  code: string;
  nameZh: string;
  nameEn?: string;
  [extra: string]: unknown;
}

export interface CodePage {
  table: string;
  total: number;
  items: CodeEntry[];
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorUserId: string | null;
  actorOrgId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: number | null;
}

export interface ListOf<T> {
  items: T[];
}
