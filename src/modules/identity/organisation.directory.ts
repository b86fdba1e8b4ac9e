import type { Executor } from '../../kernel/db.ts';
import type { OrganisationRow } from './identity.tables.ts';
import { createOrganisationRepository } from './organisation.repository.ts';

/** What other modules may read about organisations (they never read identity's tables). */
export interface OrganisationProfile {
  id: string;
  kind: OrganisationRow['kind'];
  name: string;
  uscc: string | null;
  customs_code: string | null;
  roles: string[];
  jurisdiction: string | null;
}

const profile = (r: OrganisationRow): OrganisationProfile => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  uscc: r.uscc,
  customs_code: r.customs_code,
  roles: r.roles,
  jurisdiction: r.jurisdiction,
});

/** Batch-first: one statement for hundreds of codes, never a query per document. */
export function organisationDirectory(exec: Executor) {
  const repo = createOrganisationRepository(exec);
  return {
    idsByCodes: (codes: string[]) => repo.idsByCodes([...new Set(codes.filter(Boolean))]),
    idsByDxpIds: (dxpIds: string[]) => repo.idsByDxpIds([...new Set(dxpIds.filter(Boolean))]),
    /** The enterprises of an agency's jurisdiction (`jurisdictionPrefix`; '' is every one). */
    enterpriseIdsIn: (prefix: string) => repo.enterpriseIdsIn(prefix),
    async byId(id: string): Promise<OrganisationProfile | undefined> {
      const r = await repo.findById(id);
      return r && profile(r);
    },
    /** Profiles by id in one statement; unknown ids are absent. */
    async byIds(ids: readonly string[]): Promise<OrganisationProfile[]> {
      return (await repo.findManyByIds([...new Set(ids.filter(Boolean))])).map(profile);
    },
    async byCodes(codes: readonly string[]): Promise<OrganisationProfile[]> {
      return (await repo.findManyByCodes([...new Set(codes.filter(Boolean))])).map(profile);
    },
  };
}
