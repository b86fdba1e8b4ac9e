import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, notFound, validationError } from '../../kernel/errors.ts';
import {
  documentReceiptHistory,
  inventoryDossiers,
  orderInventories,
  type InventoryDossier,
  type OrderInventory,
} from '../clearance/index.ts';
import { orderProceeds } from '../forex/index.ts';
import { isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import { renderEvidencePdf } from './evidence.pdf.ts';
import { buildPack, type EvidencePack } from './rules/pack.rules.ts';

/** A pack carries at most this many parcels; larger declarations say so in the declaration part. */
export const MAX_PACK_INVENTORIES = 2000;

const OFFICER_DUTIES = ['customs', 'tax', 'forex'];

/** An inventory as both packs show it: its numbers, state and times, head and lines. */
const inventoryOf = (x: InventoryDossier) => ({
  invtNo: x.invtNo,
  status: x.status,
  releasedAt: x.releasedAt,
  closedAt: x.closedAt,
  head: x.inventory,
  lines: x.inventoryLines,
});

/** An order is named by its number and, where the caller is not its seller, its platform's code. */
export interface OrderRef {
  orderNo: string;
  ebpCode?: string | undefined;
}

export function createEvidenceService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /** '' for the administrator, the jurisdiction prefix for officers whose duty needs evidence. */
  function officerScope(p: Principal): string {
    if (isAdmin(p)) return '';
    const org = p.organisation;
    if (org?.kind === 'agency' && org.roles.some((r) => OFFICER_DUTIES.includes(r))) {
      const prefix = jurisdictionPrefix(org.jurisdiction);
      if (prefix !== null) return prefix;
    }
    throw forbidden();
  }

  async function declarationFor(p: Principal, id: string): Promise<DeclarationRecord> {
    const org = p.organisation;
    const filter = org?.kind === 'enterprise' ? { orgId: org.id } : { customsPrefix: officerScope(p) };
    const [d] = await summaryLookup(db).declarations({ ...filter, ids: [id], limit: 1 });
    if (!d) throw notFound({ zh: '报关单', en: 'declaration' });
    return d;
  }

  /**
   * The order's inventory the caller may see: its seller, its platform or its declaring agent;
   * officers within their jurisdiction. Anyone else learns nothing, not even that it exists (404).
   */
  async function orderFor(p: Principal, ref: OrderRef): Promise<{ chosen: OrderInventory; all: OrderInventory[] }> {
    const org = p.organisation;
    let rows: OrderInventory[] = [];
    if (org?.kind === 'enterprise' && org.code) {
      const code = org.code;
      rows = await orderInventories(db, { orderNo: ref.orderNo, ebpCode: ref.ebpCode, ebcCode: code });
      if (!rows.length && ref.ebpCode)
        rows = (await orderInventories(db, { orderNo: ref.orderNo, ebpCode: ref.ebpCode })).filter(
          (r) => r.ebpCode === code || r.agentCode === code,
        );
      if (!rows.length && !ref.ebpCode && org.roles.includes('ebp'))
        rows = await orderInventories(db, { orderNo: ref.orderNo, ebpCode: code });
    } else if (org?.kind === 'enterprise') {
      throw forbidden();
    } else {
      const prefix = officerScope(p);
      if (!ref.ebpCode)
        throw validationError([
          {
            field: 'query.ebpCode',
            rule: 'required',
            message: {
              zh: '订单号仅在电商平台内唯一：官员查询须给出电商平台代码',
              en: 'an order number is unique only per platform: officers must give the platform code (ebpCode)',
            },
          },
        ]);
      rows = (await orderInventories(db, { orderNo: ref.orderNo, ebpCode: ref.ebpCode })).filter((r) =>
        r.customsCode.startsWith(prefix),
      );
    }
    const chosen = rows[0];
    if (!chosen) throw notFound({ zh: '订单', en: 'order' });
    return { chosen, all: rows };
  }

  async function declarationPack(p: Principal, id: string): Promise<EvidencePack> {
    const d = await declarationFor(p, id);
    const lookup = summaryLookup(db);
    const lineage = await lookup.lineage(d.id, MAX_PACK_INVENTORIES * 20);
    const invIds = [...new Set(lineage.map((l) => l.inventoryId))].slice(0, MAX_PACK_INVENTORIES);
    const inPack = new Set(invIds);
    const dossiers = await inventoryDossiers(db, invIds);
    const truncated = d.inventoryCount > invIds.length;
    const orderNos = dossiers.map((x) => String(x.inventory.orderNo ?? '')).filter(Boolean);
    const proceeds = await orderProceeds(db, d.ebcCode, orderNos);
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
        data: lineage.filter((l) => inPack.has(l.inventoryId)).map(({ inventoryId: _i, ...rest }) => rest),
      },
      {
        name: 'inventories',
        title: { zh: '申报清单', en: 'inventories' },
        data: dossiers.map(inventoryOf),
      },
      { name: 'orders', title: { zh: '电子订单', en: 'orders' }, data: dossiers.map((x) => x.order) },
      { name: 'payments', title: { zh: '收款单', en: 'payment collections' }, data: dossiers.map((x) => x.payment) },
      { name: 'waybills', title: { zh: '物流运单', en: 'waybills' }, data: dossiers.map((x) => x.waybill) },
      {
        name: 'departures',
        title: { zh: '运抵、总分单与离境', en: 'arrival, consolidation and departure' },
        data: dossiers.map((x) => ({ invtNo: x.invtNo, events: x.events })),
      },
      {
        name: 'proceeds',
        title: { zh: '收汇情况', en: 'proceeds received' },
        data: {
          received: d.received,
          lastReceiptDay: d.lastReceiptDay,
          bankReceipts: proceeds.receipts,
          rmbSettlements: proceeds.rmbSettlements,
        },
      },
    ]);
  }

  async function orderPack(p: Principal, ref: OrderRef): Promise<EvidencePack> {
    const { chosen, all } = await orderFor(p, ref);
    const [x] = await inventoryDossiers(db, [chosen.inventoryId]);
    if (!x) throw notFound({ zh: '订单', en: 'order' });
    const lookup = summaryLookup(db);
    const lineage = await lookup.inventoryLineage([chosen.inventoryId]);
    const declIds = [...new Set(lineage.map((l) => l.declarationId))];
    const declarations = declIds.length ? await lookup.declarations({ ids: declIds, limit: declIds.length }) : [];
    const [receipts, proceeds] = await Promise.all([
      documentReceiptHistory(db, x.documentIds),
      orderProceeds(db, chosen.ebcCode, [chosen.orderNo]),
    ]);
    const fedLines = new Set(lineage.map((l) => `${l.declarationId}:${l.lineNo}`));
    return buildPack(
      { kind: 'order', id: chosen.inventoryId, orderNo: chosen.orderNo, ebpCode: chosen.ebpCode, invtNo: chosen.invtNo },
      clock.now().toISOString(),
      [
        {
          name: 'order',
          title: { zh: '电子订单', en: 'order' },
          data: { orderNo: chosen.orderNo, ebpCode: chosen.ebpCode, head: x.order, lines: x.orderLines },
        },
        { name: 'payment', title: { zh: '收款单', en: 'payment collection' }, data: x.payment },
        { name: 'waybill', title: { zh: '物流运单', en: 'waybill' }, data: x.waybill },
        {
          name: 'inventory',
          title: { zh: '申报清单', en: 'inventory' },
          data: {
            ...inventoryOf(x),
            // A rejected or cancelled earlier inventory of the same order is part of its history.
            earlier: all.filter((r) => r.inventoryId !== chosen.inventoryId).map((r) => ({ invtNo: r.invtNo, status: r.status })),
          },
        },
        {
          name: 'departure',
          title: { zh: '运抵、总分单与离境', en: 'arrival, consolidation and departure' },
          data: x.events,
        },
        {
          name: 'customs_receipts',
          title: { zh: '海关回执', en: 'customs receipts' },
          data: receipts.map(({ documentId: _d, ...r }) => r),
        },
        {
          name: 'summary_lineage',
          title: { zh: '汇总来源（清单表体→报关单表体）', en: 'summary lineage (inventory line → declaration line)' },
          data: lineage.map(({ inventoryId: _i, declarationId: _d, ...rest }) => rest),
        },
        {
          name: 'declarations',
          title: { zh: '出口报关单（汇总）', en: 'export declarations (summary)' },
          data: declarations.map((d) => ({
            entryId: d.entryId,
            declSeqNo: d.declSeqNo,
            customsCode: d.customsCode,
            ebcCode: d.ebcCode,
            period: d.period,
            lines: d.lines.filter((l) => fedLines.has(`${d.id}:${l.lineNo}`)),
          })),
        },
        {
          name: 'proceeds',
          title: { zh: '收汇情况', en: 'proceeds received' },
          data: { bankReceipts: proceeds.receipts, rmbSettlements: proceeds.rmbSettlements },
        },
      ],
    );
  }

  const fileName = (pk: EvidencePack): string =>
    pk.subject.kind === 'declaration' ? pk.subject.entryId : `${pk.subject.ebpCode}-${pk.subject.orderNo}`;

  return {
    async json(p: Principal | null, declarationId: string): Promise<EvidencePack> {
      requirePermission(p, 'evidence.read');
      return declarationPack(p, declarationId);
    },
    async pdf(p: Principal | null, declarationId: string): Promise<{ pdf: Buffer; packSha256: string; fileName: string }> {
      requirePermission(p, 'evidence.read');
      const pk = await declarationPack(p, declarationId);
      return { pdf: await renderEvidencePdf(pk), packSha256: pk.packSha256, fileName: fileName(pk) };
    },
    async orderJson(p: Principal | null, ref: OrderRef): Promise<EvidencePack> {
      requirePermission(p, 'evidence.read');
      return orderPack(p, ref);
    },
    async orderPdf(p: Principal | null, ref: OrderRef): Promise<{ pdf: Buffer; packSha256: string; fileName: string }> {
      requirePermission(p, 'evidence.read');
      const pk = await orderPack(p, ref);
      return { pdf: await renderEvidencePdf(pk), packSha256: pk.packSha256, fileName: fileName(pk) };
    },
    fileName,
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
