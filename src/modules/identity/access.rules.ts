/**
 * Who may do what, as data. A route names one permission; a principal holds the union of its
 * user roles' permissions. Scope (own organisation, jurisdiction) is checked again in every
 * service method: a permission says "may use this kind of action", not "may touch this row".
 */
export const ENTERPRISE_ROLES = ['ebp', 'ebc', 'logistics', 'payment', 'agent', 'warehouse', 'overseas'] as const;
export type EnterpriseRole = (typeof ENTERPRISE_ROLES)[number];
/** The roles the enterprise directory lists: the parties a seller names on its documents and bookings. */
export const DIRECTORY_ROLES = ['warehouse', 'logistics', 'payment', 'agent', 'ebp'] as const satisfies readonly EnterpriseRole[];

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
  // the public register of filed enterprises by role: code, name and roles only (a seller picks
  // the supervision centre and the carrier it books with)
  'organisations.directory',
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
  // risk & inspection (issue 5)
  'risk.read',
  'risk.manage',
  'inspection.read',
  'inspection.work',
  'inspection.filing',
  // statistics, credit, trace, parks (issue 8)
  'statistics.read',
  'statistics.manage',
  'credit.read',
  'credit.manage',
  'trace.manage',
  'parks.manage',
  'parks.apply',
  // summary declaration, tax, forex (issue 6)
  'summary.submit',
  'summary.read',
  // the holiday calendar of the summary deadlines (放假调休 as the State Council publishes it)
  'summary.calendar',
  'tax.refunds',
  'tax.review',
  'forex.submit',
  'forex.read',
  'forex.review',
  'pboc.review',
  'evidence.read',
  // logistics, warehouse, overseas warehouses, service points (issue 7)
  'logistics.manage',
  'logistics.read',
  'warehouse.operate',
  'warehouse.book',
  'overseas.manage',
  'overseas.read',
  'servicepoints.manage',
  'servicepoints.request',
  // signature: certificates for signed declarations (issue 9)
  'signatures.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const OFFICER: Permission[] = ['organisations.read_all'];
// Customs and inspection read clearance documents of their jurisdiction; other agencies get the
// data their duty needs through their own modules.
const CLEARANCE_OFFICER: Permission[] = [...OFFICER, 'clearance.read'];
// issue 8: sellers see their own figures, rating and trace codes; customs and inspection their
// jurisdiction's figures and run credit cases with the commerce department.
const ENTERPRISE_ISSUE8: Permission[] = ['statistics.read', 'credit.read', 'trace.manage', 'parks.apply'];
const CUSTOMS_ISSUE8: Permission[] = ['statistics.read', 'credit.read', 'credit.manage', 'trace.manage'];
// issue 6: sellers and brokers summarise their months; customs, tax and forex read the declarations.
const ENTERPRISE_ISSUE6: Permission[] = [
  'summary.submit',
  'summary.read',
  'tax.refunds',
  'forex.submit',
  'forex.read',
  'evidence.read',
];
// issue 7: each service checks the organisation's role (carrier, warehouse, overseas provider).
const ENTERPRISE_ISSUE7: Permission[] = [
  'logistics.manage',
  'logistics.read',
  'warehouse.operate',
  'warehouse.book',
  'overseas.manage',
  'overseas.read',
  'servicepoints.manage',
  'servicepoints.request',
];

export const ROLE_PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  enterprise_admin: [
    'organisations.directory',
    'users.manage',
    'apikeys.manage',
    'filings.submit',
    'ceb.submit',
    'clearance.read',
    'orders.import',
    'orders.read',
    'orders.declare',
    'webhooks.manage',
    'signatures.manage',
    'inspection.filing',
    ...ENTERPRISE_ISSUE8,
    ...ENTERPRISE_ISSUE6,
    ...ENTERPRISE_ISSUE7,
  ],
  enterprise_clerk: [
    'organisations.directory',
    'filings.submit',
    'ceb.submit',
    'clearance.read',
    'orders.import',
    'orders.read',
    'orders.declare',
    'inspection.filing',
    ...ENTERPRISE_ISSUE8,
    ...ENTERPRISE_ISSUE6,
    ...ENTERPRISE_ISSUE7,
  ],
  customs_officer: [
    ...CLEARANCE_OFFICER,
    'filings.review',
    'clearance.review',
    'risk.read',
    'risk.manage',
    'inspection.read',
    'inspection.work',
    ...CUSTOMS_ISSUE8,
    'summary.read',
    'summary.calendar',
    'evidence.read',
  ],
  inspection_officer: [
    ...CLEARANCE_OFFICER,
    'filings.review',
    'risk.read',
    'inspection.read',
    'inspection.work',
    ...CUSTOMS_ISSUE8,
  ],
  tax_officer: [...OFFICER, 'summary.read', 'tax.refunds', 'tax.review', 'evidence.read'],
  forex_officer: [...OFFICER, 'summary.read', 'forex.review', 'evidence.read'],
  pboc_officer: [...OFFICER, 'pboc.review'],
  commerce_officer: [...OFFICER, 'statistics.read', 'statistics.manage', 'credit.read', 'credit.manage', 'parks.manage'],
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
