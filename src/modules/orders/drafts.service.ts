import { randomUUID } from 'node:crypto';
import type { CebEntity, CebMessage } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { filingLookup, productKey, type Product } from '../filing/index.ts';
import {
  actorOf,
  organisationDirectory,
  requirePermission,
  type OrganisationProfile,
  type Principal,
} from '../identity/index.ts';
import type { DeclarePort } from './orders.ports.ts';
import { createOrdersRepository, type DraftOutcome } from './orders.repository.ts';
import { clampLimit, decodeCursor, decimal, encodeCursor, enterpriseOf, sellerOf } from './orders.service.ts';
import { DECLARABLE_DRAFT, EDITABLE_DRAFT, type DraftStatus } from './orders.states.ts';
import type { DraftProblem, InventoryDraftRow, SalesOrderRow } from './orders.tables.ts';
import {
  buildInventory,
  cebTimes,
  checkDraft,
  DEFAULT_BUILD,
  orderEntity,
  type OrderForBuild,
  type Party,
  type TradeMode,
} from './rules/inventory.ts';

const DRAFT: Bilingual = { zh: '清单草稿', en: 'inventory draft' };
const bi = (zh: string, en: string): Bilingual => ({ zh, en });

/** ≤ 100 entities per CEB message (GACC 2018 No. 56). */
export const MAX_ENTITIES = 100;
const MAX_BUILD = 1000;
/** receipt status of "a live document with this business key exists": the platform declared the order */
const DUPLICATE_KEY = '-304001';

export interface InventoryDraft {
  id: string;
  salesOrderId: string;
  orderNo: string;
  platformCode: string;
  tradeMode: string;
  sellerOrgId: string;
  agentOrgId: string;
  status: DraftStatus;
  head: Record<string, string>;
  lines: Record<string, string>[];
  problems: DraftProblem[];
  documentId: string | null;
  invtNo: string | null;
  returnStatus: string | null;
  returnInfo: string | null;
  declaredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toDraft(r: InventoryDraftRow): InventoryDraft {
  return {
    id: r.id,
    salesOrderId: r.sales_order_id,
    orderNo: r.order_no,
    platformCode: r.platform_code,
    tradeMode: r.trade_mode,
    sellerOrgId: r.seller_org_id,
    agentOrgId: r.agent_org_id,
    status: r.status,
    head: r.head,
    lines: r.lines,
    problems: r.problems,
    documentId: r.document_id,
    invtNo: r.invt_no,
    returnStatus: r.return_status,
    returnInfo: r.return_info,
    declaredAt: r.declared_at ? r.declared_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface BuildInput {
  orderIds?: string[];
  /** the declaring agent: the seller itself (default) or a broker (role agent) */
  agentCode?: string;
  /** the carrier (role logistics); without it the drafts wait for one */
  logisticsCode?: string;
  customsCode?: string;
  portCode?: string;
  tradeMode?: TradeMode;
  trafMode?: string;
  pod?: string;
}

export interface DraftPatch {
  logisticsCode?: string;
  logisticsNo?: string;
  grossWeight?: string;
  netWeight?: string;
  freight?: string;
  insuredFee?: string;
  POD?: string;
  note?: string;
  lines?: { gnum: string; qty1?: string; qty2?: string }[];
}

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

const orderForBuild = (o: SalesOrderRow): OrderForBuild & { goodsValue: string } => ({
  orderNo: o.order_no,
  currency: o.currency,
  goodsValue: decimal(o.goods_value) ?? '0',
  freight: decimal(o.freight) ?? '0',
  insuredFee: decimal(o.insured_fee) ?? '0',
  buyerCountry: o.buyer_country,
  trackingNo: o.tracking_no,
  grossWeight: decimal(o.gross_weight),
  netWeight: decimal(o.net_weight),
  lines: o.lines,
});

const chunks = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

const guid = (): string => randomUUID().toUpperCase();

const visible = (org: { id: string }, r: InventoryDraftRow): boolean => r.seller_org_id === org.id || r.agent_org_id === org.id;

export type DraftsService = ReturnType<typeof createDraftsService>;

export function createDraftsService(deps: { db: Db; clock: Clock; audit: AuditLog; declare: DeclarePort }) {
  const { db, clock, audit, declare } = deps;

  /** An organisation by customs code holding `role` (or being `self`), as a CEB party. */
  async function partyWithRole(
    code: string,
    role: string,
    field: string,
    self?: { id: string; code: string },
  ): Promise<OrganisationProfile> {
    const [org] = await organisationDirectory(db).byCodes([code]);
    if (org && org.kind === 'enterprise' && (org.roles.includes(role) || (self && org.id === self.id))) return org;
    throw validationError([
      {
        field,
        rule: 'organisationRole',
        message: bi(`${code} 不是具有“${role}”角色的企业`, `${code} is not an enterprise holding the role "${role}"`),
        value: code,
      },
    ]);
  }
  const partyOf = (o: OrganisationProfile): Party => ({ code: o.customs_code ?? o.uscc ?? '', name: o.name });

  function copNoOf(id: string): string {
    return `D${id.replace(/-/g, '').slice(0, 29)}`.toUpperCase();
  }

  return {
    /** Builds (or rebuilds, while not declared) the inventory drafts of the seller's orders. */
    async buildInventories(
      p: Principal | null,
      input: BuildInput,
    ): Promise<{ built: number; complete: number; drafts: InventoryDraft[] }> {
      requirePermission(p, 'orders.import');
      const seller = sellerOf(p);
      const [sellerOrg] = await organisationDirectory(db).byCodes([seller.code]);
      if (!sellerOrg) throw notFound(DRAFT);
      const agent = input.agentCode ? await partyWithRole(input.agentCode, 'agent', 'agentCode', seller) : sellerOrg;
      const carrier = input.logisticsCode ? await partyWithRole(input.logisticsCode, 'logistics', 'logisticsCode') : null;
      const repo = createOrdersRepository(db);
      const orders = await repo.ordersToBuild(seller.id, input.orderIds ?? null, MAX_BUILD);
      if (input.orderIds) {
        const found = new Set(orders.map((o) => o.id));
        const missing = input.orderIds.filter((id) => !found.has(id));
        if (missing.length) throw notFound({ zh: `销售订单 ${missing.join('、')}`, en: `sales order(s) ${missing.join(', ')}` });
        const done = orders.filter((o) => o.status === 'declared');
        if (done.length) {
          throw new DomainError('orders.invalid_state', bi('已申报的订单不能重新生成清单', 'declared orders cannot be rebuilt'), {
            orderNos: done.map((o) => o.order_no),
          });
        }
      }
      const products = await filingLookup(db).filedProducts(
        orders.flatMap((o) => o.lines.map((l) => ({ ebcCode: seller.code, itemNo: l.itemNo }))),
      );
      const now = clock.now();
      const times = cebTimes(now);
      const params = {
        ...DEFAULT_BUILD,
        ...(input.customsCode ? { customsCode: input.customsCode } : {}),
        ...(input.portCode ? { portCode: input.portCode } : {}),
        ...(input.tradeMode ? { tradeMode: input.tradeMode } : {}),
        ...(input.trafMode ? { trafMode: input.trafMode } : {}),
        ...(input.pod ? { pod: input.pod } : {}),
        ...times,
      };
      const rows = orders.map((o) => {
        const byItem = new Map<string, Product>();
        for (const l of o.lines) {
          const pr = products.get(productKey(seller.code, l.itemNo));
          if (pr) byItem.set(l.itemNo, pr);
        }
        const id = newId();
        const built = buildInventory({
          order: orderForBuild(o),
          products: byItem,
          seller: partyOf(sellerOrg),
          platform: { code: o.platform_code, name: o.platform_name },
          agent: partyOf(agent),
          carrier: carrier ? partyOf(carrier) : null,
          params,
          guid: guid(),
          copNo: copNoOf(id),
        });
        return {
          id,
          sales_order_id: o.id,
          seller_org_id: seller.id,
          agent_org_id: agent.id,
          order_no: o.order_no,
          platform_code: o.platform_code,
          trade_mode: params.tradeMode,
          head: built.head,
          lines: built.lines,
          problems: built.problems,
          status: (built.problems.length ? 'draft' : 'complete') as DraftStatus,
          document_id: null,
          invt_no: null,
          return_status: null,
          return_info: null,
          declared_at: null,
        };
      });
      const drafts = await db.transaction().execute(async (trx) => {
        const r = createOrdersRepository(trx);
        const stored = await r.upsertDrafts(rows, now);
        await r.setOrderStatus(
          stored.map((d) => d.sales_order_id),
          'inventory_built',
          now,
        );
        await audit.append(
          trx,
          actorOf(p),
          stored.map((d) => ({
            action: 'inventory_draft.build',
            entity: 'inventory_draft',
            entityId: d.id,
            after: { orderNo: d.order_no, status: d.status, agentOrgId: d.agent_org_id, problems: d.problems.length },
          })),
        );
        return stored;
      });
      return {
        built: drafts.length,
        complete: drafts.filter((d) => d.status === 'complete').length,
        drafts: drafts.map(toDraft),
      };
    },

    async listDrafts(
      p: Principal | null,
      opts: { status?: DraftStatus; cursor?: string; limit?: number },
    ): Promise<{ items: InventoryDraft[]; nextCursor: string | null }> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor);
      const rows = await createOrdersRepository(db).listDrafts({
        orgId: org.id,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(after ? { afterId: after.id } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toDraft), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
    },

    async getDraft(p: Principal | null, id: string): Promise<InventoryDraft> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const row = await createOrdersRepository(db).findDraft(id);
      if (!row || !visible(org, row)) throw notFound(DRAFT);
      return toDraft(row);
    },

    /** The seller or the named agent fills in what the order could not say; the draft is checked again. */
    async patchDraft(p: Principal | null, id: string, patch: DraftPatch): Promise<InventoryDraft> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const carrier = patch.logisticsCode ? await partyWithRole(patch.logisticsCode, 'logistics', 'logisticsCode') : null;
      return db.transaction().execute(async (trx) => {
        const repo = createOrdersRepository(trx);
        const row = await repo.lockDraft(id);
        if (!row || !visible(org, row)) throw notFound(DRAFT);
        if (!EDITABLE_DRAFT.includes(row.status)) {
          throw new DomainError(
            'orders.invalid_state',
            bi(`清单草稿处于“${row.status}”状态，不能修改`, `a draft in state "${row.status}" cannot be edited`),
            {
              state: row.status,
            },
          );
        }
        const head = { ...row.head };
        if (carrier) {
          head.logisticsCode = carrier.customs_code ?? '';
          head.logisticsName = carrier.name;
        }
        for (const k of ['logisticsNo', 'grossWeight', 'netWeight', 'freight', 'insuredFee', 'POD', 'note'] as const) {
          const v = patch[k];
          if (v !== undefined) {
            if (v === '') delete head[k];
            else head[k] = v;
          }
        }
        const byGnum = new Map((patch.lines ?? []).map((l) => [l.gnum, l]));
        const unknown = [...byGnum.keys()].filter((g) => !row.lines.some((l) => l.gnum === g));
        if (unknown.length) {
          throw validationError(
            unknown.map((g) => ({
              field: 'lines',
              rule: 'gnum',
              message: bi(`没有序号为 ${g} 的商品行`, `no line with gnum ${g}`),
              value: g,
            })),
          );
        }
        const lines = row.lines.map((l) => {
          const e = byGnum.get(l.gnum ?? '');
          const out = { ...l };
          if (e?.qty1 !== undefined) out.qty1 = e.qty1;
          if (e?.qty2 !== undefined) out.qty2 = e.qty2;
          return out;
        });
        // A new guid: a corrected draft is a new declaration to customs (a rejected guid is spent).
        if (row.status === 'rejected') head.guid = guid();
        const problems = checkDraft(head, lines);
        const status: DraftStatus = row.status === 'rejected' ? 'rejected' : problems.length ? 'draft' : 'complete';
        const now = clock.now();
        const updated = await repo.updateDraft(id, { head, lines, problems, status }, now);
        await audit.append(trx, actorOf(p), [
          {
            action: 'inventory_draft.edit',
            entity: 'inventory_draft',
            entityId: id,
            before: { head: row.head, lines: row.lines, status: row.status },
            after: { head: updated.head, lines: updated.lines, status: updated.status, problems: problems.length },
          },
        ]);
        return toDraft(updated);
      });
    },

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
          const sellerP = await declare.asOrganisation(sellerId);
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
