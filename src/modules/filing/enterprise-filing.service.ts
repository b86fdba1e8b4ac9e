import { DomainError, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createFilingRepository } from './filing.repository.ts';
import type { EnterpriseFiling, EnterpriseFilingInput } from './filing.schema.ts';
import {
  enterpriseOf,
  inScope,
  isUniqueViolation,
  nextStatus,
  requireReason,
  reviewFiling,
  reviewPage,
  type ReviewListOptions,
  reviewScopeOf,
  toEnterpriseFiling,
  type FilingServiceDeps,
} from './filing.shared.ts';
import { filingLifecycle, type FilingEvent } from './filing.states.ts';
import type { EnterpriseFilingRow, OrganisationView } from './filing.tables.ts';
import { checkEnterpriseFiling } from './rules/enterprise.ts';

const ENTERPRISE_FILING: Bilingual = { zh: '企业备案', en: 'enterprise filing' };

export type EnterpriseFilingService = ReturnType<typeof createEnterpriseFilingService>;

/** Enterprise filings: the enterprise's own application, and customs review of it. */
export function createEnterpriseFilingService(deps: FilingServiceDeps) {
  const { db, clock, audit } = deps;

  const reviewEnterprise = (p: Principal, id: string, event: 'approve' | 'reject', reason: string | null) =>
    reviewFiling(deps, p, id, event, reason, {
      entity: 'enterprise_filing',
      label: ENTERPRISE_FILING,
      lock: (repo, fid) => repo.lockEnterprise(fid),
      update: (repo, fid, patch, now) => repo.updateEnterprise(fid, patch, now),
      view: toEnterpriseFiling,
    });

  return {
    // --- enterprise side: own application -------------------------------------------------------
    async getOwnEnterpriseFiling(p: Principal | null): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      const row = await createFilingRepository(db).findEnterpriseByOrg(org.id);
      if (!row) throw notFound(ENTERPRISE_FILING);
      return toEnterpriseFiling(row);
    },

    /** Creates the organisation's application as a draft, or edits it while draft or rejected. */
    async saveEnterpriseFiling(
      p: Principal | null,
      input: EnterpriseFilingInput,
    ): Promise<{ filing: EnterpriseFiling; created: boolean }> {
      requirePermission(p, 'filings.submit');
      const me = enterpriseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createFilingRepository(trx);
        const org: OrganisationView | undefined = await organisationDirectory(trx).byId(me.id);
        if (!org) throw notFound(ENTERPRISE_FILING);
        const errors = checkEnterpriseFiling(input, org);
        if (errors.length) throw validationError(errors);
        const fields = {
          customs_code: org.customs_code,
          uscc: org.uscc,
          name: org.name,
          licence_no: input.licenceNo,
          legal_rep: input.legalRep.trim(),
          contact_name: input.contactName.trim(),
          contact_phone: input.contactPhone.trim(),
          contact_email: input.contactEmail || null,
          address: input.address.trim(),
          roles: [...input.roles],
          jurisdiction: org.jurisdiction,
        };
        const now = clock.now();
        const existing = await repo.findEnterpriseByOrg(org.id);
        if (existing) {
          await repo.lockEnterprise(existing.id);
          const status = nextStatus(existing.status, 'edit', ENTERPRISE_FILING);
          const updated = await repo.updateEnterprise(existing.id, { ...fields, status }, now);
          await audit.append(trx, actorOf(p), [
            {
              action: 'enterprise_filing.edit',
              entity: 'enterprise_filing',
              entityId: existing.id,
              before: toEnterpriseFiling(existing),
              after: toEnterpriseFiling(updated),
            },
          ]);
          return { filing: toEnterpriseFiling(updated), created: false };
        }
        let row: EnterpriseFilingRow;
        try {
          row = await repo.insertEnterprise(
            {
              id: newId(),
              organisation_id: org.id,
              ...fields,
              status: filingLifecycle.initial,
              reason: null,
              submitted_at: null,
              reviewed_at: null,
              reviewed_by: null,
            },
            now,
          );
        } catch (e) {
          if (isUniqueViolation(e)) {
            throw new DomainError('filing.duplicate', {
              zh: '本企业已有备案申请',
              en: 'the organisation already has a filing application',
            });
          }
          throw e;
        }
        await audit.append(trx, actorOf(p), [
          { action: 'enterprise_filing.create', entity: 'enterprise_filing', entityId: row.id, after: toEnterpriseFiling(row) },
        ]);
        return { filing: toEnterpriseFiling(row), created: true };
      });
    },

    /** Submits a draft, or resubmits a rejected application. */
    async submitEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.submit');
      const org = enterpriseOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createFilingRepository(trx);
        const row = await repo.lockEnterprise(id);
        if (!row || row.organisation_id !== org.id) throw notFound(ENTERPRISE_FILING);
        const event: FilingEvent = row.status === 'rejected' ? 'resubmit' : 'submit';
        const status = nextStatus(row.status, event, ENTERPRISE_FILING);
        const now = clock.now();
        const updated = await repo.updateEnterprise(id, { status, submitted_at: now }, now);
        await audit.append(trx, actorOf(p), [
          {
            action: `enterprise_filing.${event}`,
            entity: 'enterprise_filing',
            entityId: id,
            before: toEnterpriseFiling(row),
            after: toEnterpriseFiling(updated),
          },
        ]);
        return toEnterpriseFiling(updated);
      });
    },

    // --- customs side: enterprise filings within jurisdiction ------------------------------------
    async listEnterpriseFilings(
      p: Principal | null,
      opts: ReviewListOptions,
    ): Promise<{ items: EnterpriseFiling[]; nextCursor: string | null }> {
      requirePermission(p, 'filings.review');
      return reviewPage(p, opts, (q) => createFilingRepository(db).listEnterprise(q), toEnterpriseFiling);
    },

    async getEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      const scope = reviewScopeOf(p);
      const row = await createFilingRepository(db).findEnterpriseById(id);
      if (!row || !inScope(scope, row.jurisdiction)) throw notFound(ENTERPRISE_FILING);
      return toEnterpriseFiling(row);
    },

    async approveEnterpriseFiling(p: Principal | null, id: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      return reviewEnterprise(p, id, 'approve', null);
    },

    async rejectEnterpriseFiling(p: Principal | null, id: string, reason: string): Promise<EnterpriseFiling> {
      requirePermission(p, 'filings.review');
      return reviewEnterprise(p, id, 'reject', requireReason(reason));
    },
  };
}
