import { isAdmin, jurisdictionPrefix, type Principal } from '../identity/index.ts';
import type { ClearanceRepository, DocumentRow } from './clearance.repository.ts';

// What the clearance services share: who sees which documents, and a document as the API shows it.

export const DOC = { zh: '单证', en: 'document' };

/** Who sees which documents: parties see theirs; customs its jurisdiction; the operator all. */
export type Scope = { partyOrgId?: string; customsPrefix?: string };

export function scopeOf(p: Principal): Scope {
  if (isAdmin(p)) return {};
  const org = p.organisation;
  if (org?.kind === 'agency') return { customsPrefix: jurisdictionPrefix(org.jurisdiction) ?? '\u0000' };
  return { partyOrgId: org?.id ?? '00000000-0000-0000-0000-000000000000' };
}

/**
 * Parties see their documents and subscribers theirs; an agency what is declared in its
 * jurisdiction and the place-less documents (orders, payment collections, waybills) linked to an
 * inventory there (asked of the repository: the link is in the database); the operator all.
 */
export async function visible(repo: ClearanceRepository, scope: Scope, d: DocumentRow): Promise<boolean> {
  if (scope.partyOrgId !== undefined) return d.parties.includes(scope.partyOrgId) || (d.readers ?? []).includes(scope.partyOrgId);
  if (scope.customsPrefix !== undefined) {
    if (d.customs_code !== null) return d.customs_code.startsWith(scope.customsPrefix);
    return (await repo.inJurisdiction([d.id], scope.customsPrefix)).has(d.id);
  }
  return true;
}

export function toDocumentView(d: DocumentRow & { invt_no?: string | null }) {
  return {
    id: d.id,
    kind: d.kind,
    guid: d.guid,
    businessKey: d.business_key,
    copNo: d.cop_no,
    preNo: d.pre_no,
    invtNo: d.invt_no ?? null,
    status: d.status,
    live: d.live,
    customsCode: d.customs_code,
    returnInfo: d.return_info,
    head: d.head,
    lines: d.lines,
    createdAt: new Date(d.created_at).toISOString(),
    updatedAt: new Date(d.updated_at).toISOString(),
  };
}
