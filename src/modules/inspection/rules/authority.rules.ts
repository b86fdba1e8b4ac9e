import { isAdmin, type Principal } from '../../identity/index.ts';

/** The agencies of "one inspection, one release": whose finding a task needs. */
export type Agency = 'customs' | 'inspection';

/** The officer role that acts for each agency duty. */
const OFFICER_OF: Readonly<Record<Agency, string>> = { customs: 'customs_officer', inspection: 'inspection_officer' };

/**
 * Who is the inspection authority (ADR 0025): an agency organisation holding the `inspection` duty;
 * its inspection officers act for it. The same holds for customs. In the merged set-up
 * (INSPECTION_AUTHORITY=customs) the customs agency holds both duties, so its customs officers act
 * for customs and its inspection officers for inspection; with a separate inspection agency
 * (`agency`) customs holds `customs` only and the agency `inspection` only, so neither's officer
 * can act for the other, whatever roles someone gave a user. The operator acts for both.
 */
export function agenciesOf(p: Principal): Agency[] {
  if (isAdmin(p)) return ['customs', 'inspection'];
  const org = p.organisation;
  if (!org || org.kind !== 'agency') return [];
  return (['customs', 'inspection'] as const).filter((a) => org.roles.includes(a) && p.roles.includes(OFFICER_OF[a]));
}

export const actsFor = (p: Principal, agency: Agency): boolean => agenciesOf(p).includes(agency);
