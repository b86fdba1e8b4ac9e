import type { Executor } from '../../kernel/db.ts';
import { isAdmin, jurisdictionPrefix, organisationDirectory, type Principal } from '../identity/index.ts';

/**
 * Which enterprises' filings and batches an agency's inspection desk sees: those of its
 * jurisdiction (the enterprise's competent customs district, as for customs filings); `null` for
 * every one (the operator, GACC 0000).
 */
export async function enterprisesInScope(exec: Executor, p: Principal): Promise<string[] | null> {
  if (isAdmin(p)) return null;
  const prefix = jurisdictionPrefix(p.organisation?.jurisdiction ?? null);
  if (prefix === '') return null;
  if (prefix === null) return [];
  return organisationDirectory(exec).enterpriseIdsIn(prefix);
}

/** Whether the desk covers one enterprise (a filing's): the same rule, for one row. */
export async function coversEnterprise(exec: Executor, p: Principal, orgId: string): Promise<boolean> {
  if (isAdmin(p)) return true;
  const prefix = jurisdictionPrefix(p.organisation?.jurisdiction ?? null);
  if (prefix === null) return false;
  const org = await organisationDirectory(exec).byId(orgId);
  return !!org && (org.jurisdiction ?? '').startsWith(prefix);
}
