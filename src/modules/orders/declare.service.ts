import type { CebEntity, CebMessage } from '../../ceb/index.ts';
import { DomainError, notFound } from '../../kernel/errors.ts';
import { filingLookup, productKey, type Product } from '../filing/index.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { bi, guid, orderForBuild, visible, type DraftsDeps } from './drafts.shared.ts';
import { createOrdersRepository, type DraftOutcome } from './orders.repository.ts';
import { enterpriseOf } from './orders.service.ts';
import { DECLARABLE_DRAFT, type DraftStatus } from './orders.states.ts';
import type { InventoryDraftRow } from './orders.tables.ts';
import { cebTimes, orderEntity, type Party } from './rules/inventory.ts';

/** ≤ 100 entities per CEB message (GACC 2018 No. 56). */
export const MAX_ENTITIES = 100;
/** receipt status of "a live document with this business key exists": the platform declared the order */
const DUPLICATE_KEY = '-304001';

export interface DeclareResult {
  declared: number;
  rejected: number;
  messages: { messageType: string; guid: string; accepted: number; rejected: number }[];
  items: {
    id: string;
    orderNo: string;
    status: DraftStatus;
    documentId: string | null;
    invtNo: string | null;
    returnStatus: string | null;
    returnInfo: string | null;
  }[];
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

/** Declares drafts in bulk through the DeclarePort. */
export function createDeclareService(deps: DraftsDeps) {
  const { db, clock, audit, declare } = deps;

  return {
    /**
     * Declares complete drafts in bulk: first, as each seller, the CEB303 orders its platform has
     * not declared (third-party-marketplace mode), then, as the caller (the declaring agent), the
     * CEB603 inventories — ≤ 100 entities per message. Each draft ends declared or rejected with
     * the receipt text.
     */
    async declare(p: Principal | null, ids: string[], requestId?: string): Promise<DeclareResult> {
      requirePermission(p, 'orders.declare');
      const org = enterpriseOf(p);
      const unique = [...new Set(ids)];
      const repo = createOrdersRepository(db);
      const rows = await repo.draftsByIds(unique);
      const seen = rows.filter((r) => visible(org, r));
      const missing = unique.filter((id) => !seen.some((r) => r.id === id));
      if (missing.length)
        throw notFound({ zh: `清单草稿 ${missing.join('、')}`, en: `inventory draft(s) ${missing.join(', ')}` });
      const notAgent = seen.filter((r) => r.agent_org_id !== org.id);
      if (notAgent.length) {
        throw new DomainError(
          'orders.forbidden',
          bi('只有清单草稿指定的申报企业可以申报', 'only the declaring agent named in a draft may declare it'),
          {
            ids: notAgent.map((r) => r.id),
          },
        );
      }
      const notReady = seen.filter((r) => !DECLARABLE_DRAFT.includes(r.status) || r.problems.length > 0);
      if (notReady.length) {
        throw new DomainError('orders.invalid_state', bi('只能申报已完整的清单草稿', 'only complete drafts can be declared'), {
          drafts: notReady.map((r) => ({ id: r.id, orderNo: r.order_no, status: r.status, problems: r.problems })),
        });
      }
      // The messages below are unsigned JSON the platform builds from stored data: the sellers'
      // CEB303 where no platform declared the order, and the caller's CEB603. If one of those
      // organisations signs its declarations, only a person in the web UI may have them sent —
      // asked before anything is claimed or sent, so a refusal stores nothing (ADR 0018).
      const ordersSeen = new Map((await repo.ordersByIds(seen.map((d) => d.sales_order_id))).map((o) => [o.id, o]));
      const unsent = seen.filter((d) => !ordersSeen.get(d.sales_order_id)?.order_document_id);
      const live = await declare.declaredOrders(unsent.map((d) => `${d.platform_code}|${d.order_no}`));
      const sellers = unsent.filter((d) => !live.has(`${d.platform_code}|${d.order_no}`)).map((d) => d.seller_org_id);
      await declare.requireUnsignedAllowed(p, [...sellers, org.id]);
      const now = clock.now();
      const claimed = await db.transaction().execute(async (trx) => {
        const c = await createOrdersRepository(trx).claimDrafts(unique, org.id, DECLARABLE_DRAFT, now);
        if (c.length !== unique.length) {
          throw new DomainError(
            'orders.conflict',
            bi('部分清单草稿正在被另一次申报处理', 'some drafts are being declared by another request'),
          );
        }
        return c;
      });

      const outcomes = new Map<string, DraftOutcome>();
      const messages: DeclareResult['messages'] = [];
      const orderDocs: { id: string; documentId: string }[] = [];
      const times = cebTimes(now);
      try {
        // 1. CEB303 orders, as their seller, for the orders no platform has declared
        const orders = new Map((await repo.ordersByIds(claimed.map((d) => d.sales_order_id))).map((o) => [o.id, o]));
        const needOrder = claimed.filter((d) => !orders.get(d.sales_order_id)?.order_document_id);
        const already = await declare.declaredOrders(needOrder.map((d) => `${d.platform_code}|${d.order_no}`));
        const toSend = needOrder.filter((d) => !already.has(`${d.platform_code}|${d.order_no}`));
        const bySeller = new Map<string, InventoryDraftRow[]>();
        for (const d of toSend) bySeller.set(d.seller_org_id, [...(bySeller.get(d.seller_org_id) ?? []), d]);
        for (const [sellerId, drafts] of bySeller) {
          const sellerP = await declare.asOrganisation(sellerId, p);
          const sellerParty: Party = { code: sellerP.organisation?.code ?? '', name: sellerP.organisation?.name ?? '' };
          const products = await filingLookup(db).filedProducts(
            drafts.flatMap((d) =>
              (orders.get(d.sales_order_id)?.lines ?? []).map((l) => ({ ebcCode: sellerParty.code, itemNo: l.itemNo })),
            ),
          );
          for (const part of chunks(drafts, MAX_ENTITIES)) {
            const entities: CebEntity[] = part.map((d) => {
              const o = orders.get(d.sales_order_id)!;
              const byItem = new Map<string, Product>();
              for (const l of o.lines) {
                const pr = products.get(productKey(sellerParty.code, l.itemNo));
                if (pr) byItem.set(l.itemNo, pr);
              }
              return orderEntity({
                order: orderForBuild(o),
                products: byItem,
                seller: sellerParty,
                platform: { code: o.platform_code, name: o.platform_name },
                guid: guid(),
                appTime: times.appTime,
              });
            });
            const message = cebMessage('CEB303', entities, sellerParty);
            const res = await declare.submit(sellerP, message, requestId);
            messages.push({ messageType: 'CEB303', guid: message.guid, accepted: res.accepted, rejected: res.rejected });
            for (const e of res.entities) {
              const d = part[e.index];
              if (!d) continue;
              if (e.accepted && e.documentId) orderDocs.push({ id: d.sales_order_id, documentId: e.documentId });
              else if (e.returnStatus !== DUPLICATE_KEY) {
                outcomes.set(d.id, {
                  id: d.id,
                  status: 'rejected',
                  document_id: null,
                  invt_no: null,
                  return_status: e.returnStatus,
                  return_info: `CEB303: ${e.returnInfo}`,
                });
              }
            }
          }
        }
        // 2. CEB603 inventories, as the agent
        const agentParty: Party = { code: org.code ?? '', name: org.name };
        const ready = claimed.filter((d) => !outcomes.has(d.id));
        for (const part of chunks(ready, MAX_ENTITIES)) {
          const message = cebMessage(
            'CEB603',
            part.map((d) => ({ head: { ...d.head, appTime: times.appTime }, lists: { InventoryList: d.lines } })),
            agentParty,
          );
          const res = await declare.submit(p, message, requestId);
          messages.push({ messageType: 'CEB603', guid: message.guid, accepted: res.accepted, rejected: res.rejected });
          for (const e of res.entities) {
            const d = part[e.index];
            if (!d) continue;
            outcomes.set(d.id, {
              id: d.id,
              status: e.accepted ? 'declared' : 'rejected',
              document_id: e.documentId,
              invt_no: e.invtNo ?? null,
              return_status: e.returnStatus,
              return_info: e.returnInfo,
            });
          }
        }
      } finally {
        // Whatever happened, no draft stays claimed: unanswered ones go back for another try.
        const before = new Map(seen.map((r) => [r.id, r.status]));
        for (const d of claimed) {
          if (!outcomes.has(d.id)) {
            outcomes.set(d.id, {
              id: d.id,
              status: before.get(d.id) ?? 'complete',
              document_id: d.document_id,
              invt_no: d.invt_no,
              return_status: d.return_status,
              return_info: d.return_info,
            });
          }
        }
        await db.transaction().execute(async (trx) => {
          const r = createOrdersRepository(trx);
          const done = await r.finishDrafts([...outcomes.values()], clock.now());
          await r.setOrderDocuments(orderDocs, clock.now());
          await r.setOrderStatus(
            done.filter((d) => d.status === 'declared').map((d) => d.sales_order_id),
            'declared',
            clock.now(),
          );
          await audit.append(
            trx,
            actorOf(p, requestId),
            done.map((d) => ({
              action: 'inventory_draft.declare',
              entity: 'inventory_draft',
              entityId: d.id,
              after: {
                orderNo: d.order_no,
                status: d.status,
                documentId: d.document_id,
                invtNo: d.invt_no,
                returnStatus: d.return_status,
              },
            })),
          );
        });
      }
      const items = claimed.map((d) => {
        const o = outcomes.get(d.id)!;
        return {
          id: d.id,
          orderNo: d.order_no,
          status: o.status,
          documentId: o.document_id,
          invtNo: o.invt_no,
          returnStatus: o.return_status,
          returnInfo: o.return_info,
        };
      });
      return {
        declared: items.filter((i) => i.status === 'declared').length,
        rejected: items.filter((i) => i.status === 'rejected').length,
        messages,
        items,
      };
    },
  };
}

function cebMessage(messageType: 'CEB303' | 'CEB603', entities: CebEntity[], sender: Party): CebMessage {
  return {
    messageType,
    guid: guid(),
    version: '1.0',
    entities,
    baseTransfer: { copCode: sender.code, copName: sender.name, dxpMode: 'DXP', dxpId: `DXPENT${sender.code}` },
  };
}
