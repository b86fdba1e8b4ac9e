import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, notFound } from '../../kernel/errors.ts';
import { inventoryDossiers } from '../clearance/index.ts';
import { isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import { renderEvidencePdf } from './evidence.pdf.ts';
import { buildPack, type EvidencePack } from './rules/pack.rules.ts';

/** A pack carries at most this many parcels; larger declarations say so in the declaration part. */
export const MAX_PACK_INVENTORIES = 2000;

const OFFICER_DUTIES = ['customs', 'tax', 'forex'];

export function createEvidenceService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function declarationFor(p: Principal, id: string): Promise<DeclarationRecord> {
    const org = p.organisation;
    let filter: { orgId?: string; customsPrefix?: string } = {};
    if (org?.kind === 'enterprise') filter = { orgId: org.id };
    else if (isAdmin(p)) filter = { customsPrefix: '' };
    else if (org?.kind === 'agency' && org.roles.some((r) => OFFICER_DUTIES.includes(r))) {
      const prefix = jurisdictionPrefix(org.jurisdiction);
      if (prefix === null) throw forbidden();
      filter = { customsPrefix: prefix };
    } else throw forbidden();
    const [d] = await summaryLookup(db).declarations({ ...filter, ids: [id], limit: 1 });
    if (!d) throw notFound({ zh: '报关单', en: 'declaration' });
    return d;
  }

  async function pack(p: Principal, id: string): Promise<EvidencePack> {
    const d = await declarationFor(p, id);
    const lookup = summaryLookup(db);
    const lineage = await lookup.lineage(d.id, MAX_PACK_INVENTORIES * 20);
    const invIds = [...new Set(lineage.map((l) => l.inventoryId))].slice(0, MAX_PACK_INVENTORIES);
    const dossiers = await inventoryDossiers(db, invIds);
    const truncated = d.inventoryCount > invIds.length;
    return buildPack({ kind: 'declaration', id: d.id, entryId: d.entryId }, clock.now().toISOString(), [
      {
        name: 'declaration',
        title: { zh: '出口报关单（汇总）', en: 'export declaration (summary)' },
        data: {
          entryId: d.entryId,
          declSeqNo: d.declSeqNo,
          customsCode: d.customsCode,
          ebcCode: d.ebcCode,
          ebcName: d.ebcName,
          period: d.period,
          inventoryCount: d.inventoryCount,
          inventoriesInPack: invIds.length,
          truncated,
          lines: d.lines,
        },
      },
      {
        name: 'summary_lineage',
        title: { zh: '汇总来源（清单表体→报关单表体）', en: 'summary lineage (inventory line → declaration line)' },
        data: lineage.filter((l) => invIds.includes(l.inventoryId)).map(({ inventoryId: _i, ...rest }) => rest),
      },
      {
        name: 'inventories',
        title: { zh: '申报清单', en: 'inventories' },
        data: dossiers.map((x) => ({
          invtNo: x.invtNo,
          status: x.status,
          releasedAt: x.releasedAt,
          closedAt: x.closedAt,
          head: x.inventory,
          lines: x.inventoryLines,
        })),
      },
      { name: 'orders', title: { zh: '电子订单', en: 'orders' }, data: dossiers.map((x) => x.order) },
      { name: 'payments', title: { zh: '收款单', en: 'receipts of payment' }, data: dossiers.map((x) => x.payment) },
      { name: 'waybills', title: { zh: '物流运单', en: 'waybills' }, data: dossiers.map((x) => x.waybill) },
      {
        name: 'departures',
        title: { zh: '运抵、总分单与离境', en: 'arrival, consolidation and departure' },
        data: dossiers.map((x) => ({ invtNo: x.invtNo, events: x.events })),
      },
      {
        name: 'proceeds',
        title: { zh: '收汇情况', en: 'proceeds received' },
        data: { received: d.received, lastReceiptDay: d.lastReceiptDay },
      },
    ]);
  }

  return {
    async json(p: Principal | null, declarationId: string): Promise<EvidencePack> {
      requirePermission(p, 'evidence.read');
      return pack(p, declarationId);
    },
    async pdf(p: Principal | null, declarationId: string): Promise<{ pdf: Buffer; packSha256: string; entryId: string }> {
      requirePermission(p, 'evidence.read');
      const pk = await pack(p, declarationId);
      return { pdf: await renderEvidencePdf(pk), packSha256: pk.packSha256, entryId: pk.subject.entryId };
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
