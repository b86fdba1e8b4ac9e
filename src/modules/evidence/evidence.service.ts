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
import { ArraySpool, finishPack, spoolDir, type SpooledPack } from './evidence.spool.ts';
import { buildPack, type EvidencePack } from './rules/pack.rules.ts';

/**
 * Parcels (inventories) read per page for a declaration's pack: every parcel is in the pack, read
 * in pages so memory stays bounded however many the declaration covers.
 */
export const PACK_PAGE_SIZE = 500;

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

export function createEvidenceService(deps: { db: Db; clock: Clock; /** parcels per page (tests: small) */ pageSize?: number }) {
  const { db, clock } = deps;
  const pageSize = Math.max(1, Math.floor(deps.pageSize ?? PACK_PAGE_SIZE));

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

  /**
   * The pack of a declaration with every parcel it covers: lineage and parcels are read in pages
   * through cursors in one read-only snapshot (a parcel closing meanwhile cannot make the parts
   * disagree) and spooled to temporary files, so memory stays bounded at any size.
   */
  async function declarationPack(p: Principal, id: string): Promise<SpooledPack> {
    const d = await declarationFor(p, id);
    const tmp = await spoolDir();
    try {
      const spool = (name: string) => ArraySpool.create(tmp.dir, name);
      const lineage = await spool('summary_lineage');
      const inventories = await spool('inventories');
      const orders = await spool('orders');
      const payments = await spool('payments');
      const waybills = await spool('waybills');
      const departures = await spool('departures');
      const customsReceipts = await spool('customs_receipts');
      const bankReceipts = await spool('bank_receipts');
      const rmbSettlements = await spool('rmb_settlements');
      const all = [lineage, inventories, orders, payments, waybills, departures, customsReceipts, bankReceipts, rmbSettlements];
      try {
        await db
          .transaction()
          .setIsolationLevel('repeatable read')
          .setAccessMode('read only')
          .execute(async (trx) => {
            const lookup = summaryLookup(trx);
            for await (const page of lookup.lineagePages(d.id, pageSize))
              await lineage.push(page.map(({ inventoryId: _i, ...rest }) => rest));
            for await (const page of lookup.inventoryPages(d.id, pageSize)) {
              const dossiers = await inventoryDossiers(
                trx,
                page.map((x) => x.inventoryId),
              );
              await inventories.push(dossiers.map(inventoryOf));
              await orders.push(dossiers.map((x) => x.order));
              await payments.push(dossiers.map((x) => x.payment));
              await waybills.push(dossiers.map((x) => x.waybill));
              await departures.push(dossiers.map((x) => ({ invtNo: x.invtNo, events: x.events })));
              // What customs answered to each parcel's documents (release and exit proof), in parcel order.
              const history = await documentReceiptHistory(
                trx,
                dossiers.flatMap((x) => x.documentIds),
              );
              await customsReceipts.push(
                dossiers.flatMap((x) => {
                  const mine = new Set(x.documentIds);
                  return history
                    .filter((r) => mine.has(r.documentId))
                    .map(({ documentId: _d, ...r }) => ({ invtNo: x.invtNo, ...r }));
                }),
              );
              // Proceeds follow the parcels: each parcel's receipts and settlements naming its
              // order, in parcel order, so the part does not depend on where pages break.
              const orderNoOf = dossiers.map((x) => String(x.inventory.orderNo ?? ''));
              const proceeds = await orderProceeds(trx, d.ebcCode, orderNoOf.filter(Boolean));
              const byOrder = <T extends { orderNo: string }>(rows: T[]) => {
                const m = new Map<string, T[]>();
                for (const r of rows) {
                  const list = m.get(r.orderNo);
                  if (list) list.push(r);
                  else m.set(r.orderNo, [r]);
                }
                return orderNoOf.flatMap((no) => (no ? (m.get(no) ?? []) : []));
              };
              await bankReceipts.push(byOrder(proceeds.receipts));
              await rmbSettlements.push(byOrder(proceeds.rmbSettlements));
            }
          });
      } finally {
        await Promise.all(all.map((x) => x.close()));
      }
      return await finishPack(
        { kind: 'declaration', id: d.id, entryId: d.entryId },
        clock.now().toISOString(),
        [
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
              inventoriesInPack: inventories.count,
              // every parcel is read; true only if the lineage names fewer than the declaration counts
              truncated: d.inventoryCount > inventories.count,
              lines: d.lines,
            },
          },
          {
            name: 'summary_lineage',
            title: { zh: '汇总来源（清单表体→报关单表体）', en: 'summary lineage (inventory line → declaration line)' },
            data: lineage,
          },
          { name: 'inventories', title: { zh: '申报清单', en: 'inventories' }, data: inventories },
          { name: 'orders', title: { zh: '电子订单', en: 'orders' }, data: orders },
          { name: 'payments', title: { zh: '收款单', en: 'payment collections' }, data: payments },
          { name: 'waybills', title: { zh: '物流运单', en: 'waybills' }, data: waybills },
          {
            name: 'departures',
            title: { zh: '运抵、总分单与离境', en: 'arrival, consolidation and departure' },
            data: departures,
          },
          {
            name: 'customs_receipts',
            title: { zh: '海关回执', en: 'customs receipts' },
            data: customsReceipts,
          },
          {
            name: 'proceeds',
            title: { zh: '收汇情况', en: 'proceeds received' },
            data: { received: d.received, lastReceiptDay: d.lastReceiptDay, bankReceipts, rmbSettlements },
          },
        ],
        tmp.dispose,
      );
    } catch (e) {
      await tmp.dispose();
      throw e;
    }
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

  const fileName = (pk: Pick<EvidencePack, 'subject'>): string =>
    pk.subject.kind === 'declaration' ? pk.subject.entryId : `${pk.subject.ebpCode}-${pk.subject.orderNo}`;

  return {
    /** A declaration's pack, complete: stream it (`stream()`), which removes its temporary files. */
    async json(p: Principal | null, declarationId: string): Promise<SpooledPack> {
      requirePermission(p, 'evidence.read');
      return declarationPack(p, declarationId);
    },
    async pdf(p: Principal | null, declarationId: string): Promise<{ pdf: Buffer; packSha256: string; fileName: string }> {
      requirePermission(p, 'evidence.read');
      const pk = await declarationPack(p, declarationId);
      try {
        return { pdf: await renderEvidencePdf(pk.preview(), pk.rowCounts), packSha256: pk.packSha256, fileName: fileName(pk) };
      } finally {
        await pk.dispose();
      }
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
