import type { Executor } from '../../kernel/db.ts';
import { forbidden } from '../../kernel/errors.ts';
import { isAdmin, jurisdictionPrefix, organisationDirectory, type Principal } from '../identity/index.ts';

/** The caller's enterprise: its organisation, codes (customs code, USCC), roles and jurisdiction. */
export interface OwnEnterprise {
  orgId: string;
  codes: string[];
  roles: string[];
  jurisdiction: string | null;
}

/** Enterprises only (banks and payment institutions are enterprises too); anyone else: 403. */
export async function ownEnterprise(exec: Executor, p: Principal): Promise<OwnEnterprise> {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise') throw forbidden();
  const o = await organisationDirectory(exec).byId(org.id);
  return {
    orgId: org.id,
    codes: [o?.customs_code, o?.uscc].filter((c): c is string => !!c),
    roles: o?.roles ?? [],
    jurisdiction: o?.jurisdiction ?? null,
  };
}

/** '' for the administrator; the jurisdiction prefix of an agency with this duty; anyone else: 403. */
export function agencyPrefix(p: Principal, duty: 'forex' | 'pboc'): string {
  if (isAdmin(p)) return '';
  const org = p.organisation;
  if (!org || org.kind !== 'agency' || !org.roles.includes(duty)) throw forbidden();
  const prefix = jurisdictionPrefix(org.jurisdiction);
  if (prefix === null) throw forbidden();
  return prefix;
}
