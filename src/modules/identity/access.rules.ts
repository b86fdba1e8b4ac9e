/**
 * Who may do what, as data. A route names one permission; a principal holds the union of its
 * user roles' permissions. Scope (own organisation, jurisdiction) is checked again in every
 * service method: a permission says "may use this kind of action", not "may touch this row".
 */
export const ENTERPRISE_ROLES = ['ebp', 'ebc', 'logistics', 'payment', 'agent', 'warehouse', 'overseas'] as const;
export type EnterpriseRole = (typeof ENTERPRISE_ROLES)[number];

export const AGENCY_DUTIES = ['customs', 'inspection', 'tax', 'forex', 'pboc', 'commerce'] as const;
export type AgencyDuty = (typeof AGENCY_DUTIES)[number];

export const USER_ROLES = [
  'enterprise_admin',
  'enterprise_clerk',
  'customs_officer',
  'inspection_officer',
  'tax_officer',
  'forex_officer',
  'pboc_officer',
  'commerce_officer',
  'admin',
] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const PERMISSIONS = [
  'organisations.read_all',
  'organisations.manage',
  'users.manage',
  'apikeys.manage',
  'audit.read',
  'filings.submit',
  'filings.review',
  'ceb.submit',
  'clearance.read',
  'clearance.review',
  'orders.import',
  'orders.read',
  'orders.declare',
  'webhooks.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const OFFICER: Permission[] = ['organisations.read_all'];
// Customs and inspection read clearance documents of their jurisdiction; other agencies get the
// data their duty needs through their own modules.
const CLEARANCE_OFFICER: Permission[] = [...OFFICER, 'clearance.read'];

export const ROLE_PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  enterprise_admin: [
    'users.manage',
    'apikeys.manage',
    'filings.submit',
    'ceb.submit',
    'clearance.read',
    'orders.import',
    'orders.read',
    'orders.declare',
    'webhooks.manage',
  ],
  enterprise_clerk: ['filings.submit', 'ceb.submit', 'clearance.read', 'orders.import', 'orders.read', 'orders.declare'],
  customs_officer: [...CLEARANCE_OFFICER, 'filings.review', 'clearance.review'],
  inspection_officer: [...CLEARANCE_OFFICER, 'filings.review'],
  tax_officer: OFFICER,
  forex_officer: OFFICER,
  pboc_officer: OFFICER,
  commerce_officer: OFFICER,
  admin: [...PERMISSIONS],
};

/** Which user roles fit which organisation kind: an officer role in an enterprise is refused. */
export const ROLES_BY_ORG_KIND: Readonly<Record<'enterprise' | 'agency' | 'operator', readonly UserRole[]>> = {
  enterprise: ['enterprise_admin', 'enterprise_clerk'],
  agency: ['customs_officer', 'inspection_officer', 'tax_officer', 'forex_officer', 'pboc_officer', 'commerce_officer'],
  operator: ['admin'],
};

/** An API key acts for its organisation as a clerk would: machines submit, they do not administer. */
export const API_KEY_ROLES: readonly UserRole[] = ['enterprise_clerk'];

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r as UserRole] ?? []) out.add(p);
  return out;
}

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}
